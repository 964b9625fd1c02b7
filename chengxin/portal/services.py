"""Writes for the public content: the logo files and the case library. Every write that changes what a public
page shows bumps the public page cache."""

import datetime as dt
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.activities.uploads import check_photo
from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError, FieldError, TransitionError, from_validation_error
from chengxin.core.inputs import INVISIBLE, visible_text
from chengxin.core.public_cache import portal_cache_bump
from chengxin.portal.logos import check_png, check_svg
from chengxin.portal.models import (
    CAPTION_MAX_LENGTH,
    MAX_CASE_PHOTOS,
    CampaignLogo,
    Case,
    CasePhoto,
    CaseStatus,
    LogoKind,
)
from chengxin.units.capabilities import Action, can
from chengxin.units.models import Unit

CHECKS = {LogoKind.PNG: check_png, LogoKind.SVG: check_svg}


def _require(condition: bool) -> None:
    if not condition:
        raise DomainError(_("没有权限进行此操作"), status=403)


@transaction.atomic
def logo_upload(*, campaign: Campaign, kind: str, content: bytes, acting_user) -> CampaignLogo:
    """Store (or replace) the campaign's logo in one format after checking its content."""
    _require(acting_user.is_national_admin)
    if kind not in LogoKind.values:
        raise DomainError(_("请选择 PNG 或 SVG 格式"), errors=[FieldError("kind", _("请选择 PNG 或 SVG 格式"))])
    if not content:
        raise DomainError(_("请选择要上传的文件"), errors=[FieldError("file", _("请选择要上传的文件"))])
    CHECKS[kind](content)
    logo = CampaignLogo.objects.select_for_update().filter(campaign=campaign, kind=kind).first()
    if logo is None:
        logo = CampaignLogo(campaign=campaign, kind=kind)
    elif logo.file:
        logo.file.delete(save=False)
    logo.uploaded_by = acting_user
    logo.file.save(f"logo-{campaign.year}.{kind}", ContentFile(content), save=False)
    logo.save()
    portal_cache_bump()
    return logo


def _can_edit(case: Case, user) -> bool:
    return can(user, Action.REGISTER_ACTIVITY, case.source_body)


@transaction.atomic
def case_save(
    *,
    acting_user,
    kind: str,
    domain: str,
    title: str,
    summary: str,
    body: str,
    case_date: dt.date,
    campaign: Campaign | None = None,
    case: Case | None = None,
    submit: bool = False,
) -> Case:
    """Create or edit a case of the acting reporter's own unit; with `submit`, send it to the ministry.
    A published case cannot be edited; a rejected one can be edited and submitted again."""
    if not can(acting_user, Action.REGISTER_ACTIVITY) or acting_user.unit_id is None:
        raise DomainError(_("只有各单位的填报人员可以报送案例"), status=403)
    if case is None:
        case = Case(source_body=Unit.objects.get(pk=acting_user.unit_id))
    else:
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(_can_edit(case, acting_user))
        if case.status in (CaseStatus.PUBLISHED, CaseStatus.SUBMITTED):
            raise TransitionError(_("已报送或已发布的案例不能修改"))
    errors = []
    for field, value, label in (
        ("title", title, _("标题")),
        ("summary", summary, _("摘要")),
        ("body", body, _("正文")),
    ):
        if not (value or "").strip():
            errors.append(FieldError(field, _("请填写%(label)s") % {"label": label}))
    if errors:
        raise DomainError(errors[0].message, errors=errors)
    case.kind, case.domain, case.title = kind, domain, visible_text(title)
    case.summary, case.body = visible_text(summary), (body or "").translate(INVISIBLE).strip()
    case.case_date, case.campaign = case_date, campaign
    if submit:
        case.status = CaseStatus.SUBMITTED
        case.submitted_by = acting_user
        case.submitted_at = timezone.now()
        case.reject_reason = ""
    elif case.status == CaseStatus.REJECTED:
        case.status = CaseStatus.DRAFT
    try:
        case.full_clean(exclude=["source_body", "campaign", "submitted_by", "published_by"])
    except ValidationError as error:
        raise from_validation_error(error) from None
    case.save()
    return case


