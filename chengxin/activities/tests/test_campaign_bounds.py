"""Activities belong to their campaign (issue 17): held within the campaign's period, give or take the campaign's
grace, and, for a provincial unit or a unit under one, within its own province; national bodies may hold one
anywhere. A refusal names its field, on the form too, and nothing is saved."""

import datetime as dt

import pytest
from django.urls import reverse

from chengxin.activities import bounds, services
from chengxin.activities.models import Activity
from chengxin.activities.tests.factories import create, raw
from chengxin.campaigns.models import Participant
from chengxin.core.errors import DomainError
from chengxin.units.models import Role, Unit, UnitKind
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(exc: DomainError) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


def _refused(*args, **kwargs) -> dict[str, str]:
    """The refusal of `create(*args, **kwargs)` by field; nothing was saved."""
    before = Activity.objects.count()
    with pytest.raises(DomainError) as caught:
        create(*args, **kwargs)
    assert Activity.objects.count() == before
    return _fields(caught.value)


def _city_reporter(campaign, code: str, name: str, *, region_code: str):
    """The reporter of a city under 广东省 that takes part in the campaign."""
    city = Unit.objects.create(
        code=code,
        name=name,
        short_name=name,
        kind=UnitKind.CITY,
        parent=Unit.objects.get(code="440000"),
        region_code=region_code,
    )
    Participant.objects.create(campaign=campaign, unit=city)
    return UserFactory(username=f"reporter-{code}", unit=city, role=Role.UNIT_REPORTER)


# --- Dates ---------------------------------------------------------------------------------------------------


def test_the_2020_campaign_is_october_2020(campaign):
    assert (campaign.period_start, campaign.period_end) == (dt.date(2020, 10, 1), dt.date(2020, 10, 31))
    assert bounds.DEFAULT_GRACE_DAYS == 0
    assert bounds.allowed_dates(campaign) == (dt.date(2020, 10, 1), dt.date(2020, 10, 31))


def test_an_activity_of_2019_is_refused_in_the_2020_campaign_naming_the_start_date(campaign, alice):
    fields = _refused(campaign, alice, start_date="2019-01-01", end_date="2020-10-02")
    assert fields == {"start_date": "开始日期 2019-01-01 不在本年度活动期间（2020-10-01 至 2020-10-31）内"}


def test_an_end_date_after_the_period_is_refused_naming_the_end_date(campaign, alice):
    fields = _refused(campaign, alice, start_date="2020-10-30", end_date="2020-11-01")
    assert fields == {"end_date": "结束日期 2020-11-01 不在本年度活动期间（2020-10-01 至 2020-10-31）内"}


def test_an_activity_wholly_after_the_period_names_both_dates(campaign, alice):
    fields = _refused(campaign, alice, start_date="2021-01-05", end_date="2021-01-06")
    assert set(fields) == {"start_date", "end_date"}


def test_an_activity_on_the_edges_of_the_period_is_accepted(campaign, alice):
    activity = create(campaign, alice, start_date="2020-10-01", end_date="2020-10-31")
    assert (activity.start_date, activity.end_date) == (dt.date(2020, 10, 1), dt.date(2020, 10, 31))


def test_a_day_before_or_after_the_period_is_refused_without_a_grace(campaign, alice):
    assert set(_refused(campaign, alice, start_date="2020-09-30", end_date="2020-10-01")) == {"start_date"}
    assert set(_refused(campaign, alice, start_date="2020-10-31", end_date="2020-11-01")) == {"end_date"}


def test_the_start_after_the_end_is_still_refused(campaign, alice):
    assert _refused(campaign, alice, start_date="2020-10-20", end_date="2020-10-19") == {
        "end_date": "结束日期不能早于开始日期"
    }


def test_dates_within_the_campaigns_grace_are_accepted(campaign, alice):
    campaign.activity_grace_days = 7
    activity = create(campaign, alice, start_date="2020-09-24", end_date="2020-11-07")
    assert (activity.start_date, activity.end_date) == (dt.date(2020, 9, 24), dt.date(2020, 11, 7))


def test_dates_beyond_the_grace_are_refused_and_the_message_states_the_grace(campaign, alice):
    campaign.activity_grace_days = 7
    fields = _refused(campaign, alice, start_date="2020-09-23", end_date="2020-11-08")
    assert fields["start_date"] == (
        "开始日期 2020-09-23 不在本年度活动期间（2020-10-01 至 2020-10-31，前后各可宽限 7 天，"
        "即 2020-09-24 至 2020-11-07）内"
    )
    assert fields["end_date"].startswith("结束日期 2020-11-08 不在本年度活动期间")


def test_an_edit_that_moves_the_activity_out_of_the_period_is_refused_and_changes_nothing(campaign, alice):
    activity = create(campaign, alice)
    with pytest.raises(DomainError) as caught:
        services.activity_update(activity=activity, raw=raw(start_date="2019-01-01"), acting_user=alice)
    assert set(_fields(caught.value)) == {"start_date"}
    activity.refresh_from_db()
    assert activity.start_date == dt.date(2020, 10, 10)


# --- Place -------------------------------------------------------------------------------------------------


