"""Editing a campaign once it exists (issue 17): its texts and period, focus areas, requirements, the plan's main
activities with their lead bodies, and the units expected to report.

Every write is one service here: one transaction that locks the campaign, checks who acts (the national
administrators: `Action.MANAGE_CAMPAIGN`) and what the campaign's state allows, applies the checks of the campaign
data file (`services.campaign_load`: required titles, unique numbers, a national body as lead body, dates in
order) and writes each change to the campaign's history (`CampaignChange`, through `services.change_record`).

What each state allows:

- 筹备中 (preparing): everything.
- 已发布 (published): wording fixes. Texts, titles and bodies stay editable, each change recorded. The period, the
  notice date, the grace days and the numbers are fixed; no focus area, requirement or plan activity is added or
  deleted; a plan activity's lead body changes only while no activity is registered under it.
- 已结束 (closed): nothing.

Expected units follow their reports in every state but closed: a unit may be added at any time; a unit that has a
report (or registered an activity) for the campaign is neither removed nor switched between filling the statistics
table and not. Reports and activities belong to higher layers: they are counted through their relations to the
campaign and the plan (`campaign.reports`, `campaign.activities`, `plan_activity.activities`), never imported.

Dates and exceptions stay on the settings page (`services.campaign_set_dates`), the statistics form on the form
page (`statform.services.form_edit`), the logo on the portal's logo page.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chengxin.audit.services import audit_deferred
from chengxin.campaigns.models import (
    Campaign,
    CampaignChange,
    CampaignState,
    FocusArea,
    Participant,
    PlanActivity,
    Requirement,
)
from chengxin.campaigns.services import change_record
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.generations import generation_bump
from chengxin.core.public_cache import portal_cache_bump
from chengxin.units.capabilities import Action, can
from chengxin.units.models import PROVINCIAL_KINDS, Unit, UnitKind

# The campaign's own fields edited on the texts page, in the page's order.
TEXT_FIELDS = (
    "title",
    "theme",
    "notice_title",
    "receiver",
    "contact_name",
    "contact_department",
    "contact_phone",
    "contact_fax",
    "logo_source",
)
REQUIRED_TEXTS = ("title", "theme")
# What units plan by: fixed once the notice is out (only wording may change then).
FIXED_ONCE_PUBLISHED = ("period_start", "period_end", "notice_date", "activity_grace_days")
EDITABLE_FIELDS = (*TEXT_FIELDS, *FIXED_ONCE_PUBLISHED)

MAX_NUMBER = 99
MAX_GRACE_DAYS = 365
NUMERALS = "一二三四五六七八九十"

# The notice's numbered sections, as the history and the pages name them.
SECTION_LABELS = {FocusArea: gettext_lazy("宣传重点"), Requirement: gettext_lazy("有关要求")}
REPORTING_KINDS = (*PROVINCIAL_KINDS, UnitKind.NATIONAL_BODY)


def cn_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (1 to 99), as the notice numbers its sections; digits beyond."""
    if not 1 <= number <= 99:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return NUMERALS[ones - 1]
    head = "" if tens == 1 else NUMERALS[tens - 1]
    return f"{head}十{NUMERALS[ones - 1] if ones else ''}"


def section_part(model, number: int) -> str:
    """宣传重点（二）, 有关要求（三）: the part of the history a section's change belongs to."""
    return f"{SECTION_LABELS[model]}（{cn_number(number)}）"


def plan_part(number: int) -> str:
    return _("主要活动 %(number)s") % {"number": number}


def participation_text(fills_statistics: bool | None) -> str:
    """What a unit is expected to send, as the history says it (None: not expected)."""
    if fills_statistics is None:
        return ""
    return _("报送统计表和总结报告") if fills_statistics else _("只报送总结报告")


# --- Shared checks -------------------------------------------------------------------------------------------


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _refusal(problems: list[FieldError]) -> DomainError:
    message = problems[0].message if len(problems) == 1 else _("请按提示修改后再保存")
    return DomainError(message, errors=problems, status=422)


def _refuse(field: str, message: str, status: int = 422) -> DomainError:
    return DomainError(message, errors=[FieldError(field, message)], status=status)


def _published_refusal(field: str, what: str) -> DomainError:
    return _refuse(field, _("活动已发布，%(what)s；发布后只能修正文字") % {"what": what}, status=409)


