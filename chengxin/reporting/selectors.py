"""Reads of reports."""

from dataclasses import dataclass

from django.db.models import QuerySet

from chengxin.campaigns.models import Campaign, Participant
from chengxin.reporting.models import FigureValue, Report, ReportEvent, Status, SummaryFile
from chengxin.statform.definition import FormDefinition
from chengxin.units.models import PROVINCIAL_KINDS, Unit, UnitKind


def _as_values(rows) -> dict[str, int | str | None]:
    return {code: (number if kind == "number" else text) for code, kind, number, text in rows}


def report_values(report: Report, definition: FormDefinition | None = None) -> dict[str, int | str | None]:
    """Stored figures of a report by figure code. With the campaign's form `definition` at hand, the figures'
    codes and kinds are taken from it (a lighter query)."""
    if report.pk is None:
        return {}
    if definition is None:
        rows = FigureValue.objects.filter(report=report).values_list("figure__code", "figure__kind", "number", "text")
        return _as_values(rows)
    by_pk = {f.pk: f for f in definition.figures}
    rows = FigureValue.objects.filter(report=report).values_list("figure_id", "number", "text")
    return {by_pk[pk].code: (number if by_pk[pk].is_number else text) for pk, number, text in rows if pk in by_pk}


def report_previous_values(report: Report) -> dict[str, int | str | None] | None:
    """The same unit's figures in the previous year's campaign, by code (None if it did not report)."""
    rows = FigureValue.objects.filter(
        report__unit_id=report.unit_id,
        report__campaign__year=report.campaign.year - 1,
        report__status__in=["submitted", "accepted"],
    ).values_list("figure__code", "figure__kind", "number", "text")
    values = _as_values(rows)
    return values or None


def summary_current(report: Report) -> SummaryFile | None:
    if report.pk is None:
        return None
    return SummaryFile.objects.filter(report=report).first()


def summary_uploaded(report: Report) -> bool:
    """True if the report has a summary report (the current one is `summary_current`)."""
    return report.pk is not None and SummaryFile.objects.filter(report=report).exists()


def report_history(report: Report) -> QuerySet[ReportEvent]:
    return ReportEvent.objects.filter(report=report).select_related("actor", "actor__unit").order_by("-at", "-pk")


def report_for_unit(campaign, unit) -> Report | None:
    return Report.objects.filter(campaign=campaign, unit=unit).select_related("campaign", "unit").first()


# --- Reading every unit's summary report (the ministry's zip, the review page's previous / next unit) ----------

SUMMARIES_DEFAULT_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)


def summaries_statuses(value: str) -> tuple[str, ...]:
    """The `status` filter of the summaries' zip: one status as the completeness page names it
    (`not_started`, `draft`, `submitted`, `returned`, `accepted`), `all`, or by default (empty or unknown)
    what has been sent: submitted and accepted."""
    if value == "all":
        return tuple(Status.values)
    if value in Status.values:
        return (value,)
    return tuple(SUMMARIES_DEFAULT_STATUSES)


def summaries_kinds(values: list[str]) -> tuple[str, ...]:
    """The `kind` filter (repeatable): unit kinds (`UnitKind` values) and `provincial` for the provinces,
    计划单列市 and the Corps together; nothing known means every kind."""
    wanted: set[str] = set()
    for value in values:
        if value == "provincial":
            wanted.update(PROVINCIAL_KINDS)
        elif value in UnitKind.values:
            wanted.add(value)
    return tuple(k for k in UnitKind.values if k in wanted) or tuple(UnitKind.values)


@dataclass(frozen=True)
class UnitSummary:
    """One expected unit, its report's status and its current summary report's stored file (if any)."""

    code: str
    name: str
    kind: str
    status: str
    file: str = ""  # the storage name of the current summary report, "" when there is none
    file_kind: str = ""  # docx / pdf / wps, as checked on upload
    size: int = 0

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def summaries_for_campaign(
    campaign: Campaign, *, statuses: tuple[str, ...], kinds: tuple[str, ...], under: Unit | None = None
) -> list[UnitSummary]:
    """Every unit expected to report to the ministry (or, with `under`, to that unit) of one of `kinds` whose
    report is in one of `statuses`, in the completeness page's order, each with its current summary report.
    Three queries whatever the number of units; only names and sizes are read, never a file."""
    participants = (
        Participant.objects.filter(campaign=campaign, unit__parent=under, unit__kind__in=kinds)
        .order_by("unit__sort_order", "unit__code")
        .values_list("unit_id", "unit__code", "unit__name", "unit__kind")
    )
    reports = {
        unit_id: (pk, status)
        for unit_id, pk, status in Report.objects.filter(campaign=campaign, unit__parent=under).values_list(
            "unit_id", "pk", "status"
        )
    }
    current: dict[int, tuple[str, str, int]] = {}
    files = (
        SummaryFile.objects.filter(report__campaign=campaign, report__unit__parent=under)
        .order_by("report_id", "-uploaded_at", "-pk")  # the newest first, as SummaryFile.Meta.ordering
        .values_list("report_id", "file", "kind", "size")
    )
    for report_id, name, kind, size in files:
        current.setdefault(report_id, (name, kind, size))
    found = []
    for unit_id, code, name, kind in participants:
        report_id, status = reports.get(unit_id, (None, Status.NOT_STARTED))
        if status not in statuses:
            continue
        file, file_kind, size = current.get(report_id, ("", "", 0))
        found.append(UnitSummary(code, name, kind, status, file, file_kind, size))
    return found


@dataclass(frozen=True)
class Neighbour:
    code: str
    name: str


def review_neighbours(campaign: Campaign, unit: Unit, status: str = "") -> tuple[Neighbour | None, Neighbour | None]:
    """The units before and after `unit` among those reporting to the same reviewer (its siblings: the units
    with the same parent, the ministry's when it has none), in the completeness page's order (sort order,
    code); with `status` (a `Status` value), only the units whose report is in that status (`unit` itself
    need not be: it may just have been accepted). Two queries."""
    siblings = list(
        Participant.objects.filter(campaign=campaign, unit__parent_id=unit.parent_id)
        .order_by("unit__sort_order", "unit__code")
        .values_list("unit__code", "unit__name")
    )
    codes = [code for code, _name in siblings]
    if unit.code not in codes:
        return None, None
    if status in Status.values:
        statuses = dict(
            Report.objects.filter(campaign=campaign, unit__parent_id=unit.parent_id).values_list("unit__code", "status")
        )
        siblings = [(c, n) for c, n in siblings if c == unit.code or statuses.get(c, Status.NOT_STARTED) == status]
        codes = [code for code, _name in siblings]
    at = codes.index(unit.code)
    before = Neighbour(*siblings[at - 1]) if at > 0 else None
    after = Neighbour(*siblings[at + 1]) if at + 1 < len(siblings) else None
    return before, after
