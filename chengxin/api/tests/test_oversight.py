"""National totals and completeness: the same numbers as the `totals` / `completeness` commands, for the people
the web pages show them to."""

import io
import json

import pytest
from django.core.management import call_command

from chengxin.api.tests.conftest import ApiClient, new_key, token_of
from chengxin.conftest import figures_times, submitted_report
from chengxin.units.models import Unit


@pytest.fixture
def reported(campaign, alice, bob):
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    submitted_report(campaign, Unit.objects.get(code="110000"), bob, figures_times(2))


def _command(name: str, *args) -> object:
    out = io.StringIO()
    call_command(name, "--campaign", "2020", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("status", ["submitted", "accepted", "all"])
def test_totals_are_those_of_the_command(reported, as_carol, status):
    response = as_carol.get("/campaigns/2020/totals", {"status": status})
    assert response.status_code == 200
    assert response.json() == _command("totals", "--status", status)


def test_totals_count_submitted_reports_by_default(reported, as_dave):
    body = as_dave.get("/campaigns/2020/totals").json()
    assert body["meeting_sessions"] == 12 + 24
    assert body["material_methods"] == {"展板": 2, "手册": 2}
    assert as_dave.get("/campaigns/2020/totals", {"status": "accepted"}).json()["meeting_sessions"] == 0


def test_totals_refuse_an_unknown_scope(as_carol):
    response = as_carol.get("/campaigns/2020/totals", {"status": "everything"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


@pytest.mark.parametrize("persona", ["as_alice", "as_erin"])
def test_units_do_not_see_national_totals(request, reported, persona):
    assert request.getfixturevalue(persona).get("/campaigns/2020/totals").status_code == 404


def test_totals_need_an_account(as_anonymous):
    assert as_anonymous.get("/campaigns/2020/totals").status_code == 401


def test_completeness_is_that_of_the_command(reported, as_carol):
    response = as_carol.get("/campaigns/2020/completeness")
    assert response.status_code == 200
    assert response.json() == _command("completeness")
    statuses = {u["code"]: u["status"] for u in response.json()}
    assert statuses["440000"] == statuses["110000"] == "submitted"
    assert statuses["310000"] == "not_started"


def test_completeness_follows_a_review(reported, as_carol):
    as_carol.post("/campaigns/2020/reports/110000/return", {"reason": "请核对"}, key=new_key())
    statuses = {u["code"]: u["status"] for u in as_carol.get("/campaigns/2020/completeness").json()}
    assert statuses["110000"] == "returned"


def test_a_unit_sees_the_completeness_of_its_sub_units_only(tree, campaign, as_carol):
    submitted_report(campaign, tree["guangzhou"], tree["frank"])
    alice = ApiClient(token_of(tree["alice"]))
    response = alice.get("/campaigns/2020/completeness", {"under": "440000"})
    assert response.status_code == 200
    assert response.json() == _command("completeness", "--under", "440000")
    assert {u["code"]: u["status"] for u in response.json()} == {"440100": "submitted", "440600": "not_started"}
    assert as_carol.get("/campaigns/2020/completeness", {"under": "440000"}).status_code == 200
    assert alice.get("/campaigns/2020/completeness").status_code == 404  # the national list is the ministry's
    assert ApiClient(token_of(tree["gina"])).get("/campaigns/2020/completeness", {"under": "440000"}).status_code == 404


def test_completeness_under_another_province_is_404(as_bob):
    assert as_bob.get("/campaigns/2020/completeness", {"under": "440000"}).status_code == 404
    assert as_bob.get("/campaigns/2020/completeness", {"under": "NOSUCH"}).status_code == 404
