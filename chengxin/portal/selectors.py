"""Reads for the public pages. They show only what the ministry published: never live totals."""

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from chengxin.activities.selectors import activities_published
from chengxin.campaigns.models import Campaign
from chengxin.portal.models import CampaignLogo, Case, CaseStatus
from chengxin.statform.definition import FigureDef, LabelCell
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit


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


def published_years() -> list[Campaign]:
    """Every published campaign, newest first, with its theme and whether its national totals are published:
    the portal's list of years (a campaign being prepared is not among them)."""
    return list(
        Campaign.objects.filter(published_at__isnull=False)
        .order_by("-year")
        .only("year", "title", "theme", "totals_published_at")
    )


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


# --- the logo -------------------------------------------------------------------------------------------------


def campaign_logos(campaign: Campaign) -> dict[str, CampaignLogo]:
    """The uploaded logo files of a campaign, by kind ("png", "svg")."""
    return {logo.kind: logo for logo in CampaignLogo.objects.filter(campaign=campaign)}


def campaign_logo(campaign: Campaign, kind: str):
    return CampaignLogo.objects.filter(campaign=campaign, kind=kind).first()


# --- published activities -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceCount:
    region_code: str  # the province's 6-digit code (prefix + "0000"), which the map is keyed by
    name: str
    value: int


def published_activities(campaign: Campaign) -> list:
    """The campaign's published activities, newest first (the activity registry decides what is published)."""
    return list(activities_published(campaign))


def activities_by_province(activities) -> list[ProvinceCount]:
    """How many published activities took place in each province (by the first two digits of the region code)."""
    counts: dict[str, int] = {}
    for activity in activities:
        prefix = (activity.region_code or "")[:2]
        if len(prefix) == 2 and prefix.isascii() and prefix.isdigit():
            counts[prefix] = counts.get(prefix, 0) + 1
    names = dict(Unit.objects.filter(region_code__in=[f"{p}0000" for p in counts]).values_list("region_code", "name"))
    return [
        ProvinceCount(region_code=f"{p}0000", name=names.get(f"{p}0000", p), value=n) for p, n in sorted(counts.items())
    ]


# --- the case library -----------------------------------------------------------------------------------------


def cases_public(*, kind: str = "", domain: str = ""):
    """Published cases only, newest first, optionally of one kind and one domain."""
    cases = Case.objects.filter(status=CaseStatus.PUBLISHED).select_related("source_body")
    if kind:
        cases = cases.filter(kind=kind)
    if domain:
        cases = cases.filter(domain=domain)
    return cases.order_by("-case_date", "-id")


def case_visible(pk: int, user):
    """The case (its photos fetched, in order), if `user` may read it: anybody a published one; its own unit's
    editors and ministry staff the others. None otherwise (the caller answers 404)."""
    case = Case.objects.select_related("source_body", "campaign").prefetch_related("photos").filter(pk=pk).first()
    if case is None:
        return None
    if case.status == CaseStatus.PUBLISHED:
        return case
    if user.is_authenticated and (user.is_national or user.unit_id == case.source_body_id):
        return case
    return None


def cases_of_unit(unit):
    return Case.objects.filter(source_body=unit).order_by("-updated_at")


def cases_to_moderate():
    """Submitted cases waiting for the ministry, oldest first, with their photos; then the published ones (which
    may be withdrawn)."""
    base = Case.objects.select_related("source_body", "submitted_by").prefetch_related("photos")
    return {
        "submitted": list(base.filter(status=CaseStatus.SUBMITTED).order_by("submitted_at", "id")),
        "published": list(base.filter(status=CaseStatus.PUBLISHED).order_by("-published_at")[:50]),
    }


# --- the national credit systems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditSystem:
    key: str
    name: str
    body: str
    purpose: str
    consumers: str
    url: str
    url_note: str


def credit_systems() -> list[CreditSystem]:
    """The national credit systems the notice promotes, as written in data/credit-systems.toml."""
    return list(_credit_systems())


@functools.cache
def _credit_systems() -> tuple[CreditSystem, ...]:
    with open(Path(__file__).parent / "data" / "credit-systems.toml", "rb") as f:
        data = tomllib.load(f)
    return tuple(
        CreditSystem(
            key=item["key"],
            name=item["name"],
            body=item["body"],
            purpose=item["purpose"],
            consumers=item["consumers"],
            url=item["url"],
            url_note=item.get("url_note", ""),
        )
        for item in data["system"]
    )
