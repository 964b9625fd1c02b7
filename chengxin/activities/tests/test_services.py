"""The activity registry's rules: the epidemic-prevention plan before publishing (requirement 三), field checks,
who may write, the edit / withdraw / delete lifecycle, and photo checks by content."""

import pytest

from chengxin.activities import services
from chengxin.activities.models import Activity, ActivityPhoto, ActivityStatus
from chengxin.activities.selectors import activity_outputs
from chengxin.activities.tests.factories import JPEG, PLAN_TEXT, PNG, create, published, raw, upload
from chengxin.conftest import make_docx, make_pdf
from chengxin.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _fields(exc: DomainError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


# --- The offline-plan rule --------------------------------------------------------------------------------


def test_offline_activity_without_plan_is_refused_and_stays_unpublished(campaign, alice):
    activity = create(campaign, alice, mode="offline")
    with pytest.raises(DomainError) as caught:
        services.activity_publish(activity=activity, acting_user=alice)
    assert "防疫方案" in _fields(caught.value)["epidemic_plan"]
    assert "第三条" in _fields(caught.value)["epidemic_plan"]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAFT
    assert activity.published_at is None


def test_online_and_offline_activity_also_needs_a_plan(campaign, alice):
    activity = create(campaign, alice, mode="both")
    with pytest.raises(DomainError):
        services.activity_publish(activity=activity, acting_user=alice)
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.DRAFT


def test_offline_activity_with_a_written_plan_is_published(campaign, alice):
    activity = create(campaign, alice, epidemic_plan_text=PLAN_TEXT)
    activity = services.activity_publish(activity=activity, acting_user=alice)
    assert activity.status == ActivityStatus.PUBLISHED
    assert activity.published_at is not None


def test_a_plan_text_shorter_than_twenty_characters_does_not_count(campaign, alice):
    activity = create(campaign, alice, epidemic_plan_text="戴口罩，测体温。")
    with pytest.raises(DomainError):
        services.activity_publish(activity=activity, acting_user=alice)


def test_offline_activity_with_a_plan_file_is_published(campaign, alice):
    activity = create(campaign, alice, plan_file=upload("防疫方案.docx", make_docx("防疫方案")))
    assert activity.epidemic_plan_name == "防疫方案.docx"
    assert services.activity_publish(activity=activity, acting_user=alice).status == ActivityStatus.PUBLISHED


def test_online_activity_needs_no_plan(campaign, alice):
    activity = create(campaign, alice, mode="online", meeting_sessions="0", meeting_attendance="")
    assert services.activity_publish(activity=activity, acting_user=alice).status == ActivityStatus.PUBLISHED


def test_a_plan_file_that_is_not_a_document_is_refused_and_nothing_is_saved(campaign, alice):
    with pytest.raises(DomainError) as caught:
        create(campaign, alice, plan_file=upload("防疫方案.pdf", JPEG))
    assert "epidemic_plan" in _fields(caught.value)
    assert not Activity.objects.exists()


def test_a_published_offline_activity_cannot_lose_its_plan(campaign, alice):
    activity = published(campaign, alice)
    with pytest.raises(DomainError) as caught:
        services.activity_update(activity=activity, raw=raw(epidemic_plan_text=""), acting_user=alice)
    assert "epidemic_plan" in _fields(caught.value)
    activity.refresh_from_db()
    assert activity.epidemic_plan_text == PLAN_TEXT
    assert activity.status == ActivityStatus.PUBLISHED


# --- Field checks -----------------------------------------------------------------------------------------


def test_links_must_be_http_or_https_urls_and_each_bad_line_is_named(campaign, alice):
    links = "https://www.mofcom.gov.cn/a.html\nftp://example.com/x\njavascript:alert(1)\n不是网址"
    with pytest.raises(DomainError) as caught:
        create(campaign, alice, links=links)
    messages = [e.message for e in caught.value.errors if e.field == "links"]
    assert len(messages) == 3
    assert "第 2 行" in messages[0] and "ftp://example.com/x" in messages[0]


def test_valid_links_are_kept_one_per_line_without_blank_lines(campaign, alice):
    activity = create(campaign, alice, links="  https://a.example.cn/1  \n\n\nhttp://b.example.cn/2\n")
    assert activity.link_list == ["https://a.example.cn/1", "http://b.example.cn/2"]


def test_every_bad_field_is_named_at_once(campaign, alice):
    with pytest.raises(DomainError) as caught:
        create(
            campaign,
            alice,
            title="",
            start_date="2020-10-20",
            end_date="2020-10-19",
            region_code="999999",
            mode="somewhere",
            meeting_sessions="3",
            meeting_attendance="0",
            videos="两条",
            plan_activity="99",
        )
    assert set(_fields(caught.value)) >= {
        "title",
        "end_date",
        "region_code",
        "mode",
        "meeting_attendance",
        "videos",
        "plan_activity",
    }


def test_online_activity_has_no_offline_sessions(campaign, alice):
    with pytest.raises(DomainError) as caught:
        create(campaign, alice, mode="online")  # the factory's 2 sessions and 600 attendance
    fields = _fields(caught.value)
    assert set(fields) == {"meeting_sessions", "meeting_attendance"}
    assert fields["meeting_sessions"].startswith("会议 场次（场）只用于线下（含线上线下）活动")
    assert fields["meeting_attendance"].startswith("会议 人次（人次）只用于线下")
    assert not Activity.objects.exists()


def test_online_and_offline_activity_may_have_offline_sessions(campaign, alice):
    activity = create(campaign, alice, mode="both")
    assert activity_outputs(activity)["meeting_attendance"] == 600


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"meeting_sessions": "3", "meeting_attendance": "0"}, "meeting_attendance", "场次为 0 时人次也应为 0"),
        ({"meeting_sessions": "0", "meeting_attendance": "30"}, "meeting_attendance", "场次为 0 时人次也应为 0"),
        ({"meeting_sessions": "5", "meeting_attendance": "4"}, "meeting_attendance", "人次不能少于场次"),
        ({"live_sessions": "0", "live_viewers": "800"}, "live_viewers", "场次为 0 时观看人次也应为 0"),
        # The form's rule is symmetric: livestreams without viewers are refused too (the old rule let them pass).
        ({"live_sessions": "2", "live_viewers": "0"}, "live_viewers", "场次为 0 时观看人次也应为 0"),
    ],
)
def test_the_forms_error_rules_apply_to_an_activitys_outputs(campaign, alice, typed, field, message):
    with pytest.raises(DomainError) as caught:
        create(campaign, alice, **typed)
    assert {e.field for e in caught.value.errors} == {field}
    assert any(message in e.message for e in caught.value.errors)
    assert not Activity.objects.exists()


