"""The public campaign page on a phone, in a real browser: the published totals table fits (it scrolls inside
its own box, the page does not scroll sideways) and nothing errors in the console. Screenshot in test-artifacts/."""

import pytest

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import ARTIFACTS, figures_times, submitted_report
from chengxin.reporting import services as reporting
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_published_totals_read_well_on_a_phone(browser, live_server, settings):
    from chengxin.analytics.services import campaign_publish_totals

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    campaign = campaign_load(year=2020)
    mofcom = Unit.objects.get(code="MOFCOM")
    reviewer = UserFactory(username="carol", unit=mofcom, role=Role.NATIONAL_REVIEWER)
    admin = UserFactory(username="dave", unit=mofcom, role=Role.NATIONAL_ADMIN)
    reporter = UserFactory(username="alice", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER)
    report = submitted_report(campaign, reporter.unit, reporter, figures_times(7))
    reporting.report_accept(report=report, acting_user=reviewer)
    campaign_publish_totals(campaign=campaign, acting_user=admin)

    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(live_server.url + "/public/")
    assert page.url.endswith("/public/2020/")
    totals = page.locator("#national-totals")
    assert "发布日期：" in totals.inner_text()
    assert page.locator("#public-people_reached .num").inner_text() == "350,000"
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 375, f"the page scrolls sideways ({page_width}px)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-campaign-phone.png"), full_page=True)
    assert errors == []
    context.close()


def test_published_activities_show_on_the_map_on_a_phone_and_the_language_switches(browser, live_server, settings):
    import datetime as dt

    from django.utils import timezone

    from chengxin.activities.models import Activity

    campaign = campaign_load(year=2020)
    reporter = UserFactory(username="alice", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER)
    for region, title in (("440100", "广州诚信街区开放日"), ("310000", "上海诚信兴商研讨会")):
        Activity.objects.create(
            campaign=campaign,
            unit=reporter.unit,
            title=title,
            start_date=dt.date(2020, 10, 9),
            end_date=dt.date(2020, 10, 9),
            region_code=region,
            mode="online",
            status="published",
            published_at=timezone.now(),
            created_by=reporter,
        )

    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(live_server.url + "/public/2020/")
    page.wait_for_selector(".portal-map[data-ready='1']", timeout=15_000)
    assert "广州诚信街区开放日" in page.locator("#activities").inner_text()
    assert "示意图" in page.locator("#activities").inner_text()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 375, f"the page scrolls sideways ({page_width}px)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#activities").screenshot(path=str(ARTIFACTS / "portal-activities-phone.png"))

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert errors == []
    context.close()
