"""The reporting hierarchy: a province reviews its cities, a city its counties; what a unit sends up is its own
figures plus its accepted sub-units' roll-ups; and nothing sent up goes silently out of date."""

import datetime as dt

import pytest
from django.urls import reverse

from chengxin.analytics.selectors import completeness, completeness_timeline, rollup, totals, unit_breakdown
from chengxin.conftest import VALID_VALUES, figures_times, submitted_report
from chengxin.core.errors import DomainError
from chengxin.reporting import services
from chengxin.reporting.models import Report, Status

pytestmark = pytest.mark.django_db

NUMBER_CODES = [code for code, value in VALID_VALUES.items() if isinstance(value, int)]


def _times(factor: int) -> dict[str, int]:
    return {code: VALID_VALUES[code] * factor for code in NUMBER_CODES}


@pytest.fixture
def rolled(campaign, tree):
    """天河区 (×1) accepted by 广州市; 广州市 (×10 own) accepted by 广东省; 佛山市 (×100) submitted, not yet
    reviewed; 广东省 (×1000 own) submitted to the ministry."""
    t = tree
    tianhe = submitted_report(campaign, t["tianhe"], t["hank"], figures_times(1))
    services.report_accept(report=tianhe, acting_user=t["frank"])
    guangzhou = submitted_report(campaign, t["guangzhou"], t["frank"], figures_times(10))
    services.report_accept(report=guangzhou, acting_user=t["alice"])
    t["foshan_report"] = submitted_report(campaign, t["foshan"], t["gina"], figures_times(100))
    t["guangdong_report"] = submitted_report(campaign, t["guangdong"], t["alice"], figures_times(1000))
    return t


def test_province_rollup_is_own_figures_plus_accepted_sub_units(campaign, rolled):
    breakdown = unit_breakdown(campaign, rolled["guangdong"])
    assert breakdown.own == _times(1000)
    # 广州市's part carries its own figures and its accepted county's: 10 + 1.
    assert [(unit.code, values) for unit, values in breakdown.parts] == [("440100", _times(11))]
    assert breakdown.total == _times(1011)
    # 佛山市 is submitted but not accepted: shown as not counted, with its status.
    assert [(unit.code, status) for unit, status in breakdown.not_counted] == [("440600", "已报送")]


def test_rollup_sums_equal_the_sum_of_the_sub_units(campaign, rolled):
    by_city = rollup(campaign, scope="submitted", under=rolled["guangdong"])
    assert by_city[rolled["guangzhou"].pk] == _times(11)
    assert by_city[rolled["foshan"].pk] == _times(100)  # submitted counts in the "submitted" view
    assert rollup(campaign, scope="accepted", under=rolled["guangdong"]) == {rolled["guangzhou"].pk: _times(11)}
    national = rollup(campaign, scope="submitted")
    assert national[rolled["guangdong"].pk] == unit_breakdown(campaign, rolled["guangdong"]).total


def test_national_totals_count_each_figure_once_through_the_hierarchy(campaign, rolled):
    result = totals(campaign, "submitted")
    for code in NUMBER_CODES:
        assert result[code] == VALID_VALUES[code] * 1011, code
    # The province is only submitted: accepted-only totals have nothing yet.
    assert totals(campaign, "accepted")["people_reached"] == 0
    # Methods are counted per unit whose table counts: 广东省, 广州市 and 天河区 each named 展板 and 手册.
    assert result["material_methods"] == {"展板": 3, "手册": 3}


def test_accepted_sub_unit_does_not_count_while_its_parent_is_a_draft_nationally(campaign, tree):
    tianhe = submitted_report(campaign, tree["tianhe"], tree["hank"], figures_times(1))
    services.report_accept(report=tianhe, acting_user=tree["frank"])
    # 广州市 has not been accepted by 广东省 (it has not even reported): 天河区 reaches no national total.
    assert totals(campaign, "all")["people_reached"] == 0
    assert rollup(campaign, scope="all", under=tree["guangzhou"]) == {tree["tianhe"].pk: _times(1)}


