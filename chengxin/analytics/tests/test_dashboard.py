"""The dashboard as the ministry and the provinces read it: numbers, filters, drill-down, map data, CSV, who may
open what, and a number of SQL queries that does not grow with the number of units.

The shared `world` has reports in every state (test_selectors.build_reports): 广东省 submitted (VALID_FIGURES),
大连市 accepted, 深圳市 returned, 新疆生产建设兵团 submitted, 北京市 a draft. Cities under 广东省 are added here
directly as rows (their reports accepted by the province), as many as a test needs.
"""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.analytics.selectors import completeness, completeness_timeline, rollup
from chengxin.campaigns.models import Participant
from chengxin.campaigns.services import campaign_copy
from chengxin.conftest import VALID_VALUES
from chengxin.reporting import services
from chengxin.reporting.models import FigureValue, Report, Status
from chengxin.statform.models import Figure
from chengxin.units.models import Role, Unit, UnitKind
from chengxin.units.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/campaigns/2020/dashboard/"
GUANGDONG = "/campaigns/2020/dashboard/440000/"
CITY_PEOPLE = 1000  # people_reached of each city added under 广东省


@pytest.fixture
def users(world):
    mofcom_carol = world["carol"]
    alice = UserFactory(username="alice", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER)
    bob = UserFactory(username="bob", unit=Unit.objects.get(code="110000"), role=Role.UNIT_REPORTER)
    return {"carol": mofcom_carol, "alice": alice, "bob": bob}


def add_cities(campaign, count: int, *, status=Status.ACCEPTED, parent_code="440000", at=None) -> list[Unit]:
    """`count` cities under the province, each with a report in `status` carrying people_reached and
    consultations (bulk rows: a fixed number of queries whatever the count)."""
    parent = Unit.objects.get(code=parent_code)
    Unit.objects.bulk_create(
        Unit(
            code=f"{parent_code[:2]}9{i + 1:03d}",  # no clash with the planned cities' codes
            name=f"测试市{i + 1:02d}",
            short_name=f"测试{i + 1:02d}",
            kind=UnitKind.CITY,
            parent=parent,
            region_code=f"{parent_code[:2]}9{i + 1:03d}",
            sort_order=1000 + i,
        )
        for i in range(count)
    )
    cities = list(Unit.objects.filter(parent=parent).order_by("sort_order"))
    Participant.objects.bulk_create(Participant(campaign=campaign, unit=c) for c in cities)
    now = at or timezone.now()
    submitted = status in (Status.SUBMITTED, Status.ACCEPTED)
    Report.objects.bulk_create(
        Report(
            campaign=campaign,
            unit=c,
            status=status,
            submitted_at=now if submitted else None,
            first_submitted_at=now if submitted else None,
        )
        for c in cities
    )
    figures = {f.code: f for f in Figure.objects.filter(form__campaign=campaign)}
    FigureValue.objects.bulk_create(
        FigureValue(report=r, figure=figures[code], number=number)
        for r in Report.objects.filter(campaign=campaign, unit__in=cities)
        for code, number in (("people_reached", CITY_PEOPLE), ("consultations", 10))
    )
    return cities


def _ranking(response) -> dict[str, int]:
    return {r.unit.code: r.value for r in response.context["ranking"]}


# --- the national page ----------------------------------------------------------------------------------------


def test_national_dashboard_shows_completeness_kpis_and_the_missing_units(client, campaign, users):
    client.force_login(users["carol"])
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    data = completeness(campaign)
    submitted = sum(1 for u in data.units if u.status in (Status.SUBMITTED, Status.ACCEPTED))
    kpi = response.context["kpi"]
    assert kpi == {
        "expected": len(data.units),
        "submitted": submitted,
        "late": sum(1 for u in data.units if u.late),
        "missing": len(data.units) - submitted,
    }
    assert kpi["late"] == 3  # 广东省, 大连市 and 海关总署 submitted after the deadline
    missing = {u.code for u in response.context["missing"]}
    assert {"110000", "330200", "440300", "310000"} <= missing  # draft, summary only, returned, opened
    assert "440000" not in missing
    page = response.content.decode()
    assert 'action="/notices/2020/remind/"' in page and 'name="all_missing" value="1"' in page
    assert "data-confirm=" in page
    timeline = response.context["timeline"]
    assert timeline[14].day == campaign.deadline and timeline[0].day == campaign.deadline - dt.timedelta(days=14)


