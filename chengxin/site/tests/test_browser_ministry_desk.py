"""The ministry's desk, walked in Chromium as the ministry's reviewer (the national administrator, who reviews
and also publishes), through menu links only (issue 14): completeness, the zip of every summary report, a text
search that finds a phrase of an uploaded docx, a review (accepted) and the next unit's, the national totals
published, the consolidated workbook and its printable PDF, commitment and case moderation. Screenshots in
test-artifacts/."""

import datetime as dt
import io
import zipfile
from urllib.parse import urljoin

import pytest
from openpyxl import load_workbook

from chengxin.commitments.models import Status as CommitmentStatus
from chengxin.commitments.tests.factories import make_commitment
from chengxin.conftest import browser_login, playwright_expect, shot, submitted_report
from chengxin.portal.services import case_save
from chengxin.textsearch.tests.documents import docx_bytes
from chengxin.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_national_reviewer_works_through_the_menu(page, campaign, dave, alice, bob):
    expect = playwright_expect()
    submitted_report(campaign, Unit.objects.get(code="110000"), bob)
    guangdong = docx_bytes("广东省2020年诚信兴商宣传月活动总结", "全省评选放心消费示范街十二条，发放宣传册两万份。")
    submitted_report(campaign, Unit.objects.get(code="440000"), alice, summary=guangdong)
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
    browser_login(page, "dave")
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

    # The words of Guangdong's summary report, found from the completeness page's search box.
    page.get_by_label("全文检索总结报告、案例和活动").fill("放心消费示范街")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#results-title")).to_contain_text("找到 1 项")
    expect(page.locator(".snippet mark")).to_have_text("放心消费示范街")
    shot(page, "desk-search")
    page.go_back()

    page.locator("tr", has_text="北京市").get_by_role("link", name="查看").click()
    expect(page.locator("h1")).to_contain_text("北京市")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="下一个单位").click()  # read on without going back to the list
    expect(page.locator("h1")).not_to_contain_text("北京市")
    shot(page, "desk-review-next")

    page.locator("header nav").get_by_role("link", name="全国合计").click()
    expect(page.locator("#publish")).to_contain_text("全国汇总尚未发布。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布全国汇总").click()
    expect(page.locator("#publish")).to_contain_text("合计 1 个单位已审核的统计表")
    shot(page, "desk-totals-published")
    with page.expect_download() as workbook:
        page.get_by_role("link", name="下载全国汇总表（Excel）").click()
    assert workbook.value.suggested_filename.endswith(".xlsx")
    sheets = load_workbook(io.BytesIO(workbook.value.path().read_bytes()), read_only=True).sheetnames
    assert sheets == ["全国汇总", "打印版"]  # the official layout, and the one for paper
    # The printable table as a PDF, fetched as the link says (headless Chromium has no PDF viewer to show it in).
    href = page.get_by_role("link", name="全国汇总表（PDF，A4 横向）").get_attribute("href")
    pdf = page.request.get(urljoin(page.url, href))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

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
