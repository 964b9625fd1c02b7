"""The reads: the pre-fill sums of a unit's published activities, and the lead body's view across units."""

import datetime as dt

import pytest

from chengxin.activities import services
from chengxin.activities.models import Activity, ActivityOutputValue
from chengxin.activities.selectors import (
    activities_for_lead_body,
    activities_published,
    activity_suggested_figures,
)
from chengxin.activities.tests.factories import create, published
from chengxin.campaigns.models import Campaign
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

EXPECTED_CODES = {
    "meeting_sessions",
    "meeting_attendance",
    "print_news",
    "tv_news",
    "radio_broadcasts",
    "web_news",
    "videos",
    "live_sessions",
    "live_viewers",
}


def test_suggested_figures_sum_only_the_units_published_activities_of_the_campaign(campaign, alice, bob):
    published(
        campaign,
        alice,
        meeting_sessions="2",
        meeting_attendance="600",
        web_news="12",
        live_viewers="1.2万",
        radio_broadcasts="1",
    )
    published(
        campaign,
        alice,
        meeting_sessions="1",
        meeting_attendance="150",
        web_news="3",
        live_viewers="800",
        radio_broadcasts="0",
    )
    create(campaign, alice, meeting_sessions="50", meeting_attendance="5000")  # a draft: not counted
    withdrawn = published(campaign, alice, web_news="1000")
    services.activity_withdraw(activity=withdrawn, acting_user=alice)  # withdrawn: not counted
    published(campaign, bob, "110000", region_code="110000", web_news="500")  # another unit
    other_year = Campaign.objects.create(
        year=2021,
        title="2021年诚信兴商宣传月",
        theme="诚信",
        period_start=dt.date(2021, 10, 1),
        period_end=dt.date(2021, 10, 31),
        notice_date=dt.date(2021, 9, 1),
        deadline=dt.date(2021, 11, 25),
    )
    elsewhere = Activity.objects.create(
        campaign=other_year,
        unit=Unit.objects.get(code="440000"),
        title="2021年的活动",
        start_date=dt.date(2021, 10, 1),
        end_date=dt.date(2021, 10, 1),
        region_code="440000",
        status="published",
        published_at=dt.datetime(2021, 10, 2, tzinfo=dt.UTC),
        created_by=alice,
    )
    ActivityOutputValue.objects.create(activity=elsewhere, code="web_news", value=700)

    suggested = activity_suggested_figures(campaign, Unit.objects.get(code="440000"))

    assert set(suggested) == EXPECTED_CODES  # people_reached, consultations, material_* are not derivable
    assert suggested["meeting_sessions"] == 3
    assert suggested["meeting_attendance"] == 750
    assert suggested["web_news"] == 15
    assert suggested["live_viewers"] == 12800
    assert suggested["radio_broadcasts"] == 1
    assert suggested["print_news"] == 6  # 3 + 3 from the factory's defaults
    assert suggested["live_sessions"] == 2


def test_suggested_figures_are_zero_for_a_unit_without_published_activities(campaign, alice):
    create(campaign, alice)
    suggested = activity_suggested_figures(campaign, Unit.objects.get(code="440000"))
    assert suggested == dict.fromkeys(EXPECTED_CODES, 0)


def test_lead_body_sees_published_activities_across_units_and_only_counts_drafts(campaign, alice, bob):
    guangdong = published(campaign, alice, plan_activity="8", title="广东进出口企业诚信宣讲")
    beijing = published(campaign, bob, "110000", region_code="110000", plan_activity="8", title="北京海关开放日")
    create(campaign, alice, plan_activity="8", title="广东草稿")
    published(campaign, alice, plan_activity="9", title="依法诚信纳税宣讲")  # led by 税务总局
    published(campaign, alice, title="广东自办活动")  # a local activity

    view = activities_for_lead_body(campaign, Unit.objects.get(code="GACC"))

    assert {a.pk for a in view["activities"]} == {guangdong.pk, beijing.pk}
    assert view["draft_count"] == 1
    assert [(u.code, n) for u, n in view["drafts_by_unit"]] == [("440000", 1)]
    assert activities_for_lead_body(campaign, Unit.objects.get(code="GACC"), number=1)["activities"] == []


def test_the_public_list_holds_published_activities_only(campaign, alice):
    shown = published(campaign, alice, plan_activity="8")
    create(campaign, alice, title="草稿")
    rows = list(activities_published(campaign))
    assert [a.pk for a in rows] == [shown.pk]
    assert rows[0].unit.code == "440000" and rows[0].plan_activity.number == 8
    assert rows[0].region_code == "440100" and rows[0].get_mode_display() == "线下"
