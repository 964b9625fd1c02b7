"""The ministry's oversight pages: completeness and national totals."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from chengxin.analytics.selectors import SCOPE_LABELS, TOTAL_SCOPES, completeness, totals, totals_table_count
from chengxin.campaigns.selectors import campaign_get
from chengxin.core.permissions import national_required
from chengxin.statform.selectors import form_definition
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
