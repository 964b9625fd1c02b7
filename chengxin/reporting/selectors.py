"""Reads of reports."""

from django.db.models import QuerySet

from chengxin.reporting.models import FigureValue, Report, ReportEvent, SummaryFile


def _as_values(rows) -> dict[str, int | str | None]:
    return {code: (number if kind == "number" else text) for code, kind, number, text in rows}


def report_values(report: Report) -> dict[str, int | str | None]:
    """Stored figures of a report by figure code."""
    if report.pk is None:
        return {}
    rows = FigureValue.objects.filter(report=report).values_list("figure__code", "figure__kind", "number", "text")
    return _as_values(rows)


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


def report_history(report: Report) -> QuerySet[ReportEvent]:
    return ReportEvent.objects.filter(report=report).select_related("actor", "actor__unit").order_by("-at", "-pk")


def report_for_unit(campaign, unit) -> Report | None:
    return Report.objects.filter(campaign=campaign, unit=unit).select_related("campaign", "unit").first()
