"""Demo data (`chengxin demo-data`): a realistic multi-year, multi-level data set for demonstrations and
benchmarks. Never needed by the product itself.

What it builds, for each year asked for (2016–2020 by default):

- cities and counties under the 37 provincial units (about 3,400 units in all by default; the split between
  provinces follows the real number of prefectures and county-level divisions of each, scaled to the size asked
  for). Their names are made up and say so (广东省第03地市, 北京市第05区, 新疆生产建设兵团第3师); their codes
  follow the GB/T 2260 pattern under the province's code (440300 is skipped: it is 深圳, a 计划单列市);
- populations: each provincial unit's 2020 census figure, rounded to 10,000 (the planned cities' taken out of
  their province's), split over its cities and counties;
- a campaign per year (the 2020 one loaded from the notice, the others copied from it), with every demo unit a
  participant that fills the statistics table;
- a report per unit and year: figures that satisfy the form's rules, sized by population, growing from year
  to year (meetings fall and livestreams rise in 2020), with a status and a history (save, submit, return,
  accept) dated around the deadline. Past years are almost all accepted; the newest year is a mix.

Everything it creates is marked, so that `--reset` removes it and nothing else:
units by `full_name` ending in DEMO_MARK; campaigns it copied by `notice_title` ending in DEMO_MARK; reports by
their history, written by the demo system accounts (`demo-system-…`, which cannot sign in). National bodies send
only a summary report (a file), so no demo report is made for them.

`chengxin serve` in development also calls `demo_current_year_ensure`: once, a demo copy of 2020 in the current
year (title and notice title marked), its deadline ahead, with reports of the provincial units in every state, so
that a newcomer meets a live campaign. It is marked the same way, so `--reset` removes it too.
"""

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chengxin.audit.services import audit_summarised
from chengxin.campaigns.models import Campaign, Participant, is_late
from chengxin.campaigns.services import campaign_copy, campaign_load
from chengxin.core.errors import DomainError
from chengxin.core.generations import generation_bump
from chengxin.core.numbers import format_number
from chengxin.indices.demo import demo_index_ensure
from chengxin.portal.demo import demo_cases_ensure, demo_cases_remove
from chengxin.reporting.models import Action, FigureValue, Report, ReportEvent, Status
from chengxin.statform.models import Figure, FigureKind
from chengxin.statform.selectors import form_definition
from chengxin.units.demo import DEMO_PASSWORD, demo_accounts_ensure
from chengxin.units.models import PROVINCIAL_KINDS, Role, Unit, UnitKind, User

DEMO_MARK = "（演示数据）"
SYSTEM_PREFIX = "demo-system-"
LOADED_YEAR = 2020  # the only campaign shipped as a data file; other years are copied from it
BATCH = 2000
MIN_UNITS, MAX_UNITS = 60, 30_000

# Provincial unit → (2020 census population in 10,000s, prefecture-level divisions, county-level divisions).
# Population and counts are of the area the unit reports for: a province's exclude its 计划单列市, which report
# to the ministry directly. Municipalities and planned cities have districts (counties) directly under them; the
# Corps has divisions (师, stored as cities).
PROVINCIAL_AREAS: dict[str, tuple[int, int, int]] = {
    "110000": (2189, 0, 16),
    "120000": (1387, 0, 16),
    "130000": (7461, 11, 167),
    "140000": (3492, 11, 117),
    "150000": (2405, 12, 103),
    "210000": (4259 - 745, 13, 90),
    "220000": (2407, 9, 60),
    "230000": (3185, 13, 121),
    "310000": (2487, 0, 16),
    "320000": (8475, 13, 95),
    "330000": (6457 - 940, 10, 80),
    "340000": (6103, 16, 104),
    "350000": (4154 - 516, 8, 78),
    "360000": (4519, 11, 100),
    "370000": (10153 - 1007, 15, 126),
    "410000": (9937, 17, 157),
    "420000": (5775, 17, 103),
    "430000": (6644, 14, 122),
    "440000": (12601 - 1756, 20, 113),
    "450000": (5013, 14, 111),
    "460000": (1008, 4, 25),
    "500000": (3205, 0, 38),
    "510000": (8367, 21, 183),
    "520000": (3856, 9, 88),
    "530000": (4721, 16, 129),
    "540000": (365, 7, 74),
    "610000": (3953, 10, 107),
    "620000": (2502, 14, 86),
    "630000": (592, 8, 44),
    "640000": (720, 5, 22),
    "650000": (2585, 14, 106),
    "660000": (325, 14, 0),
    "210200": (745, 0, 10),
    "370200": (1007, 0, 10),
    "330200": (940, 0, 10),
    "350200": (516, 0, 6),
    "440300": (1756, 0, 9),
}

# Share of a unit's population its own activities reach, by level (a province's own events are few and large;
# most of the work is done by counties).
LEVEL_WEIGHT = {"province": 0.12, "city": 0.25, "county": 0.8}

METHODS = ("展板", "手册", "横幅", "宣传册", "海报", "折页", "电子屏", "宣传单", "易拉宝")

RETURN_REASONS = (
    "会议人次与附件照片反映的规模不符，请核对后重新报送",
    "宣传覆盖总人数明显偏高，请说明统计口径",
    "总结报告缺少活动照片，请补充后重新报送",
    "直播观看人次请按平台数据核实",
)

