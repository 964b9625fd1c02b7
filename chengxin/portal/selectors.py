"""Reads for the public pages. They show only what the ministry published: never live totals."""

from dataclasses import dataclass

from chengxin.campaigns.models import Campaign
from chengxin.statform.definition import FigureDef, LabelCell
from chengxin.statform.selectors import form_definition


@dataclass(frozen=True)
class PublishedFigure:
    figure: FigureDef
    value: object  # a whole number, {method: units} for a text figure, or None when the snapshot lacks it


@dataclass(frozen=True)
class PublishedLine:
    labels: tuple[LabelCell, ...]
    figures: list[PublishedFigure]


@dataclass(frozen=True)
class PublishedTotals:
    lines: list[PublishedLine]
    depth: int
    units: int
    published_at: object


def published_totals(campaign: Campaign) -> PublishedTotals | None:
    """The national totals as the ministry published them (the snapshot in `campaign.published_totals`), laid
    out on the rows of the campaign's form; None when they are not published."""
    if campaign.totals_published_at is None or not campaign.published_totals:
        return None
    values = campaign.published_totals.get("totals", {})
    definition = form_definition(campaign)
    lines = [
        PublishedLine(line.labels, [PublishedFigure(f, values.get(f.code)) for f in line.leaf.figures])
        for line in definition.table_lines()
    ]
    return PublishedTotals(
        lines=lines,
        depth=definition.depth,
        units=campaign.published_totals.get("units", 0),
        published_at=campaign.totals_published_at,
    )
