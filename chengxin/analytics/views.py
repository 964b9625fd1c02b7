"""The ministry's oversight pages: completeness, national totals and the dashboard with its drill-down."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chengxin.analytics import dashboard
from chengxin.analytics.selectors import (
    ROLLUP_CACHE_SECONDS,
    SCOPE_LABELS,
    TOTAL_SCOPES,
    completeness,
    data_stamp,
    deadline_words,
    totals,
    totals_table_count,
)
from chengxin.analytics.services import campaign_publish_totals, campaign_unpublish_totals
from chengxin.campaigns.models import Campaign
from chengxin.campaigns.selectors import campaign_get, campaign_get_cached
from chengxin.core.errors import DomainError
from chengxin.core.inputs import ascii_int
from chengxin.statform.selectors import form_definition
from chengxin.units.capabilities import Action, can
from chengxin.units.permissions import national_admin_required, national_required
from chengxin.units.selectors import unit_by_code_cached, unit_has_sub_units, unit_resolve


@require_GET
@national_required
def completeness_page(request, year: int):
    campaign = campaign_get(year)
    data = completeness(campaign)
    status_filter = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:50]
    units = [u for u in data.units if not status_filter or u.status == status_filter]
    if query:
        named = unit_resolve(query)
        units = [u for u in units if (u.code == named.code if named else query in u.name or query in u.code)]
    return render(
        request,
        "analytics/completeness.html",
        {"campaign": campaign, "data": data, "units": units, "status_filter": status_filter, "query": query},
    )


@require_GET
@national_required
def totals_page(request, year: int):
    campaign = campaign_get(year)
    scope = request.GET.get("scope", "submitted")
    if scope not in TOTAL_SCOPES:
        scope = "submitted"
    result = totals(campaign, scope)
    definition = form_definition(campaign)
    rows = []
    for line in definition.table_lines():
        rows.append(
            {
                "labels": line.labels,
                "figures": [{"def": f, "value": result.get(f.code)} for f in line.leaf.figures],
            }
        )
    # Two charts on linear scales: what the form counts in people or copies runs to thousands, events and
    # items to tens; one scale for both hides the small ones.
    charts = {"people": [], "counts": []}
    for f in definition.number_figures:
        charts["people" if f.count in dashboard.LARGE_COUNTS else "counts"].append(
            {"name": f.short_name, "value": result[f.code]}
        )
    return render(
        request,
        "analytics/totals.html",
        {
            "campaign": campaign,
            "scope": scope,
            "scopes": SCOPE_LABELS,
            "rows": rows,
            "depth": definition.depth,
            "charts": charts,
            "has_data": any(result[f.code] for f in definition.number_figures),
            "tables_counted": totals_table_count(campaign, scope),
            "may_publish": can(request.user, Action.MANAGE_CAMPAIGN),
        },
    )


# --- The dashboard -------------------------------------------------------------------------------------------


def _dashboard_filters(request, campaign):
    """The campaign's form and the dashboard filters of the request, read against it."""
    definition = form_definition(campaign)
    return definition, dashboard.dashboard_filters(definition, request.GET)


# The dashboards' bodies (everything below the filters) are rendered once per state of the data and kept in the
# cache under the campaign's data stamp, today's date, the language and the filters: a report saved anywhere
# changes the stamp, so a cached body is never out of date. Nothing in a body may depend on who is asking; the
# one per-user piece, the CSRF token of the reminder form, is put in when the page is served.
CSRF_MARK = "<!--chengxin:csrf-->"


def _cached_body(request, key: str, template: str, build) -> str:
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**build(), "csrf_mark": mark_safe(CSRF_MARK)})  # noqa: S308
        cache.set(key, html, ROLLUP_CACHE_SECONDS)
    return mark_safe(html.replace(CSRF_MARK, str(csrf_input(request))))  # noqa: S308


def _body_key(name: str, campaign, stamp: str, filters, *extra) -> str:
    parts = [name, campaign.pk, stamp, timezone.localdate().isoformat(), get_language(), filters.query(), *extra]
    return "chengxin:" + ":".join(str(p) for p in parts)


