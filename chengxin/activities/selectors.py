"""Reads of the activity registry: a unit's list, a lead body's view across units, the public list, and the
sums that pre-fill a unit's statistics table."""

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from chengxin.activities.models import Activity, ActivityOutputValue, ActivityStatus
from chengxin.campaigns.models import Campaign, PlanActivity
from chengxin.statform.definition import PATH_SEPARATOR
from chengxin.statform.models import ActivityOutput
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit, User


def _base(campaign: Campaign) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(campaign=campaign)
        .select_related("unit", "plan_activity", "plan_activity__lead_body")
        .annotate(photo_count=Count("photos"))
        .order_by("-start_date", "-pk")
    )


def activities_of_unit(campaign: Campaign, unit: Unit) -> QuerySet[Activity]:
    """Every activity the unit registered for the campaign, drafts and withdrawn ones included."""
    return _base(campaign).filter(unit=unit)


def activities_all(campaign: Campaign, unit: Unit | None = None, status: str = "") -> QuerySet[Activity]:
    """For ministry staff: every unit's activities, optionally of one unit and/or in one status."""
    activities = _base(campaign)
    if unit is not None:
        activities = activities.filter(unit=unit)
    if status in ActivityStatus.values:
        activities = activities.filter(status=status)
    return activities


def activity_for_user(campaign: Campaign, pk: int, user: User) -> Activity:
    """The activity, if the account may see it: the registering unit's reporter (or a unit above it), ministry
    staff, or — for a published activity only — the reporters of the lead body of its plan activity.
    Anything else is 404."""
    activity = _base(campaign).filter(pk=pk).first()
    if activity is None or not activity_visible_to(activity, user):
        raise Http404
    return activity


def activity_visible_to(activity: Activity, user: User) -> bool:
    if user.reads(activity.unit):
        return True
    return (
        activity.status == ActivityStatus.PUBLISHED
        and activity.plan_activity is not None
        and user.unit_id is not None
        and user.reports_for(activity.plan_activity.lead_body)
    )


def plan_activity_for_user(campaign: Campaign, number: int, user: User) -> PlanActivity:
    """Plan activity N of the campaign, if the account reports for its lead body or is ministry staff; 404
    otherwise."""
    plan = PlanActivity.objects.filter(campaign=campaign, number=number).select_related("lead_body").first()
    if plan is None or not (user.is_national or user.reports_for(plan.lead_body)):
        raise Http404
    return plan


def plan_activities_led_by(campaign: Campaign, unit: Unit | None) -> list[PlanActivity]:
    if unit is None:
        return []
    return list(PlanActivity.objects.filter(campaign=campaign, lead_body=unit))


def activities_for_lead_body(campaign: Campaign, body: Unit, number: int | None = None) -> dict:
    """What a lead body sees: the PUBLISHED activities registered under the plan activities it leads (all of
    them, or only plan activity `number`), across units; drafts are the units' own work in progress, so the
    lead body only sees how many each unit has (withdrawn activities are not shown nor counted).

    Returns {"activities": [...], "drafts_by_unit": [(unit, count), …], "draft_count": int, "figures": the
    form's activity figures as [{"code", "label"}], "rows": [(activity, its outputs in the figures' order)],
    "totals": the outputs' sums over the published activities}.
    """
    under = Activity.objects.filter(campaign=campaign, plan_activity__lead_body=body)
    if number is not None:
        under = under.filter(plan_activity__number=number)
    published = (
        _base(campaign)
        .filter(pk__in=under.filter(status=ActivityStatus.PUBLISHED).values("pk"))
        .order_by("unit__sort_order", "unit__code", "start_date", "pk")
        .prefetch_related("outputs")
    )
    drafts = (
        under.filter(status=ActivityStatus.DRAFT)
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by("unit__sort_order", "unit__code")
    )
    units = Unit.objects.in_bulk([row["unit"] for row in drafts])
    drafts_by_unit = [(units[row["unit"]], row["n"]) for row in drafts]
    activities = list(published)
    figures = [{"code": f.code, "label": output_label(f)} for f in form_definition(campaign).activity_figures]
    outputs = []
    for activity in activities:
        values = activity_outputs(activity)
        outputs.append([values.get(f["code"], 0) for f in figures])
    return {
        "activities": activities,
        "drafts_by_unit": drafts_by_unit,
        "draft_count": sum(n for _, n in drafts_by_unit),
        "figures": figures,
        "rows": list(zip(activities, outputs, strict=True)),
        "totals": [sum(column) for column in zip(*outputs, strict=True)] if outputs else [0] * len(figures),
    }


