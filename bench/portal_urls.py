"""The public pages benchmark's URL configuration (ROOT_URLCONF of bench.portal_settings): the whole product
(chengxin.urls) plus `GET /__bench/constant/`, a Django view answering a constant. bench/wsgi.py serves every path
under /__bench/ with Django and no middleware at all (URL resolution, the view, the response), and everything else
as the product does (every middleware): so the constant is the bare baseline, served by the same server processes,
behind the same nginx, in the same run as the public pages."""

from django.http import HttpResponse
from django.urls import include, path

CONSTANT = b"ok"


def constant(request):
    return HttpResponse(CONSTANT, content_type="text/plain")


urlpatterns = [
    path("__bench/constant/", constant),
    path("", include("chengxin.urls")),
]