def test_outputs_above_two_billion_are_refused_except_counts_of_people(campaign, alice):
    with pytest.raises(DomainError) as caught:
        create(campaign, alice, web_news="30亿")
    assert "数值过大" in _fields(caught.value)["web_news"]
    activity = create(campaign, alice, live_viewers="30亿")
    assert activity_outputs(activity)["live_viewers"] == 3_000_000_000


def test_zero_outputs_are_not_stored_and_read_as_zero(campaign, alice):
    activity = create(campaign, alice, radio_broadcasts="", videos="0")
    assert set(activity.outputs.values_list("code", flat=True)) == {
        "meeting_sessions",
        "meeting_attendance",
        "print_news",
        "tv_news",
        "web_news",
        "live_sessions",
        "live_viewers",
    }
    activity = services.activity_update(
        activity=activity, raw=raw(web_news="0", videos="3", print_news="4"), acting_user=alice
    )
    outputs = activity_outputs(activity)
    assert "web_news" not in outputs and (outputs["videos"], outputs["print_news"]) == (3, 4)
    assert not activity.outputs.filter(value=0).exists()


def test_numbers_understand_chinese_magnitudes_and_region_defaults_to_the_unit(campaign, alice):
    activity = create(campaign, alice, region_code="", live_viewers="1.2万")
    assert activity_outputs(activity)["live_viewers"] == 12000
    assert activity.region_code == "440000"


def test_plan_activity_is_chosen_by_its_number(campaign, alice):
    activity = create(campaign, alice, plan_activity="8")
    assert activity.plan_activity.lead_body.code == "GACC"


# --- Who may write ----------------------------------------------------------------------------------------


def test_a_reporter_cannot_register_for_another_unit(campaign, bob):
    with pytest.raises(DomainError) as caught:
        create(campaign, bob, unit_code="440000")
    assert caught.value.status == 404
    assert not Activity.objects.exists()


def test_a_reporter_cannot_publish_another_units_activity(campaign, alice, bob):
    activity = create(campaign, alice, epidemic_plan_text=PLAN_TEXT)
    with pytest.raises(DomainError):
        services.activity_publish(activity=activity, acting_user=bob)
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.DRAFT


