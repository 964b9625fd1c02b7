"""The 2021 form in the browser: the national administrator edits it as text (a mistake is named by its line,
nothing is lost), and the new figure and the renamed group appear on a reporter's activity form and on the
national dashboard. Screenshots in test-artifacts/."""

import pytest

from chengxin.campaigns.services import campaign_copy
from chengxin.conftest import browser_login, playwright_expect, shot
from chengxin.statform.tests.test_scenario_2021 import edited_2021_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_edits_the_2021_form_and_everyone_sees_it(page, campaign, dave, alice, carol):
    expect = playwright_expect()
    campaign_copy(source=campaign, year=2021, acting_user=dave)
    browser_login(page, "dave")
    page.goto(page.base_url + "/campaigns/2021/form/")
    text = edited_2021_text(page.locator("#spec").input_value())
    wrong = text.replace('count = "people", per_10k = true', 'count = "viewers", per_10k = true')
    page.locator("#spec").fill(wrong)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存统计表").click()
    page.wait_for_load_state("load")
    line = next(n for n, row in enumerate(wrong.split("\n"), 1) if '"viewers"' in row)
    expect(page.get_by_role("alert")).to_contain_text(f"第 {line} 行：指标 short_video_views 的计数类别 count 只能是")
    assert page.locator("#spec").input_value().replace("\r\n", "\n") == wrong  # what was typed is kept
    shot(page, "form-2021-error-names-its-line")

    page.console_errors.clear()  # the refused save answered 422, which the browser logs as a failed load
    page.locator("#spec").fill(text)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存统计表").click()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("统计表已保存：13 项指标，7 条校验规则。")

    # prepared in private until the administrator publishes it (after a confirmation that says who is told)
    page.goto(page.base_url + "/campaigns/2021/publish/")
    expect(page.locator("main")).to_contain_text("报送单位 55 个")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认发布并通知各单位").click()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("已发布：活动页面已公开")

    page.context.clear_cookies()
    browser_login(page, "alice")
    page.goto(page.base_url + "/campaigns/2021/activities/new/")
    expect(page.get_by_label("短视频播放量", exact=False)).to_be_visible()
    assert page.locator("#radio_broadcasts").count() == 0
    expect(page.locator("#outputs")).to_contain_text("传统媒体")
    shot(page, "activity-form-2021")

    page.context.clear_cookies()
    browser_login(page, "carol")
    page.goto(page.base_url + "/campaigns/2021/dashboard/")
    expect(page.locator("body")).to_contain_text("传统媒体与新媒介")
    shot(page, "dashboard-2021")
    assert page.console_errors == []
