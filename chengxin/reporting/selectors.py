"""Reads of reports."""

from django.db.models import QuerySet

from chengxin.reporting.models import FigureValue, Report, ReportEvent, SummaryFile
from chengxin.statform.definition import FormDefinition


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