# Status mix: (status, weight). The newest year is under review; earlier years are closed.
STATUS_MIX_NEWEST = (
    (Status.NOT_STARTED, 6),
    (Status.DRAFT, 9),
    (Status.SUBMITTED, 22),
    (Status.RETURNED, 5),
    (Status.ACCEPTED, 58),
)
STATUS_MIX_PAST = (
    (Status.NOT_STARTED, 1.0),
    (Status.DRAFT, 0.5),
    (Status.SUBMITTED, 1.0),
    (Status.RETURNED, 0.5),
    (Status.ACCEPTED, 97.0),
)

HIERARCHY_ACCOUNTS = (
    ("guangdong-city", "city", "广东省下属地市商务局填报员（演示）"),
    ("guangdong-county", "county", "广东省下属区县商务局填报员（演示）"),
)


# --- the units ----------------------------------------------------------------------------------------------


@dataclass
class PlannedUnit:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str
    population: int  # persons
    region_code: str


def parse_years(text: str) -> list[int]:
    """ "2016-2020" → [2016 … 2020]; "2018,2020" → [2018, 2020]; "2020" → [2020]."""
    years: set[int] = set()
    try:
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                first, last = (int(p) for p in part.split("-", 1))
                if last < first:
                    raise ValueError(part)
                years.update(range(first, last + 1))
            else:
                years.add(int(part))
    except ValueError:
        raise DomainError(f"年份写法有误：{text}（例如 2016-2020 或 2018,2020）") from None
    if not years or min(years) < 2000 or max(years) > 2100 or len(years) > 30:
        raise DomainError(f"年份范围有误：{text}（2000 至 2100 年之间，最多 30 个年度）")
    return sorted(years)


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Integers proportional to `weights` that add up to exactly `total`."""
    whole = sum(weights.values())
    raw = {k: total * w / whole for k, w in weights.items()}
    result = {k: math.floor(v) for k, v in raw.items()}
    left = total - sum(result.values())
    for k in sorted(raw, key=lambda k: (result[k] - raw[k], k))[:left]:
        result[k] += 1
    return result


def _split(rng: random.Random, total: float, count: int) -> list[float]:
    """`total` split into `count` uneven shares (log-normal weights)."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(count)]
    whole = sum(weights)
    return [total * w / whole for w in weights]


