"""The ministry's full-text search over summary reports, cases and activities (全文检索)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chengxin.campaigns.models import Campaign, PlanActivity
from chengxin.core.inputs import ascii_int
from chengxin.textsearch.models import Kind
from chengxin.textsearch.selectors import Filters, not_extracted, search, snippets
from chengxin.textsearch.terms import Query
from chengxin.units.permissions import national_required

PER_PAGE = 20


@require_GET
@national_required
def search_page(request):
    """`q`: words (all must be found, each as typed); filters `year`, `kind`, `unit` (code or part of a name) and
    `plan` (a plan activity's id). Unknown filter values are ignored, never an error."""
    years = list(Campaign.objects.order_by("-year").values_list("year", flat=True))
    year = ascii_int(request.GET.get("year"))
    year = year if year in years else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    plan_id = ascii_int(request.GET.get("plan"))
    plans = PlanActivity.objects.select_related("campaign").order_by("-campaign__year", "number")
    if year:
        plans = plans.filter(campaign__year=year)
    plans = list(plans)
    plan_id = plan_id if any(p.pk == plan_id for p in plans) else None
    filters = Filters(year=year, kind=kind, unit=request.GET.get("unit", "").strip()[:100], plan_activity_id=plan_id)
    query = Query(request.GET.get("q", ""))
    page = None
    results = []
    if query:
        page = Paginator(search(query, filters), PER_PAGE).get_page(request.GET.get("page"))
        results = [(document, snippets(document.text, query)) for document in page]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "textsearch/search.html",
        {
            "query": query,
            "filters": filters,
            "years": years,
            "kinds": Kind.choices,
            "plans": plans,
            "page": page,
            "results": results,
            "not_extracted": list(not_extracted(filters)[:50]),
            "params": params.urlencode(),
        },
    )