def test_the_national_admin_registers_on_a_units_behalf_but_a_reviewer_cannot(campaign, alice, carol, dave):
    activity = create(campaign, dave)
    assert activity.unit.code == "440000" and activity.created_by == dave
    with pytest.raises(DomainError):
        create(campaign, carol)


# --- Lifecycle --------------------------------------------------------------------------------------------


def test_withdraw_edit_and_publish_again(campaign, alice):
    activity = published(campaign, alice)
    activity = services.activity_withdraw(activity=activity, acting_user=alice)
    assert activity.status == ActivityStatus.WITHDRAWN
    activity = services.activity_update(
        activity=activity, raw=raw(title="改期后的启动仪式", epidemic_plan_text=PLAN_TEXT), acting_user=alice
    )
    assert activity.title == "改期后的启动仪式"
    assert services.activity_publish(activity=activity, acting_user=alice).status == ActivityStatus.PUBLISHED


def test_only_a_published_activity_can_be_withdrawn(campaign, alice):
    activity = create(campaign, alice)
    with pytest.raises(DomainError):
        services.activity_withdraw(activity=activity, acting_user=alice)


def test_editing_a_published_activity_keeps_it_published(campaign, alice):
    activity = published(campaign, alice)
    activity = services.activity_update(
        activity=activity, raw=raw(videos="5", epidemic_plan_text=PLAN_TEXT), acting_user=alice
    )
    assert activity_outputs(activity)["videos"] == 5 and activity.status == ActivityStatus.PUBLISHED


def test_only_drafts_can_be_deleted(campaign, alice):
    draft = create(campaign, alice)
    services.activity_add_photo(activity=draft, uploaded_file=upload("现场.jpg", JPEG), acting_user=alice)
    services.activity_delete(activity=draft, acting_user=alice)
    assert not Activity.objects.filter(pk=draft.pk).exists()
    assert not ActivityPhoto.objects.exists()
    shown = published(campaign, alice)
    with pytest.raises(DomainError):
        services.activity_delete(activity=shown, acting_user=alice)
    assert Activity.objects.filter(pk=shown.pk).exists()


# --- Photos -----------------------------------------------------------------------------------------------


def test_jpeg_and_png_photos_are_stored_under_generated_names(campaign, alice):
    activity = create(campaign, alice)
    jpeg = services.activity_add_photo(activity=activity, uploaded_file=upload("现场 1.JPG", JPEG), acting_user=alice)
    png = services.activity_add_photo(activity=activity, uploaded_file=upload("海报.png", PNG), acting_user=alice)
    assert (jpeg.kind, png.kind) == ("jpeg", "png")
    assert jpeg.original_name == "现场 1.JPG"
    assert "现场" not in jpeg.file.name and jpeg.file.name.endswith(".jpg")
    assert len(jpeg.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("现场.jpg", make_pdf(), "不是 JPEG 或 PNG"),  # a PDF renamed to .jpg
        ("现场.jpg", PNG, "PNG"),  # a PNG named .jpg
        ("现场.gif", b"GIF89a" + b"\x00" * 20, "jpg、jpeg 或 png"),
        ("现场.jpg", b"", "空的"),
    ],
)
def test_a_photo_that_is_not_what_its_name_says_is_refused(campaign, alice, name, content, expected):
    activity = create(campaign, alice)
    with pytest.raises(DomainError) as caught:
        services.activity_add_photo(activity=activity, uploaded_file=upload(name, content), acting_user=alice)
    assert expected in _fields(caught.value)["photo"]
    assert not ActivityPhoto.objects.exists()


def test_a_photo_over_ten_megabytes_is_refused(campaign, alice):
    activity = create(campaign, alice)
    big = upload("大图.jpg", JPEG + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(DomainError) as caught:
        services.activity_add_photo(activity=activity, uploaded_file=big, acting_user=alice)
    assert "10 MB" in _fields(caught.value)["photo"]


def test_another_unit_cannot_add_photos(campaign, alice, bob):
    activity = create(campaign, alice)
    with pytest.raises(DomainError):
        services.activity_add_photo(activity=activity, uploaded_file=upload("a.jpg", JPEG), acting_user=bob)
    assert not ActivityPhoto.objects.exists()


def test_the_national_admin_registers_the_ministrys_own_activity(campaign, dave):
    activity = create(campaign, dave, unit_code="MOFCOM", plan_activity="1", region_code="310000")
    assert activity.unit.code == "MOFCOM" and activity.plan_activity.number == 1