def test_accepting_a_sub_unit_after_the_parent_sent_its_rollup_up_is_refused(campaign, rolled, carol):
    foshan = rolled["foshan_report"]
    before = totals(campaign, "submitted")
    with pytest.raises(DomainError) as exc:
        services.report_accept(report=foshan, acting_user=rolled["alice"])
    assert exc.value.status == 409
    assert "广东省已向上级报送汇总数据" in exc.value.message and "退回" in exc.value.message
    assert Report.objects.get(pk=foshan.pk).status == Status.SUBMITTED
    assert totals(campaign, "submitted") == before
    # Once the ministry returns 广东省's report, the province may accept 佛山市, and its roll-up grows.
    services.report_return(report=rolled["guangdong_report"], reason="请汇总佛山市", acting_user=carol)
    services.report_accept(report=foshan, acting_user=rolled["alice"])
    assert unit_breakdown(campaign, rolled["guangdong"]).total == _times(1111)


def test_only_the_direct_parent_reviews_a_sub_unit(campaign, tree, carol, bob):
    report = submitted_report(campaign, tree["tianhe"], tree["hank"], figures_times(1))
    for user, status in ((tree["alice"], 403), (carol, 403), (bob, 404), (tree["gina"], 404), (tree["hank"], 403)):
        with pytest.raises(DomainError) as exc:
            services.report_accept(report=report, acting_user=user)
        assert exc.value.status == status, user
        assert "由上级单位广州市审核" in exc.value.message
    services.report_return(report=report, reason="请补充直播数据", acting_user=tree["frank"])
    assert Report.objects.get(pk=report.pk).status == Status.RETURNED


def test_province_reads_its_sub_units_reports_and_another_province_does_not(client, campaign, tree, bob):
    submitted_report(campaign, tree["tianhe"], tree["hank"], figures_times(1))
    url = reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440106"})
    client.force_login(tree["alice"])  # the province, two levels up: reads, does not review
    page = client.get(url)
    assert page.status_code == 200 and "天河区" in page.content.decode()
    assert 'value="accept"' not in page.content.decode()
    client.force_login(tree["frank"])  # the city: reviews
    assert 'value="accept"' in client.get(url).content.decode()
    client.force_login(bob)
    assert client.get(url).status_code == 404
    action = reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440106"})
    assert client.post(action, {"action": "accept"}).status_code == 404
    assert Report.objects.get(unit=tree["tianhe"]).status == Status.SUBMITTED


def test_province_entry_page_shows_the_breakdown(client, campaign, rolled):
    client.force_login(rolled["alice"])
    html = client.get(reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})).content.decode()
    assert "汇总构成" in html and "广州市" in html and "佛山市（已报送）" in html.replace("</a>", "")


def test_national_completeness_lists_units_reporting_to_the_ministry_and_a_province_its_own(campaign, rolled):
    national = completeness(campaign)
    assert "440100" not in [u.code for u in national.units]
    assert national.overall.expected == 55  # 37 provincial units and 18 bodies, as before
    province = completeness(campaign, under=rolled["guangdong"])
    assert [(u.code, u.status) for u in province.units] == [("440100", "accepted"), ("440600", "submitted")]


def test_timeline_counts_each_unit_from_its_first_submission(campaign, alice, bob):
    from chengxin.campaigns.models import end_of_day

    guangdong = submitted_report(campaign, alice.unit, alice)
    beijing = submitted_report(campaign, bob.unit, bob)
    deadline = campaign.deadline
    at = end_of_day(deadline - dt.timedelta(days=4)) - dt.timedelta(hours=3)
    Report.objects.filter(pk=guangdong.pk).update(first_submitted_at=at, submitted_at=at, status=Status.RETURNED)
    late = end_of_day(deadline + dt.timedelta(days=1)) - dt.timedelta(hours=1)
    Report.objects.filter(pk=beijing.pk).update(first_submitted_at=late, submitted_at=late, late=True)
    days = {d.day: d for d in completeness_timeline(campaign, today=deadline + dt.timedelta(days=30))}
    assert min(days) == deadline - dt.timedelta(days=14) and max(days) == deadline + dt.timedelta(days=14)
    before = days[deadline - dt.timedelta(days=5)]
    assert (before.on_time, before.late, before.missing) == (0, 0, 55)
    # Returned for correction afterwards, but it reported on time on that day.
    assert days[deadline - dt.timedelta(days=4)].on_time == 1
    assert (days[deadline].on_time, days[deadline].late) == (1, 0)
    after = days[deadline + dt.timedelta(days=1)]
    assert (after.on_time, after.late, after.missing) == (1, 1, 53)
    # Before the deadline, the chart stops today.
    assert max(d.day for d in completeness_timeline(campaign, today=deadline - dt.timedelta(days=2))) == (
        deadline - dt.timedelta(days=2)
    )


