"""Public pages: no login. The campaign page shows the notice's content and the published national totals."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from chengxin.campaigns.selectors import campaign_current, campaign_get, campaign_overview
from chengxin.portal.selectors import published_totals


@require_GET
def newest(request):
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    return redirect("portal:campaign", year=campaign.year)


@require_GET
def campaign_page(request, year: int):
    campaign = campaign_get(year)
    return render(
        request,
        "portal/campaign.html",
        {"campaign": campaign, "published": published_totals(campaign), **campaign_overview(campaign)},
    )
