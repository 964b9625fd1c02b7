"""The dashboard's page data: the national page, a unit's drill-down, the map and the CSV export.

Each function assembles what one page shows from the selectors (analytics/selectors.py) in a fixed number of
queries, whatever the number of units: no query runs per unit or per row.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chengxin.analytics.selectors import (
    SCOPE_LABELS,
    completeness,
    completeness_timeline,
    data_stamp,
    rollup,
    totals_compare,
    unit_breakdown,
)
from chengxin.campaigns.models import Campaign
from chengxin.core.spreadsheets import neutralise
from chengxin.reporting.models import Status
from chengxin.statform.definition import FigureDef, FormDefinition
from chengxin.statform.models import Count
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit, UnitKind

# The dashboard counts either accepted reports only, or submitted and accepted ones (never drafts).
DASHBOARD_SCOPES = {key: SCOPE_LABELS[key] for key in ("accepted", "submitted")}
DEFAULT_SCOPE = "submitted"
# Kinds of the units that report to the ministry, for the "unit kind" filter.
HEAD_KINDS = (UnitKind.PROVINCE, UnitKind.PLANNED_CITY, UnitKind.CORPS, UnitKind.NATIONAL_BODY)
# What a figure means (its category, what it counts, per 10,000 residents or not) is the form's data
# (statform.models.Figure), read from the definition: nothing here names a figure or a row label.
# The counts drawn on the scale of thousands (people, copies); events and items are drawn on the scale of tens.
LARGE_COUNTS = (Count.PEOPLE, Count.COPIES)
SUBMITTED = (Status.SUBMITTED, Status.ACCEPTED)


@dataclass(frozen=True)
class Filters:
    figure: str
    kind: str  # "" for every kind
    scope: str

    def query(self, **changes) -> str:
        """The filters as a query string (without "?"), with `changes` applied."""
        values = {"figure": self.figure, "kind": self.kind, "scope": self.scope, **changes}
        return urlencode({k: v for k, v in values.items() if v})


def _headline_figure(definition: FormDefinition) -> str:
    """The map's default figure, read off the form: a figure shown per 10,000 residents, else a people count;
    among them the one highest in the table (a summary row such as 宣传效果 › 宣传覆盖总人数 rather than a
    medium's detail), then the first printed."""
    depth: dict[str, int] = {}

    def walk(rows, level: int) -> None:
        for row in rows:
            for f in row.figures:
                depth[f.code] = level
            walk(row.children, level + 1)

    walk(definition.roots, 0)
    numbers = definition.number_figures
    for wanted in ([f for f in numbers if f.per_10k], [f for f in numbers if f.count == Count.PEOPLE]):
        if wanted:
            return min(wanted, key=lambda f: (depth.get(f.code, 99), f.order)).code
    return ""


def dashboard_filters(definition: FormDefinition, params: Mapping[str, str]) -> Filters:
    """The filters of a dashboard request; anything unknown falls back to the default (never an error)."""
    codes = [f.code for f in definition.number_figures]
    figure = params.get("figure", "")
    if figure not in codes:
        figure = _headline_figure(definition) or (codes[0] if codes else "")
    kind = params.get("kind", "")
    if kind not in HEAD_KINDS:
        kind = ""
    scope = params.get("scope", "")
    if scope not in DASHBOARD_SCOPES:
        scope = DEFAULT_SCOPE
    return Filters(figure, kind, scope)


@dataclass
class RankRow:
    rank: int
    unit: Unit
    value: int
    status: str
    status_label: str
    url: str  # the unit's drill-down (a unit without sub-units redirects from there to its report)


def _units_with_children(queryset):
    """`queryset` with `has_children`, for linking to a drill-down or straight to a report, in the same query."""
    return queryset.annotate(has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))))


def _drill_down_url(campaign: Campaign, unit: Unit, query: str) -> str:
    url = reverse("analytics:dashboard_unit", args=[campaign.year, unit.code])
    return f"{url}?{query}" if query else url


