"""Writes of the integrity indices. Each is one transaction that checks who acts (units.capabilities): a unit's
editors describe their unit's indices and upload releases; the ministry's moderators publish or reject them.

Published releases of an index never overlap (no period and region twice): a release that would change a
published number must be a correction naming the release it replaces, with a 修订说明, and holding every value of
that release; publishing it marks the old one 已被修订替代 (kept, readable). Publishing bumps the public page cache.
Saves of indices, releases and uploads are audited by the model capture; a release's values are written in bulk
and recorded as one audit row (chengxin.audit.signals.EXCLUDED_MODELS names them).
"""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.audit.services import audit_deferred, audit_record
from chengxin.core.errors import DomainError, FieldError, TransitionError, from_validation_error
from chengxin.core.inputs import INVISIBLE, MAX_TEXT, visible_text
from chengxin.core.public_cache import portal_cache_bump
from chengxin.core.uploads import safe_filename
from chengxin.indices.models import (
    Frequency,
    IndexRelease,
    IndexUpload,
    IndexValue,
    IntegrityIndex,
    ReleaseStatus,
)
from chengxin.indices.parse import MAX_BYTES, BadValue, ParsedFile, parse_release, parse_value
from chengxin.indices.selectors import index_has_public_release, known_regions, may_edit
from chengxin.units.capabilities import Action, can
from chengxin.units.models import Unit
from chengxin.workbooks.jobs import STAGING_FOLDER  # swept hourly of uploads nobody confirmed (workbooks.tasks)

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
RESERVED_CODES = frozenset({"new", "moderate", "uploads", "releases"})  # the staff pages' own paths (urls.py)
UPLOAD_HOURS = 24
SHOWN_KEYS = 3  # examples a refusal names


def _require(condition: bool) -> None:
    if not condition:
        raise DomainError(_("没有权限进行此操作"), status=403)


def _field(name: str, message: str, status: int = 422) -> DomainError:
    return DomainError(message, errors=[FieldError(name, message)], status=status)


# --- the index ----------------------------------------------------------------------------------------------------


@transaction.atomic
def index_save(
    *,
    acting_user,
    code: str,
    name: str,
    frequency: str,
    unit_of_measure: str,
    base_period: str,
    base_value: str,
    method: str,
    description: str = "",
    index: IntegrityIndex | None = None,
) -> IntegrityIndex:
    """Create an index of the acting editor's own unit, or edit one of its unit's. The description is fixed
    once a release is public: the numbers already published were made by the method they were published with."""
    if index is None:
        _require(can(acting_user, Action.REGISTER_ACTIVITY) and acting_user.unit_id is not None)
        index = IntegrityIndex(publisher=Unit.objects.get(pk=acting_user.unit_id), created_by=acting_user)
    else:
        index = IntegrityIndex.objects.select_for_update().select_related("publisher").get(pk=index.pk)
        _require(may_edit(acting_user, index))
        if index_has_public_release(index):
            raise TransitionError(_("该指数已有公开发布的数据，指数说明不能再修改；如需更正，请联系商务部"))
    errors = []
    code = (code or "").strip().lower()
    if not CODE.match(code) or code in RESERVED_CODES:
        errors.append(FieldError("code", _("代码请用 2–40 个小写英文字母、数字或连字符，如 sh-shopping")))
    elif IntegrityIndex.objects.filter(code=code).exclude(pk=index.pk).exists():
        errors.append(FieldError("code", _("代码“%(code)s”已被其他指数使用") % {"code": code}))
    if frequency not in Frequency.values:
        errors.append(FieldError("frequency", _("请选择发布频率")))
    elif index.pk and frequency != index.frequency and index.releases.exists():
        errors.append(FieldError("frequency", _("已有上传的版本，发布频率不能再修改")))
    for field, value, label in (
        ("name", name, _("指数名称")),
        ("unit_of_measure", unit_of_measure, _("计量单位")),
        ("base_period", base_period, _("基期")),
        ("method", method, _("编制方法说明")),
    ):
        if not (value or "").strip():
            errors.append(FieldError(field, _("请填写%(label)s") % {"label": label}))
    number = None
    try:
        number = parse_value(base_value or "")
    except BadValue as error:
        errors.append(FieldError("base_value", _("基期值：%(problem)s") % {"problem": error}))
    else:
        if abs(number) >= Decimal("1e8"):
            errors.append(FieldError("base_value", _("基期值过大")))
    if errors:
        raise DomainError(errors[0].message, errors=errors, status=422)
    index.code, index.name, index.frequency = code, visible_text(name), frequency
    index.unit_of_measure, index.base_period = visible_text(unit_of_measure), visible_text(base_period)
    index.base_value = number
    index.method = (method or "").translate(INVISIBLE).strip()
    index.description = (description or "").translate(INVISIBLE).strip()
    try:
        index.full_clean(exclude=["publisher", "created_by"])
    except ValidationError as error:
        raise from_validation_error(error) from None
    index.save()
    return index


# --- uploads ------------------------------------------------------------------------------------------------------


