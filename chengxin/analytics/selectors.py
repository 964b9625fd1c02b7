"""Totals and completeness: what the oversight pages and the `totals` / `completeness` commands show."""

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.generations import cached
from chengxin.core.numbers import format_number, normalise
from chengxin.reporting.models import FigureValue, Report, Status
from chengxin.statform.models import Figure, FigureKind
from chengxin.units.models import Unit, UnitKind

TOTAL_SCOPES = {
    "submitted": (Status.SUBMITTED, Status.ACCEPTED),
    "accepted": (Status.ACCEPTED,),
    "all": (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED),
}
SCOPE_LABELS = {
    "submitted": gettext_lazy("已报送和已审核"),
    "accepted": gettext_lazy("仅已审核"),
    "all": gettext_lazy("全部（含草稿）"),
}

_METHOD_SEPARATORS = re.compile(r"[、,，;；/|\s]+|和|及|与")


def split_methods(text: str) -> list[str]:
    """The display methods a unit named: "展板、手册和横幅" → ["展板", "手册", "横幅"]."""
    text = normalise(text or "")
    seen: list[str] = []
    for part in _METHOD_SEPARATORS.split(text):
        part = part.strip("等。.")
        if part and part not in seen:
            seen.append(part)
    return seen


def _counted_values(campaign: Campaign, scope: str, under: Unit | None = None):
    """The figure values that count, under the reporting hierarchy, for the heads below `under`.

    Heads are the units reporting to the ministry (under=None) or the direct sub-units of `under`. A head's
    own values count when its report's status is in `scope`. A sub-unit's values count toward its parent
    (its roll-up) only once the parent has accepted them, and only while the parent's values count: an
    accepted county counts nationally through its accepted city and its province. The hierarchy is at most
    three levels deep (province › city › county), so two levels of parents are enough.

    Each value is annotated with `head`, the id of the head unit whose roll-up it belongs to.
    """
    statuses = TOTAL_SCOPES[scope]
    parent_report = Report.objects.filter(campaign=campaign, unit=OuterRef("report__unit__parent"))
    grand_report = Report.objects.filter(campaign=campaign, unit=OuterRef("report__unit__parent__parent"))
    values = FigureValue.objects.filter(
        report__campaign=campaign,
        report__unit__participations__campaign=campaign,
        report__unit__participations__fills_statistics=True,
    )
    accepted = Q(report__status=Status.ACCEPTED)
    if under is None:
        own = Q(report__unit__parent__isnull=True, report__status__in=statuses)
        child = (
            Q(report__unit__parent__isnull=False, report__unit__parent__parent__isnull=True)
            & accepted
            & Exists(parent_report.filter(status__in=statuses))
        )
        grandchild = (
            Q(report__unit__parent__parent__isnull=False)
            & accepted
            & Exists(parent_report.filter(status=Status.ACCEPTED))
            & Exists(grand_report.filter(status__in=statuses))
        )
        head = Coalesce("report__unit__parent__parent_id", "report__unit__parent_id", "report__unit_id")
        return values.filter(own | child | grandchild).annotate(head=head)
    own = Q(report__unit__parent=under, report__status__in=statuses)
    child = Q(report__unit__parent__parent=under) & accepted & Exists(parent_report.filter(status__in=statuses))
    head = Case(When(report__unit__parent=under, then=F("report__unit_id")), default=F("report__unit__parent_id"))
    return values.filter(own | child).annotate(head=head)


# Roll-ups are cached under a stamp of everything they depend on, so a cached number is never out of date: a
# saved figure or a changed status bumps its report's version (every write goes through the reporting
# services, which compare-and-set it), and a changed participant list or hierarchy changes the counts. The
# time-out only bounds what a write that bypasses the services (a database console) could leave behind.
ROLLUP_CACHE_SECONDS = 300


