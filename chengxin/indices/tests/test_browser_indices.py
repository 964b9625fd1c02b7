"""The public index pages on a phone, in a real browser: the list and an index's page (latest value, the line
chart with its table, the region table) fit in 375 px (tables scroll inside their own box, the page never
sideways), the chart is drawn, and nothing errors in the console. Screenshots in test-artifacts/."""

import pytest

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import ARTIFACTS
from chengxin.indices.tests.builders import make_index, monthly_rows, published
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTHS = [(f"2020-{m:02d}", str(100 + m * 0.3)) for m in range(1, 13)]
REGIONS = ("000000", "310000", "110000", "440000", "320000", "330000", "210200")


def _publish() -> None:
    campaign_load(year=2020)
    sally = UserFactory(username="sally", unit=Unit.objects.get(code="310000"), role=Role.UNIT_REPORTER)
    carol = UserFactory(username="carol", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_REVIEWER)
    index = make_index(sally, name="上海购物诚信指数（长名称用于检查手机上的换行效果）")
    first = published(index, sally, carol, monthly_rows(months=MONTHS, regions=REGIONS))
    corrected = [(p, r, "99.9" if (p, r) == ("2020-12", "310000") else v) for p, r, v in first_rows(first)]
    published(index, sally, carol, corrected, replaces=first, revision_note="12月上海市样本商户名单有误，已更正。")


def first_rows(release):
    return [(v.period, v.region_code, format(v.value.normalize(), "f")) for v in release.values.all()]


@pytest.mark.parametrize("width", [375, 1280])
def test_the_index_pages_fit_the_screen_and_draw_the_chart(browser, live_server, settings, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _publish()
    phone = width == 375
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, is_mobile=phone)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.goto(live_server.url + "/public/2020/")
    page.get_by_role("link", name="诚信指数").first.click()
    page.wait_for_url("**/public/indices/")
    assert "上海购物诚信指数" in page.locator("main").inner_text()
    list_width = page.evaluate("document.documentElement.scrollWidth")
    assert list_width <= width, f"the list scrolls sideways ({list_width}px)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"indices-list-{width}.png"), full_page=True)

    page.locator(".index-list a").first.click()
    page.wait_for_selector(".index-chart[data-ready='1']", timeout=15_000)
    assert page.locator("#latest .index-value").inner_text() == "103.6"
    assert "已修订" in page.locator("main").inner_text()
    assert page.locator("#series-table tbody tr").count() == 12
    assert page.locator("#region-table tbody tr").count() == len(REGIONS)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the index page scrolls sideways ({page_width}px)"
    page.screenshot(path=str(ARTIFACTS / f"indices-index-{width}.png"), full_page=True)

    page.get_by_role("link", name="查看修订前的第 1 版").first.click()
    assert "本版本已被修订替代" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []
    context.close()