def _lock(campaign: Campaign, acting_user) -> Campaign:
    """The campaign read again and locked until the transaction ends, if `acting_user` may edit it and it is not
    over yet."""
    if not can(acting_user, Action.MANAGE_CAMPAIGN):
        raise DomainError(_("只有国家管理员可以修改活动"), status=403)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state == CampaignState.CLOSED:
        raise DomainError(_("%(year)s年的活动已结束，不能再修改") % {"year": locked.year}, status=409)
    return locked


def _changed(campaign: Campaign) -> None:
    """Cached reads of the campaign (header, dashboards) and the public pages that show it are stale now."""
    generation_bump("campaigns", f"campaign-data:{campaign.pk}")
    portal_cache_bump()


def _text_problems(model, values: dict, required: tuple[str, ...]) -> list[FieldError]:
    problems = []
    for name, value in values.items():
        label = _label(model, name)
        if name in required and not value:
            problems.append(FieldError(name, _("请填写%(label)s") % {"label": label}))
        elif len(value) > (model._meta.get_field(name).max_length or len(value)):
            limit = model._meta.get_field(name).max_length
            problems.append(FieldError(name, _("%(label)s太长，最多 %(max)s 个字") % {"label": label, "max": limit}))
    return problems


def _number_problems(siblings: QuerySet, number, *, own_pk: int | None) -> list[FieldError]:
    if not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
        return [FieldError("number", _("序号应为 1 到 %(max)s 之间的整数") % {"max": MAX_NUMBER})]
    taken = siblings.filter(number=number).exclude(pk=own_pk).first()
    if taken is not None:
        return [FieldError("number", _("序号 %(number)s 已被“%(title)s”使用") % {"number": number, "title": taken})]
    return []


def _stripped(values: dict) -> dict:
    return {k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in values.items()}


def _record(campaign: Campaign, acting_user, part: str, field: str, old, new) -> CampaignChange | None:
    return change_record(campaign, acting_user, part, field, old, new)


# --- The campaign's texts and period -------------------------------------------------------------------------