def _chart_json(page: str, script_id: str):
    return json.loads(re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page, re.S)[1])


def test_the_timelines_axis_reaches_a_submission_long_after_the_deadline(client, campaign, users):
    """The chart's axis runs from the first row to the last, and the rows reach the last submission: one months
    after the deadline stands at its own date, inside the axis, not squeezed at its edge; the table lists the
    same rows, every day around the deadline and beyond it only the days on which units submitted."""
    deadline = campaign.deadline
    on_time = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=2), dt.time(10)))
    Report.objects.filter(campaign=campaign, first_submitted_at__isnull=False).update(first_submitted_at=on_time)
    straggler = deadline + dt.timedelta(days=300)
    Report.objects.filter(campaign=campaign, unit__code="440000").update(
        first_submitted_at=timezone.make_aware(dt.datetime.combine(straggler, dt.time(10)))
    )
    client.force_login(users["carol"])
    response = client.get(DASHBOARD)
    page = response.content.decode()
    chart = _chart_json(page, "chart-timeline")
    assert chart["start"] == (deadline - dt.timedelta(days=14)).isoformat()
    assert chart["end"] == straggler.isoformat()
    assert chart["start"] <= chart["deadline"] < straggler.isoformat() <= chart["end"]
    days = [d["day"] for d in chart["days"]]
    assert days[0] == chart["start"] and days[-1] == chart["end"]
    assert len(days) == 29 + 1  # the four weeks around the deadline day by day, then the straggler's day
    before, last = chart["days"][-2], chart["days"][-1]
    assert (last["on_time"], last["late"]) == (before["on_time"], before["late"] + 1)
    # The table beside the chart has the same rows.
    table = page.split('class="list summary timeline-table"')[1].split("</table>")[0]
    assert re.findall(r"<th scope=\"row\">(\d{4}-\d\d-\d\d)", table) == days
    assert straggler.isoformat() in table


def test_the_timelines_axis_starts_at_an_early_first_submission(campaign):
    early = campaign.deadline - dt.timedelta(days=40)
    Report.objects.filter(campaign=campaign, unit__code="440000").update(
        first_submitted_at=timezone.make_aware(dt.datetime.combine(early, dt.time(10)))
    )
    timeline = completeness_timeline(campaign, today=campaign.deadline + dt.timedelta(days=30))
    assert timeline[0].day == early and timeline[0].on_time == 1
    assert timeline[1].day == campaign.deadline - dt.timedelta(days=14) and timeline[1].on_time == 1


def test_english_headings_keep_the_chinese_figure_name_apart(client, campaign, users):
    """A figure's name is Chinese data: an English heading must not wrap English words around it."""
    client.force_login(users["carol"])
    client.cookies["django_language"] = "en"
    page = client.get(DASHBOARD, {"figure": "people_reached"}).content.decode()
    assert "Dashboard" in page  # English indeed
    assert "宣传覆盖总人数 by region" not in page
    assert " in all" not in page  # “篇、条 in all”
    assert "传统媒介 and 新媒介" not in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get(DASHBOARD, {"figure": "people_reached"}).content.decode()
    assert "各地区宣传覆盖总人数" in page and "传统媒介与新媒介" in page


def test_english_drill_down_heading_keeps_the_chinese_figure_name_apart(client, campaign, users):
    add_cities(campaign, 1)
    client.force_login(users["carol"])
    client.cookies["django_language"] = "en"
    page = client.get(GUANGDONG, {"figure": "people_reached"}).content.decode()
    assert "Sub-units ranked by 宣传覆盖总人数" not in page
    client.cookies["django_language"] = "zh-hans"
    assert "下级单位宣传覆盖总人数排名" in client.get(GUANGDONG, {"figure": "people_reached"}).content.decode()


