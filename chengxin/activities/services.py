"""Writes of the activity registry. Every function is atomic and checks who acts: the registering unit's own
reporter, or a national administrator acting on its behalf (e.g. for an activity reported by telephone)."""

import dataclasses
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.activities import bounds
from chengxin.activities.models import (
    OFFLINE_MODES,
    PLAN_TEXT_MIN_LENGTH,
    Activity,
    ActivityOutputValue,
    ActivityPhoto,
    ActivityStatus,
    Mode,
)
from chengxin.activities.selectors import output_label
from chengxin.activities.uploads import check_photo, check_plan_file
from chengxin.campaigns.models import Campaign, PlanActivity, is_locked
from chengxin.campaigns.selectors import participant_get
from chengxin.core.errors import DomainError, FieldError, LockedError, TransitionError
from chengxin.core.inputs import INVISIBLE, ascii_int
from chengxin.core.numbers import NumberParseError, parse_whole_number
from chengxin.core.regions import PROVINCE_PREFIXES
from chengxin.statform.definition import FormDefinition, RuleDef
from chengxin.statform.models import ActivityOutput, Count, Operator, Severity
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import check_values, terms
from chengxin.units.models import Unit, User

MAX_LINKS = 20
MAX_PHOTOS = 30
TEXT_LIMITS = {"title": 200, "place": 200, "organiser": 200, "audience": 200}
# Outputs are stored as 64-bit numbers, but anything but a count of people above 2^31 − 1 is a typing slip.
MAX_ITEMS = 2_147_483_647


def _require_actor(*, campaign: Campaign, unit: Unit, user: User) -> None:
    """The unit's own reporter, or a national administrator on its behalf; a unit of the campaign; not locked."""
    if not (user.reports_for(unit) or user.is_national_admin):
        raise DomainError(_("只能登记本单位的活动"), status=404)
    participant = participant_get(campaign, unit)
    if participant is None and unit.pk != campaign.organiser_id:
        raise DomainError(_("%(unit)s不是本年度活动的参与单位") % {"unit": unit}, status=404)
    lock_date = participant.lock_date if participant else campaign.lock_date
    if is_locked(timezone.now(), lock_date):
        raise LockedError(_("已过锁定日期（%(date)s），不能再修改活动登记") % {"date": f"{lock_date:%Y-%m-%d}"})


def _date(raw: Any, field: str, label: str, errors: list[FieldError]) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not text:
        errors.append(FieldError(field, _("请填写%(label)s") % {"label": label}))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(
            FieldError(
                field, _("%(label)s“%(text)s”不是有效日期（格式如 2020-10-15）") % {"label": label, "text": text}
            )
        )
        return None


def clean_links(raw: str, errors: list[FieldError]) -> str:
    """One http/https URL per line; blank lines dropped; each bad line named."""
    validate = URLValidator(schemes=["http", "https"])
    lines = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            validate(line)
        except ValidationError:
            errors.append(
                FieldError(
                    "links",
                    _("报道链接第 %(number)d 行“%(line)s”不是有效的 http 或 https 网址")
                    % {"number": number, "line": line[:80]},
                )
            )
    if len(lines) > MAX_LINKS:
        errors.append(FieldError("links", _("报道链接最多 %(max)d 个") % {"max": MAX_LINKS}))
    return "\n".join(lines)


