"""In a real browser: a province uploads a workbook with one error, sees the cell named, fixes the file,
uploads again, reads the preview and saves."""

import pytest

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import ARTIFACTS, PASSWORD
from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_values
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory
from chengxin.workbooks.tests.builders import EXPECTED, FILLED, attachment, to_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_with_an_error_fix_preview_and_save(page, tmp_path):
    from playwright.sync_api import expect

    campaign_load(year=2020)
    UserFactory(username="gd", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER, password=PASSWORD)
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("gd")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")

    # From the entry page to the import page.
    page.goto(page.base_url + "/campaigns/2020/report/440000/")
    page.get_by_role("link", name="从 Excel 导入").click()
    expect(page.locator("h1")).to_have_text("从 Excel 导入统计表")

    # A workbook with one bad cell: the preview names FILE!SHEET!CELL and offers no import.
    bad = tmp_path / "广东省统计表.xlsx"
    bad.write_bytes(to_bytes(attachment(dict(FILLED, **{"电视新闻（条）": "三条"}))))
    page.locator("#files").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".problems")).to_contain_text("广东省统计表.xlsx!Sheet1!D7")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "30-import-error.png"), full_page=True)
    assert Report.objects.count() == 0

    # Fixed and uploaded again: the preview shows the figures; confirming saves the draft.
    good = tmp_path / "广东省统计表.xlsx"
    good.write_bytes(to_bytes(attachment()))
    page.get_by_role("link", name="重新上传").click()
    page.locator("#files").set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".import-file")).to_contain_text("可以导入")
    expect(page.locator("table.preview")).to_contain_text("12,000")
    page.screenshot(path=str(ARTIFACTS / "31-import-preview.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入 1 个文件").click()
    expect(page.locator(".messages")).to_contain_text("已导入草稿（广东省）")
    page.get_by_role("link", name="返回本单位填报页面").click()
    expect(page.locator("#f_live_viewers")).to_have_value("12,000")
    page.screenshot(path=str(ARTIFACTS / "32-import-saved.png"), full_page=True)
    assert report_values(Report.objects.get(unit__code="440000")) == EXPECTED
    # The refused preview is answered 422 on purpose (the browser logs that); nothing else may fail.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