# How long a data stamp is kept. Writes through the models make the kept one unreachable at once (generations
# "campaign-data:<id>" and "units", bumped by the reporting, campaign and unit apps); the lifetime only bounds
# how late a write by another process is seen when the cache is not shared (core.generations).
STAMP_SECONDS = 30


def data_stamp(campaign: Campaign) -> str:
    """A short string that changes whenever the campaign's counted figures may have changed: its reports
    (count; sum of versions, which every write bumps whatever the clocks of several app servers say; latest
    change), its participants (count, how many fill the table) and the units' hierarchy. One statement, run
    again only when a write bumped the campaign's generations (or after STAMP_SECONDS)."""
    names = (f"campaign-data:{campaign.pk}", "units")
    return cached(f"stamp:{campaign.pk}", names, lambda: _data_stamp_query(campaign), STAMP_SECONDS)


def _data_stamp_query(campaign: Campaign) -> str:
    report, participant, unit = (m._meta.db_table for m in (Report, Participant, Unit))
    # Table names come from the models, the one value is a parameter: nothing from outside reaches the SQL.
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {report} WHERE campaign_id = %s),"  # noqa: S608
        f" (SELECT SUM(version) FROM {report} WHERE campaign_id = %s),"
        f" (SELECT MAX(updated_at) FROM {report} WHERE campaign_id = %s),"
        f" (SELECT COUNT(*) FROM {participant} WHERE campaign_id = %s),"
        f" (SELECT COUNT(*) FROM {participant} WHERE campaign_id = %s AND fills_statistics),"
        f" (SELECT COUNT(*) FROM {unit}), (SELECT COUNT(parent_id) FROM {unit}),"
        f" (SELECT SUM(parent_id) FROM {unit})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk] * 5)
        row = cursor.fetchone()
    raw = "|".join(str(value or 0) for value in row)
    return f"{campaign.pk}.{hashlib.sha256(raw.encode()).hexdigest()[:20]}"


def rollup(
    campaign: Campaign, *, scope: str = "submitted", under: Unit | None = None, stamp: str | None = None
) -> dict[int, dict[str, int]]:
    """Per head unit id (see `_counted_values`), its roll-up: own figures plus its accepted sub-units', by
    number figure code; heads with nothing counted are absent. Cached under `data_stamp` (pass one already
    taken to save its queries)."""
    stamp = stamp or data_stamp(campaign)
    key = f"chengxin:rollup:{campaign.pk}:{scope}:{under.pk if under else 0}:{stamp}"
    cached = cache.get(key)
    if cached is None:
        cached = {str(k): v for k, v in _rollup(campaign, scope, under).items()}
        cache.set(key, cached, ROLLUP_CACHE_SECONDS)
    return {int(k): v for k, v in cached.items()}


def number_totals(campaign: Campaign, scope: str = "submitted", *, stamp: str | None = None) -> dict[str, int]:
    """National totals of the number figures: the sum of the heads' roll-ups (cached with them)."""
    result: Counter[str] = Counter()
    for values in rollup(campaign, scope=scope, stamp=stamp).values():
        result.update(values)
    return dict(result)


def _rollup(campaign: Campaign, scope: str, under: Unit | None) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    rows = (
        _counted_values(campaign, scope, under)
        .filter(figure__kind=FigureKind.NUMBER)
        .values("head", "figure__code")
        .annotate(s=Sum("number"))
        .values_list("head", "figure__code", "s")
        .order_by()
    )
    for head, code, value in rows:
        result.setdefault(head, {})[code] = int(value or 0)
    return result


def unit_own_values(campaign: Campaign, unit: Unit) -> dict[str, int]:
    """The number figures the unit typed itself (its own activities), whatever its report's status."""
    rows = FigureValue.objects.filter(
        report__campaign=campaign, report__unit=unit, figure__kind=FigureKind.NUMBER
    ).values_list("figure__code", "number")
    return {code: int(number or 0) for code, number in rows}