def _clean(campaign: Campaign, unit: Unit, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The activity's fields from what was typed (strings) or passed (typed values), its outputs under "outputs"
    (figure code → int); DomainError naming every bad field at once. The dates must lie in the campaign's period
    and the place in the unit's province (`bounds`)."""
    errors: list[FieldError] = []
    data: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        # Published activities are public: no invisible formatting characters (bidi overrides, zero-width).
        value = str(raw.get(name) or "").translate(INVISIBLE).strip()
        if len(value) > limit:
            errors.append(FieldError(name, _("不能超过 %(limit)d 个字") % {"limit": limit}))
        data[name] = value[:limit]
    if not data["title"]:
        errors.append(FieldError("title", _("请填写活动名称")))

    plan = raw.get("plan_activity")
    data["plan_activity"] = None
    if isinstance(plan, PlanActivity):
        plan = plan.number if plan.campaign_id == campaign.pk else -1
    plan_text = str(plan if plan is not None else "").strip()
    if plan_text:
        number = ascii_int(plan_text)
        found = PlanActivity.objects.filter(campaign=campaign, number=number).first() if number is not None else None
        if found is None:
            errors.append(FieldError("plan_activity", _("请从本年度的主要活动中选择，或选“地方自办活动”")))
        data["plan_activity"] = found

    data["start_date"] = _date(raw.get("start_date"), "start_date", _("开始日期"), errors)
    data["end_date"] = _date(raw.get("end_date"), "end_date", _("结束日期"), errors)
    if data["start_date"] and data["end_date"] and data["end_date"] < data["start_date"]:
        errors.append(FieldError("end_date", _("结束日期不能早于开始日期")))
    bounds.check_dates(
        campaign,
        {"start_date": (_("开始日期"), data["start_date"]), "end_date": (_("结束日期"), data["end_date"])},
        errors,
    )

    region = str(raw.get("region_code") or "").strip() or bounds.unit_default_region(unit)
    if not region:
        errors.append(FieldError("region_code", _("请填写活动所在地的行政区划代码（6 位）")))
    elif not re.fullmatch(r"\d{6}", region) or region[:2] not in PROVINCE_PREFIXES:
        errors.append(
            FieldError(
                "region_code", _("“%(code)s”不是有效的行政区划代码（GB/T 2260 六位，如 440000）") % {"code": region}
            )
        )
    else:
        bounds.check_region(unit, region, "region_code", errors)
    data["region_code"] = region

    mode = str(raw.get("mode") or "").strip()
    if mode not in Mode.values:
        errors.append(FieldError("mode", _("请选择活动形式（线上、线下或线上线下）")))
    data["mode"] = mode

    data["outputs"] = _clean_outputs(form_definition(campaign), mode, raw, errors)

    data["links"] = clean_links(str(raw.get("links") or ""), errors)
    data["epidemic_plan_text"] = str(raw.get("epidemic_plan_text") or "").strip()
    if errors:
        raise DomainError(_("活动登记有误，请按提示修改"), errors=errors)
    return data


def _clean_outputs(
    definition: FormDefinition, mode: str, raw: Mapping[str, Any], errors: list[FieldError]
) -> dict[str, int]:
    """Every output the campaign's form has activities record (`activity_figures`), by figure code, 0 for empty.
    An output for offline activities only must be 0 on an online activity; then every error rule of the form that
    names activity figures only is applied to the activity's own numbers (会议 人次 ≥ 场次, 直播 both or neither …),
    its message shown at the rule's cell. Rules naming a figure activities do not record, warnings and
    year-on-year rules are the statistics table's business."""
    figures = definition.activity_figures
    outputs: dict[str, int] = {}
    unreadable: set[str] = set()
    for figure in figures:
        label = output_label(figure)
        try:
            value = parse_whole_number(raw.get(figure.code)) or 0
        except NumberParseError as exc:
            errors.append(FieldError(figure.code, _("%(label)s：%(problem)s") % {"label": label, "problem": exc}))
            unreadable.add(figure.code)
            continue
        if value > MAX_ITEMS and figure.count != Count.PEOPLE:
            errors.append(
                FieldError(
                    figure.code, _("%(label)s：%(problem)s") % {"label": label, "problem": _("数值过大，请核对")}
                )
            )
            unreadable.add(figure.code)
            continue
        if value and mode == Mode.ONLINE and figure.activity_output == ActivityOutput.OFFLINE:
            errors.append(
                FieldError(
                    figure.code,
                    _("%(label)s只用于线下（含线上线下）活动，线上活动请填 0 或留空") % {"label": label},
                )
            )
        outputs[figure.code] = value

    codes = {f.code for f in figures}
    # A rule naming a number that could not be read would only repeat that problem.
    rules = [rule for rule in definition.rules if _is_activity_rule(rule, codes - unreadable)]
    if rules:
        by_code = {f.code: f for f in figures}
        for finding in check_values(dataclasses.replace(definition, rules=rules), outputs):
            code = finding.figure if finding.figure in codes else next(c for c in finding.related if c in codes)
            errors.append(
                FieldError(
                    code, _("%(label)s：%(problem)s") % {"label": output_label(by_code[code]), "problem": finding.text}
                )
            )
    return outputs


def _is_activity_rule(rule: RuleDef, codes: set[str]) -> bool:
    """An error rule whose every figure is one of `codes` (a year-on-year rule compares a unit's table with last
    year's: never an activity's numbers)."""
    if rule.severity != Severity.ERROR or rule.operator == Operator.WITHIN_FACTOR_OF_PREVIOUS:
        return False
    named = [t for t in terms(rule.left) + terms(rule.right) if not (t.isascii() and t.isdigit())]
    return bool(named) and all(t in codes for t in named)


def _attach_plan(activity: Activity, plan_file, checked) -> None:
    """Store the plan under a generated name; the replaced file is removed once the change is committed."""
    old = activity.epidemic_plan.name if activity.epidemic_plan else ""
    activity.epidemic_plan.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(plan_file.read()), save=False)
    activity.epidemic_plan_name = (plan_file.name or f"plan.{checked.extension}")[:255]
    _delete_on_commit(activity.epidemic_plan.storage, old)