def test_a_guangdong_activity_in_beijing_is_refused_naming_the_place(campaign, alice):
    fields = _refused(campaign, alice, region_code="110000")
    assert fields == {
        "region_code": "活动所在地 110000（北京市）不在本单位所在地区（广东省）内，请填写广东省内的行政区划代码"
    }


def test_a_guangdong_activity_in_guangzhou_or_shenzhen_is_accepted(campaign, alice):
    assert create(campaign, alice, region_code="440100").region_code == "440100"
    assert create(campaign, alice, region_code="440300").region_code == "440300"


def test_a_left_out_region_is_the_units_own(campaign, alice):
    assert create(campaign, alice, region_code="").region_code == "440000"


def test_national_bodies_and_the_ministry_place_anywhere(campaign, erin, dave):
    assert create(campaign, erin, "GACC", region_code="110000").region_code == "110000"
    assert create(campaign, erin, "GACC", region_code="650000").region_code == "650000"
    assert create(campaign, dave, "MOFCOM", region_code="310000").region_code == "310000"


def test_the_national_admin_acting_for_a_province_keeps_to_its_province(campaign, dave):
    fields = _refused(campaign, dave, "440000", region_code="310000")
    assert "不在本单位所在地区（广东省）内" in fields["region_code"]


def test_a_planned_city_places_within_its_province(campaign, dave):
    assert create(campaign, dave, "440300", region_code="440305").region_code == "440305"
    assert "（广东省）" in _refused(campaign, dave, "440300", region_code="350200")["region_code"]


def test_the_corps_places_in_xinjiang(campaign, dave):
    corps = Unit.objects.get(kind=UnitKind.CORPS)
    assert create(campaign, dave, corps.code, region_code="659001").region_code == "659001"
    fields = _refused(campaign, dave, corps.code, region_code="440100")
    assert "不在本单位所在地区（新疆维吾尔自治区）内" in fields["region_code"]


def test_a_city_under_a_province_places_within_the_province(campaign):
    reporter = _city_reporter(campaign, "440100", "广州市商务局", region_code="440100")
    assert create(campaign, reporter, "440100", region_code="440106").unit == reporter.unit
    assert "（广东省）" in _refused(campaign, reporter, "440100", region_code="110000")["region_code"]


def test_a_city_entered_without_a_region_code_holds_its_activities_in_its_province(campaign):
    reporter = _city_reporter(campaign, "440600", "佛山市商务局", region_code="")
    assert create(campaign, reporter, "440600", region_code="").region_code == "440000"
    assert create(campaign, reporter, "440600", region_code="440604").region_code == "440604"
    assert "（广东省）" in _refused(campaign, reporter, "440600", region_code="110000")["region_code"]


def test_an_online_activity_keeps_to_the_province_too(campaign, alice):
    online = {"mode": "online", "meeting_sessions": "0", "meeting_attendance": "0"}
    assert set(_refused(campaign, alice, region_code="110000", **online)) == {"region_code"}
    assert create(campaign, alice, region_code="", **online).region_code == "440000"


def test_an_edit_that_moves_the_activity_to_another_province_is_refused(campaign, alice):
    activity = create(campaign, alice)
    with pytest.raises(DomainError) as caught:
        services.activity_update(activity=activity, raw=raw(region_code="110000"), acting_user=alice)
    assert set(_fields(caught.value)) == {"region_code"}
    activity.refresh_from_db()
    assert activity.region_code == "440100"


# --- On the form -------------------------------------------------------------------------------------------


def url(name: str, **kwargs) -> str:
    return reverse(f"activities:{name}", kwargs={"year": 2020, **kwargs})


def test_the_form_shows_each_refusal_at_its_field_and_saves_nothing(client, campaign, alice):
    client.force_login(alice)
    response = client.post(url("create"), raw(start_date="2019-01-01", region_code="110000"))
    page = response.content.decode()
    assert response.status_code == 422
    assert (
        '<p class="cell-msg cell-error" id="start_date-error">'
        "开始日期 2019-01-01 不在本年度活动期间（2020-10-01 至 2020-10-31）内</p>"
    ) in page
    assert '<p class="cell-msg cell-error" id="region_code-error">活动所在地 110000（北京市）' in page
    assert 'value="2019-01-01"' in page  # what was typed is kept
    assert not Activity.objects.exists()


def test_the_edit_form_refuses_a_date_out_of_the_period_and_changes_nothing(client, campaign, alice):
    activity = create(campaign, alice)
    client.force_login(alice)
    response = client.post(url("edit", pk=activity.pk), raw(end_date="2020-12-01", title="改名"))
    assert response.status_code == 422
    assert 'id="end_date-error">结束日期 2020-12-01 不在本年度活动期间' in response.content.decode()
    activity.refresh_from_db()
    assert activity.end_date == dt.date(2020, 10, 10) and activity.title != "改名"


def test_the_form_states_the_period(client, campaign, alice):
    client.force_login(alice)
    page = client.get(url("create")).content.decode()
    assert "活动日期须在本年度活动期间（2020-10-01 至 2020-10-31）内" in page
