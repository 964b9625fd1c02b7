"""The reporting loop in a real browser: a province fills, is corrected, submits; the ministry returns,
accepts and reads the national totals. Screenshots of every major step go to test-artifacts/."""

import re

import pytest

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import PASSWORD, VALID_FIGURES, browser_login, make_docx, playwright_expect, shot
from chengxin.reporting import services
from chengxin.reporting.models import Report, Status
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRY = "/campaigns/2020/report/440000/"
REVIEW = "/campaigns/2020/review/440000/"


def _logout(page) -> None:
    page.locator("header .who").get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _fill(page, figures: dict[str, str]) -> None:
    for code, value in figures.items():
        page.locator(f"#f_{code}").fill(value)


def _click_confirmed(page, name: str) -> None:
    """Click a button carrying data-confirm and accept the browser's confirm dialog."""
    seen = []

    def accept(dialog):
        seen.append((dialog.type, dialog.message))
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    assert seen and seen[0][0] == "confirm", f"{name} did not ask for confirmation"


def _personas():
    campaign_load(year=2020)
    UserFactory(
        username="gd-reporter", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER, password=PASSWORD
    )
    UserFactory(
        username="mofcom-reviewer", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_REVIEWER, password=PASSWORD
    )


def test_province_reports_ministry_returns_accepts_and_reads_totals(page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the uploaded summary must not land in ./var/files
    expect = playwright_expect()
    failed = []  # the URLs behind "Failed to load resource" console errors, for a useful assertion message
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and failed.append(f"console at {m.location.get('url')}"))
    _personas()

    # --- The province logs in and lands on its entry page.
    page.goto(page.base_url + "/accounts/login/")
    shot(page, "01-login")
    browser_login(page, "gd-reporter")
    expect(page).to_have_url(re.compile(re.escape(ENTRY) + "$"))
    expect(page.locator("h1")).to_contain_text("统计表")
    expect(page.locator(".subtitle")).to_contain_text("未填报")
    shot(page, "02-entry-empty")

    # --- Fills the table with attendance but no sessions, saves a draft, sees the error next to the cell.
    _fill(page, dict(VALID_FIGURES, meeting_sessions="0"))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("load")
    expect(page.locator("#cell-meeting_attendance")).to_contain_text("场次为 0 时人次也应为 0")
    expect(page.locator(".subtitle")).to_contain_text("草稿")
    shot(page, "03-entry-cell-error")

    # --- Fixes it, saves again: no message next to the cell any more.
    page.locator("#f_meeting_sessions").fill(VALID_FIGURES["meeting_sessions"])
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("load")
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator("#cell-meeting_attendance .cell-msg")).to_have_count(0)
    expect(page.locator("#f_live_viewers")).to_have_value("12,000")

    # --- Uploads the summary report.
    docx = tmp_path / "广东省2020年诚信兴商宣传月活动总结.docx"
    docx.write_bytes(make_docx())
    page.set_input_files("#summary-file", str(docx))
    page.locator("#summary").get_by_role("button", name="上传").click()
    page.wait_for_load_state("load")
    expect(page.locator("#summary")).to_contain_text(docx.name)
    shot(page, "04-entry-fixed-uploaded")

    # --- Submits, confirming the dialog.
    _click_confirmed(page, "报送")
    expect(page.locator(".subtitle")).to_contain_text("已报送")
    expect(page.locator(".messages")).to_contain_text("报送成功")
    expect(page.get_by_role("button", name="报送", exact=True)).to_have_count(0)
    shot(page, "05-entry-submitted")
    assert Report.objects.get(unit__code="440000").status == Status.SUBMITTED

    # --- The ministry reviewer sees 广东省 as submitted on the completeness page.
    _logout(page)
    browser_login(page, "mofcom-reviewer")
    page.goto(page.base_url + "/campaigns/2020/completeness/")
    row = page.locator("table.units tbody tr", has_text="广东省")
    expect(row).to_have_count(1)
    expect(row.locator(".status").first).to_have_text("已报送")
    shot(page, "06-completeness-submitted")

    # --- Opens it and returns it with a reason.
    row.get_by_role("link", name="查看").click()
    expect(page).to_have_url(re.compile(re.escape(REVIEW) + "$"))
    expect(page.locator("#f_live_viewers")).to_have_text("12,000")
    shot(page, "07-review-submitted")
    reason = "电视新闻条数与附件不符，请核对后重新报送"
    page.locator("#reason").fill(reason)
    _click_confirmed(page, "退回修改")
    expect(page.locator(".subtitle")).to_contain_text("已退回")
    shot(page, "08-review-returned")

    # --- The province sees the reason, corrects a figure and submits again.
    _logout(page)
    browser_login(page, "gd-reporter")
    expect(page).to_have_url(re.compile(re.escape(ENTRY) + "$"))
    expect(page.get_by_role("alert")).to_contain_text(reason)
    shot(page, "09-entry-returned")
    page.locator("#f_tv_news").fill("4")
    _click_confirmed(page, "报送")
    expect(page.locator(".subtitle")).to_contain_text("已报送")
    shot(page, "10-entry-resubmitted")

    # --- The reviewer accepts it.
    _logout(page)
    browser_login(page, "mofcom-reviewer")
    page.goto(page.base_url + REVIEW)
    expect(page.locator("#f_tv_news")).to_have_text("4")
    _click_confirmed(page, "审核通过")
    expect(page.locator(".subtitle")).to_contain_text("已审核")
    expect(page.locator(".messages")).to_contain_text("审核通过")
    shot(page, "11-review-accepted")
    assert Report.objects.get(unit__code="440000").status == Status.ACCEPTED

    # --- National totals of accepted reports: the figures and the ECharts canvas.
    page.goto(page.base_url + "/campaigns/2020/totals/?scope=accepted")
    expect(page.locator("#total-live_viewers")).to_contain_text("12,000")
    expect(page.locator("#total-tv_news")).to_contain_text("4")
    expect(page.locator("#total-meeting_attendance")).to_contain_text("3,400")
    expect(page.locator("#totals-chart canvas").first).to_be_visible()
    shot(page, "12-totals-accepted")

    # The print view of the accepted report, as the reviewer opens it.
    page.goto(page.base_url + "/campaigns/2020/report/440000/print/")
    expect(page.locator("#f_live_viewers")).to_have_text("12,000")
    shot(page, "13-print")

    assert page.console_errors == [], f"console errors {page.console_errors}; failed requests {failed}"