def _ranking(campaign: Campaign, units: list[Unit], values: dict[int, dict[str, int]], statuses, filters: Filters):
    figure, query = filters.figure, filters.query(kind="")
    rows = []
    for unit in units:
        status = statuses.get(unit.code)
        rows.append(
            RankRow(
                0,
                unit,
                values.get(unit.pk, {}).get(figure, 0),
                status.status if status else Status.NOT_STARTED,
                status.status_label if status else Status.NOT_STARTED.label,
                _drill_down_url(campaign, unit, query),
            )
        )
    rows.sort(key=lambda r: (-r.value, r.unit.sort_order, r.unit.code))
    for i, row in enumerate(rows, 1):
        row.rank = i
    return rows


def chart_labels() -> dict[str, str]:
    """The words the charts draw, translated here because dashboard.js is not."""
    return {
        "on_time": _("按时报送"),
        "late": _("逾期报送"),
        "missing": _("未报送"),
        "deadline": _("截止日"),
        "this_year": _("本年"),
        "last_year": _("上年"),
        "items": _("发稿量"),
        "figures": _("分项"),
        "high": _("高"),
        "low": _("低"),
        "map_failed": _("地图数据未能加载，请使用排名表。"),
    }


def _timeline_chart(campaign: Campaign, days) -> dict:
    """The timeline chart's data: its rows (the same as the table beside it), the deadline, and the time axis
    it is drawn on, from the first row's day to the last, so that a late submission sits at its own date."""
    return {
        "days": [{"day": d.day.isoformat(), "on_time": d.on_time, "late": d.late, "missing": d.missing} for d in days],
        "deadline": campaign.deadline.isoformat(),
        "start": days[0].day.isoformat(),
        "end": days[-1].day.isoformat(),
    }


def _figure(definition: FormDefinition, code: str) -> FigureDef | None:
    return definition.by_code.get(code)


def _heads(campaign: Campaign, kind: str = "") -> list[Unit]:
    """The units reporting their statistics to the ministry, in the notice's order (one query)."""
    units = Unit.objects.filter(
        parent__isnull=True, participations__campaign=campaign, participations__fills_statistics=True
    )
    if kind:
        units = units.filter(kind=kind)
    return list(_units_with_children(units).order_by("sort_order", "code"))


def map_items(campaign: Campaign, *, figure: str, scope: str, values: dict | None = None) -> list[dict]:
    """The provinces drawn on the map with their roll-up of `figure`: [{code, region_code, name, value, url}].
    Planned cities, the corps and the national bodies have no shape of their own; the ranking lists them."""
    if values is None:
        values = rollup(campaign, scope=scope)
    provinces = Unit.objects.filter(
        parent__isnull=True,
        kind=UnitKind.PROVINCE,
        participations__campaign=campaign,
        participations__fills_statistics=True,
    ).exclude(region_code="")
    return [
        {
            "code": u.code,
            "region_code": u.region_code,
            "name": u.name,
            "value": values.get(u.pk, {}).get(figure, 0),
            "url": _drill_down_url(campaign, u, urlencode({"figure": figure, "scope": scope})),
        }
        for u in provinces.order_by("sort_order", "code")
    ]


def _per_10k(units: list[Unit], values: dict[int, dict[str, int]], codes: list[str]) -> list[dict]:
    rows = []
    for unit in units:
        if not unit.population:
            continue
        own = values.get(unit.pk, {})
        rows.append(
            {
                "unit": unit,
                "population": unit.population,
                "figures": [
                    {"code": c, "value": own.get(c, 0), "per_10k": round(own.get(c, 0) * 10_000 / unit.population, 1)}
                    for c in codes
                ],
            }
        )
    return rows


