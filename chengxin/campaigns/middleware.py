"""A campaign being prepared (筹备中) is the national administrators' alone: every page, download and API route
of its year answers 404 to anyone else, as for a year that was never created. One check for every URL that
names a year (`year` in its path), so that no page can forget it."""

from django.http import Http404

from chengxin.campaigns.selectors import campaign_hidden_from


class PreparingCampaignMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        year = view_kwargs.get("year")
        if year is None:
            return None
        try:
            year = int(year)
        except (TypeError, ValueError):
            return None
        if campaign_hidden_from(year, getattr(request, "user", None)):
            raise Http404
        return None
