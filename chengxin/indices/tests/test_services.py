"""The lifecycle of an index release: a unit's editor uploads and submits, the ministry publishes or rejects;
nothing is saved from a file with a refused row; a correction must say what it corrects and why, and publishing it
marks the old release superseded (never a silent change of a published number)."""

from decimal import Decimal

import pytest

from chengxin.audit.models import AuditEvent
from chengxin.core.errors import DomainError, TransitionError
from chengxin.indices import services
from chengxin.indices.models import IndexRelease, IndexUpload, IndexValue, ReleaseStatus
from chengxin.indices.tests.builders import csv_bytes, make_index, make_release, monthly_rows, published

pytestmark = pytest.mark.django_db


def test_an_editor_describes_an_index_for_its_own_unit(sally):
    index = make_index(sally)
    assert index.publisher.code == "310000" and index.created_by == sally
    index.refresh_from_db()
    assert index.base_value == Decimal("100")


def test_the_ministry_cannot_describe_an_index_and_codes_are_checked(carol, sally):
    with pytest.raises(DomainError) as refused:
        make_index(carol)
    assert refused.value.status == 403
    make_index(sally)
    for code in ("sh-shopping", "Shanghai!", "new", "x"):
        with pytest.raises(DomainError) as refused:
            make_index(sally, code=code)
        assert refused.value.errors[0].field == "code"


@pytest.mark.parametrize("base_value", ["abc", "1e309", "NaN", "9" * 40, ""])
def test_a_bad_base_value_is_refused_by_field(sally, base_value):
    with pytest.raises(DomainError) as refused:
        make_index(sally, base_value=base_value)
    assert refused.value.errors[0].field == "base_value"


def test_submit_then_publish_makes_the_values_public(sally, carol):
    index = make_index(sally)
    release = make_release(index, sally, csv_bytes(monthly_rows()))
    assert release.status == ReleaseStatus.SUBMITTED and release.version == 1 and release.row_count == 6
    assert IndexUpload.objects.count() == 0  # the staged upload is gone once confirmed
    services.release_publish(release=release, acting_user=carol)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED and release.reviewed_by == carol and release.published_at


def test_the_upload_of_the_values_is_one_audit_row(sally):
    index = make_index(sally)
    release = make_release(index, sally, csv_bytes(monthly_rows()), submit=False)
    event = AuditEvent.objects.get(action="index_values_upload")
    assert event.object_id == str(release.pk) and '"rows":6' in event.changes.replace(" ", "")
    assert not AuditEvent.objects.filter(object_type="indices.indexvalue").exists()


def test_nothing_is_saved_from_a_file_with_a_refused_row(sally):
    index = make_index(sally)
    rows = [*monthly_rows(), ("2020-11", "310000", "abc")]
    upload = services.upload_stage(index=index, name="bad.csv", content=csv_bytes(rows), acting_user=sally)
    with pytest.raises(DomainError) as refused:
        services.release_create(upload=upload, acting_user=sally, submit=True)
    assert refused.value.status == 422 and "bad.csv!8" in refused.value.message
    assert IndexRelease.objects.count() == 0 and IndexValue.objects.count() == 0
    assert IndexUpload.objects.filter(pk=upload.pk).exists()  # still there to look at


def test_another_units_editor_cannot_upload_or_confirm(sally, alice):
    index = make_index(sally)
    with pytest.raises(DomainError):
        services.upload_stage(index=index, name="x.csv", content=csv_bytes(monthly_rows()), acting_user=alice)
    upload = services.upload_stage(index=index, name="x.csv", content=csv_bytes(monthly_rows()), acting_user=sally)
    with pytest.raises(DomainError):
        services.release_create(upload=upload, acting_user=alice)
    assert IndexRelease.objects.count() == 0


def test_the_ministry_rejects_with_a_reason(sally, carol):
    release = make_release(make_index(sally), sally, csv_bytes(monthly_rows()))
    with pytest.raises(DomainError):
        services.release_reject(release=release, reason=" ", acting_user=carol)
    services.release_reject(release=release, reason="缺少编制说明中提到的郊区数据", acting_user=carol)
    release.refresh_from_db()
    assert release.status == ReleaseStatus.REJECTED and release.reject_reason.startswith("缺少")
    with pytest.raises(TransitionError):
        services.release_publish(release=release, acting_user=carol)