def _media(definition: FormDefinition, compare) -> dict:
    """The categories that publish items (the form's media: 传统媒介, 新媒介 in 2020) side by side: each one's
    figures and, for the chart, the items each published. Titles are the form's row labels."""
    groups = []
    for category in definition.categories:
        item_figures = category.counting(Count.ITEMS)
        if not item_figures:
            continue
        codes = {f.code for f in category.figures}
        rows = [c for c in compare if c.code in codes and c.value is not None]
        items = sum(c.value for c in rows if c.count == Count.ITEMS)
        units = list(dict.fromkeys(f.unit for f in item_figures if f.unit))
        groups.append({"key": category.key, "label": category.title, "rows": rows, "items": items, "item_units": units})
    return {
        "groups": groups,
        # Translators: joins the categories' Chinese names, which stay Chinese (data): in English " / ".
        "title": pgettext("between two Chinese category names", "与").join(g["label"] for g in groups),
        "chart": {
            "items": [{"name": g["label"], "value": g["items"]} for g in groups],
            "figures": [
                {"name": c.label, "group": g["label"], "value": c.value}
                for g in groups
                for c in g["rows"]
                if c.count == Count.ITEMS
            ],
        },
    }


def national_dashboard(
    campaign: Campaign, filters: Filters, definition: FormDefinition | None = None, *, stamp: str | None = None
) -> dict:
    """Everything the national dashboard shows, in a bounded number of queries."""
    definition = definition or form_definition(campaign)
    figure = _figure(definition, filters.figure)
    status_data = completeness(campaign)
    units = [u for u in status_data.units if not filters.kind or u.kind == filters.kind]
    summary = status_data.overall
    if filters.kind:
        summary = next((k for k in status_data.by_kind if k.kind == filters.kind), None)
    late = sum(1 for u in units if u.late)
    kpi = {
        "expected": len(units),
        "submitted": sum(1 for u in units if u.status in SUBMITTED),
        "late": late,
        "missing": sum(1 for u in units if u.status not in SUBMITTED),
    }
    missing = [u for u in units if u.status not in SUBMITTED]
    timeline = completeness_timeline(campaign)
    stamp = stamp or data_stamp(campaign)
    compare = totals_compare(campaign, filters.scope, stamp=stamp)
    values = rollup(campaign, scope=filters.scope, stamp=stamp)
    heads = _heads(campaign, filters.kind)
    statuses = {u.code: u for u in status_data.units}
    ranking = _ranking(campaign, heads, values, statuses, filters)
    per_10k_codes = [f.code for f in definition.per_10k_figures]
    # Two charts on linear scales, as on the totals page: people and copies count in thousands, events and
    # items in tens; one scale for both hides the small ones.
    changes_chart: dict[str, list] = {"people": [], "counts": []}
    for c in compare:
        if c.value is not None:
            key = "people" if c.count in LARGE_COUNTS else "counts"
            changes_chart[key].append({"name": c.label, "value": c.value, "previous": c.previous})
    return {
        "definition": definition,
        "figures": definition.number_figures,
        "figure": figure,
        "years": list(Campaign.objects.order_by("-year").values_list("year", flat=True)),
        "kinds": [(k.value, k.label) for k in HEAD_KINDS],
        "scopes": DASHBOARD_SCOPES,
        "completeness": status_data,
        "summary": summary,
        "kpi": kpi,
        "missing": missing,
        "missing_all": status_data.overall.expected - status_data.overall.submitted,  # whom the reminder reaches
        "timeline": timeline,
        "compare": compare,
        "has_previous": any(c.previous is not None for c in compare),
        "media": _media(definition, compare),
        "per_10k_figures": definition.per_10k_figures,
        "per_10k": _per_10k(heads, values, per_10k_codes),
        "ranking": ranking,
        "map": map_items(campaign, figure=filters.figure, scope=filters.scope, values=values),
        "charts": {
            "timeline": _timeline_chart(campaign, timeline),
            "changes": changes_chart,
        },
        "chart_labels": chart_labels(),
    }


def unit_ancestors(unit: Unit) -> list[Unit]:
    """The units above `unit`, top first (the hierarchy is at most three levels deep)."""
    chain = []
    parent = unit.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    return chain


