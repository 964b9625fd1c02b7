"""What the national summary says, read through the selectors of the apps that own each number.

Nothing here adds up a figure itself: participation comes from `analytics.selectors.completeness`, the national
totals from `totals` and `totals_compare` (what `chengxin totals` and `chengxin completeness` print), the rankings,
the per-10,000 rates and the media groups from `analytics.dashboard.national_dashboard`, the appendix from the
roll-ups the totals are the sum of. What a figure means (which ones are ranked, which are media) is read from the
form's definition, as the dashboard reads it: a year whose form has other figures needs no change here.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count as CountOf
from django.utils import timezone

from chengxin.activities.selectors import activities_published
from chengxin.analytics.dashboard import Filters, national_dashboard
from chengxin.analytics.selectors import (
    TOTAL_SCOPES,
    KindSummary,
    UnitStatus,
    campaign_previous,
    completeness,
    rollup,
    totals,
    totals_compare,
    totals_table_count,
)
from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.selectors import campaign_overview
from chengxin.portal.models import CaseKind
from chengxin.portal.selectors import cases_public
from chengxin.reporting.models import Report, Status
from chengxin.statform.definition import FigureDef, FormDefinition
from chengxin.statform.models import Count
from chengxin.textsearch.models import Extraction, Kind
from chengxin.textsearch.selectors import Filters as TextFilters
from chengxin.textsearch.selectors import documents_filtered
from chengxin.units.models import UnitKind

SUBMITTED = (Status.SUBMITTED, Status.ACCEPTED)
TOP = 10  # units shown in a ranking
EXCERPT_CHARS = 150  # at most, per unit's excerpt
MAX_CASES = 30
# The order of the unit kinds in the appendix, as the consolidated national table groups them.
KIND_ORDER = [k.value for k in UnitKind]


# --- 一、participation and timeliness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KindRow:
    """One line of the participation table: a unit kind, or the whole (kind "all")."""

    kind: str
    label: str
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    accepted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 0.0

    @classmethod
    def of(cls, summary: KindSummary) -> "KindRow":
        return cls(
            summary.kind,
            str(summary.label),
            summary.expected,
            summary.submitted,
            summary.on_time,
            summary.submitted - summary.on_time,
            summary.expected - summary.submitted,
            summary.accepted,
        )


@dataclass
class Participation:
    deadline: dt.date
    overall: KindRow
    by_kind: list[KindRow]
    missing: list[UnitStatus]  # the units expected that have not submitted, in the notice's order


def participation(campaign: Campaign) -> Participation:
    """Who was expected, who reported, on time or late, who is missing: `analytics.selectors.completeness`."""
    data = completeness(campaign)
    return Participation(
        deadline=campaign.deadline,
        overall=KindRow.of(data.overall),
        by_kind=[KindRow.of(k) for k in data.by_kind],
        missing=[u for u in data.units if u.status not in SUBMITTED],
    )


# --- 二、national totals ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TotalRow:
    code: str
    label: str  # the cell as a person names it on paper
    name: str  # a compact name for the text: 宣传覆盖总人数, 会议 场次
    unit_of_measure: str
    value: int | None  # None: a figure of last year's form that this year's dropped
    previous: int | None  # None: no previous value to compare with
    change: float | None
    note: str = ""


@dataclass(frozen=True)
class MethodRow:
    """A text figure of the form, counted as the totals count it: {named item: units naming it}."""

    code: str
    label: str  # a compact name: 宣传资料展示 方式
    counts: dict[str, int]


@dataclass
class NationalTotals:
    rows: list[TotalRow]
    methods: list[MethodRow]
    previous_year: int | None  # the year compared with, None when there is none
    tables: int  # statistics tables counted
    headline: list[TotalRow] = field(default_factory=list)  # the ranked figures, for the lead paragraph


def national_totals(campaign: Campaign, scope: str, definition: FormDefinition) -> NationalTotals:
    """Every figure of the year's form with its national total (`totals`, as `chengxin totals`), and for the
    number figures last year's by figure code (`totals_compare`); figures dropped this year come last."""
    result = totals(campaign, scope)
    compare = {c.code: c for c in totals_compare(campaign, scope)}
    previous = campaign_previous(campaign)
    rows, methods = [], []
    for f in definition.figures:
        if not f.is_number:
            methods.append(MethodRow(f.code, f.short_name, dict(result.get(f.code) or {})))
            continue
        c = compare[f.code]
        rows.append(TotalRow(f.code, f.cell_name, f.short_name, f.unit, result[f.code], c.previous, c.change, c.note))
    for code, c in compare.items():
        if code not in definition.by_code:
            rows.append(TotalRow(code, c.label, c.label, c.unit_of_measure, None, c.previous, None, c.note))
    ranked = {f.code for f in ranking_figures(definition)}
    return NationalTotals(
        rows=rows,
        methods=methods,
        previous_year=previous.year if previous else None,
        tables=totals_table_count(campaign, scope),
        headline=[r for r in rows if r.code in ranked],
    )