def test_national_dashboard_ranks_provinces_by_their_rollup_and_marks_the_map_schematic(client, campaign, users):
    add_cities(campaign, 3)
    client.force_login(users["carol"])
    response = client.get(DASHBOARD, {"figure": "people_reached"})
    ranking = _ranking(response)
    # 广东省 itself (50,000) plus its three accepted cities.
    assert ranking["440000"] == VALID_VALUES["people_reached"] + 3 * CITY_PEOPLE
    assert ranking["210200"] == 12_000
    assert ranking["110000"] == 0  # a draft does not count
    assert [r.rank for r in response.context["ranking"]][:2] == [1, 2]
    assert response.context["ranking"][0].unit.code == "440000"
    page = response.content.decode()
    assert "示意图" in page
    # The ranking links each unit to its drill-down, keeping the chosen figure and scope.
    assert f'href="{GUANGDONG}?figure=people_reached&amp;scope=submitted"' in page
    assert 'id="chart-map"' in page and 'id="chart-timeline"' in page


def test_scope_filter_counts_accepted_reports_only(client, campaign, users):
    client.force_login(users["carol"])
    ranking = _ranking(client.get(DASHBOARD, {"figure": "people_reached", "scope": "accepted"}))
    assert ranking["440000"] == 0  # submitted, not yet accepted
    assert ranking["210200"] == 12_000  # accepted
    # The same filters again: the body comes from the cache, and says the same.
    html = client.get(DASHBOARD, {"scope": "accepted"}).content.decode()
    row = re.search(r'<tr data-code="people_reached">(.*?)</tr>', html).group(1)
    assert "<td>12,000</td>" in row


def test_a_cached_dashboard_follows_a_change_at_once(client, campaign, users):
    client.force_login(users["carol"])
    assert _ranking(client.get(DASHBOARD, {"scope": "accepted"}))["440000"] == 0
    report = Report.objects.get(campaign=campaign, unit__code="440000")
    services.report_accept(report=report, acting_user=users["carol"])
    assert _ranking(client.get(DASHBOARD, {"scope": "accepted"}))["440000"] > 0


def test_kind_filter_keeps_the_units_of_that_kind(client, campaign, users):
    client.force_login(users["carol"])
    response = client.get(DASHBOARD, {"kind": "planned_city"})
    assert {r.unit.kind for r in response.context["ranking"]} == {UnitKind.PLANNED_CITY}
    assert {r.unit.code for r in response.context["ranking"]} == {"210200", "370200", "330200", "350200", "440300"}
    assert response.context["kpi"]["expected"] == 5
    assert {u.code for u in response.context["missing"]} == {"370200", "330200", "350200", "440300"}


def test_figure_filter_changes_the_ranked_figure_and_unknown_filters_fall_back(client, campaign, users):
    client.force_login(users["carol"])
    response = client.get(DASHBOARD, {"figure": "tv_news", "kind": "nonsense", "scope": "all"})
    assert response.status_code == 200
    assert response.context["filters"].figure == "tv_news"
    assert response.context["filters"].kind == ""
    assert response.context["filters"].scope == "submitted"  # drafts never on the dashboard
    assert _ranking(response)["440000"] == VALID_VALUES["tv_news"]
    assert client.get(DASHBOARD, {"figure": "material_methods"}).context["filters"].figure == "people_reached"


def test_choosing_another_year_opens_that_campaigns_dashboard_with_the_same_filters(client, campaign, users):
    client.force_login(users["carol"])
    response = client.get(DASHBOARD, {"year": "2019", "figure": "tv_news"})
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/2019/dashboard/?figure=tv_news"


def test_totals_are_compared_with_the_previous_campaign(client, campaign, users):
    previous = campaign_copy(source=campaign, year=2019)
    report = Report.objects.create(
        campaign=previous,
        unit=Unit.objects.get(code="440000"),
        status=Status.ACCEPTED,
        submitted_at=timezone.now() - dt.timedelta(days=365),
    )
    FigureValue.objects.create(
        report=report, figure=Figure.objects.get(form__campaign=previous, code="people_reached"), number=31_500
    )
    client.force_login(users["carol"])
    response = client.get(DASHBOARD)
    change = {c.code: c for c in response.context["compare"]}["people_reached"]
    assert (change.value, change.previous) == (63_000, 31_500)
    row = response.content.decode().split('data-code="people_reached"')[1].split("</tr>")[0]
    assert "+100.0%" in row