def _delete_on_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _plan_problem(activity: Activity) -> DomainError | None:
    if activity.mode in OFFLINE_MODES and not activity.has_epidemic_plan:
        message = _("线下活动须附防疫方案（通知“有关要求”第三条）后才能发布")
        return DomainError(message, errors=[FieldError("epidemic_plan", message)])
    return None


def _save_outputs(activity: Activity, outputs: dict[str, int]) -> None:
    """Make the activity's rows say `outputs` (every output the form records, by code): a row per non-zero value,
    none for 0. Rows of codes the form no longer records are left alone (a figure dropped by mistake and added
    back finds them again). Row by row, so that the audit log records each change with its old and new value."""
    stored = {row.code: row for row in activity.outputs.filter(code__in=outputs)}
    for code, value in outputs.items():
        row = stored.get(code)
        if not value:
            if row is not None:
                row.delete()
        elif row is None:
            ActivityOutputValue.objects.create(activity=activity, code=code, value=value)
        elif row.value != value:
            row.value = value
            row.save(update_fields=["value"])


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("campaign", "unit").get(pk=activity.pk)


@transaction.atomic
def activity_create(
    *, campaign: Campaign, unit: Unit, raw: Mapping[str, Any], acting_user: User, plan_file=None
) -> Activity:
    """Register an activity as a draft. `raw` holds the typed fields; `plan_file` an optional plan document."""
    _require_actor(campaign=campaign, unit=unit, user=acting_user)
    data = _clean(campaign, unit, raw)
    outputs = data.pop("outputs")
    checked = check_plan_file(plan_file) if plan_file is not None else None
    activity = Activity(campaign=campaign, unit=unit, created_by=acting_user, status=ActivityStatus.DRAFT, **data)
    if plan_file is not None:
        _attach_plan(activity, plan_file, checked)
    activity.save()
    _save_outputs(activity, outputs)
    return activity