def plan_units(provincial: list[Unit], *, total: int, seed: int) -> list[PlannedUnit]:
    """The cities and counties to create so that, with the `provincial` units and the national bodies, there
    are about `total` units; parents come before their children."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    reference = Unit.objects.filter(kind__in=[*PROVINCIAL_KINDS, UnitKind.NATIONAL_BODY]).count()
    areas = {u.code: PROVINCIAL_AREAS[u.code] for u in provincial if u.code in PROVINCIAL_AREAS}
    target = max(0, total - reference)
    per_area = _largest_remainder({code: c + k for code, (_p, c, k) in areas.items()}, target)
    by_code = {u.code: u for u in provincial}
    taken = {u.code for u in provincial}
    planned: list[PlannedUnit] = []
    counties: list[PlannedUnit] = []
    for code, (population, real_cities, real_counties) in areas.items():
        head, count = by_code[code], per_area[code]
        if count == 0:
            continue
        people = population * 10_000
        if head.kind == UnitKind.CORPS:
            for n, share in enumerate(_split(rng, people, count), start=1):
                if n > 99:
                    raise DomainError("单位数过多：兵团下属单位超过 99 个")
                planned.append(
                    PlannedUnit(
                        f"66{n:02d}00",
                        f"新疆生产建设兵团第{n}师",
                        f"兵团第{n}师",
                        UnitKind.CITY,
                        code,
                        round(share),
                        "",
                    )
                )
            continue
        if real_cities == 0:  # a municipality or a planned city: districts directly under it
            for m, share in enumerate(_split(rng, people, count), start=1):
                block, number = divmod(m - 1, 99)
                district = f"{code[:2]}{int(code[2:4]) + block:02d}{number + 1:02d}"
                if code[2:4] != "00":  # a planned city: its own two digits, then the district
                    if m > 99:
                        raise DomainError(f"单位数过多：{head.name}下属区县超过 99 个")
                    district = f"{code[:4]}{m:02d}"
                elif block >= 99:
                    raise DomainError(f"单位数过多：{head.name}下属区县过多")
                counties.append(
                    PlannedUnit(
                        district,
                        f"{head.name}第{m:02d}区",
                        f"{head.short_name}{m:02d}区",
                        UnitKind.COUNTY,
                        code,
                        round(share),
                        district,
                    )
                )
            continue
        n_cities = min(count, max(1, round(count * real_cities / (real_cities + real_counties))))
        n_counties = count - n_cities
        city_numbers = [n for n in range(1, 100) if f"{code[:2]}{n:02d}00" not in taken][:n_cities]
        if len(city_numbers) < n_cities:
            raise DomainError(f"单位数过多：{head.name}下属地市超过 99 个")
        cities = []
        for n, share in zip(city_numbers, _split(rng, people, n_cities), strict=True):
            city_code = f"{code[:2]}{n:02d}00"
            city = PlannedUnit(
                city_code,
                f"{head.name}第{n:02d}地市",
                f"{head.short_name}{n:02d}市",
                UnitKind.CITY,
                code,
                round(share),
                city_code,
            )
            cities.append(city)
            planned.append(city)
        # Counties go to cities in proportion to population, at least one city keeping none when they are few.
        per_city = _largest_remainder({c.code: c.population for c in cities}, n_counties)
        for city in cities:
            if per_city[city.code] > 99:
                raise DomainError(f"单位数过多：{city.name}下属区县超过 99 个")
            shares = _split(rng, city.population, per_city[city.code])
            for m, share in enumerate(shares, start=1):
                county_code = f"{city.code[:4]}{m:02d}"
                counties.append(
                    PlannedUnit(
                        county_code,
                        f"{city.name}第{m:02d}区县",
                        f"{city.short_name}{m:02d}区县",
                        UnitKind.COUNTY,
                        city.code,
                        round(share),
                        county_code,
                    )
                )
    return planned + counties


def demo_units() -> Q:
    """Filter for the units demo data created."""
    return Q(full_name__endswith=DEMO_MARK)


def _create_units(plan: list[PlannedUnit], progress: Callable[[str], None]) -> dict[str, Unit]:
    """Create the planned units level by level (parents first); returns every unit by code."""
    by_code = {u.code: u for u in Unit.objects.all()}
    clash = [p.code for p in plan if p.code in by_code]
    if clash:
        raise DomainError(
            f"代码 {', '.join(clash[:5])} 等已被非演示单位占用，不能生成演示单位；请在空数据库上运行或先删除这些单位"
        )
    order = 1000
    for kind in (UnitKind.CITY, UnitKind.COUNTY):
        rows = []
        for p in plan:
            if p.kind != kind:
                continue
            order += 1
            rows.append(
                Unit(
                    code=p.code,
                    name=p.name,
                    short_name=p.short_name[:40],
                    full_name=f"{p.name}商务局{DEMO_MARK}",
                    kind=p.kind,
                    parent=by_code[p.parent_code],
                    region_code=p.region_code,
                    sort_order=order,
                    population=p.population,
                )
            )
        Unit.objects.bulk_create(rows, batch_size=BATCH)
        by_code.update({u.code: u for u in Unit.objects.filter(code__in=[r.code for r in rows])})
        progress(f"生成{UnitKind(kind).label} {len(rows)} 个")
    return by_code


# --- the campaigns ------------------------------------------------------------------------------------------


def _campaigns(years: list[int], progress: Callable[[str], None]) -> dict[int, Campaign]:
    """The campaign of each year: an existing one is used as it is; 2020 is loaded from the notice; the others
    are copied from the nearest year that exists and marked as demo data."""
    if not Campaign.objects.filter(year=LOADED_YEAR).exists():
        campaign_load(year=LOADED_YEAR)
        progress(f"载入 {LOADED_YEAR} 年活动（通知原文）")
    existing = {c.year: c for c in Campaign.objects.filter(year__in=years)}
    for year in sorted(years, key=lambda y: abs(y - LOADED_YEAR)):
        if year in existing:
            continue
        source = Campaign.objects.filter(year=LOADED_YEAR).first() or Campaign.objects.order_by("-year").first()
        campaign = campaign_copy(source=source, year=year, notice_title=_mark(_notice_title(source, year)))
        # a year of the past as it was: published (a copy starts 筹备中)
        campaign.published_at = timezone.make_aware(dt.datetime.combine(campaign.notice_date, dt.time(9)))
        campaign.save(update_fields=["published_at"])
        existing[year] = campaign
        progress(f"复制 {source.year} 年活动为 {year} 年（演示数据）")
    return existing


def _notice_title(source: Campaign, year: int) -> str:
    return source.notice_title.replace(str(source.year), str(year)).removesuffix(DEMO_MARK)


def _mark(text: str) -> str:
    return text if text.endswith(DEMO_MARK) else text + DEMO_MARK


# --- figures ------------------------------------------------------------------------------------------------


def year_factors(year: int) -> dict[str, float]:
    """National trend by kind of activity, 2020 = 1 for ordinary growth: about 6 % a year; meetings fell and
    livestreams rose with the epidemic (2020 on); livestreams hardly existed before 2016."""
    trend = 1.06 ** (year - 2020)
    live = {2016: 0.08, 2017: 0.15, 2018: 0.25, 2019: 0.4}.get(year, 0.0 if year < 2016 else 1.0)
    return {
        "meetings": trend * (0.55 if year == 2020 else 0.8 if year > 2020 else 1.0),
        "live": live * (1.0 if year <= 2020 else 1.1 ** (year - 2020)),
        "media": trend,
        "web": trend * (1.2 if year >= 2020 else 1.0),
        "reach": trend,
    }


@dataclass
class UnitProfile:
    """A unit's own activity level (in 10,000 people reached) and habits, fixed across years."""

    size: float
    per_meeting: int
    per_live: int
    methods: str
    quiet: frozenset[str] = field(default_factory=frozenset)  # figures this unit never reports


def unit_profile(rng: random.Random, unit: Unit, level: str) -> UnitProfile:
    population = unit.population or 500_000
    size = population / 10_000 * LEVEL_WEIGHT[level] * rng.lognormvariate(0, 0.35)
    methods = "、".join(rng.sample(METHODS, rng.randint(1, 4)))
    quiet = frozenset(k for k in ("radio_broadcasts", "tv_news", "videos", "material_copies") if rng.random() < 0.08)
    return UnitProfile(size, rng.randint(40, 260), rng.randint(300, 6000), methods, quiet)