def test_media_groups_split_traditional_and_new_media(client, campaign, users):
    client.force_login(users["carol"])
    media = client.get(DASHBOARD).context["media"]
    groups = {g["key"]: g for g in media["groups"]}
    assert list(groups) == ["traditional_media", "new_media"]  # the categories with item counts, in form order
    assert media["title"] == "传统媒介与新媒介"  # the rows holding each category, named as the form names them
    assert [g["label"] for g in groups.values()] == ["传统媒介", "新媒介"]
    assert {c.code for c in groups["traditional_media"]["rows"]} == {"print_news", "tv_news", "radio_broadcasts"}
    assert {c.code for c in groups["new_media"]["rows"]} == {"web_news", "videos", "live_sessions", "live_viewers"}
    # Articles, news items and broadcasts of 广东省, 大连市 and the corps.
    assert groups["traditional_media"]["items"] == (8 + 4 + 2) + (3 + 1 + 2) + (2 + 1 + 2)
    # web news and videos (count = "items"), not livestreams (events, people)
    assert groups["new_media"]["items"] == (40 + 10 + 2) + (6 + 2 + 2)


def test_reach_per_10000_residents_only_for_units_with_a_population(client, campaign, users):
    Unit.objects.filter(code="440000").update(population=126_010_000)
    client.force_login(users["carol"])
    response = client.get(DASHBOARD)
    rows = response.context["per_10k"]
    assert [r["unit"].code for r in rows] == ["440000"]
    per_10k = {f["code"]: f["per_10k"] for f in rows[0]["figures"]}
    assert per_10k == {"people_reached": 4.0, "consultations": 0.1}  # 50,000 and 860 for 12,601万 people


# --- the map's data and the CSV -------------------------------------------------------------------------------


def test_map_data_are_the_provinces_rollups(client, campaign, users):
    add_cities(campaign, 2)
    client.force_login(users["carol"])
    items = client.get(DASHBOARD + "map.json", {"figure": "consultations", "scope": "submitted"}).json()
    values = rollup(campaign, scope="submitted")
    units = {u.code: u for u in Unit.objects.filter(code__in=[i["code"] for i in items])}
    assert len(items) == 31  # the provinces, autonomous regions and municipalities
    for item in items:
        assert item["value"] == values.get(units[item["code"]].pk, {}).get("consultations", 0)
    guangdong = next(i for i in items if i["code"] == "440000")
    assert guangdong == {
        "code": "440000",
        "region_code": "440000",
        "name": "广东省",
        "value": VALID_VALUES["consultations"] + 2 * 10,
        "url": GUANGDONG + "?figure=consultations&scope=submitted",
    }