@transaction.atomic
@audit_deferred()
def campaign_edit_texts(*, campaign: Campaign, acting_user, **values) -> list[CampaignChange]:
    """Set any of EDITABLE_FIELDS of the campaign (those not given stay as they are), all or nothing. Titles and
    theme are required; the period ends on or after its start; the deadline is not before the start; the notice
    is not dated after the start. Once published, the period, notice date and grace days are fixed. Returns the
    history rows written (none if nothing changed)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable campaign fields: {sorted(unknown)}")
    campaign = _lock(campaign, acting_user)
    new = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
    new.update(_stripped({k: v for k, v in values.items() if k in TEXT_FIELDS}))
    new.update({k: v for k, v in values.items() if k in FIXED_ONCE_PUBLISHED})

    problems = _text_problems(Campaign, {k: new[k] for k in TEXT_FIELDS}, REQUIRED_TEXTS)
    if not campaign.is_preparing:
        for name in FIXED_ONCE_PUBLISHED:
            if new[name] != getattr(campaign, name):
                message = _("活动已发布，%(label)s不能再修改；发布后只能修正文字") % {"label": _label(Campaign, name)}
                problems.append(FieldError(name, message))
    problems += _date_problems(campaign, new)
    if problems:
        raise _refusal(problems)

    changes, changed = [], []
    for name in EDITABLE_FIELDS:
        row = _record(campaign, acting_user, _("活动"), name, getattr(campaign, name), new[name])
        if row is not None:
            changes.append(row)
            changed.append(name)
            setattr(campaign, name, new[name])
    if changed:
        campaign.save(update_fields=changed)
        _changed(campaign)
    return changes


def _date_problems(campaign: Campaign, new: dict) -> list[FieldError]:
    problems = []
    start, end, notice = new["period_start"], new["period_end"], new["notice_date"]
    for name, value in (("period_start", start), ("period_end", end), ("notice_date", notice)):
        if not isinstance(value, dt.date):
            problems.append(FieldError(name, _("请填写%(label)s") % {"label": _label(Campaign, name)}))
    if problems:
        return problems
    if end < start:
        problems.append(FieldError("period_end", _("活动结束日期不能早于开始日期")))
    if campaign.deadline < start:
        problems.append(
            FieldError(
                "period_start",
                _("活动开始日期不能晚于报送截止日期（%(deadline)s）；请先在“日期与例外”页面修改截止日期")
                % {"deadline": f"{campaign.deadline:%Y-%m-%d}"},
            )
        )
    if notice > start:
        problems.append(FieldError("notice_date", _("通知日期不能晚于活动开始日期")))
    grace = new["activity_grace_days"]
    if not isinstance(grace, int) or not 0 <= grace <= MAX_GRACE_DAYS:
        problems.append(
            FieldError(
                "activity_grace_days", _("活动日期宽限天数应为 0 到 %(max)s 之间的整数") % {"max": MAX_GRACE_DAYS}
            )
        )
    return problems


# --- Focus areas and requirements (the notice's numbered sections) --------------------------------------------


def _section_texts(title: str, body: str) -> str:
    return f"{title}\n{body}".strip()


@transaction.atomic
@audit_deferred()
def section_add(*, campaign: Campaign, model, number: int, title: str, body: str, acting_user):
    """Add a focus area or requirement (`model`) while the campaign is being prepared."""
    campaign = _lock(campaign, acting_user)
    if not campaign.is_preparing:
        raise _published_refusal("number", _("不能再增加%(label)s") % {"label": SECTION_LABELS[model]})
    fields = _stripped({"title": title, "body": body})
    problems = _number_problems(model.objects.filter(campaign=campaign), number, own_pk=None)
    problems += _text_problems(model, fields, ("title",))
    if problems:
        raise _refusal(problems)
    item = model.objects.create(campaign=campaign, number=number, **fields)
    _record(campaign, acting_user, section_part(model, number), _("新增"), "", _section_texts(**fields))
    _changed(campaign)
    return item


@transaction.atomic
@audit_deferred()
def section_edit(*, item, number: int, title: str, body: str, acting_user):
    """Change a focus area's or requirement's number, title and body; once published, its title and body."""
    model = type(item)
    campaign = _lock(item.campaign, acting_user)
    item = model.objects.select_for_update().get(pk=item.pk)
    fields = _stripped({"title": title, "body": body})
    if not campaign.is_preparing and number != item.number:
        raise _published_refusal("number", _("序号不能再修改"))
    problems = _number_problems(model.objects.filter(campaign=campaign), number, own_pk=item.pk)
    problems += _text_problems(model, fields, ("title",))
    if problems:
        raise _refusal(problems)
    part = section_part(model, item.number)
    new = {"number": number, **fields}
    changed = [
        name
        for name in ("number", "title", "body")
        if _record(campaign, acting_user, part, _label(model, name), getattr(item, name), new[name])
    ]
    if changed:
        for name in changed:
            setattr(item, name, new[name])
        item.save(update_fields=changed)
        _changed(campaign)
    return item


@transaction.atomic
@audit_deferred()
def section_delete(*, item, acting_user) -> None:
    """Delete a focus area or requirement while the campaign is being prepared."""
    model = type(item)
    campaign = _lock(item.campaign, acting_user)
    if not campaign.is_preparing:
        raise _published_refusal("number", _("不能再删除%(label)s") % {"label": SECTION_LABELS[model]})
    item = model.objects.select_for_update().get(pk=item.pk)
    _record(
        campaign, acting_user, section_part(model, item.number), _("删除"), _section_texts(item.title, item.body), ""
    )
    item.delete()
    _changed(campaign)


# --- The plan's main activities and their lead bodies ----------------------------------------------------------


def _lead_body(code: str) -> Unit | None:
    return Unit.objects.filter(code=(code or "").strip(), kind=UnitKind.NATIONAL_BODY).first()


def _lead_body_problem(code: str) -> list[FieldError]:
    if not (code or "").strip():
        return [FieldError("lead_body", _("请选择牵头单位"))]
    return [FieldError("lead_body", _("牵头单位“%(code)s”不是国家部门和单位之一") % {"code": code})]


def _plan_problems(campaign: Campaign, *, number, fields: dict, lead_body: Unit | None, lead_code: str, own_pk=None):
    problems = _number_problems(PlanActivity.objects.filter(campaign=campaign), number, own_pk=own_pk)
    problems += _text_problems(PlanActivity, fields, ("title",))
    if lead_body is None:
        problems += _lead_body_problem(lead_code)
    return problems


@transaction.atomic
@audit_deferred()
def plan_activity_add(
    *, campaign: Campaign, number: int, title: str, lead_body: str, description: str, acting_user
) -> PlanActivity:
    """Add a main activity to the plan while the campaign is being prepared. `lead_body` is the code of a national
    body (as in the campaign data file)."""
    campaign = _lock(campaign, acting_user)
    if not campaign.is_preparing:
        raise _published_refusal("number", _("不能再增加主要活动"))
    fields = _stripped({"title": title, "description": description})
    body = _lead_body(lead_body)
    problems = _plan_problems(campaign, number=number, fields=fields, lead_body=body, lead_code=lead_body)
    if problems:
        raise _refusal(problems)
    plan_activity = PlanActivity.objects.create(campaign=campaign, number=number, lead_body=body, **fields)
    _record(campaign, acting_user, plan_part(number), _("新增"), "", f"{fields['title']}（{body.name}）")
    _changed(campaign)
    return plan_activity


def registered_count(plan_activity: PlanActivity) -> int:
    """How many activities units registered under this plan activity (activities' relation, not imported)."""
    return plan_activity.activities.count()


@transaction.atomic
@audit_deferred()
def plan_activity_edit(
    *, plan_activity: PlanActivity, number: int, title: str, lead_body: str, description: str, acting_user
) -> PlanActivity:
    """Change a main activity. Its lead body changes only while no activity is registered under it; once
    published, its number is fixed (title and description stay editable)."""
    campaign = _lock(plan_activity.campaign, acting_user)
    plan_activity = PlanActivity.objects.select_for_update().select_related("lead_body").get(pk=plan_activity.pk)
    fields = _stripped({"title": title, "description": description})
    body = _lead_body(lead_body)
    if not campaign.is_preparing and number != plan_activity.number:
        raise _published_refusal("number", _("主要活动的序号不能再修改"))
    problems = _plan_problems(
        campaign, number=number, fields=fields, lead_body=body, lead_code=lead_body, own_pk=plan_activity.pk
    )
    if problems:
        raise _refusal(problems)
    if body.pk != plan_activity.lead_body_id:
        registered = registered_count(plan_activity)
        if registered:
            raise _refuse(
                "lead_body",
                _("已有 %(count)s 项活动登记在“%(title)s”下，牵头单位不能再修改")
                % {"count": registered, "title": plan_activity.title},
                status=409,
            )
    part = plan_part(plan_activity.number)
    changed = []
    for name, old, new in (
        ("number", plan_activity.number, number),
        ("title", plan_activity.title, fields["title"]),
        ("lead_body", plan_activity.lead_body.name, body.name),
        ("description", plan_activity.description, fields["description"]),
    ):
        if _record(campaign, acting_user, part, _label(PlanActivity, name), old, new) is not None:
            changed.append(name)
    if changed:
        plan_activity.number = number
        plan_activity.lead_body = body
        plan_activity.title, plan_activity.description = fields["title"], fields["description"]
        plan_activity.save(update_fields=changed)
        _changed(campaign)
    return plan_activity


@transaction.atomic
@audit_deferred()
def plan_activity_delete(*, plan_activity: PlanActivity, acting_user) -> None:
    """Delete a main activity while the campaign is being prepared and nothing is registered under it."""
    campaign = _lock(plan_activity.campaign, acting_user)
    if not campaign.is_preparing:
        raise _published_refusal("number", _("不能再删除主要活动"))
    plan_activity = PlanActivity.objects.select_for_update().select_related("lead_body").get(pk=plan_activity.pk)
    registered = registered_count(plan_activity)
    if registered:
        raise _refuse(
            "number",
            _("已有 %(count)s 项活动登记在“%(title)s”下，不能删除")
            % {"count": registered, "title": plan_activity.title},
            status=409,
        )
    old = f"{plan_activity.title}（{plan_activity.lead_body.name}）"
    _record(campaign, acting_user, plan_part(plan_activity.number), _("删除"), old, "")
    plan_activity.delete()
    _changed(campaign)


# --- The units expected to report ------------------------------------------------------------------------------


def _unit_in_use(campaign: Campaign, unit: Unit) -> str | None:
    """Why the unit's participation is fixed (it reported or registered activities), or None."""
    if campaign.reports.filter(unit=unit).exists():
        return _("%(unit)s已有本年度的报送记录") % {"unit": unit.name}
    if campaign.activities.filter(unit=unit).exists():
        return _("%(unit)s已登记本年度的活动") % {"unit": unit.name}
    return None


@transaction.atomic
@audit_deferred()
def participant_add(*, campaign: Campaign, unit_code: str, fills_statistics: bool, acting_user) -> Participant:
    """Expect one more unit (a provincial unit or a national body) to report; in any state but closed."""
    campaign = _lock(campaign, acting_user)
    unit = Unit.objects.filter(code=(unit_code or "").strip(), kind__in=REPORTING_KINDS).first()
    if unit is None:
        raise _refuse("unit", _("请选择要增加的省级单位或国家部门"))
    if unit.pk == campaign.organiser_id:
        raise _refuse("unit", _("%(unit)s是牵头主办单位，负责审核，不作为报送单位") % {"unit": unit.name})
    if Participant.objects.filter(campaign=campaign, unit=unit).exists():
        raise _refuse("unit", _("%(unit)s已是本年度的报送单位") % {"unit": unit.name})
    participant = Participant.objects.create(campaign=campaign, unit=unit, fills_statistics=fills_statistics)
    _record(campaign, acting_user, _("报送单位"), unit.name, "", participation_text(fills_statistics))
    _changed(campaign)
    return participant


@transaction.atomic
@audit_deferred()
def participants_set_statistics(*, campaign: Campaign, filling: dict[str, bool], acting_user) -> list[CampaignChange]:
    """Say for each expected unit (by code) whether it fills the statistics table, all or nothing. Refused for a
    unit that already reported or registered activities (what it must send is settled)."""
    campaign = _lock(campaign, acting_user)
    participants = (
        Participant.objects.select_for_update()
        .filter(campaign=campaign, unit__code__in=list(filling))
        .select_related("unit")
        .order_by("unit__sort_order", "unit__code")
    )
    moving = [p for p in participants if p.fills_statistics != bool(filling[p.unit.code])]
    problems = []
    for participant in moving:
        reason = _unit_in_use(campaign, participant.unit)
        if reason:
            message = _("%(reason)s，不能再改变是否报送统计表") % {"reason": reason}
            problems.append(FieldError(f"fills_{participant.unit.code}", message))
    if problems:
        raise _refusal(problems)
    changes = []
    for participant in moving:
        new = bool(filling[participant.unit.code])
        old_text, new_text = participation_text(participant.fills_statistics), participation_text(new)
        changes.append(_record(campaign, acting_user, _("报送单位"), participant.unit.name, old_text, new_text))
        participant.fills_statistics = new
        participant.save(update_fields=["fills_statistics"])
    if changes:
        _changed(campaign)
    return changes


@transaction.atomic
@audit_deferred()
def participant_remove(*, participant: Participant, acting_user) -> None:
    """No longer expect the unit to report: refused once it reported or registered activities for the campaign."""
    campaign = _lock(participant.campaign, acting_user)
    participant = Participant.objects.select_for_update().select_related("unit").get(pk=participant.pk)
    reason = _unit_in_use(campaign, participant.unit)
    if reason:
        raise _refuse("unit", _("%(reason)s，不能从报送单位中移除") % {"reason": reason}, status=409)
    old = participation_text(participant.fills_statistics)
    _record(campaign, acting_user, _("报送单位"), participant.unit.name, old, "")
    participant.delete()
    _changed(campaign)


# --- Reads for the editing pages (selectors) -------------------------------------------------------------------


def national_bodies() -> QuerySet[Unit]:
    """The bodies a plan activity may be led by, in the notice's order."""
    return Unit.objects.filter(kind=UnitKind.NATIONAL_BODY).order_by("sort_order", "code")


def plan_for_editing(campaign: Campaign) -> QuerySet[PlanActivity]:
    """The plan with each activity's lead body and the number of activities registered under it (`registered`)."""
    return (
        PlanActivity.objects.filter(campaign=campaign)
        .select_related("lead_body")
        .annotate(registered=Count("activities"))
        .order_by("number")
    )


def participants_for_editing(campaign: Campaign) -> list[Participant]:
    """The expected units in the usual order, each with `in_use`: why its participation is fixed, or ""."""
    reported = set(campaign.reports.values_list("unit_id", flat=True))
    registered = set(campaign.activities.values_list("unit_id", flat=True))
    participants = list(
        Participant.objects.filter(campaign=campaign).select_related("unit").order_by("unit__sort_order", "unit__code")
    )
    for p in participants:
        p.in_use = _("已有报送记录") if p.unit_id in reported else _("已登记活动") if p.unit_id in registered else ""
    return participants


def units_to_add(campaign: Campaign) -> QuerySet[Unit]:
    """Provincial units and national bodies not expected yet (the organiser, who reviews, left out)."""
    return (
        Unit.objects.filter(kind__in=REPORTING_KINDS)
        .exclude(participations__campaign=campaign)
        .exclude(pk=campaign.organiser_id)
        .order_by("sort_order", "code")
    )