def _clamp(value: int, previous: int | None) -> int:
    """Keep a figure within 10× of last year's (the form warns beyond that)."""
    if previous:
        return max(math.ceil(previous / 10), min(value, previous * 10))
    return value


def figures_for(
    rng: random.Random, profile: UnitProfile, factors: dict[str, float], previous: dict | None
) -> dict[str, int | str]:
    """One unit's figures for one year: every error rule of the 2020 form holds (sessions and attendance both
    or neither, attendance ≥ sessions, livestream likewise, copies need methods), coverage ≥ attendance +
    viewers, and each number within 10× of `previous`."""
    prev = previous or {}
    k = profile.size

    def amount(scale: float, kind: str, code: str, sigma: float = 0.25) -> int:
        if code in profile.quiet:
            return 0
        return _clamp(round(k * scale * factors[kind] * rng.lognormvariate(0, sigma)), prev.get(code))

    sessions = amount(0.08, "meetings", "meeting_sessions")
    attendance = 0
    if sessions:
        attendance = max(sessions, amount(0.08 * profile.per_meeting, "meetings", "meeting_attendance", 0.2))
    live = amount(0.012, "live", "live_sessions") if factors["live"] else 0
    viewers = max(live, amount(0.012 * profile.per_live, "live", "live_viewers", 0.3)) if live else 0
    copies = amount(60, "media", "material_copies")
    # Coverage: people met in person or online, plus those reached by displays and media (never less than the first).
    reached = round(k * 500 * factors["reach"] * rng.lognormvariate(0, 0.2)) + attendance + viewers
    reached = max(attendance + viewers, _clamp(reached, prev.get("people_reached")))
    return {
        "meeting_sessions": sessions,
        "meeting_attendance": attendance,
        "material_methods": profile.methods if copies else "",
        "material_copies": copies,
        "print_news": amount(0.05, "media", "print_news"),
        "tv_news": amount(0.02, "media", "tv_news"),
        "radio_broadcasts": amount(0.015, "media", "radio_broadcasts"),
        "web_news": amount(0.25, "web", "web_news"),
        "videos": amount(0.04, "web", "videos"),
        "live_sessions": live,
        "live_viewers": viewers,
        "people_reached": reached,
        "consultations": amount(20, "reach", "consultations"),
    }


# --- reports ------------------------------------------------------------------------------------------------


def _pick(rng: random.Random, mix) -> str:
    statuses, weights = zip(*mix, strict=True)
    return rng.choices(statuses, weights)[0]


def _submit_time(rng: random.Random, deadline: dt.date, level: str) -> dt.datetime:
    """Most units submit in the last days before the deadline, a few after it; counties before their city,
    cities before their province (who roll them up)."""
    lead = {"county": 6, "city": 3, "province": 0}[level]
    if rng.random() < 0.86:
        day = deadline - dt.timedelta(days=lead + min(25, int(rng.expovariate(1 / 3.5))))
    else:
        day = deadline + dt.timedelta(days=1 + min(30, int(rng.expovariate(1 / 4))))
    minutes = rng.randint(8 * 60 + 30, 18 * 60) if rng.random() < 0.85 else rng.randint(18 * 60, 23 * 60 + 59)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))


def _later(rng: random.Random, at: dt.datetime, low_days: float, high_days: float) -> dt.datetime:
    return at + dt.timedelta(seconds=rng.uniform(low_days, high_days) * 86_400)


@dataclass
class YearPlan:
    reports: list[Report] = field(default_factory=list)
    values: list[tuple[int, dict]] = field(default_factory=list)  # (index in reports, values)
    events: list[tuple[int, dict]] = field(default_factory=list)


def _changes(definition, values: dict, old: dict | None = None) -> list[dict]:
    rows = []
    for code, value in values.items():
        before = (old or {}).get(code)
        if value in (None, "") or value == before:
            continue
        rows.append(
            {
                "code": code,
                "label": definition.by_code[code].cell_name,
                "old": format_number(before) if isinstance(before, int) else (before or ""),
                "new": format_number(value) if isinstance(value, int) else value,
            }
        )
    return rows


def _draft_part(rng: random.Random, definition, values: dict) -> dict:
    """What a unit has typed so far: whole printed rows (both figures of a two-figure cell, or neither)."""
    leaves = sorted({f.row_codes for f in definition.figures if f.code in values})
    kept = [leaf for leaf in leaves if rng.random() < 0.6] or leaves[:1]
    return {code: values[code] for leaf in kept for code in leaf if code in values}


@contextmanager
def _event_times_kept() -> Iterator[None]:
    """ReportEvent.at is auto_now_add; demo history needs the dates it generated (set for this block only)."""
    at = ReportEvent._meta.get_field("at")
    saved = at.auto_now_add
    at.auto_now_add = False
    try:
        yield
    finally:
        at.auto_now_add = saved