@dataclass
class Breakdown:
    """A unit's roll-up as it would go to the level above: its own figures, each accepted sub-unit's
    roll-up, and the total; and the sub-units whose reports are not (yet) counted."""

    unit: Unit
    own: dict[str, int]
    parts: list[tuple[Unit, dict[str, int]]]
    total: dict[str, int]
    not_counted: list[tuple[Unit, str]]
    codes: list[str] = field(default_factory=list)  # the number figures, in the form's order

    def _cells(self, values: dict[str, int]) -> list[str]:
        return [format_number(values.get(code, 0)) for code in self.codes]

    @property
    def own_cells(self) -> list[str]:
        return self._cells(self.own)

    @property
    def part_rows(self) -> list[tuple[Unit, list[str]]]:
        return [(unit, self._cells(values)) for unit, values in self.parts]

    @property
    def total_cells(self) -> list[str]:
        return self._cells(self.total)


def unit_breakdown(campaign: Campaign, unit: Unit, *, stamp: str | None = None) -> Breakdown:
    """What `unit` reports upward: own + accepted sub-units."""
    own = unit_own_values(campaign, unit)
    counted = rollup(campaign, scope="accepted", under=unit, stamp=stamp)
    children = list(Unit.objects.filter(parent=unit, participations__campaign=campaign).order_by("sort_order", "code"))
    statuses = dict(Report.objects.filter(campaign=campaign, unit__in=children).values_list("unit_id", "status"))
    parts, not_counted = [], []
    for child in children:
        status = statuses.get(child.pk, Status.NOT_STARTED)
        if status == Status.ACCEPTED:
            parts.append((child, counted.get(child.pk, {})))
        else:
            not_counted.append((child, Status(status).label))
    total = Counter(own)
    for _child, values in parts:
        total.update(values)
    codes = list(
        Figure.objects.filter(form__campaign=campaign, kind=FigureKind.NUMBER)
        .order_by("order")
        .values_list("code", flat=True)
    )
    return Breakdown(unit, own, parts, dict(total), not_counted, codes)


def totals(campaign: Campaign, scope: str = "submitted") -> dict:
    """National totals by figure code over the reports in `scope`, with sub-units counted through their
    accepted roll-ups (`_counted_values`); text figures as {method: units naming it}."""
    values = _counted_values(campaign, scope)
    sums = dict(
        values.filter(figure__kind=FigureKind.NUMBER)
        .values("figure__code")
        .annotate(s=Sum("number"))
        .values_list("figure__code", "s")
        .order_by()
    )
    result: dict[str, object] = {}
    for figure in Figure.objects.filter(form__campaign=campaign).order_by("order"):
        if figure.kind == FigureKind.NUMBER:
            result[figure.code] = int(sums.get(figure.code) or 0)
        else:
            counter: Counter[str] = Counter()
            for text in values.filter(figure=figure).values_list("text", flat=True):
                counter.update(split_methods(text))
            result[figure.code] = dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
    return result


def totals_table_count(campaign: Campaign, scope: str = "submitted") -> int:
    """How many statistics tables of units reporting to the ministry the totals of `scope` add up (each one
    carrying its accepted sub-units)."""
    return Report.objects.filter(
        campaign=campaign,
        status__in=TOTAL_SCOPES[scope],
        unit__parent__isnull=True,
        unit__participations__campaign=campaign,
        unit__participations__fills_statistics=True,
    ).count()


def campaign_previous(campaign: Campaign) -> Campaign | None:
    """The campaign of the nearest earlier year."""
    return Campaign.objects.filter(year__lt=campaign.year).order_by("-year").first()


@dataclass
class FigureChange:
    code: str
    label: str
    unit_of_measure: str
    category: str  # the figure's category in the form ("traditional_media"), "" for none
    value: int | None
    previous: int | None
    note: str = ""
    count: str = ""  # what the figure counts (statform.models.Count): people, items, events, copies

    @property
    def change(self) -> float | None:
        """Relative change against the previous campaign (0.25 = +25 %); None where it cannot be said."""
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / self.previous


