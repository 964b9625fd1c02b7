"""Accessibility in a real browser (issue 16; GB/T 37668-2019, aligned with WCAG 2.0 AA): axe-core checks every
public page and the staff pages people work in, as the persona who uses each, and finds no violation of impact
serious or critical. Whatever else it finds (moderate, minor) is written with the serious ones to
test-artifacts/axe-<test>.json, to be kept with a reason or fixed (none at the time of writing). Two tests, one
browser and one live server: the anonymous visitor, who then signs in as a province's reporter for the first time
(enrolment, the entry table, the workbook import's preview); and the ministry (the 2FA code, oversight,
moderation). The signing form's captcha is off here, as in every test but the abuse ones."""

import datetime as dt
import json
import re

import pytest

from chengxin.conftest import (
    ARTIFACTS,
    PASSWORD,
    VALID_FIGURES,
    axe_report,
    axe_violations,
    browser_login,
    playwright_expect,
    public_content,
    shot,
    totp_code,
    totp_device,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


class Audit:
    """The pages visited and what axe found on each: serious and critical ones fail the test at its end (all
    pages are checked first, so one run lists every page's problems); the others are written down."""

    def __init__(self, page, name: str):
        self.page, self.name = page, name
        self.failures: dict[str, list[dict]] = {}
        self.kept: dict[str, list[dict]] = {}

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        found = axe_violations(self.page, impacts=ALL_IMPACTS)
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        if serious:
            self.failures[f"{label} ({self.page.url})"] = serious
        others = [v for v in found if v not in serious]
        if others:
            self.kept[label] = others

    def visit(self, path: str, label: str) -> None:
        self.page.goto(self.page.base_url + path)
        self.check(label)

    def finish(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-{self.name}.json").write_text(
            json.dumps({"failures": self.failures, "kept": self.kept}, ensure_ascii=False, indent=1)
        )
        assert not self.failures, "axe-core found serious or critical violations:\n" + "\n".join(
            f"{page}:\n{axe_report(violations)}" for page, violations in self.failures.items()
        )


def _public_content(campaign, dave, bob) -> int:
    """What the public pages show (conftest.public_content) and a commitment to find. Returns the case's id."""
    from chengxin.commitments.tests.factories import make_commitment

    case_id = public_content(campaign, dave, bob)
    make_commitment(campaign, name="深圳诚信商贸有限公司")
    return case_id


def _save_draft(page, figures: dict[str, str]) -> None:
    for code, value in figures.items():
        page.locator(f"#f_{code}").fill(value)
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()


def test_public_pages_and_a_reporters_first_sign_in(page, campaign, dave, bob, alice, two_factor, tmp_path):
    from chengxin.workbooks.tests.builders import FILLED, attachment, to_bytes

    expect = playwright_expect()
    case_id = _public_content(campaign, dave, bob)
    audit = Audit(page, "public-and-reporter")

    audit.visit("/public/", "公开页·本届活动")
    assert page.url.endswith("/public/2020/")
    page.wait_for_selector(".portal-map[data-ready='1']")
    audit.check("公开页·本届活动（地图已画）")
    audit.visit("/public/cases/", "公开页·案例库")
    audit.visit(f"/public/cases/{case_id}/", "公开页·案例")
    audit.visit("/public/credit/", "公开页·信用")
    audit.visit("/commitments/2020/", "公开页·承诺查询")
    audit.visit("/commitments/2020/?q=深圳诚信", "公开页·承诺查询结果")
    audit.visit("/commitments/2020/sign/", "公开页·签署承诺")
    page.get_by_role("button", name="签署承诺").click()  # empty: every field's error shown
    audit.check("公开页·签署承诺（错误）")
    audit.visit("/public/indices/", "公开页·诚信指数")
    page.locator(".index-list a").first.click()
    page.wait_for_selector(".index-chart[data-ready='1']")
    audit.check("公开页·诚信指数详情")

    audit.visit("/accounts/login/", "登录")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    audit.check("登录（失败）")

    # First sign-in with two-factor required: the enrolment page, then the recovery codes.
    browser_login(page, "alice")
    assert "/accounts/2fa/setup/" in page.url
    audit.check("双因素认证·绑定")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("身份验证器上的 6 位验证码").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="完成绑定").click()
    audit.check("双因素认证·恢复码")

    # The entry table: a mistyped cell (nothing saved), then a draft saved with a rule's error and a warning.
    audit.visit("/campaigns/2020/report/440000/", "填报表")
    _save_draft(page, dict(VALID_FIGURES, tv_news="三条"))
    expect(page.get_by_role("alert")).to_contain_text("本次未保存")
    audit.check("填报表（填写有误）")
    _save_draft(page, dict(VALID_FIGURES, meeting_attendance="5", people_reached="100"))
    expect(page.get_by_role("textbox", name="户外活动 会议 人次")).to_have_accessible_description(
        re.compile("人次不能少于场次")
    )
    audit.check("填报表（错误与提示）")
    shot(page, "axe-entry-with-errors")

    # The import's preview: a file with a bad cell, then one with a warning (its table of figures).
    audit.visit("/campaigns/2020/import/", "Excel 导入")
    for name, filled in (
        ("有误", dict(FILLED, **{"电视新闻（条）": "三条"})),
        ("有提示", dict(FILLED, **{"宣传覆盖总人数（人次）": "100"})),
    ):
        workbook = tmp_path / f"广东省统计表{name}.xlsx"
        workbook.write_bytes(to_bytes(attachment(filled)))
        page.goto(page.base_url + "/campaigns/2020/import/")
        page.locator("#files").set_input_files(str(workbook))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.locator(".import-file h2")).to_contain_text(name)
        audit.check(f"Excel 导入·预览（{name}）")
        shot(page, f"axe-import-preview-{'error' if name == '有误' else 'warning'}")
    expect(page.locator("td[aria-describedby]")).to_have_accessible_description(re.compile("宣传覆盖总人数小于"))
    audit.finish()