def _system_users() -> dict[str, User]:
    """The accounts the demo history is written by, one per level, which cannot sign in."""
    mofcom = Unit.objects.filter(code="MOFCOM").first()
    specs = {
        "province": ("省级填报（演示数据）", Role.UNIT_REPORTER, None),
        "city": ("地市填报（演示数据）", Role.UNIT_REPORTER, None),
        "county": ("区县填报（演示数据）", Role.UNIT_REPORTER, None),
        "ministry": ("商务部审核（演示数据）", Role.NATIONAL_REVIEWER, mofcom),
    }
    users = {}
    for level, (display, role, unit) in specs.items():
        user, created = User.objects.get_or_create(
            username=SYSTEM_PREFIX + level,
            defaults={"display_name": display, "role": role, "unit": unit, "is_active": False},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users[level] = user
    return users


def _level(unit: Unit, parents: dict[int, int | None]) -> str:
    if unit.parent_id is None:
        return "province"
    return "city" if parents.get(unit.parent_id) is None else "county"


def _reviewer_level(level: str) -> str:
    return {"province": "ministry", "city": "province", "county": "city"}[level]


def _plan_year(
    rng: random.Random,
    *,
    campaign: Campaign,
    units: list[Unit],
    parents: dict[int, int | None],
    profiles: dict[int, UnitProfile],
    previous: dict[int, dict],
    newest: bool,
    users: dict[str, User],
    definition,
    status_of: Callable[[Unit], str] | None = None,
    submit_time: Callable[[str], dt.datetime] | None = None,
    not_after: dt.datetime | None = None,
) -> tuple[YearPlan, dict[int, dict]]:
    """Each unit's figures, status and history for one year. By default the status is drawn from the year's mix
    and the submissions fall around the deadline; `status_of` (unit → status) and `submit_time` (level → first
    submission) decide them instead, and no review or correction is dated after `not_after` (the demo year of
    `demo_current_year_ensure`, whose deadline is still ahead)."""
    plan = YearPlan()
    factors = year_factors(campaign.year)
    mix = STATUS_MIX_NEWEST if newest else STATUS_MIX_PAST

    def later(at: dt.datetime, low_days: float, high_days: float) -> dt.datetime:
        moment = _later(rng, at, low_days, high_days)
        if not_after is not None and moment > not_after:  # squeezed between `at` and `not_after`, in order
            moment = at + max(dt.timedelta(0), not_after - at) * rng.uniform(0.2, 0.9)
        return moment

    generated: dict[int, dict] = {}
    for unit in units:
        level = _level(unit, parents)
        values = figures_for(rng, profiles[unit.pk], factors, previous.get(unit.pk))
        generated[unit.pk] = values
        status = status_of(unit) if status_of else _pick(rng, mix)
        if status == Status.NOT_STARTED:
            continue
        actor, reviewer = users[level], users[_reviewer_level(level)]
        submitted = submit_time(level) if submit_time else _submit_time(rng, campaign.deadline, level)
        drafted = _later(rng, submitted, -10, -0.2)
        report = Report(campaign=campaign, unit=unit, status=status)
        index = len(plan.reports)
        plan.reports.append(report)

        def event(at, who, action, old, new, reason="", changes=None, _index=index, _events=plan.events):
            _events.append(
                (
                    _index,
                    {
                        "at": at,
                        "actor": who,
                        "action": action,
                        "from_status": old,
                        "to_status": new,
                        "reason": reason,
                        "changes": changes or [],
                    },
                )
            )

        if status == Status.DRAFT:
            typed = _draft_part(rng, definition, values)
            plan.values.append((index, typed))
            event(
                drafted, actor, Action.SAVE_DRAFT, Status.NOT_STARTED, Status.DRAFT, changes=_changes(definition, typed)
            )
            report.version = 1
            continue
        plan.values.append((index, values))
        event(drafted, actor, Action.SAVE_DRAFT, Status.NOT_STARTED, Status.DRAFT, changes=_changes(definition, values))
        report.first_submitted_at = report.submitted_at = submitted
        report.late = is_late(submitted, campaign.deadline)
        late_reason = "逾期报送" if report.late else ""
        event(submitted, actor, Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, reason=late_reason)
        report.version = 2
        if status == Status.RETURNED or (status == Status.ACCEPTED and rng.random() < 0.04):
            returned = later(submitted, 0.3, 4)
            reason = rng.choice(RETURN_REASONS)
            event(returned, reviewer, Action.RETURN, Status.SUBMITTED, Status.RETURNED, reason=reason)
            report.reviewed_at, report.reviewed_by, report.return_reason = returned, reviewer, reason
            report.version += 1
            if status == Status.RETURNED:
                continue
            fixed = later(returned, 0.2, 3)
            old = {"consultations": max(0, values["consultations"] + rng.randint(5, 500))}
            new = {"consultations": values["consultations"]}
            event(
                fixed,
                actor,
                Action.SAVE_DRAFT,
                Status.RETURNED,
                Status.RETURNED,
                changes=_changes(definition, new, old),
            )
            resubmitted = later(fixed, 0.01, 0.5)
            event(resubmitted, actor, Action.SUBMIT, Status.RETURNED, Status.SUBMITTED)
            report.submitted_at, report.return_reason = resubmitted, ""
            report.version += 2
            submitted = resubmitted
        if status == Status.ACCEPTED:
            accepted = later(submitted, 0.2, 6)
            event(accepted, reviewer, Action.ACCEPT, Status.SUBMITTED, Status.ACCEPTED)
            report.reviewed_at, report.reviewed_by = accepted, reviewer
            report.version += 1
    return plan, generated


def _write_year(plan: YearPlan, campaign: Campaign, progress: Callable[[str], None]) -> tuple[int, int, int]:
    """Insert the year's reports, figures and history in batches; returns the three counts."""
    total = len(plan.reports)
    for start in range(0, total, BATCH):
        Report.objects.bulk_create(plan.reports[start : start + BATCH])
        progress(f"生成 {campaign.year} 年报送 … {min(start + BATCH, total)}/{total}")
    if any(r.pk is None for r in plan.reports):  # a backend that does not return ids from bulk inserts
        ids = dict(Report.objects.filter(campaign=campaign).values_list("unit_id", "pk"))
        for report in plan.reports:
            report.pk = report.id = ids[report.unit_id]
    figures = dict(Figure.objects.filter(form__campaign=campaign).values_list("code", "pk"))
    kinds = dict(Figure.objects.filter(form__campaign=campaign).values_list("code", "kind"))
    rows = []
    for index, values in plan.values:
        report_id = plan.reports[index].pk
        for code, value in values.items():
            if kinds[code] == FigureKind.NUMBER:
                rows.append(FigureValue(report_id=report_id, figure_id=figures[code], number=value))
            else:
                rows.append(FigureValue(report_id=report_id, figure_id=figures[code], text=value))
    FigureValue.objects.bulk_create(rows, batch_size=BATCH * 2)
    events = [ReportEvent(report_id=plan.reports[index].pk, **data) for index, data in plan.events]
    with _event_times_kept():
        ReportEvent.objects.bulk_create(events, batch_size=BATCH * 2)
    return total, len(rows), len(events)


# --- the whole run ------------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    years: list[int]
    units_created: int = 0
    units_by_kind: dict[str, int] = field(default_factory=dict)
    reports: int = 0
    values: int = 0
    events: int = 0
    kept_real_reports: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)