def totals_compare(campaign: Campaign, scope: str = "submitted", *, stamp: str | None = None) -> list[FigureChange]:
    """National totals of every number figure next to the previous campaign's, aligned by figure code: a
    figure renamed keeps its code and is compared; a new one has no previous value; one dropped this year
    is listed with its previous value only."""
    from chengxin.statform.selectors import form_definition

    current = number_totals(campaign, scope, stamp=stamp)
    definition = form_definition(campaign)
    previous_campaign = campaign_previous(campaign)
    before: dict = {}
    previous_defs: dict = {}
    if previous_campaign is not None:
        before = number_totals(previous_campaign, scope)
        previous_defs = {f.code: f for f in form_definition(previous_campaign).number_figures}
    rows = []
    for f in definition.number_figures:
        known = f.code in previous_defs
        rows.append(
            FigureChange(
                f.code,
                f.short_name,
                f.unit,
                f.category,
                current.get(f.code, 0),
                before.get(f.code, 0) if known else None,
                "" if known or previous_campaign is None else _("新增指标"),
                f.count,
            )
        )
    for code, f in previous_defs.items():
        if code not in definition.by_code:
            rows.append(
                FigureChange(
                    code, f.short_name, f.unit, f.category, None, before.get(code, 0), _("本年已取消"), f.count
                )
            )
    return rows


@dataclass
class KindSummary:
    kind: str
    label: str
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    drafts: int = 0
    returned: int = 0
    not_started: int = 0
    accepted: int = 0

    @property
    def waiting(self) -> int:
        """Submitted and not yet reviewed."""
        return self.submitted - self.accepted

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 0.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.expected if self.expected else 0.0


@dataclass
class UnitStatus:
    code: str
    name: str
    kind: str
    kind_label: str
    fills_statistics: bool
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    late: bool
    deadline: dt.date
    has_exception: bool

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "late": self.late,
        }


@dataclass
class Completeness:
    campaign: Campaign
    units: list[UnitStatus]
    overall: KindSummary
    by_kind: list[KindSummary] = field(default_factory=list)
    today: dt.date | None = None

    @property
    def days_left(self) -> int:
        return (self.campaign.deadline - self.today).days

    @property
    def deadline_words(self) -> str:
        return deadline_words(self.campaign, self.today)


def deadline_words(campaign: Campaign, today: dt.date) -> str:
    """How the deadline stands today, in words: "距报送截止（2020年11月25日）还有 3 天"."""
    days = (campaign.deadline - today).days
    date = dateformat.format(campaign.deadline, _("Y年n月j日"))
    if days > 0:
        return ngettext("距报送截止（%(date)s）还有 %(days)d 天", "距报送截止（%(date)s）还有 %(days)d 天", days) % {
            "date": date,
            "days": days,
        }
    if days == 0:
        return _("今天（%(date)s）24时报送截止") % {"date": date}
    return ngettext(
        "报送已于 %(date)s 截止，已过 %(days)d 天；此后报送记为逾期",
        "报送已于 %(date)s 截止，已过 %(days)d 天；此后报送记为逾期",
        -days,
    ) % {"date": date, "days": -days}


