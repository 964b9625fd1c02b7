"""Reads of the integrity indices: the regions values may be filed under, a unit's indices, the releases waiting
for the ministry, and the public pages' numbers (only published releases; a superseded one only at its own URL)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q

from chengxin.core.regions import PROVINCES
from chengxin.indices.models import (
    NATIONAL_REGION,
    PUBLIC_STATUSES,
    IndexRelease,
    IndexUpload,
    IndexValue,
    IntegrityIndex,
    ReleaseStatus,
)
from chengxin.indices.parse import Regions
from chengxin.units.capabilities import Action, can
from chengxin.units.models import Unit


def known_regions() -> Regions:
    """全国, the province-level divisions (GB/T 2260) and every region code a unit carries (planned cities,
    cities, counties), by code, by name and by short name."""
    names = dict(PROVINCES)
    aliases = []
    for code, name, short in Unit.objects.exclude(region_code="").values_list("region_code", "name", "short_name"):
        names.setdefault(code, name)
        aliases += [(name, code), (short, code)]
    return Regions.build(names, aliases)


# --- staff --------------------------------------------------------------------------------------------------------


def may_edit(user, index: IntegrityIndex) -> bool:
    """An editor of the index's own unit (a unit's reporter: the capability that registers its activities and
    cases)."""
    return can(user, Action.REGISTER_ACTIVITY, index.publisher)


def indices_of_unit(unit: Unit) -> list[IntegrityIndex]:
    """The unit's indices, each with `releases` (newest first) prefetched."""
    indices = IntegrityIndex.objects.filter(publisher=unit).prefetch_related("releases")
    return list(indices.order_by("name", "id"))


def index_for_editor(code: str, user) -> IntegrityIndex | None:
    """The index, if `user` edits for its unit; None otherwise (the caller answers 404)."""
    index = IntegrityIndex.objects.select_related("publisher").filter(code=code).first()
    return index if index is not None and may_edit(user, index) else None


def index_has_public_release(index: IntegrityIndex) -> bool:
    return index.releases.filter(status__in=PUBLIC_STATUSES).exists()


def release_for_staff(pk: int, user) -> IndexRelease | None:
    """The release, if `user` may read it in the staff pages: its unit's editors and the ministry's moderators.
    None otherwise (404: another unit's release is not even said to exist)."""
    release = IndexRelease.objects.select_related("index__publisher", "replaces", "uploaded_by").filter(pk=pk).first()
    if release is None:
        return None
    if may_edit(user, release.index) or can(user, Action.MODERATE):
        return release
    return None


def upload_for(pk, user) -> IndexUpload | None:
    """A staged upload, its uploader's alone."""
    if not getattr(user, "is_authenticated", False):
        return None
    return IndexUpload.objects.select_related("index__publisher").filter(pk=pk, uploaded_by=user).first()


def correctable_releases(index: IntegrityIndex) -> list[IndexRelease]:
    """The published releases a new one may correct (newest first)."""
    return list(index.releases.filter(status=ReleaseStatus.PUBLISHED).order_by("-version"))


def releases_to_moderate() -> dict:
    """Submitted releases, oldest first; then the latest published ones."""
    base = IndexRelease.objects.select_related("index__publisher", "replaces", "uploaded_by")
    return {
        "submitted": list(base.filter(status=ReleaseStatus.SUBMITTED).order_by("submitted_at", "id")),
        "published": list(base.filter(status=ReleaseStatus.PUBLISHED).order_by("-published_at")[:50]),
    }


def release_rows(release: IndexRelease, limit: int | None = None) -> list[IndexValue]:
    rows = release.values.order_by("period_key", "region_code")
    return list(rows[:limit] if limit else rows)


@dataclass(frozen=True)
class Change:
    period: str
    region_name: str
    old: Decimal | None  # None: a value the replaced release did not have
    new: Decimal


def release_changes(release: IndexRelease) -> list[Change]:
    """For a correction: every value it changes or adds, against the release it replaces."""
    if release.replaces_id is None:
        return []
    old = {(v.period, v.region_code): v.value for v in release.replaces.values.all()}
    return [
        Change(v.period, v.region_name, old.get((v.period, v.region_code)), v.value)
        for v in release_rows(release)
        if old.get((v.period, v.region_code)) != v.value
    ]


# --- public -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    period: str
    value: Decimal
    change: Decimal | None  # against the previous period of the same region
    change_pct: Decimal | None


def _points(values: list[tuple[str, Decimal]]) -> list[Point]:
    points, previous = [], None
    for period, value in values:
        change = pct = None
        if previous is not None:
            change = value - previous
            pct = (change / previous * 100).quantize(Decimal("0.01")) if previous else None
        points.append(Point(period, value, change, pct))
        previous = value
    return points


