"""Reads for the exports: the units of the national table with their figures, and every figure in long format.

A bounded number of queries whatever the number of units (2 for export_data, 7 for csv_rows).
"""

from collections.abc import Iterator

from django.utils import translation

from chengxin.analytics.selectors import TOTAL_SCOPES
from chengxin.campaigns.models import Campaign, Participant
from chengxin.reporting.models import FigureValue, Report, Status
from chengxin.statform.models import FigureKind
from chengxin.statform.selectors import form_definition
from chengxin.units.models import UnitKind
from chengxin.workbooks.export import (
    GROUP_CORPS,
    GROUP_LOCAL,
    GROUP_NATIONAL_BODIES,
    GROUP_PLANNED_CITIES,
    GROUP_PROVINCES,
    GROUPS,
    UnitColumn,
)

GROUP_OF_KIND = {
    UnitKind.PROVINCE: GROUP_PROVINCES,
    UnitKind.PLANNED_CITY: GROUP_PLANNED_CITIES,
    UnitKind.CORPS: GROUP_CORPS,
    UnitKind.NATIONAL_BODY: GROUP_NATIONAL_BODIES,
    UnitKind.CITY: GROUP_LOCAL,
    UnitKind.COUNTY: GROUP_LOCAL,
}
# The long format's status is an official label: Chinese whatever the interface language.
STATUS_LANGUAGE = "zh-hans"


def _statuses(scope: str) -> tuple[str, ...]:
    try:
        return TOTAL_SCOPES[scope]
    except KeyError:
        raise ValueError(f"unknown scope {scope!r}: one of {', '.join(TOTAL_SCOPES)}") from None


def export_columns(campaign: Campaign) -> list[UnitColumn]:
    """The units that fill the statistics table in `campaign`, one column each, ordered by group (GROUPS)
    then by the unit's sort order and code (one query)."""
    rows = Participant.objects.filter(campaign=campaign, fills_statistics=True).values_list(
        "unit__code", "unit__name", "unit__kind", "unit__sort_order"
    )
    ordered = sorted(rows, key=lambda r: (GROUPS.index(GROUP_OF_KIND[r[2]]), r[3], r[0]))
    return [UnitColumn(code=code, name=name, group=GROUP_OF_KIND[kind]) for code, name, kind, _order in ordered]


def export_data(campaign: Campaign, scope: str) -> tuple[list[UnitColumn], dict[str, dict]]:
    """The national table's columns (export_columns) and, by unit code, the figures (figure code → int, text
    or None) of its report when the report's status is in analytics.selectors.TOTAL_SCOPES[scope]; a unit
    without such a report has an empty dict and still its column. Two queries."""
    statuses = _statuses(scope)
    columns = export_columns(campaign)
    values: dict[str, dict] = {column.code: {} for column in columns}
    rows = FigureValue.objects.filter(
        report__campaign=campaign,
        report__status__in=statuses,
        report__unit__participations__campaign=campaign,
        report__unit__participations__fills_statistics=True,
    ).values_list("report__unit__code", "figure__code", "figure__kind", "number", "text")
    for unit_code, figure_code, kind, number, text in rows:
        if unit_code in values:
            values[unit_code][figure_code] = number if kind == FigureKind.NUMBER else text
    return columns, values


def csv_rows(campaign: Campaign, scope: str) -> Iterator[dict]:
    """Every figure of every unit of the national table, one dict per unit and figure in the form's order,
    with the keys of export.CSV_COLUMNS: campaign (its year), unit_code, unit_name, figure_code, figure_label
    (the cell as a person names it), value ("" when there is none in `scope`) and status (the report's status
    in Chinese, e.g. 已报送; 未填报 when the unit has no report). Seven queries, made on the first row."""
    definition = form_definition(campaign)
    columns, values = export_data(campaign, scope)
    statuses = dict(Report.objects.filter(campaign=campaign).values_list("unit__code", "status"))
    with translation.override(STATUS_LANGUAGE):
        labels = {status: str(status.label) for status in Status}
    for column in columns:
        status = labels[statuses.get(column.code, Status.NOT_STARTED)]
        unit_values = values[column.code]
        for figure in definition.figures:
            value = unit_values.get(figure.code)
            yield {
                "campaign": campaign.year,
                "unit_code": column.code,
                "unit_name": column.name,
                "figure_code": figure.code,
                "figure_label": figure.cell_name,
                "value": "" if value is None else value,
                "status": status,
            }