def unit_dashboard(
    campaign: Campaign,
    unit: Unit,
    filters: Filters,
    definition: FormDefinition | None = None,
    *,
    stamp: str | None = None,
) -> dict:
    """A unit's drill-down: its sub-units' completeness, their ranking by the chosen figure, the roll-up."""
    definition = definition or form_definition(campaign)
    status_data = completeness(campaign, under=unit)
    children = list(
        _units_with_children(Unit.objects.filter(parent=unit, participations__campaign=campaign)).order_by(
            "sort_order", "code"
        )
    )
    stamp = stamp or data_stamp(campaign)
    values = rollup(campaign, scope=filters.scope, under=unit, stamp=stamp)
    statuses = {u.code: u for u in status_data.units}
    units = status_data.units
    timeline = completeness_timeline(campaign, under=unit)
    return {
        "definition": definition,
        "figures": definition.number_figures,
        "figure": _figure(definition, filters.figure),
        "scopes": DASHBOARD_SCOPES,
        "completeness": status_data,
        "kpi": {
            "expected": len(units),
            "submitted": sum(1 for u in units if u.status in SUBMITTED),
            "late": sum(1 for u in units if u.late),
            "missing": sum(1 for u in units if u.status not in SUBMITTED),
        },
        "timeline": timeline,
        "ranking": _ranking(campaign, children, values, statuses, filters),
        "breakdown": unit_breakdown(campaign, unit, stamp=stamp),
        "breakdown_figures": definition.number_figures,
        "ancestors": unit_ancestors(unit),
        "charts": {"timeline": _timeline_chart(campaign, timeline)},
        "chart_labels": chart_labels(),
    }


def _percent(change: float | None) -> str:
    return "" if change is None else f"{change:+.1%}"


def dashboard_csv(campaign: Campaign, filters: Filters, definition: FormDefinition | None = None) -> bytes:
    """The national dashboard's tables as one CSV (sections separated by an empty line), UTF-8 with a
    byte-order mark so that Excel opens it in Chinese; every text neutralised against formula injection."""
    data = national_dashboard(campaign, filters, definition)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(*cells):
        writer.writerow([neutralise(c) if isinstance(c, str) else ("" if c is None else c) for c in cells])

    figure_name = data["figure"].short_name if data["figure"] else ""
    row(_("%(title)s · 数据看板") % {"title": campaign.title})
    row(_("统计范围"), str(DASHBOARD_SCOPES[filters.scope]), _("指标"), figure_name)
    row()
    row(_("报送进度"))
    row(_("日期"), _("按时报送"), _("逾期报送"), _("未报送"))
    for d in data["timeline"]:
        row(d.day.isoformat(), d.on_time, d.late, d.missing)
    row()
    row(_("未报送单位"))
    row(_("代码"), _("单位"), _("类别"), _("状态"))
    for u in data["missing"]:
        row(u.code, u.name, u.kind_label, u.status_label)
    row()
    row(_("全国合计与上年比较"))
    row(_("指标"), _("计量单位"), _("本年"), _("上年"), _("变化"), _("说明"))
    for c in data["compare"]:
        row(c.label, c.unit_of_measure, c.value, c.previous, _percent(c.change), c.note)
    row()
    row(_("每万常住人口"))
    per_10k = _("（每万人）")
    row(_("代码"), _("单位"), _("常住人口"), *[f"{f.short_name}{per_10k}" for f in data["per_10k_figures"]])
    for r in data["per_10k"]:
        row(r["unit"].code, r["unit"].name, r["population"], *[f["per_10k"] for f in r["figures"]])
    row()
    row(_("排名：%(figure)s") % {"figure": figure_name})
    row(_("名次"), _("代码"), _("单位"), figure_name, _("状态"))
    for r in data["ranking"]:
        row(r.rank, r.unit.code, r.unit.name, r.value, r.status_label)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