def demo_reports() -> Q:
    """Filter for the reports demo data created: their history is by a demo system account, or their unit is a
    demo unit."""
    return Q(events__actor__username__startswith=SYSTEM_PREFIX) | Q(unit__full_name__endswith=DEMO_MARK)


@transaction.atomic
@audit_summarised(action="demo_data_reset", object_repr="演示数据")  # one audit row with counts, not thousands
def demo_data_reset() -> dict[str, int]:
    """Remove everything demo data created: its reports (with figures and history), units, their participations
    and accounts, the campaigns it copied (when no other report is left in them) and its system accounts.
    Real units, reports and campaigns are left as they are."""
    report_ids = list(Report.objects.filter(demo_reports()).values_list("pk", flat=True).distinct())
    removed = {"reports": len(report_ids)}
    for start in range(0, len(report_ids), 5000):
        chunk = report_ids[start : start + 5000]
        FigureValue.objects.filter(report_id__in=chunk).delete()
        ReportEvent.objects.filter(report_id__in=chunk).delete()
        Report.objects.filter(pk__in=chunk).delete()
    unit_ids = set(Unit.objects.filter(demo_units()).values_list("pk", flat=True))
    removed["units"] = len(unit_ids)
    Participant.objects.filter(unit_id__in=unit_ids).delete()
    removed["accounts"] = User.objects.filter(unit_id__in=unit_ids).delete()[1].get("units.User", 0)
    while unit_ids:  # leaves first: a unit's parent is protected while it has children
        parents = set(Unit.objects.filter(pk__in=unit_ids, parent_id__in=unit_ids).values_list("parent_id", flat=True))
        leaves = unit_ids - parents
        Unit.objects.filter(pk__in=leaves).delete()
        unit_ids = parents
    removed["cases"] = demo_cases_remove()
    campaigns = Campaign.objects.filter(notice_title__endswith=DEMO_MARK).exclude(reports__isnull=False)
    removed["campaigns"] = campaigns.count()
    for campaign in campaigns:
        campaign.delete()
    system = User.objects.filter(username__startswith=SYSTEM_PREFIX)
    for user in system:
        if not ReportEvent.objects.filter(actor=user).exists() and not Report.objects.filter(reviewed_by=user).exists():
            user.delete()
    generation_bump("all")  # bulk writes send no signals: every cached read derived from the data is stale
    return removed


