"""Shared fixtures: the 2020 campaign as loaded from the notice, and named personas.

- alice: reporter of 广东省 (440000)      - bob: reporter of 北京市 (110000)
- carol: national reviewer (商务部)         - dave: national administrator (商务部)
- erin: reporter of 海关总署 (GACC), a co-organiser that sends a summary only
- the three administrators of separation of duties (三权分立), all at 商务部: sysadmin (system administrator:
  units and accounts in the Django admin), secadmin (security administrator: /accounts/security/), ivan (auditor)

Two-factor sign-in is off for the suite (`_two_factor_off`); the `two_factor` fixture turns it on, and
`totp_device`, `totp_code` and `verified_login` enrol and verify an account.
"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_load
from chengxin.reporting.services import report_get_or_start
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

PASSWORD = "Correct-Horse-2020"

VALID_FIGURES = {
    "meeting_sessions": "12",
    "meeting_attendance": "3400",
    "material_methods": "展板、手册",
    "material_copies": "5000",
    "print_news": "8",
    "tv_news": "3",
    "radio_broadcasts": "2",
    "web_news": "40",
    "videos": "6",
    "live_sessions": "3",
    "live_viewers": "1.2万",
    "people_reached": "5万",
    "consultations": "860",
}


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    """Background tasks (huey) run inside the request in tests, on an in-memory queue."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached roll-ups of another test's (rolled back) data must not
    answer for this one's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Tests hash with MD5 (Argon2 costs about 0.15 s a password); units/tests/test_passwords.py sets the real
    hashers where hashing itself is under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    """Most tests are about something else than signing in: two-factor sign-in is off unless a test asks for the
    `two_factor` fixture (chengxin/units/tests/test_two_factor.py walks every URL with it on)."""
    settings.CHENGXIN_2FA_REQUIRED = False


@pytest.fixture(autouse=True)
def _no_captcha_no_rate_limit(settings):
    """The signing form's picture check and the anonymous rate limits are about abuse, not about what most tests
    post: off unless a test asks for `abuse_guards` (chengxin/commitments/tests/test_abuse.py)."""
    settings.CHENGXIN_SIGN_CAPTCHA = False
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def abuse_guards(settings):
    """The captcha and the rate limits on, as in production."""
    settings.CHENGXIN_SIGN_CAPTCHA = True
    settings.RATELIMIT_ENABLE = True


@pytest.fixture
def two_factor(settings):
    """Two-factor sign-in required, as in production."""
    settings.CHENGXIN_2FA_REQUIRED = True