@transaction.atomic
def case_publish(*, case: Case, acting_user) -> Case:
    """The ministry publishes a submitted case: from now on it is public."""
    _require(acting_user.is_national)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.SUBMITTED:
        raise TransitionError(_("只有待审核的案例可以发布"))
    case.status = CaseStatus.PUBLISHED
    case.published_by = acting_user
    case.published_at = timezone.now()
    case.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    portal_cache_bump()
    return case


@transaction.atomic
def case_reject(*, case: Case, reason: str, acting_user) -> Case:
    """The ministry declines a submitted case (with a reason), or withdraws a published one from the public."""
    _require(acting_user.is_national)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.PUBLISHED):
        raise TransitionError(_("只有待审核或已发布的案例可以退回"))
    if not (reason or "").strip():
        raise DomainError(_("请填写未采用原因"), errors=[FieldError("reason", _("请填写未采用原因"))])
    was_public = case.status == CaseStatus.PUBLISHED
    case.status = CaseStatus.REJECTED
    case.reject_reason = reason.strip()[:500]
    case.published_at = None
    case.published_by = None
    case.save(update_fields=["status", "reject_reason", "published_at", "published_by", "updated_at"])
    if was_public:
        portal_cache_bump()
    return case


# --- a case's photos --------------------------------------------------------------------------------------------


def _lock_for_photos(case: Case, acting_user) -> Case:
    """The case, locked, if `acting_user` may change its photos: an editor of its own unit while it is a draft
    or was not accepted (as for editing its text). Another unit's case is 404: it is not theirs to see."""
    if not _can_edit(case, acting_user):
        raise DomainError(_("只能修改本单位的案例"), status=404)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (CaseStatus.DRAFT, CaseStatus.REJECTED):
        raise TransitionError(_("已报送或已发布的案例不能修改照片"))
    return case


@transaction.atomic
def case_photo_add(*, case: Case, uploaded_file, caption: str = "", acting_user) -> CasePhoto:
    """Add a JPEG or PNG photo (checked by content, as activity photos are) with an optional caption, after the
    case's other photos; it is stored under a generated name outside any URL. At most MAX_CASE_PHOTOS a case."""
    case = _lock_for_photos(case, acting_user)
    caption = visible_text(caption)
    if len(caption) > CAPTION_MAX_LENGTH:
        message = _("照片说明不能超过 %(max)d 个字（现有 %(length)d 个字）") % {
            "max": CAPTION_MAX_LENGTH,
            "length": len(caption),
        }
        raise DomainError(message, errors=[FieldError("caption", message)])
    if case.photos.count() >= MAX_CASE_PHOTOS:
        message = _("照片：每个案例最多 %(max)d 张，请先删除不需要的照片") % {"max": MAX_CASE_PHOTOS}
        raise DomainError(message, errors=[FieldError("photo", message)])
    checked = check_photo(uploaded_file)
    content = uploaded_file.read()
    last = case.photos.aggregate(last=Max("position"))["last"]
    photo = CasePhoto(
        case=case,
        caption=caption,
        position=0 if last is None else last + 1,
        original_name=(uploaded_file.name or f"photo.{checked.extension}")[:255],
        kind=checked.kind,
        size=checked.size,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=acting_user,
    )
    photo.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(content), save=False)
    try:
        photo.save()
    except BaseException:
        photo.file.storage.delete(photo.file.name)  # no row, no file
        raise
    return photo


@transaction.atomic
def case_photo_remove(*, photo: CasePhoto, acting_user) -> None:
    """Remove a photo of a draft or rejected case; its file goes once the removal is committed."""
    _lock_for_photos(photo.case, acting_user)
    photo = CasePhoto.objects.filter(pk=photo.pk).first()
    if photo is None:
        raise DomainError(_("照片已被删除"), status=404)
    file = photo.file
    photo.delete()
    transaction.on_commit(lambda: file.storage.delete(file.name))
