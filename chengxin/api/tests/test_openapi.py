"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI 3.1 and says what the server does: which writes
need an Idempotency-Key, which answers may be replays, which strings are times and dates. The times it types stay
the same text in every answer."""

import datetime as dt

import pytest
from django.test import Client
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from chengxin.api.tests.conftest import API, new_key
from chengxin.conftest import submitted_report
from chengxin.reporting.models import Report
from chengxin.units.models import Unit

GD = "/campaigns/2020/reports/440000"
WRITES = {
    ("put", "/api/v1/campaigns/{year}/reports/{unit_code}"),
    ("post", "/api/v1/campaigns/{year}/reports/{unit_code}/summary"),
    ("post", "/api/v1/campaigns/{year}/reports/{unit_code}/submit"),
    ("post", "/api/v1/campaigns/{year}/reports/{unit_code}/return"),
    ("post", "/api/v1/campaigns/{year}/reports/{unit_code}/accept"),
}


@pytest.fixture
def document(campaign) -> dict:
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def _schema_of(document: dict, name: str) -> dict:
    return document["components"]["schemas"][name]


def _formats(schema: dict) -> set[str]:
    """The formats a property may have (directly, or in one branch of anyOf: a nullable time)."""
    branches = schema.get("anyOf", [schema])
    return {b["format"] for b in branches if "format" in b}


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in OpenAPIV31SpecValidator(document).iter_errors()
    ]
    assert errors == [], f"{len(errors)} error(s):\n" + "\n".join(errors[:50])
    validate(document)  # the library's own entry point (detects the version), raises on the first error


def test_path_parameters_give_one_example_each(document):
    for _method, _path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            assert not isinstance(parameter.get("examples"), list), parameter
            if parameter["in"] == "path":
                assert "example" in parameter, parameter
    report = document["paths"]["/api/v1/campaigns/{year}/reports/{unit_code}"]["get"]
    assert {p["name"]: p["example"] for p in report["parameters"]} == {"year": 2020, "unit_code": "440000"}


def test_idempotency_key_is_required_on_posts_and_optional_on_put(document):
    declared = {}
    for method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "Idempotency-Key":
                assert parameter["in"] == "header"
                assert parameter["schema"]["maxLength"] == 255
                declared[(method, path)] = parameter["required"]
    assert set(declared) == WRITES
    assert all(required == (method == "post") for (method, _path), required in declared.items()), declared
    # every operation that writes is one of them
    assert {(m, p) for m, p, _op in _operations(document) if m != "get"} == WRITES


def test_the_writes_that_can_replay_declare_idempotent_replayed(document):
    for method, path, operation in _operations(document):
        headers = operation["responses"]["200"].get("headers", {})
        if (method, path) in WRITES:
            assert headers["Idempotent-Replayed"]["schema"] == {"type": "string", "enum": ["true"]}
        else:
            assert "Idempotent-Replayed" not in headers


def test_times_are_date_time_and_dates_are_date(document):
    schemas = document["components"]["schemas"]
    times, dates = [], []
    for name, schema in schemas.items():
        for prop, details in schema.get("properties", {}).items():
            if prop.endswith("_at"):
                times.append((name, prop))
                assert _formats(details) == {"date-time"}, (name, prop, details)
            elif prop.endswith("_date") or prop in ("period_start", "period_end", "deadline"):
                dates.append((name, prop))
                assert _formats(details) == {"date"}, (name, prop, details)
    assert ("ReportOut", "submitted_at") in times
    assert ("CompletenessItemOut", "submitted_at") in times
    assert ("CommitmentOut", "signed_at") in times
    assert ("CampaignSummaryOut", "deadline") in dates
    assert ("ActivityOut", "start_date") in dates
    assert _schema_of(document, "ReportOut")["properties"]["submitted_at"]["anyOf"][1] == {"type": "null"}


def test_times_keep_their_text_whether_answered_or_replayed(campaign, alice, as_alice, as_carol, as_dave):
    """Typed times change nothing in the JSON: the answer of a write (stored as it was sent, and replayed), a
    later read (through the schemas) and the completeness list all write `isoformat()`, microseconds and offset
    included."""
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    at = dt.datetime(2020, 11, 20, 3, 4, 5, 67, tzinfo=dt.UTC)  # DjangoJSONEncoder would write …05.000Z
    Report.objects.filter(unit__code="440000", campaign=campaign).update(submitted_at=at)
    text = "2020-11-20T03:04:05.000067+00:00"

    read = as_alice.get(GD).json()
    assert read["submitted_at"] == text

    key = new_key()
    accepted = as_carol.post(GD + "/accept", {}, key=key)
    replayed = as_carol.post(GD + "/accept", {}, key=key)
    assert replayed["Idempotent-Replayed"] == "true"
    assert accepted.json()["submitted_at"] == replayed.json()["submitted_at"] == text
    assert as_alice.get(GD).json() == replayed.json()

    units = {u["code"]: u for u in as_dave.get("/campaigns/2020/completeness").json()}
    assert units["440000"]["submitted_at"] == text

    summary = next(c for c in Client().get(API + "/campaigns").json() if c["year"] == 2020)
    assert summary["deadline"] == campaign.deadline.isoformat() == "2020-11-25"
    assert summary["totals_published_at"] is None
