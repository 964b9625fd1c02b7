"""Two-factor enrolment in a real browser, as a person does it at first sign-in: password, QR code and secret,
the authenticator's code (computed here from the secret the page shows), then the unit's own page. Screenshot of
the enrolment page in test-artifacts/."""

import pytest

from chengxin.campaigns.services import campaign_load
from chengxin.conftest import PASSWORD, browser_login, playwright_expect, shot, totp_code
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reporter_enrols_an_authenticator_at_first_sign_in_and_reaches_the_home_page(page, two_factor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    campaign_load(year=2020)
    UserFactory(
        username="gd-reporter", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER, password=PASSWORD
    )
    expect = playwright_expect()

    browser_login(page, "gd-reporter")
    assert "/accounts/2fa/setup/" in page.url
    expect(page.get_by_role("heading", name="启用双因素认证")).to_be_visible()
    expect(page.locator("svg.totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    shot(page, "two-factor-setup")

    page.get_by_label("身份验证器上的 6 位验证码").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="完成绑定").click()
    page.wait_for_load_state("load")
    # The recovery codes, shown once, then on to the reporter's home page: its unit's report.
    expect(page.get_by_role("heading", name="请保存您的恢复码")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    expect(page.locator(".messages")).to_contain_text("已启用双因素认证")
    shot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/campaigns/2020/report/440000/")
    assert TOTPDevice.objects.filter(user__username="gd-reporter", confirmed=True).count() == 1
    assert page.console_errors == []


def test_the_security_administrator_resets_an_accounts_two_factor_after_confirming(page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chengxin.conftest import totp_device

    campaign_load(year=2020)
    mofcom = Unit.objects.get(code="MOFCOM")
    UserFactory(username="sec-admin", unit=mofcom, role=Role.SECURITY_ADMIN, password=PASSWORD)
    reporter = UserFactory(username="gd-reporter", unit=Unit.objects.get(code="440000"), password=PASSWORD)
    totp_device(reporter)
    expect = playwright_expect()

    browser_login(page, "sec-admin")
    page.goto(page.base_url + "/accounts/security/")
    row = page.locator("tr", has=page.get_by_role("cell", name="gd-reporter", exact=True))
    expect(row).to_contain_text("已启用")
    shot(page, "security-accounts")
    row.get_by_role("link", name="管理").click()
    expect(page.get_by_role("heading", name="账号安全：gd-reporter")).to_be_visible()
    shot(page, "security-account")

    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.get_by_role("button", name="重置双因素认证").click()
    assert dialogs == ["确认重置“gd-reporter”的双因素认证？"]
    expect(page.locator(".messages")).to_contain_text("已重置“gd-reporter”的双因素认证")
    assert not TOTPDevice.objects.filter(user=reporter).exists()
    assert page.console_errors == []
