"""The menu says where work waits (site/context_processors.py): reports waiting for review, commitments, cases
and index releases waiting for moderation, each linked, for the roles that do that work; the counts follow every
change."""

import re

import pytest
from django.urls import reverse

from chengxin.commitments.models import Status as CommitmentStatus
from chengxin.commitments.services import commitment_publish
from chengxin.commitments.tests.factories import make_commitment
from chengxin.conftest import submitted_report
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


def _menu(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("campaigns:overview", kwargs={"year": 2020})).content.decode()
    return re.split(r"<nav[^>]*>", page)[1].split("</nav>")[0]


def _badge(menu: str, href: str) -> str | None:
    link = re.search(rf'<a href="{re.escape(href)}">([^<]*)(<span class="badge"[^>]*>(\d+)</span>)?</a>', menu)
    assert link, f"no menu link to {href}"
    return link.group(3)


def test_the_ministry_sees_moderation_and_review_waiting_with_counts(client, campaign, carol, bob, dave):
    moderate = reverse("commitments:moderate", kwargs={"year": 2020})
    completeness = reverse("analytics:completeness", kwargs={"year": 2020})
    menu = _menu(client, carol)
    assert _badge(menu, moderate) is None and _badge(menu, completeness) is None  # nothing waits: no badge

    pending = make_commitment(campaign, name="深圳诚信商贸有限公司", status=CommitmentStatus.PENDING)
    make_commitment(campaign, name="广州守信百货有限公司", status=CommitmentStatus.PENDING)
    submitted_report(campaign, Unit.objects.get(code="110000"), bob)
    menu = _menu(client, carol)
    assert _badge(menu, moderate) == "2"
    assert _badge(menu, completeness) == "1"
    assert _badge(menu, reverse("portal:case_moderate")) is None

    commitment_publish(commitment=pending, acting_user=dave)
    assert _badge(_menu(client, carol), moderate) == "1"  # the count follows at once


def test_a_province_sees_its_cities_waiting_and_a_reporter_no_moderation(client, campaign, tree, alice, bob):
    submitted_report(campaign, tree["frank"].unit, tree["frank"])  # 广州市 submits to 广东省
    menu = _menu(client, alice)
    assert _badge(menu, reverse("analytics:dashboard_unit", kwargs={"year": 2020, "unit_code": "440000"})) == "1"
    assert "commitments/2020/moderate/" not in menu and "cases/moderate/" not in menu
    assert "moderate" not in _menu(client, bob)


def test_the_ministry_sees_index_releases_waiting(client, campaign, bob, carol):
    from chengxin.indices.services import release_publish
    from chengxin.indices.tests.builders import csv_bytes, make_index, make_release, monthly_rows

    moderate = reverse("indices:moderate")
    assert _badge(_menu(client, carol), moderate) is None
    release = make_release(make_index(bob, code="bj-price"), bob, csv_bytes(monthly_rows(regions=("110000",))))
    assert _badge(_menu(client, carol), moderate) == "1"
    release_publish(release=release, acting_user=carol)
    assert _badge(_menu(client, carol), moderate) is None  # the count follows at once