# --- 三、rankings and the media ------------------------------------------------------------------------------------


def ranking_figures(definition: FormDefinition) -> list[FigureDef]:
    """The figures the summary ranks the units by, read off the form as the dashboard reads it: the ones shown per
    10,000 residents (2020: 宣传覆盖总人数, 接受咨询服务总量); a form without any ranks its people counts."""
    return definition.per_10k_figures or [f for f in definition.number_figures if f.count == Count.PEOPLE]


@dataclass(frozen=True)
class RankLine:
    rank: int
    unit_name: str
    value: int
    per_10k: float | None  # None where the unit's population is not known (or the figure is not per 10,000)


@dataclass
class Ranking:
    figure: FigureDef
    by_value: list[RankLine]  # the top units by the figure, those with something counted
    by_rate: list[RankLine]  # the top units per 10,000 residents, where populations are known


@dataclass(frozen=True)
class MediaLine:
    label: str
    unit_of_measure: str
    value: int
    counts_items: bool  # counted in the group's items (what the chart compares)


@dataclass
class MediaGroup:
    label: str  # the form's row label: 传统媒介, 新媒介
    lines: list[MediaLine]
    items: int


@dataclass
class Reach:
    rankings: list[Ranking]
    media: list[MediaGroup]


def _rate_lookup(per_10k_rows: list[dict], code: str) -> dict[int, float]:
    """Unit id → the figure per 10,000 residents, from the dashboard's per-10,000 table."""
    found = {}
    for row in per_10k_rows:
        for f in row["figures"]:
            if f["code"] == code:
                found[row["unit"].pk] = f["per_10k"]
    return found


def _ranking(campaign: Campaign, figure: FigureDef, scope: str) -> tuple[Ranking, dict]:
    data = national_dashboard(campaign, Filters(figure.code, "", scope))
    rates = _rate_lookup(data["per_10k"], figure.code)
    counted = [r for r in data["ranking"] if r.value > 0]
    by_value = [RankLine(r.rank, r.unit.name, r.value, rates.get(r.unit.pk)) for r in counted[:TOP]]
    names = {r.unit.pk: r.unit.name for r in data["ranking"]}
    values = {r.unit.pk: r.value for r in data["ranking"]}
    ordered = sorted(((pk, rate) for pk, rate in rates.items() if values.get(pk)), key=lambda item: -item[1])
    by_rate = [RankLine(i, names[pk], values[pk], rate) for i, (pk, rate) in enumerate(ordered[:TOP], 1)]
    return Ranking(figure, by_value, by_rate), data


def _media(data: dict) -> list[MediaGroup]:
    groups = []
    for g in data["media"]["groups"]:
        lines = [MediaLine(c.label, c.unit_of_measure, c.value, c.count == Count.ITEMS) for c in g["rows"]]
        groups.append(MediaGroup(str(g["label"]), lines, g["items"]))
    return groups