@transaction.atomic
def activity_update(
    *, activity: Activity, raw: Mapping[str, Any], acting_user: User, plan_file=None, remove_plan_file: bool = False
) -> Activity:
    """Change an activity. A published one stays published only if it still meets the publishing rules."""
    _require_actor(campaign=activity.campaign, unit=activity.unit, user=acting_user)
    activity = _lock(activity)
    data = _clean(activity.campaign, activity.unit, raw)
    outputs = data.pop("outputs")
    checked = check_plan_file(plan_file) if plan_file is not None else None
    for name, value in data.items():
        setattr(activity, name, value)
    # Decide before touching any file, so that a refused change leaves the stored files as they were.
    keeps_file = plan_file is not None or (bool(activity.epidemic_plan) and not remove_plan_file)
    text_ok = len(activity.epidemic_plan_text) >= PLAN_TEXT_MIN_LENGTH
    if activity.status == ActivityStatus.PUBLISHED and activity.mode in OFFLINE_MODES and not (keeps_file or text_ok):
        message = _("线下活动须附防疫方案（通知“有关要求”第三条）后才能发布")
        raise DomainError(
            _("该活动已发布，修改后仍须附防疫方案；如要去掉方案，请先撤回"),
            errors=[FieldError("epidemic_plan", message)],
        )
    if plan_file is not None:
        _attach_plan(activity, plan_file, checked)
    elif remove_plan_file and activity.epidemic_plan:
        _delete_on_commit(activity.epidemic_plan.storage, activity.epidemic_plan.name)
        activity.epidemic_plan = ""
        activity.epidemic_plan_name = ""
    activity.save()
    _save_outputs(activity, outputs)
    return activity


@transaction.atomic
def activity_publish(*, activity: Activity, acting_user: User) -> Activity:
    """Publish a draft or withdrawn activity. An offline (or online-and-offline) activity needs an
    epidemic-prevention plan, a file or a written plan, first (requirement 三 of the notice)."""
    _require_actor(campaign=activity.campaign, unit=activity.unit, user=acting_user)
    activity = _lock(activity)
    if activity.status == ActivityStatus.PUBLISHED:
        raise TransitionError(_("该活动已发布"))
    if problem := _plan_problem(activity):
        raise problem
    activity.status = ActivityStatus.PUBLISHED
    activity.published_at = timezone.now()
    activity.save(update_fields=["status", "published_at", "updated_at"])
    return activity


@transaction.atomic
def activity_withdraw(*, activity: Activity, acting_user: User) -> Activity:
    """Take a published activity off the public page and out of the suggested figures; it can be published
    again later."""
    _require_actor(campaign=activity.campaign, unit=activity.unit, user=acting_user)
    activity = _lock(activity)
    if activity.status != ActivityStatus.PUBLISHED:
        raise TransitionError(_("只有已发布的活动可以撤回"))
    activity.status = ActivityStatus.WITHDRAWN
    activity.save(update_fields=["status", "updated_at"])
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, acting_user: User) -> None:
    """Delete a draft (never a published or withdrawn activity: those were public once)."""
    _require_actor(campaign=activity.campaign, unit=activity.unit, user=acting_user)
    activity = _lock(activity)
    if activity.status != ActivityStatus.DRAFT:
        raise TransitionError(_("只能删除草稿；已发布的活动请撤回"))
    files = [p.file for p in activity.photos.all()] + ([activity.epidemic_plan] if activity.epidemic_plan else [])
    activity.delete()
    # Remove the files only once the rows are gone for good.
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


@transaction.atomic
def activity_add_photo(*, activity: Activity, uploaded_file, acting_user: User) -> ActivityPhoto:
    """Store a JPEG or PNG photo, checked by content, under a generated name outside any URL."""
    _require_actor(campaign=activity.campaign, unit=activity.unit, user=acting_user)
    activity = _lock(activity)
    checked = check_photo(uploaded_file)
    if activity.photos.count() >= MAX_PHOTOS:
        message = _("每个活动最多 %(max)d 张照片") % {"max": MAX_PHOTOS}
        raise DomainError(message, errors=[FieldError("photo", message)])
    content = uploaded_file.read()
    photo = ActivityPhoto(
        activity=activity,
        original_name=(uploaded_file.name or f"photo.{checked.extension}")[:255],
        kind=checked.kind,
        size=checked.size,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=acting_user,
    )
    photo.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(content), save=False)
    photo.save()
    return photo
