"""The ministry's desk, walked in Chromium as the national reviewer, through menu links only (issue 14):
completeness, a review and the next unit's, the national totals with what is published, commitment and case
moderation, the zip of every summary report and the consolidated workbook. Screenshots in test-artifacts/.
(The text search and the printable national table are not built yet.)"""

import datetime as dt
import io
import zipfile

import pytest

from chengxin.commitments.models import Status as CommitmentStatus
from chengxin.commitments.tests.factories import make_commitment
from chengxin.conftest import browser_login, playwright_expect, shot, submitted_report
from chengxin.portal.services import case_save
from chengxin.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_national_reviewer_works_through_the_menu(page, campaign, carol, alice, bob):
    expect = playwright_expect()
    submitted_report(campaign, Unit.objects.get(code="110000"), bob)
    submitted_report(campaign, Unit.objects.get(code="440000"), alice)
    make_commitment(campaign, name="深圳诚信商贸有限公司", status=CommitmentStatus.PENDING)
    case_save(
        acting_user=bob,
        kind="typical",
        domain="commerce",
        title="北京老字号诚信经营",
        summary="百年老店坚持明码标价",
        body="正文" * 20,
        case_date=dt.date(2020, 10, 12),
        campaign=campaign,
        submit=True,
    )
    browser_login(page, "carol")
    menu = page.locator("header nav")
    expect(menu.get_by_role("link", name="报送情况")).to_contain_text("2")  # two reports wait for review
    expect(menu.get_by_role("link", name="承诺审核")).to_contain_text("1")
    expect(menu.get_by_role("link", name="案例审核")).to_contain_text("1")

    menu.get_by_role("link", name="报送情况").click()
    shot(page, "desk-completeness")
    with page.expect_download() as download:
        page.get_by_role("link", name="打包下载").first.click()
    names = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())).namelist()
    assert "110000-北京市-总结报告.docx" in names and "440000-广东省-总结报告.docx" in names

    page.locator("tr", has_text="北京市").get_by_role("link", name="查看").click()
    expect(page.locator("h1")).to_contain_text("北京市")
    page.get_by_role("link", name="下一个单位").click()  # read on without going back to the list
    expect(page.locator("h1")).not_to_contain_text("北京市")
    shot(page, "desk-review-next")

    page.locator("header nav").get_by_role("link", name="全国合计").click()
    expect(page.locator("#publish")).to_contain_text("全国汇总尚未发布。")
    with page.expect_download() as workbook:
        page.get_by_role("link", name="下载全国汇总表（Excel）").click()
    assert workbook.value.suggested_filename.endswith(".xlsx")

    page.locator("header nav").get_by_role("link", name="承诺审核").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="公示").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("header nav").get_by_role("link", name="承诺审核")).not_to_contain_text("1")
    shot(page, "desk-commitments")

    page.locator("header nav").get_by_role("link", name="案例审核").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_contain_text("北京老字号诚信经营")
    shot(page, "desk-cases")
    assert page.console_errors == []
