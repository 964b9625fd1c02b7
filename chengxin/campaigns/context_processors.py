from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from chengxin.campaigns.selectors import (
    campaign_current,
    campaign_get_cached,
    campaign_hidden_from,
    campaign_years,
    campaign_years_for,
)
from chengxin.units.selectors import unit_has_sub_units


def _year_in_url(request) -> int | None:
    match = getattr(request, "resolver_match", None)
    year = match.kwargs.get("year") if match else None
    try:
        return int(year) if year is not None else None
    except (TypeError, ValueError):
        return None


def _switch(request, user, shown: int | None) -> list[dict]:
    """The year switcher: each year the user may open, linked to the same page of that year where the page
    names its year (else to the year's overview); a year being prepared marked so."""
    if not (user is not None and user.is_authenticated and not user.is_administrator):
        return []
    match = getattr(request, "resolver_match", None)
    visible = set(campaign_years_for(user))
    years = []
    for year, _theme, published in campaign_years():
        if year not in visible:
            continue
        url = None
        if match and "year" in match.kwargs and match.view_name:
            try:
                url = reverse(match.view_name, kwargs={**match.kwargs, "year": year})
            except NoReverseMatch:
                url = None
        years.append(
            {
                "year": year,
                "url": url or reverse("campaigns:overview", kwargs={"year": year}),
                "preparing": not published,
                "current": year == shown,
            }
        )
    return years if len(years) > 1 else []


def navigation(request):
    """What the header needs on every page: the campaign of the page (the year in its address, when the user
    may see it; else the campaign everyone lands on) and the other years to switch to."""
    user = getattr(request, "user", None)
    has_sub_units = bool(
        user is not None
        and user.is_authenticated
        and user.unit_id
        and not user.is_national
        and unit_has_sub_units(user.unit_id)
    )
    campaign = campaign_current()
    year = _year_in_url(request)
    if year is not None and (campaign is None or year != campaign.year) and not campaign_hidden_from(year, user):
        try:
            campaign = campaign_get_cached(year)
        except Http404:  # a year that does not exist: the page says so itself
            campaign = campaign_current()
    return {
        "user_has_sub_units": has_sub_units,
        "current_campaign": campaign,
        "year_switch": _switch(request, user, campaign.year if campaign else None),
        "system_name": _("诚信兴商宣传月活动管理平台"),
        "production": settings.PRODUCTION,
    }
