"""The year's cycle in the browser, as the national administrator meets it: 2021 created from 2020, its theme,
a plan activity's lead body, a requirement and its form edited while 筹备中 (no reporter and no visitor sees
any of it), then published (every expected unit told), and 2020 still on the public portal with its totals.
Screenshots in test-artifacts/."""

import pytest

from chengxin.analytics.services import campaign_publish_totals
from chengxin.conftest import VALID_FIGURES, browser_login, playwright_expect, shot, submitted_report
from chengxin.notifications.models import Notice
from chengxin.reporting.services import report_accept
from chengxin.statform.tests.test_scenario_2021 import edited_2021_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEME = "诚信经营、放心消费"


def test_the_administrator_prepares_2021_in_private_and_publishes_it(page, campaign, dave, bob, alice):
    expect = playwright_expect()
    report_accept(report=submitted_report(campaign, alice.unit, alice, VALID_FIGURES), acting_user=dave)
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    browser_login(page, "dave")

    # create 2021 from 2020: it is being prepared, and the administrator lands on its settings
    page.goto(page.base_url + "/campaigns/new/")
    page.get_by_label("活动主题").fill(THEME)
    page.get_by_role("button", name="创建活动").click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("筹备中")
    shot(page, "year-cycle-01-created")

    # the theme
    page.goto(page.base_url + "/campaigns/2021/edit/")
    expect(page.get_by_label("活动主题")).to_have_value(THEME)
    page.get_by_label("活动主题").fill(THEME + "（征求意见稿）")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    # a plan activity's lead body
    page.goto(page.base_url + "/campaigns/2021/edit/plan/1/")
    page.get_by_label("牵头单位").select_option("SAMR")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    # a requirement
    page.goto(page.base_url + "/campaigns/2021/edit/requirements/3/")
    page.locator("#body").fill("举办线下活动时，应遵守所在地的公共卫生要求。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    # the form
    page.goto(page.base_url + "/campaigns/2021/form/")
    page.locator("#spec").fill(edited_2021_text(page.locator("#spec").input_value()))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存统计表").click()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("统计表已保存")

    page.goto(page.base_url + "/campaigns/2021/history/")
    history = page.locator("main")
    for words in ("活动主题", "牵头单位", "有关要求（三）"):
        expect(history).to_contain_text(words)
    shot(page, "year-cycle-02-history")

    # nobody else sees any of it: a reporter lands on 2020 and finds no 2021; a visitor neither
    reporter = page.context.browser.new_context(base_url=page.base_url)
    other = reporter.new_page()
    other.base_url = page.base_url
    browser_login(other, "bob")
    assert "2021" not in other.locator("header").inner_text()
    assert other.goto(page.base_url + "/campaigns/2021/").status == 404
    assert other.goto(page.base_url + "/campaigns/2021/report/110000/").status == 404
    other.context.clear_cookies()
    assert other.goto(page.base_url + "/public/2021/").status == 404
    other.goto(page.base_url + "/public/")
    assert other.url.endswith("/public/2020/")
    reporter.close()

    # publish, after the confirmation that shows who is told and the notice's words
    page.goto(page.base_url + "/campaigns/2021/publish/")
    expect(page.locator("main")).to_contain_text("报送单位 55 个")
    expect(page.locator("main")).to_contain_text("2021年“诚信兴商宣传月”活动已发布")
    shot(page, "year-cycle-03-publish-confirm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认发布并通知各单位").click()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("已发布：活动页面已公开")
    assert Notice.objects.filter(campaign__year=2021, kind="campaign").count() == 55

    # the public portal opens on 2021 and still has 2020, with its totals
    page.context.clear_cookies()
    page.goto(page.base_url + "/public/")
    assert page.url.endswith("/public/2021/")
    expect(page.locator("h1")).to_contain_text("2021年")
    years = page.locator("#years")
    expect(years).to_contain_text("诚实经营、守信服务")
    years.get_by_role("link", name="全国汇总数据").click()
    page.wait_for_load_state("load")
    assert "/public/2020/" in page.url
    expect(page.locator("#national-totals")).to_contain_text("发布")
    shot(page, "year-cycle-04-public-2020")