def test_other_pages_for_screenshots(page):
    """Screenshots of the pages a user meets outside the loop: failed login, a draft with an error and a warning,
    the campaign overview, the print view of that draft, the admin's dates page, an empty totals page, 404."""
    expect = playwright_expect()
    _personas()
    UserFactory(
        username="mofcom-admin", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_ADMIN, password=PASSWORD
    )

    # A report with a warning and an error, saved as a draft, so the print view shows messages too.
    from chengxin.campaigns.selectors import campaign_get
    from chengxin.units.models import User

    report = services.report_get_or_start(campaign=campaign_get(2020), unit=Unit.objects.get(code="440000"))
    services.report_save_draft(
        report=report,
        raw_values=dict(VALID_FIGURES, people_reached="100", live_sessions="0"),
        version=report.version,
        acting_user=User.objects.get(username="gd-reporter"),
    )

    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("gd-reporter")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    shot(page, "20-login-failed")

    browser_login(page, "gd-reporter")
    shot(page, "21-entry-draft-with-warning")
    page.goto(page.base_url + "/campaigns/2020/")
    expect(page.locator("h1")).to_contain_text("诚信兴商宣传月")
    shot(page, "22-overview")
    page.goto(page.base_url + "/campaigns/2020/report/440000/print/")
    shot(page, "23-print-draft")
    page.goto(page.base_url + "/campaigns/2020/settings/")
    expect(page.locator("h1")).to_have_text("页面不存在")  # admin-only: a reporter gets 404, not a hint
    shot(page, "24-settings-as-reporter")  # a bare 404 page: no header, so no 退出 button here
    page.goto(page.base_url + "/")
    _logout(page)

    browser_login(page, "mofcom-admin")
    page.goto(page.base_url + "/campaigns/2020/settings/")
    expect(page.locator("#deadline")).to_have_value("2020-11-25")
    shot(page, "25-settings")
    page.goto(page.base_url + "/campaigns/2020/completeness/")
    shot(page, "26-completeness-draft")
    page.goto(page.base_url + "/campaigns/2020/totals/")
    shot(page, "27-totals-empty")
    page.goto(page.base_url + "/campaigns/2020/report/440000/nonexistent/")
    shot(page, "28-404")

    # 24 and 28 are 404 pages on purpose, so "Failed to load resource: 404" is expected here (this also hides
    # the /favicon.ico 404 that the first test reports).
    assert [e for e in page.console_errors if "403" not in e and "404" not in e] == []
