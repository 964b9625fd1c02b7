"""The bench's URL configuration: the whole product (chengxin.urls) plus one bare Django view answering a constant,
so that the product's public pages and the baseline are served by the same server in the same run."""

from django.http import HttpResponse
from django.urls import include, path


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("__bench/constant/", constant),
    path("", include("chengxin.urls")),
]