def test_returning_and_accepting_tell_the_unit_after_commit(campaign, tree, django_capture_on_commit_callbacks):
    from chengxin.notifications.models import Notice

    report = submitted_report(campaign, tree["tianhe"], tree["hank"], figures_times(1))
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, reason="直播观看人次请核对", acting_user=tree["frank"])
    notice = Notice.objects.get(unit=tree["tianhe"])
    assert notice.kind == "returned" and "直播观看人次请核对" in notice.body
    report = services.report_submit(report=Report.objects.get(pk=report.pk), version=None, acting_user=tree["hank"])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_accept(report=report, acting_user=tree["frank"])
    assert list(Notice.objects.filter(unit=tree["tianhe"]).values_list("kind", flat=True).order_by("pk")) == [
        "returned",
        "accepted",
    ]


def test_completeness_command_lists_a_units_sub_units(campaign, tree):
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    submitted_report(campaign, tree["foshan"], tree["gina"], figures_times(1))
    out = io.StringIO()
    call_command("completeness", "--campaign", "2020", "--json", "--under", "440000", stdout=out)
    assert [(u["code"], u["status"]) for u in json.loads(out.getvalue())] == [
        ("440100", "not_started"),
        ("440600", "submitted"),
    ]
    with pytest.raises(CommandError, match="没有代码为 999999 的单位"):
        call_command("completeness", "--campaign", "2020", "--under", "999999", stdout=io.StringIO())


def test_cached_rollups_follow_every_change_through_the_services(campaign, tree):
    before = rollup(campaign, scope="all", under=tree["guangdong"])
    assert before == {}
    report = submitted_report(campaign, tree["guangzhou"], tree["frank"], figures_times(2))
    assert rollup(campaign, scope="all", under=tree["guangdong"]) == {tree["guangzhou"].pk: _times(2)}
    services.report_return(report=report, reason="请核对", acting_user=tree["alice"])
    services.report_save_draft(
        report=Report.objects.get(pk=report.pk),
        raw_values=figures_times(3),
        version=None,
        acting_user=tree["frank"],
    )
    assert rollup(campaign, scope="all", under=tree["guangdong"]) == {tree["guangzhou"].pk: _times(3)}
    assert rollup(campaign, scope="submitted", under=tree["guangdong"]) == {}


def test_the_hierarchy_is_at_most_three_levels_deep(campaign, tree):
    from django.core.exceptions import ValidationError

    from chengxin.units.models import Unit, UnitKind

    below_county = Unit(code="440106001", name="某街道", short_name="街道", kind=UnitKind.COUNTY, parent=tree["tianhe"])
    with pytest.raises(ValidationError, match="最多两级"):
        below_county.full_clean()
    orphan_city = Unit(code="449999", name="某市", short_name="某市", kind=UnitKind.CITY)
    with pytest.raises(ValidationError, match="须指定上级单位"):
        orphan_city.full_clean()
    city_under_city = Unit(code="440199", name="某市", short_name="某市", kind=UnitKind.CITY, parent=tree["guangzhou"])
    with pytest.raises(ValidationError, match="地市单位的上级须为省级单位"):
        city_under_city.full_clean()
    Unit(code="440107", name="海珠区", short_name="海珠", kind=UnitKind.COUNTY, parent=tree["guangzhou"]).full_clean()
