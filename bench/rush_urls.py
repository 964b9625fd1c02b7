"""The rush benchmark's URL configuration: the whole product (chengxin.urls) plus `POST /bench/one-row/`, a bare
Django view that writes one row into the bench's own table (created by `bench.rush_bench setup`, not a model of the
product). It is the baseline the API's submissions are compared with: same server, same middleware, same
database, one INSERT in its own transaction."""

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

BENCH_TABLE = "bench_one_row"


@csrf_exempt
def one_row(request):
    """Store the request body as one row; answer 201."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BENCH_TABLE} (body) VALUES (%s)", [request.body.decode()])
    return HttpResponse(b'{"ok": true}', status=201, content_type="application/json")


urlpatterns = [
    path("bench/one-row/", one_row),
    path("", include("chengxin.urls")),
]
