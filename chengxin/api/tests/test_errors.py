"""Every error is JSON in one shape, with a 4xx code, whatever the input; the document and the docs page."""

import json
import re

import pytest
from django.test import Client

from chengxin.api.tests.conftest import API, new_key
from chengxin.reporting.models import Report

GD = "/campaigns/2020/reports/440000"


def _is_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(set(e) == {"field", "message"} for e in body["errors"])
    return body


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b'{"version": 0, "values": {}',
        b"[1, 2",
        b'{"version": 1' + b"9" * 5000 + b', "values": {}}',
    ],
)
def test_a_body_that_is_not_json_is_400(as_alice, raw):
    body = _is_error(as_alice.put(GD, raw=raw), 400)
    assert "JSON" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "version"),
        ({"version": "abc", "values": {}}, "version"),
        ({"version": -1, "values": {}}, "version"),
        ({"version": 2**40, "values": {}}, "version"),
        ({"version": 0, "values": []}, "values"),
        ({"version": 0, "values": {"tv_news": [1]}}, "values.tv_news"),
        ({"version": 0, "values": {"tv_news": {"a": 1}}}, "values.tv_news"),
        ({"version": 0, "values": {"tv_news": True}}, "values.tv_news"),
        ({"version": 0, "values": {"tv_news": "x" * 3000}}, "values.tv_news"),
        ({"version": 0, "values": {"tv_news": "12\x00"}}, "values.tv_news"),
        ({"version": 0, "values": {"material_methods": "展板\ud800"}}, "values.material_methods"),
        ({"version": 0, "values": {"\udfff": "1"}}, "values"),
        ({"version": 0, "values": {}, "explanations": {"coverage": "说明\udc00"}}, "explanations.coverage"),
        ({"version": 0, "values": {"": "1"}}, "values"),
        ({"version": 0, "values": {"k" * 101: "1"}}, "values"),
        ({"version": 0, "values": {}, "explanations": {"coverage": "\x00"}}, "explanations.coverage"),
        ([1, 2, 3], ""),
        ("just a string", ""),
        (None, ""),
    ],
)
def test_wrong_types_and_sizes_are_422_naming_the_field(as_alice, payload, field):
    # json.dumps writes a lone surrogate as the escape \ud800, which JSON parsers turn back into one.
    body = _is_error(as_alice.put(GD, raw=json.dumps(payload).encode()), 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body
    assert not Report.objects.filter(unit__code="440000").exists()


@pytest.mark.parametrize(
    "value",
    [10**30, -(10**30), 1e308, float("inf"), float("nan"), -0.5, 1.5, "1e999", "９" * 40, "١٢٣", "🙂", "12\u202e34"],
)
def test_odd_numbers_are_422_for_the_cell_never_500(as_alice, value):
    raw = json.dumps({"version": 0, "values": {"tv_news": value}}).encode()
    body = _is_error(as_alice.put(GD, raw=raw), 422)
    assert body["errors"][0]["field"] in ("tv_news", "values.tv_news")


def test_text_figures_take_any_unicode(as_alice):
    response = as_alice.put(GD, {"version": 0, "values": {"material_methods": "展板、手册、🙂、العربية"}})
    assert response.status_code == 200
    assert response.json()["values"]["material_methods"] == "展板、手册、🙂、العربية"


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/99999999999999999999/form",
        "/campaigns/abc/form",
        "/campaigns/-1/form",
        "/campaigns/2020/reports/" + "4" * 50,
        "/campaigns/2020/reports/%00",
        "/campaigns/2020/reports/%E5%B9%BF%E4%B8%9C",
    ],
)
def test_odd_addresses_are_a_json_4xx(as_dave, path):
    response = as_dave.get(path)
    assert 400 <= response.status_code < 500
    _is_error(response, response.status_code)


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": "x"}, {"per_page": 10**9}, {"page": 10**30}],
)
def test_odd_paging_is_422(as_anonymous, params):
    _is_error(as_anonymous.get("/campaigns/2020/activities", params), 422)


def test_a_body_over_the_request_size_limit_is_400(as_alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = json.dumps({"version": 0, "values": {"material_methods": "展板" * 1000}}).encode()
    _is_error(as_alice.put(GD, raw=raw), 400)


def test_an_address_that_is_no_endpoint_is_a_json_404(as_alice):
    _is_error(as_alice.get("/no/such/thing"), 404)
    _is_error(Client().get(API + "/campaigns/"), 404)


def test_a_method_an_endpoint_does_not_have_is_a_json_405(as_alice):
    response = as_alice.client.delete(API + GD, headers={"Authorization": f"Bearer {as_alice.token}"})
    _is_error(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PUT"}


def test_an_overlong_reason_is_422(as_carol):
    _is_error(as_carol.post(GD + "/return", {"reason": "退" * 2001}, key=new_key()), 422)


def test_an_overlong_idempotency_key_is_refused(as_alice):
    response = as_alice.post(GD + "/submit", {}, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code in (400, 422)
    _is_error(response, response.status_code)


# --- the document and the interactive docs ------------------------------------------------------------------


def test_openapi_document_describes_both_ways_to_authenticate(campaign):
    document = Client().get(API + "/openapi.json").json()
    assert document["info"]["title"] == "诚信兴商宣传月活动管理平台 API"
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    put = document["paths"]["/api/v1/campaigns/{year}/reports/{unit_code}"]["put"]
    assert {"409", "422"} <= set(put["responses"])
    assert "Idempotency-Key" in [p["name"] for p in put["parameters"]]
    assert "security" not in document["paths"]["/api/v1/campaigns"]["get"]  # public


def test_the_apis_root_leads_to_the_docs(campaign):
    response = Client().get(API + "/")
    assert response.status_code == 302
    assert response.url == API + "/docs"


def test_docs_page_uses_ninjas_own_static_files_not_a_cdn(campaign):
    html = Client().get(API + "/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower()
    assert "/api/v1/openapi.json" in html