def activities_published(campaign: Campaign) -> QuerySet[Activity]:
    """The public list: published activities only, with unit and plan activity joined. Each row has unit,
    plan_activity (None = 地方自办活动), title, start_date, end_date, region_code, province_prefix, mode
    (get_mode_display), place, organiser."""
    return (
        Activity.objects.filter(campaign=campaign, status=ActivityStatus.PUBLISHED)
        .select_related("unit", "plan_activity")
        .order_by("start_date", "unit__sort_order", "pk")
    )


def activity_outputs(activity: Activity) -> dict[str, int]:
    """The activity's stored outputs by figure code (zeros are not stored: a missing code is 0). Uses the
    prefetched rows when the query prefetched `outputs`."""
    return {row.code: row.value for row in activity.outputs.all()}


def activity_output_fields(definition, values: dict[str, int] | None = None) -> list[dict]:
    """The outputs an activity of the campaign records, in the form's order, as the activity pages show them:
    {"figure", "code", "label", "group" (the row above the figure's, "户外活动"; "" for a top row),
    "offline_only", "value"}. `values` (figure code → int) as `activity_outputs`
    gives them; missing codes are 0."""
    values = values or {}
    return [
        {
            "figure": figure,
            "code": figure.code,
            "label": output_label(figure),
            "group": figure.path.rpartition(PATH_SEPARATOR)[0],
            "offline_only": figure.activity_output == ActivityOutput.OFFLINE,
            "value": values.get(figure.code, 0),
        }
        for figure in definition.activity_figures
    ]


def output_label(figure) -> str:
    """How the activity pages name an output: the form's compact name and its unit, "会议 人次（人次）"."""
    return f"{figure.short_name}（{figure.unit}）" if figure.unit else figure.short_name


def activity_suggested_figures(campaign: Campaign, unit: Unit, *, definition=None) -> dict[str, int]:
    """The pre-fill for the unit's statistics table: the sums of its PUBLISHED activities of the campaign, keyed by
    figure code, for every figure the campaign's form has activities record (`activity_figures`; 0 when no
    activity gives it). Figures no activity records (people reached, consultations, display materials) are left
    out: the reporter types them. Pass the campaign's form `definition` when the caller has it already."""
    codes = [f.code for f in (definition or form_definition(campaign)).activity_figures]
    if not codes:
        return {}
    sums = dict(
        ActivityOutputValue.objects.filter(
            activity__campaign=campaign,
            activity__unit=unit,
            activity__status=ActivityStatus.PUBLISHED,
            code__in=codes,
        )
        .values("code")
        .annotate(total=Sum("value"))
        .values_list("code", "total")
        .order_by()
    )
    return {code: int(sums.get(code) or 0) for code in codes}


def prefill_rows(definition, suggested: dict[str, int], current: dict) -> list[dict]:
    """The rows of the pre-fill table: each suggested figure with what the report holds and the difference
    (None when the report holds nothing for it). No rows when nothing is suggested (no published activity):
    a table of zeros against every typed figure would only look like a list of discrepancies."""
    if not any(suggested.values()):
        return []
    rows = []
    for figure in definition.number_figures:
        if figure.code not in suggested:
            continue
        now = current.get(figure.code) if current else None
        now = now if isinstance(now, int) else None
        rows.append(
            {
                "figure": figure,
                "suggested": suggested[figure.code],
                "current": now,
                "difference": None if now is None else now - suggested[figure.code],
                "magnitude": None if now is None else abs(now - suggested[figure.code]),
            }
        )
    return rows


def report_page_suggestions(*, campaign: Campaign, unit: Unit, participant, definition) -> dict:
    """The report entry page's pre-fill (reporting.extensions): the sums of the unit's published activities,
    shown against what the report holds; the reporter decides."""
    if participant is None or not participant.fills_statistics:
        return {}
    return {"suggested": activity_suggested_figures(campaign, unit, definition=definition)}