def test_csv_export_has_every_table_with_a_bom_and_neutralised_cells(client, campaign, users):
    Unit.objects.filter(code="110000").update(name="=HYPERLINK(1)")
    client.force_login(users["carol"])
    response = client.get(DASHBOARD + "export.csv", {"figure": "people_reached", "kind": "province"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    titles = {r[0] for r in rows if len(r) == 1}
    assert {"报送进度", "未报送单位", "全国合计与上年比较", "每万常住人口"} <= titles
    assert ["1", "440000", "广东省", "50000", "已报送"] in rows
    assert ["110000", "'=HYPERLINK(1)", "省、自治区、直辖市", "草稿"] in rows
    assert not any(cell.startswith("=") for r in rows for cell in r)
    assert not any(r[1] == "大连市" for r in rows if len(r) > 2)  # kind=province leaves out the planned cities


# --- the drill-down -------------------------------------------------------------------------------------------


def test_province_drill_down_lists_its_cities_with_links_and_the_rollup(client, campaign, users):
    cities = add_cities(campaign, 3)
    Report.objects.filter(campaign=campaign, unit=cities[2]).update(status=Status.SUBMITTED)
    client.force_login(users["carol"])
    response = client.get(GUANGDONG, {"figure": "people_reached"})
    assert response.status_code == 200
    assert [u.code for u in response.context["completeness"].units] == [c.code for c in cities]
    page = response.content.decode()
    for city in cities:
        assert f'href="/campaigns/2020/review/{city.code}/"' in page
        assert f'href="/campaigns/2020/dashboard/{city.code}/?figure=people_reached' in page
    ranking = _ranking(response)
    assert ranking[cities[0].code] == CITY_PEOPLE
    assert ranking[cities[2].code] == CITY_PEOPLE  # submitted to the province: its own figures rank
    breakdown = response.context["breakdown"]
    assert breakdown.total["people_reached"] == VALID_VALUES["people_reached"] + 2 * CITY_PEOPLE  # accepted only
    assert 'id="breakdown"' in page
    assert "/notices/2020/remind/" not in page  # the ministry reminds its own units, from the national page
    assert response.context["kpi"] == {"expected": 3, "submitted": 3, "late": 0, "missing": 0}


def test_a_drill_down_served_again_reads_only_the_session_the_account_and_the_forms_revision(
    client, campaign, users, django_assert_max_num_queries
):
    """Everything else of a page seen before comes from the cache until a write bumps its generation: the data
    stamp, the page body, the campaign, the unit, the header's campaign, sub-units and unread notices."""
    add_cities(campaign, 2)
    client.force_login(users["carol"])
    assert client.get(GUANGDONG).status_code == 200
    with django_assert_max_num_queries(3):  # session, account with its unit, form revision
        page = client.get(GUANGDONG).content.decode()
    assert "广东省" in page


def test_a_unit_without_sub_units_goes_to_its_report(client, campaign, users):
    client.force_login(users["carol"])
    response = client.get("/campaigns/2020/dashboard/110000/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:review", args=[2020, "110000"])


# --- who may open what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DASHBOARD, GUANGDONG, DASHBOARD + "map.json", DASHBOARD + "export.csv"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, campaign, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_province_reads_its_own_drill_down_and_no_other(client, campaign, users):
    add_cities(campaign, 2)
    add_cities(campaign, 1, parent_code="110000")
    Report.objects.filter(campaign=campaign, unit__parent__code="440000").first().delete()  # one city not started
    client.force_login(users["alice"])
    response = client.get(GUANGDONG)
    assert response.status_code == 200
    assert 'action="/notices/2020/remind/"' in response.content.decode()  # she reminds her own cities
    assert client.get("/campaigns/2020/dashboard/110000/").status_code == 404
    assert client.get("/campaigns/2020/dashboard/440300/").status_code == 404  # 深圳 is not under 广东省 here
    client.force_login(users["bob"])
    assert client.get(GUANGDONG).status_code == 404


@pytest.mark.parametrize("path", [DASHBOARD, DASHBOARD + "map.json", DASHBOARD + "export.csv"])
def test_the_national_dashboard_is_for_the_ministry_only(client, campaign, users, path):
    client.force_login(users["alice"])
    assert client.get(path).status_code == 404


def test_an_unknown_unit_or_year_is_404(client, campaign, users):
    client.force_login(users["carol"])
    assert client.get("/campaigns/2020/dashboard/999999/").status_code == 404
    assert client.get("/campaigns/1999/dashboard/").status_code == 404
    assert client.get("/campaigns/1999/dashboard/440000/").status_code == 404


# --- a bounded number of queries ------------------------------------------------------------------------------

# Measured: 25 (national page), 23 (CSV), 21 (drill-down), 9 (map), whatever the number of units.
NATIONAL_QUERIES = 34  # 6 of them the two data stamps that key the cached roll-ups
UNIT_QUERIES = 29


@pytest.mark.parametrize("cities", [5, 40])
def test_queries_per_page_do_not_grow_with_the_number_of_units(
    client, campaign, users, cities, django_assert_max_num_queries
):
    add_cities(campaign, cities)
    client.force_login(users["carol"])
    with django_assert_max_num_queries(NATIONAL_QUERIES):
        assert client.get(DASHBOARD).status_code == 200
    with django_assert_max_num_queries(UNIT_QUERIES):
        assert client.get(GUANGDONG).status_code == 200
    with django_assert_max_num_queries(NATIONAL_QUERIES):
        assert client.get(DASHBOARD + "export.csv").status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(DASHBOARD + "map.json").status_code == 200


def test_the_reminder_form_of_a_cached_page_carries_each_visitors_own_csrf_token(campaign, users):
    from django.test import Client

    from chengxin.notifications.models import Notice

    first = Client(enforce_csrf_checks=True)
    first.force_login(users["carol"])
    first.get(DASHBOARD)  # renders the body and caches it
    dave = UserFactory(username="dave2", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_ADMIN)
    second = Client(enforce_csrf_checks=True)
    second.force_login(dave)
    page = second.get(DASHBOARD).content.decode()  # served from the cache
    form = re.search(r'<form method="post" action="/notices/2020/remind/".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = second.post("/notices/2020/remind/", {"csrfmiddlewaretoken": token, "all_missing": "1"})
    assert response.status_code == 302
    assert Notice.objects.filter(kind="reminder").exists()