def test_an_editor_cannot_publish_and_a_draft_is_not_published(sally, carol):
    release = make_release(make_index(sally), sally, csv_bytes(monthly_rows()), submit=False)
    with pytest.raises(DomainError) as refused:
        services.release_publish(release=release, acting_user=sally)
    assert refused.value.status == 403
    with pytest.raises(TransitionError):
        services.release_publish(release=release, acting_user=carol)
    services.release_submit(release=release, acting_user=sally)
    services.release_publish(release=release, acting_user=carol)


def test_a_draft_can_be_deleted_a_submitted_release_cannot(sally):
    index = make_index(sally)
    draft = make_release(index, sally, csv_bytes(monthly_rows()), submit=False)
    services.release_delete(release=draft, acting_user=sally)
    assert not IndexValue.objects.exists()
    submitted = make_release(index, sally, csv_bytes(monthly_rows()))
    with pytest.raises(TransitionError):
        services.release_delete(release=submitted, acting_user=sally)


def test_a_later_period_is_a_new_release_beside_the_published_one(sally, carol):
    index = make_index(sally)
    published(index, sally, carol, monthly_rows())
    second = published(index, sally, carol, monthly_rows(months=[("2020-11", "102.0")]))
    assert second.version == 2
    assert set(index.releases.values_list("status", flat=True)) == {ReleaseStatus.PUBLISHED}


def test_the_same_periods_again_without_saying_it_is_a_correction_are_refused(sally, carol):
    index = make_index(sally)
    published(index, sally, carol, monthly_rows())
    changed = monthly_rows(months=[("2020-10", "99.9")])
    with pytest.raises(DomainError) as refused:
        make_release(index, sally, csv_bytes(changed))
    assert refused.value.status == 409 and "第 1 版已发布 2020-10" in refused.value.message
    assert "修订" in refused.value.message
    assert index.releases.count() == 1  # the whole write was rolled back


def test_a_correction_needs_a_note_and_every_value_of_the_release_it_replaces(sally, carol):
    index = make_index(sally)
    first = published(index, sally, carol, monthly_rows())
    with pytest.raises(DomainError) as refused:
        make_release(index, sally, csv_bytes(monthly_rows()), replaces=first, revision_note="  ")
    assert refused.value.errors[0].field == "revision_note"
    partial = monthly_rows(months=[("2020-10", "99.9")])
    with pytest.raises(DomainError) as refused:
        make_release(index, sally, csv_bytes(partial), replaces=first, revision_note="更正10月数据")
    assert "缺少 2020-08 全国" in refused.value.message


def test_publishing_a_correction_supersedes_the_old_release(sally, carol):
    index = make_index(sally)
    first = published(index, sally, carol, monthly_rows())
    corrected = monthly_rows(months=[*MONTHS_BUT_OCTOBER, ("2020-10", "101.6")])
    correction = published(index, sally, carol, corrected, replaces=first, revision_note="10月样本商户名单有误，已更正")
    first.refresh_from_db()
    assert first.status == ReleaseStatus.SUPERSEDED and first.superseded_at == correction.published_at
    assert correction.replaces == first and correction.revision_note.startswith("10月")
    # The superseded values are kept, readable at their release.
    assert first.values.filter(period="2020-10", region_code="000000").get().value == Decimal("101.8")


def test_a_superseded_release_cannot_be_corrected_again(sally, carol):
    index = make_index(sally)
    first = published(index, sally, carol, monthly_rows())
    pending = make_release(index, sally, csv_bytes(monthly_rows()), replaces=first, revision_note="第一次更正")
    published(index, sally, carol, monthly_rows(), replaces=first, revision_note="第二次更正")
    with pytest.raises(TransitionError):
        services.release_publish(release=pending, acting_user=carol)


MONTHS_BUT_OCTOBER = [("2020-08", "100.6"), ("2020-09", "101.2")]