def totp_device(user):
    """A confirmed authenticator for `user` (what enrolment leaves behind)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def totp_code(key_or_device, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator app shows now (or `steps_ahead` × 30 s later) for a TOTPDevice or a
    base32 secret as the enrolment page shows it (spaces allowed)."""
    import base64
    import time

    from django_otp.oath import TOTP

    if isinstance(key_or_device, str):
        secret = key_or_device.replace(" ", "")
        totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    else:
        device = key_or_device
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def verified_login(client, user):
    """Sign `client` in as `user` with a session verified by a new authenticator (force_login and django-otp's
    session key, as a successful code entry leaves them); returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder, never into ./var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


# The 2020 form's figure codes, in printed order, as CONTRACT.md lists them.
CONTRACT_FIGURE_CODES = [
    "meeting_sessions",
    "meeting_attendance",
    "material_methods",
    "material_copies",
    "print_news",
    "tv_news",
    "radio_broadcasts",
    "web_news",
    "videos",
    "live_sessions",
    "live_viewers",
    "people_reached",
    "consultations",
]

# VALID_FIGURES as the services store them ("1.2万" → 12000).
VALID_VALUES = {
    "meeting_sessions": 12,
    "meeting_attendance": 3400,
    "material_methods": "展板、手册",
    "material_copies": 5000,
    "print_news": 8,
    "tv_news": 3,
    "radio_broadcasts": 2,
    "web_news": 40,
    "videos": 6,
    "live_sessions": 3,
    "live_viewers": 12000,
    "people_reached": 50000,
    "consultations": 860,
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Reports in every state (analytics.tests.test_selectors.build_reports), built once per module inside a
    transaction that is rolled back afterwards. Modules that use it shadow `campaign` with world["campaign"]."""
    from django.db import transaction
    from django.test import override_settings

    from chengxin.analytics.tests.test_selectors import build_reports

    fast = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with fast, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_reports()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The 2020 campaign, loaded once into the test database: each test sees it and rolls its own changes
    back. (Tests that flush the database, the live-server ones, run last; `campaign` loads it again then.)"""
    with django_db_blocker.unblock():
        campaign_load(year=2020)


@pytest.fixture
def campaign(db) -> Campaign:
    return Campaign.objects.filter(year=2020).first() or campaign_load(year=2020)


def _persona(username: str, unit_code: str, role: str):
    return UserFactory(username=username, unit=Unit.objects.get(code=unit_code), role=role, password=PASSWORD)


@pytest.fixture
def alice(campaign):
    return _persona("alice", "440000", Role.UNIT_REPORTER)


@pytest.fixture
def bob(campaign):
    return _persona("bob", "110000", Role.UNIT_REPORTER)


@pytest.fixture
def carol(campaign):
    return _persona("carol", "MOFCOM", Role.NATIONAL_REVIEWER)


@pytest.fixture
def dave(campaign):
    return _persona("dave", "MOFCOM", Role.NATIONAL_ADMIN)


@pytest.fixture
def erin(campaign):
    return _persona("erin", "GACC", Role.UNIT_REPORTER)


@pytest.fixture
def sysadmin(campaign):
    return _persona("sysadmin", "MOFCOM", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(campaign):
    return _persona("secadmin", "MOFCOM", Role.SECURITY_ADMIN)


@pytest.fixture
def ivan(campaign):
    """The auditor."""
    return _persona("ivan", "MOFCOM", Role.AUDITOR)


@pytest.fixture
def guangdong_report(campaign):
    return report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))


@pytest.fixture
def beijing_report(campaign):
    return report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="110000"))


def make_docx(text: str = "2020年诚信兴商宣传月活动总结") -> bytes:
    """A minimal but structurally real .docx (a zip with the parts Word needs). The same text gives the same
    bytes whenever it is made (each part's date is fixed), so a test can compare a download with it."""
    buffer = io.BytesIO()

    def part(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(2020, 10, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            part("[Content_Types].xml"),
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            part("word/document.xml"),
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return buffer.getvalue()


def make_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def docx_upload():
    return SimpleUploadedFile("广东省总结报告.docx", make_docx(), content_type="application/octet-stream")


# --- Browser tests -----------------------------------------------------------------------------------------
# They drive Debian's chromium (never a downloaded browser) through Playwright. Without chromium they are
# skipped with a reason that pytest prints (-ra); under CI=true a missing chromium is a failure instead.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
]


def chromium_path() -> str | None:
    import os
    import shutil

    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots, git-ignored


def playwright_expect():
    """Playwright's `expect`, imported only when a browser test runs."""
    from playwright.sync_api import expect

    return expect


def shot(page, name: str) -> None:
    """A full-page screenshot into test-artifacts/, to look at after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def browser_login(page, username: str) -> None:
    """Sign in through the real login form (every persona's password is PASSWORD)."""
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    playwright_expect()(page.locator("header .who")).to_contain_text(username)


# axe-core, from npm (package-lock.json), copied beside htmx and ECharts by `make assets`; no page loads it.
AXE_STATIC_PATH = "/static/vendor/axe.min.js"
AXE_FILES = (
    Path(__file__).resolve().parent / "static" / "vendor" / "axe.min.js",
    Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js",
)
AXE_RUN = """async ([impacts, limit]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, limit).map(n => n.target.join(" ")),
    count: v.nodes.length,
  }));
}"""


def axe_violations(page, *, impacts=("serious", "critical"), limit: int = 3) -> list[dict]:
    """The WCAG 2.0 A and AA violations axe-core finds on the page as it is now, of the given impacts (axe's
    four: minor, moderate, serious, critical): each with its rule `id`, `impact`, `help`, the first `limit`
    `targets` (CSS selectors) and the `count` of elements. The page's Content-Security-Policy allows only
    same-origin scripts, so axe is loaded from the static URL (the vendor copy `make assets` makes); without that
    copy, from node_modules/ through Playwright (which the policy does not govern)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if AXE_FILES[0].exists():
            page.add_script_tag(url=AXE_STATIC_PATH)
        elif AXE_FILES[1].exists():
            page.evaluate(AXE_FILES[1].read_text(encoding="utf-8") + "\n;undefined")  # axe sets window.axe
        else:
            pytest.fail("axe-core is not installed: run `make assets` (npm ci, then the copy into static/vendor)")
    return page.evaluate(AXE_RUN, [list(impacts), limit])


def axe_report(violations: list[dict]) -> str:
    """Violations as one line each, for an assertion message."""
    return "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']}×: {', '.join(v['targets'])})" for v in violations
    )


@pytest.fixture(scope="session")
def browser():
    import os

    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is not installed but CI=true: .ci/run must install Debian's chromium")
        pytest.skip(
            "browser test skipped: Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are still
    # synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; console errors are collected in `page.console_errors`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def figures_times(factor: int) -> dict[str, str]:
    """VALID_FIGURES with every number multiplied: distinct, rule-abiding tables for several units."""
    from chengxin.core.numbers import parse_whole_number

    return {
        k: (v if k == "material_methods" else str(parse_whole_number(v) * factor)) for k, v in VALID_FIGURES.items()
    }


def submitted_report(campaign, unit: Unit, user, figures: dict[str, str] | None = None, summary: bytes | None = None):
    """The unit's report saved with `figures`, a summary (`summary`, a docx's bytes) uploaded and submitted,
    through the services."""
    from chengxin.reporting import services

    report = report_get_or_start(campaign=campaign, unit=unit)
    report = services.report_save_draft(
        report=report, raw_values=figures or VALID_FIGURES, version=report.version, acting_user=user
    ).report
    services.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("总结.docx", summary or make_docx()), acting_user=user
    )
    report.refresh_from_db()
    return services.report_submit(report=report, version=report.version, acting_user=user)


def public_content(campaign, dave, bob) -> int:
    """What the public pages show when there is something to show, for the browser tests that walk them:
    published totals (bob's report accepted), a published case, a published activity and an integrity index.
    Returns the case's id."""
    import datetime as dt

    from django.utils import timezone

    from chengxin.activities.models import Activity
    from chengxin.analytics.services import campaign_publish_totals
    from chengxin.indices.tests.builders import make_index, monthly_rows, published
    from chengxin.portal.services import case_publish, case_save
    from chengxin.reporting.services import report_accept

    report_accept(report=submitted_report(campaign, bob.unit, bob), acting_user=dave)
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    case = case_save(
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
    case_publish(case=case, acting_user=dave)
    Activity.objects.create(
        campaign=campaign,
        unit=bob.unit,
        title="北京诚信街区开放日",
        start_date=dt.date(2020, 10, 9),
        end_date=dt.date(2020, 10, 9),
        region_code="110000",
        mode="online",
        status="published",
        published_at=timezone.now(),
        created_by=bob,
    )
    index = make_index(bob, name="北京购物诚信指数")
    published(index, bob, dave, monthly_rows(months=[(f"2020-{m:02d}", str(100 + m)) for m in range(1, 7)]))
    return case.pk


@pytest.fixture
def tree(campaign, alice):
    """广东省 (alice) with two cities, 广州市 (frank) and 佛山市 (gina), and 天河区 (hank) under 广州市;
    each a participant of 2020 that fills the table."""
    from chengxin.campaigns.models import Participant
    from chengxin.units.models import UnitKind

    guangdong = Unit.objects.get(code="440000")
    guangzhou = Unit.objects.create(
        code="440100", name="广州市", short_name="广州", kind=UnitKind.CITY, parent=guangdong
    )
    foshan = Unit.objects.create(code="440600", name="佛山市", short_name="佛山", kind=UnitKind.CITY, parent=guangdong)
    tianhe = Unit.objects.create(
        code="440106", name="天河区", short_name="天河", kind=UnitKind.COUNTY, parent=guangzhou
    )
    for unit in (guangzhou, foshan, tianhe):
        Participant.objects.create(campaign=campaign, unit=unit, fills_statistics=True)
    return {
        "guangdong": guangdong,
        "guangzhou": guangzhou,
        "foshan": foshan,
        "tianhe": tianhe,
        "alice": alice,
        "frank": _persona("frank", "440100", Role.UNIT_REPORTER),
        "gina": _persona("gina", "440600", Role.UNIT_REPORTER),
        "hank": _persona("hank", "440106", Role.UNIT_REPORTER),
    }
