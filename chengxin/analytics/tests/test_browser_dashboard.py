"""The dashboard in a real browser: the ministry opens it, the charts and the map draw without a console error,
a click on 广东省 on the map opens the province's drill-down, and a click on one of its cities opens that city's
report. Screenshots go to test-artifacts/."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from chengxin.analytics.tests.test_dashboard import add_cities
from chengxin.campaigns.services import campaign_load
from chengxin.conftest import ARTIFACTS, PASSWORD, VALID_VALUES, browser_login, playwright_expect, shot
from chengxin.reporting.models import FigureValue, Report, Status
from chengxin.statform.models import Figure, FigureKind
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUANGZHOU_AREA = [113.4, 23.6]  # a point inside 广东省 (longitude, latitude)


def _data():
    """广东省 submitted with its own figures; two of its cities, one accepted, one waiting for the province."""
    campaign = campaign_load(year=2020)
    UserFactory(
        username="mofcom-reviewer", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_REVIEWER, password=PASSWORD
    )
    two_days_late = timezone.make_aware(dt.datetime(2020, 11, 27, 10, 0))
    report = Report.objects.create(
        campaign=campaign,
        unit=Unit.objects.get(code="440000"),
        status=Status.SUBMITTED,
        submitted_at=two_days_late,
        first_submitted_at=two_days_late,
        late=True,
    )
    FigureValue.objects.bulk_create(
        FigureValue(report=report, figure=f, number=VALID_VALUES[f.code])
        for f in Figure.objects.filter(form__campaign=campaign, kind=FigureKind.NUMBER)
    )
    cities = add_cities(campaign, 2, at=two_days_late - dt.timedelta(days=8))
    Report.objects.filter(campaign=campaign, unit=cities[1]).update(status=Status.SUBMITTED)
    return cities


def test_ministry_drills_from_the_map_to_a_province_and_to_a_citys_report(page):
    expect = playwright_expect()
    failed = []  # the URLs behind "Failed to load resource" console errors, for a useful assertion message
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    cities = _data()
    browser_login(page, "mofcom-reviewer")

    # --- The national dashboard: every chart draws, the map too, with its schematic note.
    page.goto(page.base_url + "/campaigns/2020/dashboard/?figure=people_reached")
    for chart in ("#timeline", "#changes", "#media"):
        expect(page.locator(f"{chart} canvas").first).to_be_visible()
    map_el = page.locator("#map-ranking .chart.map")
    expect(map_el).to_have_attribute("data-ready", "1")
    expect(map_el.locator("canvas").first).to_be_visible()
    expect(page.locator("#map-ranking figcaption")).to_contain_text("示意图")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("广东省")
    expect(page.locator("#kpi-submitted")).to_have_text("1")
    shot(page, "dashboard-01-national")
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "dashboard-01a-timeline.png"))
    page.locator("#map-ranking").screenshot(path=str(ARTIFACTS / "dashboard-01b-map.png"))
    page.locator("#changes").screenshot(path=str(ARTIFACTS / "dashboard-01c-changes.png"))
    page.locator("#media").screenshot(path=str(ARTIFACTS / "dashboard-01d-media.png"))

    # --- The ranking sorts on a click on a header (here: the figure, ascending, then back).
    value_header = page.locator("#ranking thead [data-sort]").nth(2)
    value_header.click()
    expect(page.locator("#ranking tbody tr").first).not_to_contain_text("广东省")
    value_header.click()
    expect(page.locator("#ranking tbody tr").first).to_contain_text("广东省")

    # --- A click on 广东省 on the map opens the province's drill-down.
    map_el.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([el, point]) => el.chart.convertToPixel({seriesIndex: 0}, point)", [map_el.element_handle(), GUANGZHOU_AREA]
    )
    box = map_el.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(r"/campaigns/2020/dashboard/440000/\?figure=people_reached|/dashboard/440000/"))
    expect(page.locator("h1")).to_contain_text("广东省")
    expect(page.locator("#sub-units")).to_contain_text(cities[0].name)
    expect(page.locator("#timeline canvas").first).to_be_visible()
    expect(page.locator("#breakdown")).to_contain_text(cities[0].name)  # accepted: part of the roll-up
    shot(page, "dashboard-02-province")

    # --- A click on a city opens its report.
    page.locator("#sub-units").get_by_role("link", name=cities[0].name).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/2020/review/{cities[0].code}/$"))
    expect(page.locator("h1")).to_contain_text(cities[0].name)
    shot(page, "dashboard-03-city-report")

    assert page.console_errors == [], (page.console_errors, failed)


def test_the_timeline_draws_a_straggler_at_its_own_date_not_at_the_edge(page):
    """A unit submitting ten months after the deadline: the chart's time axis reaches that day, and the four weeks
    around the deadline keep their width instead of squeezing the straggler against the axis's end."""
    expect = playwright_expect()
    _data()
    straggler = dt.date(2021, 9, 1)
    Report.objects.filter(unit__code="440000").update(
        first_submitted_at=timezone.make_aware(dt.datetime.combine(straggler, dt.time(10)))
    )
    browser_login(page, "mofcom-reviewer")
    page.goto(page.base_url + "/campaigns/2020/dashboard/")
    chart = page.locator("#timeline .chart")
    expect(chart.locator("canvas").first).to_be_visible()
    start, deadline, last, end = page.evaluate(
        """(el) => ["2020-11-11", "2020-11-25", "2021-09-01", el.chart.getOption().xAxis[0].max]
            .map((day) => el.chart.convertToPixel({xAxisIndex: 0}, day))""",
        chart.element_handle(),
    )
    assert start < deadline < last <= end
    assert last == end  # the axis ends at the straggler's day
    assert deadline - start < 0.1 * (end - start)  # two weeks of ten months, at their own width
    page.wait_for_timeout(1500)  # the series' drawing animation, for the screenshot
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "dashboard-01e-timeline-straggler.png"))
    assert page.console_errors == []
