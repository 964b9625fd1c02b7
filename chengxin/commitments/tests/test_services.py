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


def test_same_code_cannot_sign_twice_in_a_campaign(campaign):
    sign(campaign)
    with pytest.raises(DomainError) as exc:
        sign(campaign, name="华为技术有限公司（重复）")
    assert field_errors(exc)["uscc"] == "该统一社会信用代码已签署本年度承诺，不能重复签署"


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
