"""The ministry's oversight pages: completeness, national totals and the dashboard with its drill-down."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from chengxin.analytics import dashboard
from chengxin.analytics.selectors import SCOPE_LABELS, TOTAL_SCOPES, completeness, totals, totals_table_count
from chengxin.campaigns.selectors import campaign_get
from chengxin.core.permissions import national_required
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.units.selectors import unit_resolve


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
    # Two charts on linear scales: people and copies (人次, 份) are counted in thousands, events and items
    # (场, 条, 篇, 次) in tens; one scale for both hides the small ones.
    charts = {"people": [], "counts": []}
    for f in definition.number_figures:
        charts["people" if f.unit in ("人次", "人", "份") else "counts"].append(
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
        },
    )


# --- The dashboard -------------------------------------------------------------------------------------------


def _dashboard_filters(request, campaign):
    """The campaign's form and the dashboard filters of the request, read against it."""
    definition = form_definition(campaign)
    return definition, dashboard.dashboard_filters(definition, request.GET)


@require_GET
@national_required
def dashboard_page(request, year: int):
    """The national dashboard: completeness over time, totals against last year, the map and the ranking."""
    other_year = request.GET.get("year", "")
    if other_year.isdigit() and int(other_year) != year:  # the campaign chosen in the filter form
        query = request.GET.copy()
        del query["year"]
        return redirect(reverse("analytics:dashboard", args=[int(other_year)]) + "?" + query.urlencode())
    campaign = campaign_get(year)
    definition, filters = _dashboard_filters(request, campaign)
    context = dashboard.national_dashboard(campaign, filters, definition)
    return render(request, "analytics/dashboard.html", {"campaign": campaign, "filters": filters, **context})


@require_GET
@login_required
def dashboard_unit(request, year: int, unit_code: str):
    """A unit's drill-down, for the ministry and the unit itself or a unit above it; a unit without sub-units
    has nothing to drill into and goes to its report."""
    unit = get_object_or_404(Unit.objects.select_related("parent__parent"), code=unit_code)
    if not request.user.reads(unit):
        raise Http404
    campaign = campaign_get(year)
    if not unit.children.exists():
        return redirect("reporting:review", year=year, unit_code=unit.code)
    definition, filters = _dashboard_filters(request, campaign)
    context = dashboard.unit_dashboard(campaign, unit, filters, definition)
    return render(
        request,
        "analytics/dashboard_unit.html",
        # A unit reminds its own sub-units (the ministry reminds the units reporting to it, on its own page).
        {
            "campaign": campaign,
            "unit": unit,
            "filters": filters,
            "can_remind": request.user.reports_for(unit),
            **context,
        },
    )


@require_GET
@national_required
def map_data(request, year: int):
    """The map's provinces with the chosen figure, as JSON: [{code, region_code, name, value, url}]."""
    campaign = campaign_get(year)
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