def completeness(campaign: Campaign, under: Unit | None = None) -> Completeness:
    """Every unit expected to report to the ministry (or, with `under`, to that unit) with its status, and
    counts per unit kind (two queries)."""
    participants = (
        Participant.objects.filter(campaign=campaign, unit__parent=under)
        .select_related("unit", "campaign")
        .order_by("unit__sort_order", "unit__code")
    )
    reports = {r.unit_id: r for r in Report.objects.filter(campaign=campaign, unit__parent=under)}
    overall = KindSummary("all", _("合计"))
    kinds: dict[str, KindSummary] = {}
    units = []
    for p in participants:
        report = reports.get(p.unit_id)
        status = report.status if report else Status.NOT_STARTED
        submitted = status in (Status.SUBMITTED, Status.ACCEPTED)
        late = bool(report and report.late and submitted)
        units.append(
            UnitStatus(
                code=p.unit.code,
                name=p.unit.name,
                kind=p.unit.kind,
                kind_label=UnitKind(p.unit.kind).label,
                fills_statistics=p.fills_statistics,
                status=status,
                status_label=Status(status).label,
                submitted_at=report.submitted_at if report and submitted else None,
                late=late,
                deadline=p.deadline,
                has_exception=bool(p.deadline_override or p.lock_override),
            )
        )
        kind = kinds.setdefault(p.unit.kind, KindSummary(p.unit.kind, UnitKind(p.unit.kind).label))
        for summary in (kind, overall):
            summary.expected += 1
            summary.submitted += submitted
            summary.on_time += submitted and not late
            summary.drafts += status == Status.DRAFT
            summary.returned += status == Status.RETURNED
            summary.not_started += status == Status.NOT_STARTED
            summary.accepted += status == Status.ACCEPTED
    order = [k.value for k in UnitKind]
    by_kind = sorted(kinds.values(), key=lambda k: order.index(k.kind))
    return Completeness(campaign, units, overall, by_kind, today=timezone.localdate())


@dataclass(frozen=True)
class TimelineDay:
    day: dt.date
    on_time: int  # reported by then, on time (cumulative)
    late: int  # reported by then, after their deadline (cumulative)
    missing: int  # not reported by the end of that day


TIMELINE_DAILY_WINDOW = dt.timedelta(days=14)  # every day this close to the deadline is a row


def completeness_timeline(
    campaign: Campaign, under: Unit | None = None, *, today: dt.date | None = None
) -> list[TimelineDay]:
    """How many of the expected units had reported on time, late, or not at all, by the end of each row's day.
    One row per day from two weeks before the deadline to two weeks after it (or today, if sooner), and outside
    that window one row on each day (up to today) on which a unit first submitted: the rows run from the first
    submission to the last, however early or late, and never cover less than the window. The dashboard draws them
    on a time axis from the first row to the last, so a submission months after the deadline stands at its date.
    A unit counts from its first submission, even if it was returned for correction afterwards."""
    today = today or timezone.localdate()
    deadlines = {
        p.unit_id: p.deadline
        for p in Participant.objects.filter(campaign=campaign, unit__parent=under).select_related("campaign")
    }
    firsts = Report.objects.filter(campaign=campaign, unit__parent=under, first_submitted_at__isnull=False).values_list(
        "unit_id", "first_submitted_at"
    )
    per_day: Counter = Counter()
    late_per_day: Counter = Counter()
    for unit_id, at in firsts:
        if unit_id not in deadlines:
            continue
        day = timezone.localtime(at).date()
        (late_per_day if day > deadlines[unit_id] else per_day)[day] += 1
    start = campaign.deadline - TIMELINE_DAILY_WINDOW
    end = max(min(campaign.deadline + TIMELINE_DAILY_WINDOW, today), start)
    window = {start + dt.timedelta(days=n) for n in range((end - start).days + 1)}
    submitted = {day for day in per_day.keys() | late_per_day.keys() if day <= today}
    days = []
    on_time = late = 0
    for day in sorted(window | submitted):
        on_time += per_day.get(day, 0)
        late += late_per_day.get(day, 0)
        days.append(TimelineDay(day, on_time, late, len(deadlines) - on_time - late))
    return days


def report_page_breakdown(*, campaign: Campaign, unit: Unit, participant, definition) -> dict:
    """The report entry page's roll-up (reporting.extensions): for a unit with sub-units, its own figures and
    its accepted sub-units' that it reports upward."""
    if participant is None or not participant.fills_statistics or not unit.children.exists():
        return {}
    return {"breakdown": unit_breakdown(campaign, unit), "breakdown_figures": definition.number_figures}
