"""Issue 5 in a real browser: a unit registers an offline activity, is refused publication without an
epidemic-prevention plan, adds one and publishes; the public campaign page shows it; an enterprise signs the
integrity commitment and, once the ministry has published it, finds itself by its code."""

import pytest

from chengxin.conftest import browser_login, playwright_expect, shot

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "914403001922038216"  # a real, published unified social credit code (see commitments/tests/test_uscc.py)


def _confirmed(page, button) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()


def test_offline_activity_needs_a_plan_then_shows_publicly_and_a_commitment_is_found_by_code(
    page, campaign, alice, carol
):
    expect = playwright_expect()
    browser_login(page, "alice")

    # Register an offline activity without an epidemic-prevention plan.
    page.goto(page.base_url + "/campaigns/2020/activities/new/")
    page.fill("#title", "诚信兴商进社区广州站")
    page.fill("#start_date", "2020-10-12")
    page.fill("#end_date", "2020-10-12")
    page.fill("#region_code", "440100")
    page.check("input[name=mode][value=offline]")
    page.fill("#meeting_sessions", "2")
    page.fill("#meeting_attendance", "600")
    with page.expect_navigation():
        page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator("h1")).to_contain_text("诚信兴商进社区广州站")

    # Publishing is refused, and the page says why, naming requirement 三.
    _confirmed(page, page.get_by_role("button", name="发布", exact=True))
    expect(page.locator(".alert-error")).to_contain_text("防疫方案")
    shot(page, "issue5-01-refused-without-plan")

    # Add a written plan and publish.
    page.get_by_role("link", name="去补充").click()
    page.fill("#epidemic_plan_text", "入场测温、扫健康码、佩戴口罩，场内不超过两百人，设置一米间隔并配备消毒用品。")
    with page.expect_navigation():
        page.get_by_role("button", name="保存修改").click()
    _confirmed(page, page.get_by_role("button", name="发布", exact=True))
    expect(page.locator("body")).to_contain_text("已发布")

    # The public campaign page shows it (no login needed: a new context).
    public = page.context.browser.new_context(locale="zh-CN")
    visitor = public.new_page()
    visitor.goto(page.base_url + "/public/2020/")
    expect(visitor.locator("body")).to_contain_text("诚信兴商进社区广州站")
    shot(visitor, "issue5-02-public-page")

    # An enterprise signs the commitment.
    visitor.goto(page.base_url + "/commitments/2020/sign/")
    visitor.fill("#name", "华为技术有限公司")
    visitor.fill("#uscc", CODE)
    visitor.select_option("#region_code", "440000")
    visitor.select_option("#industry", index=1)
    visitor.fill("#contact_name", "张三")
    visitor.fill("#contact_phone", "0755-12345678")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="签署承诺").click()
    expect(visitor.locator("body")).to_contain_text(CODE)

    # Not public before the ministry publishes it.
    visitor.goto(page.base_url + f"/commitments/2020/?q={CODE}")
    expect(visitor.locator("body")).not_to_contain_text("华为技术有限公司")

    from chengxin.commitments.models import Commitment
    from chengxin.commitments.services import commitment_publish

    commitment_publish(commitment=Commitment.objects.get(uscc=CODE), acting_user=carol)

    visitor.goto(page.base_url + "/commitments/2020/")
    visitor.fill("#q", CODE)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="查询").click()
    expect(visitor.locator("body")).to_contain_text("华为技术有限公司")
    shot(visitor, "issue5-03-commitment-found")
    public.close()
    # The refused publication answered 422 (which chromium logs as a failed resource); nothing else went wrong.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