@transaction.atomic
@audit_summarised(action="demo_data_create", object_repr="演示数据")
def demo_data_create(
    *,
    years: list[int],
    units: int = 3400,
    seed: int = 2020,
    reset: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoResult:
    """Build the demo data set (see the module's docstring). Refuses to run over earlier demo data or over real
    reports of the same years unless `reset`: then earlier demo data is removed first, and units that have a
    real report in a year keep it untouched (no demo report is made for them that year)."""
    if not MIN_UNITS <= units <= MAX_UNITS:
        raise DomainError(f"单位总数应在 {MIN_UNITS} 至 {MAX_UNITS} 之间")
    result = DemoResult(years=years)
    if reset:
        result.removed = demo_data_reset()
    else:
        existing = Unit.objects.filter(demo_units()).count()
        # The demo year `chengxin serve` makes (demo_current_year_ensure) is no earlier run of this command.
        demo = (
            Report.objects.filter(demo_reports())
            .exclude(campaign__title__endswith=DEMO_MARK)
            .values("pk")
            .distinct()
            .count()
        )
        if existing or demo:
            raise DomainError(
                f"数据库中已有演示数据（{existing} 个演示单位，{demo} 份演示报送）。"
                "要重新生成，请加 --reset：先删除以前生成的演示数据（真实数据不动），再重新生成。"
            )
        real = Report.objects.filter(campaign__year__in=years).exclude(demo_reports()).count()
        if real:
            raise DomainError(
                f"{years[0]}–{years[-1]} 年已有 {real} 份真实报送（不是演示数据）。演示数据不会覆盖真实报送；"
                "如确要在这个数据库中加入演示数据，请加 --reset：这些真实报送原样保留，只为其他单位生成演示报送。"
                "建议在单独的数据库上运行（CHENGXIN_VAR_DIR 或 DATABASE_URL 指向另一个数据库）。"
            )
    campaigns = _campaigns(years, progress)
    provincial = list(Unit.objects.filter(kind__in=PROVINCIAL_KINDS).order_by("sort_order", "code"))
    for unit in provincial:  # the provincial units' own population, where nobody set it
        if unit.population is None and unit.code in PROVINCIAL_AREAS:
            unit.population = PROVINCIAL_AREAS[unit.code][0] * 10_000
            Unit.objects.filter(pk=unit.pk).update(population=unit.population)
    plan = plan_units(provincial, total=units, seed=seed)
    by_code = _create_units(plan, progress)
    result.units_created = len(plan)
    for p in plan:
        result.units_by_kind[p.kind] = result.units_by_kind.get(p.kind, 0) + 1
    reporting = provincial + [by_code[p.code] for p in plan]
    parents = {u.pk: u.parent_id for u in reporting}
    users = _system_users()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    profiles = {u.pk: unit_profile(rng, u, _level(u, parents)) for u in reporting}
    previous: dict[int, dict] = {}
    for year in years:
        campaign = campaigns[year]
        Participant.objects.bulk_create(
            [Participant(campaign=campaign, unit=by_code[p.code], fills_statistics=True) for p in plan],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        taken = set(Report.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
        result.kept_real_reports += Report.objects.filter(campaign=campaign).exclude(demo_reports()).count()
        expected = set(
            Participant.objects.filter(campaign=campaign, fills_statistics=True).values_list("unit_id", flat=True)
        )
        year_units = [u for u in reporting if u.pk in expected and u.pk not in taken]
        year_plan, previous = _plan_year(
            rng,
            campaign=campaign,
            units=year_units,
            parents=parents,
            profiles=profiles,
            previous=previous,
            newest=year == years[-1],
            users=users,
            definition=form_definition(campaign),
        )
        counts = _write_year(year_plan, campaign, progress)
        result.reports += counts[0]
        result.values += counts[1]
        result.events += counts[2]
    demo_index_ensure()  # the notice's 上海购物诚信指数, published with one correction (chengxin.indices.demo)
    if settings.CHENGXIN_DEMO_ACCOUNTS:
        result.accounts = demo_accounts_ensure() + _hierarchy_accounts(by_code)
    generation_bump("all")  # bulk writes send no signals: every cached read derived from the data is stale
    return result


def _hierarchy_accounts(by_code: dict[str, Unit]) -> list[tuple[str, str, str, str]]:
    """A reporter of a demo city under 广东省 and one of a county under that city (when the size made them)."""
    city = Unit.objects.filter(parent__code="440000", kind=UnitKind.CITY).order_by("code").first()
    county = Unit.objects.filter(parent=city).order_by("code").first() if city else None
    rows = []
    for (username, _level_name, display), unit in zip(HIERARCHY_ACCOUNTS, (city, county), strict=True):
        if unit is None:
            continue
        user, created = User.objects.get_or_create(
            username=username, defaults={"unit": unit, "role": Role.UNIT_REPORTER, "display_name": display}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        rows.append((username, DEMO_PASSWORD, Role.UNIT_REPORTER.label, user.unit.name))
    return rows


# --- the demo year of `chengxin serve` ----------------------------------------------------------------------

# The units of the demo accounts (chengxin.units.demo) get a fixed status, so that each account finds its own
# kind of work: beijing a report to start, guangdong a draft to finish, shanghai a submission the ministry's
# reviewer has waiting, dalian one already accepted.
DEMO_YEAR_STATUSES = {
    "110000": Status.NOT_STARTED,
    "440000": Status.DRAFT,
    "310000": Status.SUBMITTED,
    "210200": Status.ACCEPTED,
}
DEMO_YEAR_DEADLINE_DAYS = 21  # the deadline, this many days after the day the demo year is made
DEMO_YEAR_ENDED_DAYS = 12  # the activity period ended this many days before it


@dataclass
class DemoYear:
    campaign: Campaign
    statuses: dict[str, int]  # report status → number of provincial units (未填报 included)

    @property
    def summary(self) -> str:
        """One line for the console."""
        n = self.statuses.get
        sent = n(Status.SUBMITTED, 0) + n(Status.RETURNED, 0) + n(Status.ACCEPTED, 0)
        return (
            f"已创建演示年度：{self.campaign.title}，报送截止 {self.campaign.deadline:%Y-%m-%d}；"
            f"{sum(self.statuses.values())} 个省级单位中已报送 {sent}（其中已审核 {n(Status.ACCEPTED, 0)}、"
            f"已退回 {n(Status.RETURNED, 0)}），草稿 {n(Status.DRAFT, 0)}，未填报 {n(Status.NOT_STARTED, 0)}"
        )


def demo_year_dates(today: dt.date) -> dict[str, dt.date]:
    """A campaign of `today`'s year as it stands a few weeks after its month: the period (30 days) ended
    DEMO_YEAR_ENDED_DAYS ago, the notice went out two weeks before it began, the deadline is
    DEMO_YEAR_DEADLINE_DAYS ahead. Dates are kept within the year (squeezed early in January)."""
    first = dt.date(today.year, 1, 1)
    period_end = max(first, today - dt.timedelta(days=DEMO_YEAR_ENDED_DAYS))
    period_start = max(first, period_end - dt.timedelta(days=30))
    return {
        "notice_date": max(first, period_start - dt.timedelta(days=14)),
        "period_start": period_start,
        "period_end": period_end,
        "deadline": today + dt.timedelta(days=DEMO_YEAR_DEADLINE_DAYS),
    }


def demo_current_year_ensure(today: dt.date | None = None, *, seed: int = 2020) -> DemoYear | None:
    """In development with demo accounts on (settings.CHENGXIN_DEMO_ACCOUNTS, never in production), and when
    `today`'s year has no campaign yet: a demo copy of 2020 in that year, so that a newcomer meets a live
    campaign rather than one whose deadline passed years ago. Title and notice title end in DEMO_MARK; the dates
    are `demo_year_dates(today)`; it is published; of the provincial units that fill the table about half have
    submitted (some accepted, two returned), a quarter have a draft and a quarter nothing yet (the demo accounts'
    units as DEMO_YEAR_STATUSES), all dated before `today`. Returns None and changes nothing otherwise (a
    second call, a real campaign of that year, production). `chengxin demo-data --reset` removes it with the
    other demo data; the next `serve` makes it again."""
    if settings.PRODUCTION or not settings.CHENGXIN_DEMO_ACCOUNTS:
        return None
    today = today or timezone.localdate()
    if Campaign.objects.filter(year=today.year).exists():
        return None
    return _demo_year_create(today, seed=seed)


@transaction.atomic
def _demo_year_create(today: dt.date, *, seed: int) -> DemoYear:
    year = today.year
    with audit_summarised(action="demo_year_create", object_repr=f"{year}年演示年度"):
        if not Campaign.objects.filter(year=LOADED_YEAR).exists():
            campaign_load(year=LOADED_YEAR)
        source = Campaign.objects.get(year=LOADED_YEAR)
        dates = demo_year_dates(today)
        campaign = campaign_copy(
            source=source,
            year=year,
            title=_mark(source.title.replace(str(source.year), str(year))),
            notice_title=_mark(_notice_title(source, year)),
            **dates,
        )
        # published when its notice went out (a copy starts 筹备中)
        notice = timezone.make_aware(dt.datetime.combine(dates["notice_date"], dt.time(9)))
        campaign.published_at = min(notice, timezone.now())
        campaign.save(update_fields=["published_at"])

        units = list(
            Unit.objects.filter(
                kind__in=PROVINCIAL_KINDS,
                participations__campaign=campaign,
                participations__fills_statistics=True,
            ).order_by("sort_order", "code")
        )
        for unit in units:  # the profile's size (in memory only: the units are not changed)
            if unit.population is None and unit.code in PROVINCIAL_AREAS:
                unit.population = PROVINCIAL_AREAS[unit.code][0] * 10_000
        rng = random.Random(seed + year)  # noqa: S311 - reproducible demo data, not a secret
        statuses = _demo_year_statuses(rng, units)
        parents = {u.pk: None for u in units}
        midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
        last_day = max(1, (today - dates["period_end"]).days - 1)

        def submit_time(level: str) -> dt.datetime:
            """A working day between the end of the period and yesterday."""
            day = midnight - dt.timedelta(days=rng.randint(1, last_day))
            return day + dt.timedelta(minutes=rng.randint(8 * 60 + 30, 18 * 60))

        plan, _values = _plan_year(
            rng,
            campaign=campaign,
            units=units,
            parents=parents,
            profiles={u.pk: unit_profile(rng, u, "province") for u in units},
            previous={},
            newest=True,
            users=_system_users(),
            definition=form_definition(campaign),
            status_of=lambda unit: statuses[unit.pk],
            submit_time=submit_time,
            not_after=midnight - dt.timedelta(minutes=1),
        )
        _write_year(plan, campaign, lambda message: None)
        # what the public pages and the ministry's documents show besides the reports
        demo_index_ensure()
        demo_cases_ensure(campaign, by=_system_users()["ministry"])
    generation_bump("all")  # bulk writes send no signals: every cached read derived from the data is stale
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return DemoYear(campaign=campaign, statuses=counts)


def _demo_year_statuses(rng: random.Random, units: list[Unit]) -> dict[int, str]:
    """unit pk → status: a quarter 未填报, a quarter 草稿, the rest sent (a third of them accepted, two returned,
    the others waiting for review); DEMO_YEAR_STATUSES first, the others shuffled."""
    quarter = round(len(units) / 4)
    sent = len(units) - 2 * quarter
    accepted, returned = sent // 3, min(2, sent // 6)
    pool = (
        [Status.NOT_STARTED] * quarter
        + [Status.DRAFT] * quarter
        + [Status.ACCEPTED] * accepted
        + [Status.RETURNED] * returned
        + [Status.SUBMITTED] * (sent - accepted - returned)
    )
    statuses: dict[int, str] = {}
    for unit in units:
        fixed = DEMO_YEAR_STATUSES.get(unit.code)
        if fixed in pool:
            pool.remove(fixed)
            statuses[unit.pk] = fixed
    rng.shuffle(pool)
    rest = [u.pk for u in units if u.pk not in statuses]
    statuses.update(zip(rest, pool, strict=True))
    return statuses
