"""The statistics table pre-filled from the unit's published activities: suggested sums beside what is typed,
the reporter decides, and the reviewer sees the same difference."""

import pytest
from django.urls import reverse

from chengxin.activities.tests.factories import create, published
from chengxin.conftest import submitted_report

pytestmark = pytest.mark.django_db


def _row(html: str, code: str) -> str:
    start = html.index(f'data-code="{code}" data-suggested=')
    return html[start : html.index("</tr>", start)]


def test_entry_page_suggests_sums_of_published_activities_and_keeps_what_was_typed(client, campaign, alice):
    published(campaign, alice, title="启动仪式", tv_news="1", meeting_sessions="2", meeting_attendance="600")
    published(campaign, alice, title="进社区", tv_news="4", meeting_sessions="3", meeting_attendance="400")
    create(campaign, alice, title="草稿活动", tv_news="50")  # a draft is not counted
    client.force_login(alice)
    url = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
    html = client.get(url).content.decode()
    assert 'data-code="tv_news" data-suggested="5"' in html
    assert 'data-code="meeting_attendance" data-suggested="1000"' in html
    assert "data-prefill-apply" in html  # the button; nothing is filled until the reporter presses it and saves
    from chengxin.reporting.models import FigureValue

    assert not FigureValue.objects.filter(report__unit=alice.unit).exists()


def test_reviewer_sees_the_difference_between_activities_and_the_table(client, campaign, alice, carol):
    published(campaign, alice, tv_news="5")
    submitted_report(campaign, alice.unit, alice)  # the table says tv_news = 3
    client.force_login(carol)
    html = client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})).content.decode()
    row = _row(html, "tv_news")
    assert 'data-suggested="5"' in row and "−2" in row
    assert "data-prefill-apply" not in html  # read-only for the reviewer


def test_a_unit_without_published_activities_gets_no_suggestion_table(client, campaign, alice, carol):
    create(campaign, alice, tv_news="5")  # a draft only
    submitted_report(campaign, alice.unit, alice)
    client.force_login(carol)
    html = client.get(reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})).content.decode()
    assert 'id="prefill"' not in html