@transaction.atomic
def upload_stage(*, index: IntegrityIndex, name: str, content: bytes, acting_user) -> IndexUpload:
    """Keep an uploaded file for its preview. Nothing of a release is written: the person confirms first.
    The uploader's unconfirmed uploads older than a day go (their files too)."""
    _require(may_edit(acting_user, index))
    if not content:
        raise _field("file", _("请选择要上传的文件（CSV 或 .xlsx）"), status=400)
    if len(content) > MAX_BYTES:
        raise _field("file", _("文件不能超过 %(n)s MB") % {"n": MAX_BYTES // 1024 // 1024}, status=400)
    for old in IndexUpload.objects.filter(
        uploaded_by=acting_user, created_at__lt=timezone.now() - timedelta(hours=UPLOAD_HOURS)
    ):
        _upload_discard(old)
    pk = uuid.uuid4()
    staged = default_storage.save(f"{STAGING_FOLDER}/index-{pk.hex}-0.upload", ContentFile(content))
    return IndexUpload.objects.create(
        id=pk,
        index=index,
        uploaded_by=acting_user,
        file_name=safe_filename(name or "", fallback="upload.csv")[:200],
        staged=staged,
    )


def upload_parsed(upload: IndexUpload) -> ParsedFile | None:
    """The staged file read as a release (None if the file is gone: swept after a day)."""
    try:
        with default_storage.open(upload.staged, "rb") as f:
            content = f.read()
    except (FileNotFoundError, OSError):
        return None
    return parse_release(content, upload.file_name, regions=known_regions(), frequency=upload.index.frequency)


def _upload_discard(upload: IndexUpload) -> None:
    staged = upload.staged
    upload.delete()
    transaction.on_commit(lambda: default_storage.delete(staged))


# --- releases -----------------------------------------------------------------------------------------------------


def _describe(keys, names: dict) -> str:
    shown = [f"{period} {names.get(region, region)}" for period, region in sorted(keys)[:SHOWN_KEYS]]
    return _("、").join(shown)


def _check_submittable(release: IndexRelease) -> None:
    """Refuse a release that would change published numbers without saying so: it overlaps a published release
    it does not correct; or it corrects one that is no longer current, or leaves out values of it, or says
    nothing of why."""
    rows = list(release.values.values_list("period", "region_code", "region_name"))
    keys = {(p, r) for p, r, _n in rows}
    names = {r: n for _p, r, n in rows}
    published = release.index.releases.filter(status=ReleaseStatus.PUBLISHED).exclude(pk=release.pk)
    if release.replaces_id:
        replaced = release.replaces
        if replaced.status != ReleaseStatus.PUBLISHED:
            raise TransitionError(
                _("第 %(version)s 版已不是现行版本（%(status)s），请修订现行版本")
                % {"version": replaced.version, "status": replaced.get_status_display()}
            )
        if not release.revision_note.strip():
            raise _field("revision_note", _("修订已发布的数据须填写修订说明"))
        old = set(replaced.values.values_list("period", "region_code"))
        missing = old - keys
        if missing:
            names |= dict(replaced.values.values_list("region_code", "region_name"))
            raise DomainError(
                _("修订版须包含第 %(version)s 版的全部数据，缺少 %(examples)s 等 %(n)s 项")
                % {"version": replaced.version, "examples": _describe(missing, names), "n": len(missing)},
                status=422,
            )
        published = published.exclude(pk=replaced.pk)
    clashes: dict[int, set] = {}
    for period, region, version in IndexValue.objects.filter(release__in=published).values_list(
        "period", "region_code", "release__version"
    ):
        if (period, region) in keys:
            clashes.setdefault(version, set()).add((period, region))
    if clashes:
        version = min(clashes)
        found = clashes[version]
        raise DomainError(
            _(
                "第 %(version)s 版已发布 %(examples)s 等 %(n)s 项数据。如要更正已发布的数据，请上传修订版："
                "选择“修订第 %(version)s 版”并填写修订说明"
            )
            % {"version": version, "examples": _describe(found, names), "n": len(found)},
            status=409,
        )


@transaction.atomic
def release_create(
    *,
    upload: IndexUpload,
    acting_user,
    submit: bool = False,
    replaces: IndexRelease | None = None,
    revision_note: str = "",
) -> IndexRelease:
    """Make the confirmed upload a release (the next version of its index): as a draft, or submitted to the
    ministry. Refused, with nothing saved, when the file has any refused row. A correction names the published
    release it `replaces` and says why (`revision_note`)."""
    _require(upload.uploaded_by_id == acting_user.pk and may_edit(acting_user, upload.index))
    index = IntegrityIndex.objects.select_for_update().get(pk=upload.index_id)
    parsed = upload_parsed(upload)
    if parsed is None:
        raise DomainError(_("上传的文件已过期，请重新上传"), status=410)
    if not parsed.ok:
        first = parsed.refusals[0] if parsed.refusals else None
        message = _("文件有 %(n)s 处问题，不能保存，请改正后重新上传") % {"n": len(parsed.refusals)}
        raise DomainError(f"{message}（{first}）" if first else message, status=422)
    note = (revision_note or "").translate(INVISIBLE).strip()
    if replaces is not None:
        replaces = IndexRelease.objects.get(pk=replaces.pk)  # as it is now that the index is locked
        if replaces.index_id != index.pk or replaces.status != ReleaseStatus.PUBLISHED:
            raise _field("replaces", _("只能修订本指数现行的已发布版本"))
        if not note:
            raise _field("revision_note", _("修订已发布的数据须填写修订说明"))
        if len(note) > MAX_TEXT:
            raise _field("revision_note", _("修订说明不能超过 %(n)s 字") % {"n": MAX_TEXT})
    else:
        note = ""
    version = (index.releases.aggregate(last=Max("version"))["last"] or 0) + 1
    with audit_deferred():
        release = IndexRelease.objects.create(
            index=index,
            version=version,
            source_name=upload.file_name,
            row_count=len(parsed.rows),
            replaces=replaces,
            revision_note=note,
            uploaded_by=acting_user,
        )
        IndexValue.objects.bulk_create(
            IndexValue(
                release=release,
                period=row.period,
                period_key=row.period_key,
                region_code=row.region_code,
                region_name=row.region_name,
                value=row.value,
            )
            for row in parsed.rows
        )
        periods = parsed.periods
        audit_record(
            action="index_values_upload",
            object_type="indices.indexrelease",
            object_id=release.pk,
            object_repr=str(release),
            changes={
                "file": upload.file_name,
                "rows": len(parsed.rows),
                "periods": f"{periods[0]}–{periods[-1]}",
                "regions": parsed.region_count,
            },
        )
        if submit:
            _check_submittable(release)
            _mark_submitted(release, acting_user)
        _upload_discard(upload)
    return release


def _mark_submitted(release: IndexRelease, acting_user) -> None:
    release.status = ReleaseStatus.SUBMITTED
    release.submitted_at = timezone.now()
    release.reject_reason = ""
    release.save(update_fields=["status", "submitted_at", "reject_reason"])


def _locked(release: IndexRelease) -> IndexRelease:
    """The release, its index row locked first (every change of an index's releases goes in one line)."""
    IntegrityIndex.objects.select_for_update().get(pk=release.index_id)
    return IndexRelease.objects.select_related("index__publisher", "replaces").get(pk=release.pk)


@transaction.atomic
def release_submit(*, release: IndexRelease, acting_user) -> IndexRelease:
    """Send a draft to the ministry."""
    release = _locked(release)
    _require(may_edit(acting_user, release.index))
    if release.status != ReleaseStatus.DRAFT:
        raise TransitionError(_("只有草稿可以提交审核"))
    _check_submittable(release)
    _mark_submitted(release, acting_user)
    return release


@transaction.atomic
def release_delete(*, release: IndexRelease, acting_user) -> None:
    """Remove a draft (a draft was never seen by anybody else)."""
    release = _locked(release)
    _require(may_edit(acting_user, release.index))
    if release.status != ReleaseStatus.DRAFT:
        raise TransitionError(_("只有草稿可以删除"))
    release.delete()


@transaction.atomic
def release_publish(*, release: IndexRelease, acting_user) -> IndexRelease:
    """The ministry publishes a submitted release; a correction marks the release it replaces as superseded.
    The checks of submission are made again: another release may have been published since."""
    _require(can(acting_user, Action.MODERATE))
    release = _locked(release)
    if release.status != ReleaseStatus.SUBMITTED:
        raise TransitionError(_("只有待审核的版本可以发布"))
    _check_submittable(release)
    now = timezone.now()
    with audit_deferred():
        if release.replaces_id:
            replaced = release.replaces
            replaced.status = ReleaseStatus.SUPERSEDED
            replaced.superseded_at = now
            replaced.save(update_fields=["status", "superseded_at"])
        release.status = ReleaseStatus.PUBLISHED
        release.reviewed_by = acting_user
        release.reviewed_at = now
        release.published_at = now
        release.save(update_fields=["status", "reviewed_by", "reviewed_at", "published_at"])
    portal_cache_bump()
    return release


@transaction.atomic
def release_reject(*, release: IndexRelease, reason: str, acting_user) -> IndexRelease:
    """The ministry declines a submitted release, saying why; the unit may upload a new one."""
    _require(can(acting_user, Action.MODERATE))
    release = _locked(release)
    if release.status != ReleaseStatus.SUBMITTED:
        raise TransitionError(_("只有待审核的版本可以退回"))
    reason = visible_text(reason)
    if not reason:
        raise _field("reason", _("请填写未采用原因"))
    if len(reason) > 500:
        raise _field("reason", _("未采用原因不能超过 %(n)s 字") % {"n": 500})
    release.status = ReleaseStatus.REJECTED
    release.reject_reason = reason
    release.reviewed_by = acting_user
    release.reviewed_at = timezone.now()
    release.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    return release