def reach(campaign: Campaign, scope: str, definition: FormDefinition) -> Reach:
    """The top units by each ranked figure, absolute and per 10,000 residents, and the media groups: the national
    dashboard's ranking, per-10,000 table and media comparison."""
    rankings, media = [], []
    for figure in ranking_figures(definition):
        ranking, data = _ranking(campaign, figure, scope)
        rankings.append(ranking)
        media = media or _media(data)
    if not rankings and definition.number_figures:
        media = _media(national_dashboard(campaign, Filters(definition.number_figures[0].code, "", scope)))
    return Reach(rankings, media)


# --- 四、activities, excerpts and cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    number: int | None  # None: the units' own activities outside the plan (地方自办)
    title: str
    lead_body: str
    activities: int
    units: int


@dataclass(frozen=True)
class Excerpt:
    unit_name: str
    text: str


@dataclass(frozen=True)
class CaseLine:
    kind_label: str
    title: str
    unit_name: str
    summary: str


@dataclass
class Highlights:
    plan: list[PlanLine]
    activities: int  # published activities in all
    excerpts: list[Excerpt]
    cases: list[CaseLine]
    cases_total: int


def plan_lines(campaign: Campaign) -> list[PlanLine]:
    """Each plan activity with its lead body and the published activities registered under it (and by how many
    units), then the activities outside the plan."""
    counts = {
        row["plan_activity"]: row
        for row in activities_published(campaign)
        .order_by()
        .values("plan_activity")
        .annotate(n=CountOf("pk", distinct=True), units=CountOf("unit", distinct=True))
    }
    lines = []
    for plan in campaign_overview(campaign)["plan"]:
        row = counts.get(plan.pk, {})
        lines.append(PlanLine(plan.number, plan.title, plan.lead_body.name, row.get("n", 0), row.get("units", 0)))
    own = counts.get(None)
    if own:
        lines.append(PlanLine(None, "", "", own["n"], own["units"]))
    return lines


_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]")
# A sentence that reports something counted: a number (Arabic or Chinese) before a measure word.
_COUNTED = re.compile(
    r"[0-9０-９一二三四五六七八九十百千万两]+\s*(?:余|多)?\s*(?:场|次|人|家|个|条|篇|项|份|万|期|户|批|所)"
)
_MIN_SENTENCE = 12  # shorter "sentences" are titles, headings or table cells


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A sentence or two of a summary report for the highlights: the first sentences that report something
    counted (else the first sentences), whole, in the report's order, at most `limit` characters."""
    sentences = []
    for line in text.splitlines():
        line = line.strip()
        if "\t" in line:  # a table row
            continue
        sentences += [s.strip() for s in _SENTENCE.findall(line) if len(s.strip()) >= _MIN_SENTENCE]
    chosen = [s for s in sentences if _COUNTED.search(s)] or sentences
    if not chosen:
        return ""
    picked = [chosen[0][:limit]]
    for s in chosen[1:2]:
        if len(picked[0]) + len(s) <= limit:
            picked.append(s)
    text = "".join(picked)
    return text if len(text) < limit or text.endswith(("。", "！", "？")) else text[: limit - 1] + "…"


def excerpts(campaign: Campaign, scope: str) -> list[Excerpt]:
    """From each unit reporting to the ministry whose report is in `scope`, a sentence or two of its summary report
    as the full-text search read it (textsearch: kind summary, text extracted), in the notice's order."""
    reports = Report.objects.filter(campaign=campaign, status__in=TOTAL_SCOPES[scope], unit__parent__isnull=True)
    documents = (
        documents_filtered(TextFilters(year=campaign.year, kind=Kind.SUMMARY))
        .filter(extraction=Extraction.DONE, object_id__in=reports.values("pk"))
        .select_related("unit")
        .order_by("unit__sort_order", "unit__code")
    )
    found = []
    for document in documents:
        text = excerpt(document.text)
        if text:
            found.append(Excerpt(document.unit.name, text))
    return found


def cases(campaign: Campaign) -> tuple[list[CaseLine], int]:
    """The campaign's published cases (the case library's public list), each with its unit; at most MAX_CASES,
    and how many there are."""
    published = cases_public().filter(campaign=campaign)
    lines = [
        CaseLine(case.get_kind_display(), case.title, case.source_body.name, case.summary)
        for case in published[:MAX_CASES]
    ]
    return lines, published.count()


