"""Where and when an activity of a campaign may take place: within the campaign's period (give or take the
campaign's grace), and, for a provincial unit or a unit under one, within that unit's province. National bodies
(商务部 among them) may register an activity anywhere. A place left out is the unit's own region.

Pure functions that append FieldErrors; the services apply them to every write (the web form and anything else
that calls `activity_create` / `activity_update`)."""

import datetime as dt

from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign
from chengxin.core.errors import FieldError
from chengxin.core.regions import PROVINCES, region_name
from chengxin.units.models import Unit, UnitKind

# Days an activity may start before the campaign's period or end after it. The notice fixes the period
# (October 2020) and says nothing of a margin, so by default there is none; a campaign that allows preparatory
# or follow-up activities says so in `activity_grace_days` (read here whenever the campaign has that attribute).
DEFAULT_GRACE_DAYS = 0

# 新疆生产建设兵团 reports under the non-standard code 660000 and has no region code of its own; its activities
# take place in Xinjiang (65).
CORPS_PROVINCE_PREFIX = "65"


def grace_days(campaign: Campaign) -> int:
    """The campaign's grace in days, before its start and after its end alike (never negative)."""
    value = getattr(campaign, "activity_grace_days", None)
    if value is None:
        return DEFAULT_GRACE_DAYS
    return max(int(value), 0)


def allowed_dates(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """The first and last day an activity of the campaign may be held on."""
    grace = dt.timedelta(days=grace_days(campaign))
    return campaign.period_start - grace, campaign.period_end + grace


def check_dates(campaign: Campaign, dates: dict[str, tuple[str, dt.date | None]], errors: list[FieldError]) -> None:
    """Refuse each date (field → (label, date)) outside the campaign's period and grace, naming its field."""
    first, last = allowed_dates(campaign)
    period = {"start": f"{campaign.period_start:%Y-%m-%d}", "end": f"{campaign.period_end:%Y-%m-%d}"}
    grace = grace_days(campaign)
    for field, (label, date) in dates.items():
        if date is None or first <= date <= last:
            continue
        values = {"label": label, "date": f"{date:%Y-%m-%d}", **period}
        if grace:
            values.update(days=grace, first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}")
            message = (
                _(
                    "%(label)s %(date)s 不在本年度活动期间（%(start)s 至 %(end)s，前后各可宽限 %(days)d 天，"
                    "即 %(first)s 至 %(last)s）内"
                )
                % values
            )
        else:
            message = _("%(label)s %(date)s 不在本年度活动期间（%(start)s 至 %(end)s）内") % values
        errors.append(FieldError(field, message))


def unit_province_prefix(unit: Unit) -> str | None:
    """The two digits of the province a unit's activities must lie in; None for a unit that may register
    activities anywhere (a national body) or whose region is not known."""
    current: Unit | None = unit
    while current is not None:
        if current.kind == UnitKind.NATIONAL_BODY:
            return None
        if current.kind == UnitKind.CORPS:
            return CORPS_PROVINCE_PREFIX
        if current.region_code:
            return current.region_code[:2]
        current = current.parent
    return None


def unit_default_region(unit: Unit) -> str:
    """Where a unit's activity is held when its form leaves the place out: the unit's own region code, or that of
    the nearest unit above it that has one (a city entered without a code); "" for the corps and national
    bodies, which say where each time."""
    current: Unit | None = unit
    while current is not None:
        if current.region_code:
            return current.region_code
        if current.kind in (UnitKind.NATIONAL_BODY, UnitKind.CORPS):
            return ""
        current = current.parent
    return ""


def check_region(unit: Unit, region_code: str, field: str, errors: list[FieldError]) -> None:
    """Refuse a well-formed region code outside the registering unit's province, naming its field."""
    prefix = unit_province_prefix(unit)
    if prefix is None or region_code[:2] == prefix:
        return
    own = PROVINCES.get(prefix + "0000", prefix + "0000")
    errors.append(
        FieldError(
            field,
            _("活动所在地 %(code)s（%(region)s）不在本单位所在地区（%(own)s）内，请填写%(own)s内的行政区划代码")
            % {"code": region_code, "region": region_name(region_code), "own": own},
        )
    )