def _submitted_with_a_warning(campaign, user) -> None:
    """The unit's report submitted with a warning and its explanation, for the review page to show both."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chengxin.conftest import make_docx
    from chengxin.reporting import services

    report = services.report_get_or_start(campaign=campaign, unit=user.unit)
    report = services.report_save_draft(
        report=report,
        raw_values=dict(VALID_FIGURES, people_reached="100"),
        version=report.version,
        acting_user=user,
    ).report
    services.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("总结.docx", make_docx()), acting_user=user
    )
    report.refresh_from_db()
    services.report_submit(
        report=report,
        version=report.version,
        acting_user=user,
        explanations={"reach_covers_attendance": "覆盖人数按去重后的人数统计。"},
    )


def test_the_ministrys_pages(page, campaign, dave, bob, two_factor):
    from chengxin.commitments.models import Status as CommitmentStatus
    from chengxin.commitments.tests.factories import make_commitment
    from chengxin.portal.services import case_save

    _submitted_with_a_warning(campaign, bob)
    make_commitment(campaign, name="深圳诚信商贸有限公司", status=CommitmentStatus.PENDING)
    case_save(
        acting_user=bob,
        kind="typical",
        domain="commerce",
        title="北京老字号诚信经营",
        summary="百年老店坚持明码标价",
        body="正文" * 40,
        case_date=dt.date(2020, 10, 12),
        campaign=campaign,
        submit=True,
    )
    device = totp_device(dave)
    audit = Audit(page, "ministry")

    # Password, then the authenticator's code.
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill("dave")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/accounts/2fa/" in page.url
    audit.check("双因素认证·验证码")
    shot(page, "axe-two-factor-verify")  # its 退出 button, white on white before
    page.get_by_label("动态验证码").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="验证", exact=True).click()
    playwright_expect()(page.locator("header .who")).to_contain_text("dave")
    assert page.url.endswith("/campaigns/2020/completeness/")  # the ministry's landing page
    audit.check("报送情况")
    audit.visit(f"/campaigns/2020/review/{bob.unit.code}/", "审核")
    audit.visit("/campaigns/2020/totals/", "全国合计")
    audit.visit("/campaigns/2020/dashboard/", "数据看板")
    page.wait_for_selector("[data-ready='1']")
    audit.check("数据看板（图已画）")
    shot(page, "axe-dashboard")
    audit.visit("/campaigns/2020/activities/", "活动")
    audit.visit("/commitments/2020/moderate/", "承诺审核")
    audit.visit("/public/cases/moderate/", "案例审核")
    audit.finish()