def highlights(campaign: Campaign, scope: str) -> Highlights:
    plan = plan_lines(campaign)
    case_lines, case_total = cases(campaign)
    return Highlights(
        plan=plan,
        activities=sum(line.activities for line in plan),
        excerpts=excerpts(campaign, scope),
        cases=case_lines,
        cases_total=case_total,
    )


# --- 附表 the consolidated table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppendixRow:
    unit_name: str
    status_label: str
    values: list[int | None]  # in the order of the appendix's figures; None: nothing counted


@dataclass
class Appendix:
    figures: list[FigureDef]
    rows: list[AppendixRow]
    total: list[int]


def appendix(campaign: Campaign, scope: str, definition: FormDefinition) -> Appendix:
    """Each unit reporting its statistics to the ministry with its roll-up (its own figures and its accepted
    sub-units', `analytics.selectors.rollup`: what the national totals add up), then the national totals."""
    heads = sorted(
        (
            p.unit
            for p in Participant.objects.filter(
                campaign=campaign, fills_statistics=True, unit__parent__isnull=True
            ).select_related("unit")
        ),
        key=lambda u: (KIND_ORDER.index(u.kind), u.sort_order, u.code),
    )
    values = rollup(campaign, scope=scope)
    statuses = {u.code: u.status_label for u in completeness(campaign).units}
    figures = definition.number_figures
    rows = [
        AppendixRow(
            unit.name,
            str(statuses.get(unit.code, Status.NOT_STARTED.label)),
            [values[unit.pk].get(f.code, 0) if unit.pk in values else None for f in figures],
        )
        for unit in heads
    ]
    result = totals(campaign, scope)
    return Appendix(figures, rows, [result[f.code] for f in figures])


def as_of() -> dt.datetime:
    """When the data were read: the document says so."""
    return timezone.localtime()


# --- the case book ---------------------------------------------------------------------------------------------------


def casebook_counts(campaign: Campaign) -> dict[str, int]:
    """How many published cases of each kind `campaign` has (one GROUP BY): the case book page's choices and
    the check that a selection is not empty, without reading the cases."""
    rows = cases_public().filter(campaign=campaign).order_by().values("kind").annotate(n=CountOf("pk"))
    return {row["kind"]: row["n"] for row in rows}


def casebook_cases(campaign: Campaign, kinds=()) -> list:
    """The campaign's published cases of `kinds` (none: every kind) for the case book, grouped as the book is: by
    kind in the library's order, then by unit in the notice's order (provinces, then the bodies), then by date; each
    with its unit and its photos."""
    published = cases_public().filter(campaign=campaign)
    if kinds:
        published = published.filter(kind__in=kinds)
    found = list(published.select_related("source_body").prefetch_related("photos"))
    kind_order = list(CaseKind.values)
    found.sort(
        key=lambda c: (
            kind_order.index(c.kind),
            KIND_ORDER.index(c.source_body.kind),
            c.source_body.sort_order,
            c.source_body.code,
            c.case_date,
            c.pk,
        )
    )
    return found


# --- the drafting pages ---------------------------------------------------------------------------------------------


def document_jobs(campaign: Campaign, document: str):
    """The draftings of the campaign's `document` (summary, casebook), newest first, with who asked."""
    from chengxin.publications.models import DocumentJob

    jobs = DocumentJob.objects.filter(campaign=campaign, document=document)
    return jobs.select_related("created_by").order_by("-created_at")


def finished_documents(campaign: Campaign, document: str) -> list:
    """The newest finished document of each selection (the download list): of each scope for the summary, of each
    choice of kinds for the case book."""
    from chengxin.publications.models import DocumentJob

    latest = {}
    for job in document_jobs(campaign, document).filter(state=DocumentJob.State.DONE).exclude(file=""):
        latest.setdefault((job.scope, tuple(job.kinds)), job)
    return list(latest.values())