@dataclass(frozen=True)
class RegionRow:
    region_code: str
    region_name: str
    value: Decimal
    change: Decimal | None


@dataclass(frozen=True)
class IndexPage:
    index: IntegrityIndex
    series_region: str  # the region the chart and the headline follow: 全国 if the index has it
    series: list[Point]
    latest: Point | None
    region_period: str
    regions: list[RegionRow]
    releases: list[IndexRelease]  # published and superseded, newest first, with `correction` set
    corrections: list[IndexRelease]  # published corrections, newest first

    def chart_data(self) -> dict:
        return {"periods": [p.period for p in self.series], "values": [float(p.value) for p in self.series]}


def current_values():
    """The public numbers: the values of published releases (superseded ones are not current)."""
    return IndexValue.objects.filter(release__status=ReleaseStatus.PUBLISHED)


def indices_public() -> list[tuple[IntegrityIndex, Point | None, str]]:
    """Every index with a published release, with its latest value (of 全国, or its first region) and that
    region's name; by name."""
    indices = (
        IntegrityIndex.objects.select_related("publisher")
        .annotate(published=Count("releases", filter=Q(releases__status=ReleaseStatus.PUBLISHED)))
        .filter(published__gt=0)
        .order_by("name", "id")
    )
    rows = []
    for index in indices:
        region, name = _series_region(index)
        series = _series(index, region)
        rows.append((index, series[-1] if series else None, name))
    return rows


def _series_region(index: IntegrityIndex) -> tuple[str, str]:
    values = current_values().filter(release__index=index)
    national = values.filter(region_code=NATIONAL_REGION).values_list("region_name", flat=True).first()
    if national is not None:
        return NATIONAL_REGION, national
    first = values.order_by("region_code").values_list("region_code", "region_name").first()
    return first if first else ("", "")


def _series(index: IntegrityIndex, region: str) -> list[Point]:
    values = current_values().filter(release__index=index, region_code=region).order_by("period_key")
    return _points(list(values.values_list("period", "value")))


def index_public(code: str) -> IntegrityIndex | None:
    """The index, if it has anything public (a published or superseded release)."""
    index = IntegrityIndex.objects.select_related("publisher").filter(code=code).first()
    return index if index is not None and index_has_public_release(index) else None


def public_releases(index: IntegrityIndex) -> list[IndexRelease]:
    """Published and superseded releases, newest first; each with `correction`: the published release that
    replaced it (None if current)."""
    releases = list(index.releases.filter(status__in=PUBLIC_STATUSES).select_related("replaces").order_by("-version"))
    by_replaced = {r.replaces_id: r for r in releases if r.replaces_id and r.status == ReleaseStatus.PUBLISHED}
    for release in releases:
        release.correction = by_replaced.get(release.pk)
    return releases


def index_page(index: IntegrityIndex) -> IndexPage:
    region, region_name = _series_region(index)
    series = _series(index, region)
    values = current_values().filter(release__index=index)
    latest_key = values.aggregate(latest=Max("period_key"))["latest"]
    region_rows, region_period = [], ""
    if latest_key is not None:
        latest = list(values.filter(period_key=latest_key).order_by("region_code"))
        region_period = latest[0].period
        previous_key = values.filter(period_key__lt=latest_key).aggregate(p=Max("period_key"))["p"]
        before = (
            dict(values.filter(period_key=previous_key).values_list("region_code", "value")) if previous_key else {}
        )
        region_rows = [
            RegionRow(
                v.region_code,
                v.region_name,
                v.value,
                v.value - before[v.region_code] if v.region_code in before else None,
            )
            for v in latest
        ]
        # 全国 first, then by code.
        region_rows.sort(key=lambda r: (r.region_code != NATIONAL_REGION, r.region_code))
    releases = public_releases(index)
    return IndexPage(
        index=index,
        series_region=region_name,
        series=series,
        latest=series[-1] if series else None,
        region_period=region_period,
        regions=region_rows,
        releases=releases,
        corrections=[r for r in releases if r.replaces_id and r.status == ReleaseStatus.PUBLISHED],
    )


def release_public(index: IntegrityIndex, version: int) -> IndexRelease | None:
    """A published or superseded release of the index by its number, with `correction` set."""
    return next((r for r in public_releases(index) if r.version == version), None)


def csv_rows(index: IntegrityIndex):
    """The current public values with the release each comes from, by period and region."""
    return current_values().filter(release__index=index).select_related("release").order_by("period_key", "region_code")
