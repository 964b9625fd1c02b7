"""Signing (validation, duplicates) and moderation (who may, and what the public then sees)."""

import pytest

from chengxin.commitments.models import Commitment, Status
from chengxin.commitments.selectors import commitment_search
from chengxin.commitments.services import commitment_publish, commitment_reject, commitment_sign, commitment_withdraw
from chengxin.core.errors import DomainError

HUAWEI = "914403001922038216"


def sign(campaign, **overrides):
    fields = {
        "name": "华为技术有限公司",
        "uscc": HUAWEI,
        "region_code": "440000",
        "industry": "manufacturing",
        "contact_name": "李四",
        "contact_phone": "0755-28780808",
    }
    return commitment_sign(campaign=campaign, **{**fields, **overrides})


def field_errors(exc) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_signed_commitment_waits_for_moderation_and_is_not_public(campaign):
    commitment = sign(campaign, uscc=" ９１４４０３００１９２２０３８２１６ ")
    assert commitment.status == Status.PENDING
    assert commitment.uscc == HUAWEI
    assert list(commitment_search(campaign=campaign, q=HUAWEI)) == []
    assert list(commitment_search(campaign=campaign, q="华为")) == []


def test_every_wrong_field_is_named_at_once(campaign):
    with pytest.raises(DomainError) as exc:
        sign(campaign, name="", uscc="914403001922038217", region_code="999999", industry="x", contact_name="",
             contact_phone="12345")  # fmt: skip
    errors = field_errors(exc)
    assert errors["name"] == "请填写企业名称"
    assert errors["uscc"] == "统一社会信用代码有误：第18位校验码应为 6"
    assert "行政区划代码" in errors["region_code"]
    assert errors["industry"] == "请选择行业"
    assert errors["contact_name"] == "请填写联系人"
    assert "联系电话" in errors["contact_phone"]
    assert not Commitment.objects.exists()


def test_a_squatters_pending_signature_does_not_block_the_firms_own(campaign, carol):
    """Anyone may sign with another firm's valid code first; the firm's own signature is still taken, the ministry
    publishes the right one, and the others of that code are set aside with the reason."""
    squatter = sign(campaign, name="冒名商贸有限公司", contact_phone="13900000000")
    firm = sign(campaign, name="华为技术有限公司")
    assert {squatter.status, firm.status} == {Status.PENDING}
    assert list(commitment_search(campaign=campaign, q=HUAWEI)) == []  # the public sees no pending one
    commitment_publish(commitment=firm, acting_user=carol)
    squatter.refresh_from_db()
    assert squatter.status == Status.REJECTED and "华为技术有限公司" in squatter.reject_reason
    assert list(commitment_search(campaign=campaign, q=HUAWEI)) == [Commitment.objects.get(pk=firm.pk)]


def test_a_published_code_cannot_sign_again_or_be_published_twice(campaign, carol):
    commitment_publish(commitment=sign(campaign), acting_user=carol)
    with pytest.raises(DomainError) as exc:
        sign(campaign, name="华为技术有限公司（重复）")
    assert field_errors(exc)["uscc"] == "该统一社会信用代码本年度已有公示的承诺，不能重复签署"
    late = Commitment.objects.create(
        campaign=campaign,
        name="迟到",
        name_key="迟到",
        uscc=HUAWEI,
        region_code="440000",
        industry="other",
        contact_name="某",
        contact_phone="13800138000",
        signed_at=Commitment.objects.get().signed_at,
    )
    with pytest.raises(DomainError):
        commitment_publish(commitment=late, acting_user=carol)


def test_invisible_formatting_characters_are_removed_from_public_names(campaign):
    signed = sign(campaign, name="华为\u202e技术\u200b有限公司")
    assert signed.name == "华为技术有限公司"


def test_rejected_code_may_sign_again(campaign, carol):
    commitment_reject(commitment=sign(campaign), reason="名称与执照不符", acting_user=carol)
    assert sign(campaign).status == Status.PENDING


def test_reviewer_publishes_and_public_finds_it_by_code_and_name(campaign, carol):
    commitment = commitment_publish(commitment=sign(campaign), acting_user=carol)
    assert commitment.moderated_by == carol and commitment.moderated_at
    assert list(commitment_search(campaign=campaign, q=HUAWEI)) == [commitment]
    assert list(commitment_search(campaign=campaign, q="技术有限", match="contains")) == [commitment]
    assert list(commitment_search(campaign=campaign, q="华为技术", match="prefix")) == [commitment]
    assert list(commitment_search(campaign=campaign, q="技术", match="prefix")) == []


def test_rejected_commitment_is_never_public_and_keeps_its_reason(campaign, dave):
    commitment = commitment_reject(commitment=sign(campaign), reason="代码与名称不符", acting_user=dave)
    assert commitment.status == Status.REJECTED and commitment.reject_reason == "代码与名称不符"
    assert list(commitment_search(campaign=campaign, q=HUAWEI)) == []


def test_reject_needs_a_reason(campaign, carol):
    with pytest.raises(DomainError) as exc:
        commitment_reject(commitment=sign(campaign), reason="  ", acting_user=carol)
    assert field_errors(exc)["reason"] == "请填写未通过的原因"


def test_withdrawn_commitment_stays_public_marked_withdrawn(campaign, carol, dave):
    commitment = commitment_publish(commitment=sign(campaign), acting_user=carol)
    commitment_withdraw(commitment=commitment, reason="企业申请撤回", acting_user=dave)
    [found] = commitment_search(campaign=campaign, q=HUAWEI)
    assert found.status == Status.WITHDRAWN and found.withdrawn_at is not None
    with pytest.raises(DomainError):  # and the code stays taken for the year
        sign(campaign)


def test_only_published_commitments_can_be_withdrawn(campaign, carol):
    with pytest.raises(DomainError, match="只有已公示的承诺可以撤回"):
        commitment_withdraw(commitment=sign(campaign), reason="x", acting_user=carol)


def test_unit_reporter_cannot_moderate(campaign, alice):
    commitment = sign(campaign)
    with pytest.raises(DomainError) as exc:
        commitment_publish(commitment=commitment, acting_user=alice)
    assert exc.value.status == 403
    commitment.refresh_from_db()
    assert commitment.status == Status.PENDING


def test_contains_search_uses_the_trigram_index_and_stays_in_step_with_the_table(campaign, carol):
    from django.db import connection

    commitment = commitment_publish(commitment=sign(campaign), acting_user=carol)
    assert list(commitment_search(campaign=campaign, q="为技术有", match="contains")) == [commitment]
    assert list(commitment_search(campaign=campaign, q="华为", match="contains")) == [commitment]  # short: bounded
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'commitment_name_key_trgm'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]
    Commitment.objects.filter(pk=commitment.pk).delete()
    assert list(commitment_search(campaign=campaign, q="为技术有", match="contains")) == []
