"""Writes of commitments: an enterprise signs (no login); ministry staff publish, reject or withdraw."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign
from chengxin.commitments.models import ACTIVE_STATUSES, Commitment, Industry, Status
from chengxin.commitments.selectors import name_key
from chengxin.commitments.uscc import check_uscc
from chengxin.core.errors import DomainError, FieldError, TransitionError
from chengxin.core.inputs import visible_text
from chengxin.core.public_cache import portal_cache_bump
from chengxin.core.regions import PROVINCES

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
REGION = re.compile(r"^\d{6}$")


def _require_national(user) -> None:
    if user is None or not getattr(user, "is_national", False):
        raise DomainError(_("只有商务部工作人员可以审核诚信经营承诺"), status=403)


def _clean_text(value: str | None) -> str:
    return visible_text(value)


@transaction.atomic
def commitment_sign(
    *,
    campaign: Campaign,
    name: str,
    uscc: str,
    region_code: str,
    industry: str,
    contact_name: str,
    contact_phone: str,
) -> Commitment:
    """An enterprise signs the campaign's commitment. It waits for the ministry's moderation (待审核) and is not
    public until published. Every field is checked and every error named at once."""
    errors: list[FieldError] = []
    name = _clean_text(name)
    if not name:
        errors.append(FieldError("name", _("请填写企业名称")))
    elif len(name) < 2 or len(name) > 100:
        errors.append(FieldError("name", _("企业名称应为2至100个字")))
    code, problem = check_uscc(uscc)
    if problem:
        errors.append(FieldError("uscc", _("统一社会信用代码有误：%(problem)s") % {"problem": problem}))
    region_code = (region_code or "").strip()
    if not region_code:
        errors.append(FieldError("region_code", _("请选择所在地区")))
    elif not REGION.match(region_code) or region_code[:2] + "0000" not in PROVINCES:
        errors.append(FieldError("region_code", _("所在地区应为6位行政区划代码，如 440000")))
    if industry not in Industry.values:
        errors.append(FieldError("industry", _("请选择行业")))
    contact_name = _clean_text(contact_name)
    if not contact_name:
        errors.append(FieldError("contact_name", _("请填写联系人")))
    elif len(contact_name) > 50:
        errors.append(FieldError("contact_name", _("联系人不超过50个字")))
    contact_phone = re.sub(r"[\s()（）]", "", contact_phone or "")
    if not contact_phone:
        errors.append(FieldError("contact_phone", _("请填写联系电话")))
    elif not PHONE.match(contact_phone):
        errors.append(FieldError("contact_phone", _("联系电话应为手机号或带区号的固定电话，如 010-85093311")))
    if not problem and Commitment.objects.filter(campaign=campaign, uscc=code, status__in=ACTIVE_STATUSES).exists():
        errors.append(FieldError("uscc", _("该统一社会信用代码本年度已有公示的承诺，不能重复签署")))
    if errors:
        raise DomainError(_("请修改标出的内容后再提交"), errors=errors, status=422)
    # Pending signatures of one code may wait side by side (a squatter's cannot block the firm's own): the
    # ministry publishes one of them (commitment_publish) and the others are set aside then.
    return Commitment.objects.create(
        campaign=campaign,
        name=name,
        name_key=name_key(name),
        uscc=code,
        region_code=region_code,
        industry=industry,
        contact_name=contact_name,
        contact_phone=contact_phone,
        signed_at=timezone.now(),
    )


def _locked(commitment: Commitment) -> Commitment:
    return Commitment.objects.select_for_update().get(pk=commitment.pk)


@transaction.atomic
def commitment_publish(*, commitment: Commitment, acting_user) -> Commitment:
    """Ministry staff publish a pending commitment: from now on it is found by the public search."""
    _require_national(acting_user)
    commitment = _locked(commitment)
    if commitment.status == Status.PUBLISHED:
        return commitment
    if commitment.status != Status.PENDING:
        raise TransitionError(_("只有待审核的承诺可以公示"))
    same_code = Commitment.objects.select_for_update().filter(campaign=commitment.campaign, uscc=commitment.uscc)
    if same_code.filter(status__in=ACTIVE_STATUSES).exists():
        raise TransitionError(_("该统一社会信用代码本年度已有公示的承诺：同一代码只公示一份"))
    now = timezone.now()
    commitment.status, commitment.moderated_by, commitment.moderated_at = Status.PUBLISHED, acting_user, now
    commitment.save(update_fields=["status", "moderated_by", "moderated_at"])
    # The other signatures of the same code (a squatter's, a double submission) are set aside, each saved
    # (so each is in the audit log) with the reason.
    for other in same_code.filter(status=Status.PENDING).exclude(pk=commitment.pk):
        other.status, other.moderated_by, other.moderated_at = Status.REJECTED, acting_user, now
        other.reject_reason = _("同一统一社会信用代码的另一份承诺（%(name)s）已公示") % {"name": commitment.name}
        other.save(update_fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    portal_cache_bump()  # public pages that show commitments are cached
    return commitment


@transaction.atomic
def commitment_reject(*, commitment: Commitment, reason: str, acting_user) -> Commitment:
    """Ministry staff refuse a pending commitment, with a reason; it is never public, and the code may sign again."""
    _require_national(acting_user)
    reason = _clean_text(reason)
    if not reason:
        message = _("请填写未通过的原因")
        raise DomainError(message, errors=[FieldError("reason", message)])
    commitment = _locked(commitment)
    if commitment.status != Status.PENDING:
        raise TransitionError(_("只有待审核的承诺可以退回"))
    commitment.status = Status.REJECTED
    commitment.reject_reason = reason[:500]
    commitment.moderated_by = acting_user
    commitment.moderated_at = timezone.now()
    commitment.save(update_fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    return commitment


@transaction.atomic
def commitment_withdraw(*, commitment: Commitment, reason: str, acting_user) -> Commitment:
    """The ministry withdraws a published commitment (at the enterprise's request, or for cause). It stays in the
    public search, marked 已撤回 with the date and the reason."""
    _require_national(acting_user)
    reason = _clean_text(reason)
    if not reason:
        message = _("请填写撤回原因")
        raise DomainError(message, errors=[FieldError("reason", message)])
    commitment = _locked(commitment)
    if commitment.status != Status.PUBLISHED:
        raise TransitionError(_("只有已公示的承诺可以撤回"))
    commitment.status = Status.WITHDRAWN
    commitment.withdraw_reason = reason[:500]
    commitment.withdrawn_at = timezone.now()
    commitment.save(update_fields=["status", "withdraw_reason", "withdrawn_at"])
    portal_cache_bump()
    return commitment