@require_GET
@national_required
def dashboard_page(request, year: int):
    """The national dashboard: completeness over time, totals against last year, the map and the ranking."""
    other_year = ascii_int(request.GET.get("year", ""))
    if other_year is not None and other_year != year:  # the campaign chosen in the filter form
        query = request.GET.copy()
        del query["year"]
        return redirect(reverse("analytics:dashboard", args=[other_year]) + "?" + query.urlencode())
    campaign = campaign_get_cached(year)
    definition, filters = _dashboard_filters(request, campaign)
    stamp = data_stamp(campaign)
    page_path = reverse("analytics:dashboard", args=[year]) + "?" + filters.query()

    def build() -> dict:
        context = dashboard.national_dashboard(campaign, filters, definition, stamp=stamp)
        return {"campaign": campaign, "filters": filters, "page_path": page_path, **context}

    body = _cached_body(
        request, _body_key("dashboard", campaign, stamp, filters), "analytics/_dashboard_body.html", build
    )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "campaign": campaign,
            "filters": filters,
            "body": body,
            "figures": definition.number_figures,
            "years": list(Campaign.objects.order_by("-year").values_list("year", flat=True)),
            "kinds": [(k.value, k.label) for k in dashboard.HEAD_KINDS],
            "scopes": dashboard.DASHBOARD_SCOPES,
            "deadline_words": deadline_words(campaign, timezone.localdate()),
        },
    )


@require_GET
@login_required
def dashboard_unit(request, year: int, unit_code: str):
    """A unit's drill-down, for the ministry and the unit itself or a unit above it; a unit without sub-units
    has nothing to drill into and goes to its report."""
    unit = unit_by_code_cached(unit_code)
    if unit is None or not request.user.reads(unit):
        raise Http404
    campaign = campaign_get_cached(year)
    if not unit_has_sub_units(unit.pk):
        return redirect("reporting:review", year=year, unit_code=unit.code)
    definition, filters = _dashboard_filters(request, campaign)
    stamp = data_stamp(campaign)
    # A unit reminds its own sub-units (the ministry reminds the units reporting to it, on its own page).
    can_remind = request.user.reports_for(unit)
    page_path = reverse("analytics:dashboard_unit", args=[year, unit.code]) + "?" + filters.query()

    def build() -> dict:
        context = dashboard.unit_dashboard(campaign, unit, filters, definition, stamp=stamp)
        return {
            "campaign": campaign,
            "unit": unit,
            "filters": filters,
            "can_remind": can_remind,
            "page_path": page_path,
            **context,
        }

    key = _body_key("dashboard-unit", campaign, stamp, filters, unit.pk, int(can_remind))
    return render(
        request,
        "analytics/dashboard_unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "filters": filters,
            "body": _cached_body(request, key, "analytics/_dashboard_unit_body.html", build),
            "figures": definition.number_figures,
            "scopes": dashboard.DASHBOARD_SCOPES,
            "ancestors": dashboard.unit_ancestors(unit),
        },
    )


@require_GET
@national_required
def map_data(request, year: int):
    """The map's provinces with the chosen figure, as JSON: [{code, region_code, name, value, url}]."""
    campaign = campaign_get_cached(year)
    _definition, filters = _dashboard_filters(request, campaign)
    return JsonResponse(
        dashboard.map_items(campaign, figure=filters.figure, scope=filters.scope),
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
@national_required
def dashboard_csv(request, year: int):
    campaign = campaign_get(year)
    definition, filters = _dashboard_filters(request, campaign)
    content = dashboard.dashboard_csv(campaign, filters, definition)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"{year}年诚信兴商宣传月数据看板.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- Publishing the national totals ---------------------------------------------------------------------------


@require_POST
@national_admin_required
def publish_totals(request, year: int):
    campaign = campaign_get(year)
    try:
        campaign = campaign_publish_totals(campaign=campaign, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("全国汇总已发布（%(units)s 个单位已审核的统计表），公众可在活动公开页面查看。")
            % {"units": campaign.published_totals["units"]},
        )
    return redirect(reverse("analytics:totals", args=[year]) + "?scope=accepted#publish")


@require_POST
@national_admin_required
def unpublish_totals(request, year: int):
    campaign = campaign_get(year)
    try:
        campaign_unpublish_totals(campaign=campaign, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤回全国汇总，公开页面不再显示。"))
    return redirect(reverse("analytics:totals", args=[year]) + "?scope=accepted#publish")
