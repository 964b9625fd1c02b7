"""The Content-Security-Policy in a real browser: every main page, opened by the persona who uses it, loads,
draws its charts and map, shows chart tooltips and runs its htmx requests without a single CSP violation or
console error. The policy allows no inline script, event handler or style attribute, so anything a template,
a static script or a library (ECharts, htmx) still does inline shows up here."""

import re

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Swagger

import chengxin.urls
from chengxin.activities.tests import factories as activities
from chengxin.analytics.services import campaign_publish_totals
from chengxin.conftest import (
    PASSWORD,
    VALID_FIGURES,
    browser_login,
    figures_times,
    playwright_expect,
    shot,
    submitted_report,
)
from chengxin.reporting import services as reporting
from chengxin.units.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A small API documented by django-ninja's own Swagger UI page, set up as chengxin.api sets up /api/v1/docs:
# its page and scripts must run under the site-wide policy too.
api = NinjaAPI(urls_namespace="csp-test-api", docs=Swagger(settings={"persistAuthorization": False}))


@api.get("/ping")
def ping(request, n: int = 1):
    return {"n": n}


urlpatterns = [path("csp-test-api/", api.urls), *chengxin.urls.urlpatterns]

# Added to every page before its own scripts: a violation is logged as a console error, with what was blocked.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def watched(page):
    """The shared `page`; every console error (CSP violations included) and every failed request is collected
    in `page.problems` with the page it happened on. Statuses a step expects are listed in `page.expected`."""
    page.problems, page.expected = [], set()
    page.context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") in page.expected:
            return
        page.problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page.problems.append(f"{page.url}: {exc}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and r.url not in page.expected and page.problems.append(f"HTTP {r.status} {r.url}"),
    )
    return page


def _visit(page, path: str, *, status: int = 200) -> None:
    if status != 200:
        page.expected.add(page.base_url + path)
    response = page.goto(page.base_url + path)
    assert response.status == status, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, (path, policy)
    page.wait_for_load_state("load")


def _hover_charts(page, selector: str) -> None:
    """Move the mouse over the middle of each drawn chart so that ECharts builds its tooltip."""
    expect = playwright_expect()
    for chart in page.locator(selector).all():
        expect(chart.locator("canvas").first).to_be_visible()
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for fx, fy in ((0.5, 0.5), (0.35, 0.6), (0.7, 0.4)):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)


def _logout(page) -> None:
    page.locator("header .who").get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _data(campaign, alice, bob, carol, dave):
    """广东省 submitted (to review), 北京市 accepted and the totals published, one published activity each."""
    submitted_report(campaign, alice.unit, alice)
    beijing = submitted_report(campaign, bob.unit, bob, figures_times(3))
    reporting.report_accept(report=beijing, acting_user=carol)
    campaign_publish_totals(campaign=campaign, acting_user=dave)
    activities.published(campaign, alice)
    activities.published(campaign, bob, "110000", region_code="110000", place="北京市东城区")


def test_main_pages_run_without_a_csp_violation(watched, settings, campaign, alice, bob, carol, dave):
    settings.CHENGXIN_2FA_REQUIRED = False  # the personas sign in with a password (2FA pages are tested apart)
    page = watched
    expect = playwright_expect()
    _data(campaign, alice, bob, carol, dave)

    # --- Anonymous: the login form and the public pages (map, language switch).
    _visit(page, "/accounts/login/")
    _visit(page, "/public/2020/")
    expect(page.locator(".portal-map[data-ready='1']")).to_have_count(1)
    _hover_charts(page, ".portal-map")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state("load")
    for public_page in ("/public/cases/", "/public/credit/", "/commitments/2020/"):
        _visit(page, public_page)

    # --- The province: entry page (htmx live check), activity form, print page, an error page.
    browser_login(page, "alice")
    entry = "/campaigns/2020/report/440000/"
    _visit(page, entry)
    _visit(page, "/campaigns/2020/activities/new/")
    _visit(page, "/campaigns/2020/activities/")
    _visit(page, "/campaigns/2020/report/440000/print/")
    _visit(page, "/notices/")
    _visit(page, "/campaigns/2020/review/110000/", status=404)  # another unit's report: not found
    # A stale form (its version spoiled): the error page, whose 返回上一页 link goes back through history.
    _visit(page, entry)
    page.expected.add(page.base_url + entry)
    with page.expect_navigation():
        page.evaluate(
            "() => { const f = document.getElementById('report-form');"
            " f.querySelector('[name=version]').value = 'x'; f.submit(); }"
        )
    expect(page.locator("p.error")).to_contain_text("页面已过期")
    with page.expect_navigation():
        page.get_by_role("link", name="返回上一页").click()
    assert page.url.endswith(entry)
    _logout(page)

    # --- The ministry: dashboard (charts, map, tooltips), totals (chart, scope select), review, completeness.
    browser_login(page, "carol")
    _visit(page, "/campaigns/2020/dashboard/")
    expect(page.locator(".chart.map[data-ready='1']")).to_have_count(1)
    _hover_charts(page, ".chart[data-chart]")
    _visit(page, "/campaigns/2020/totals/")
    _hover_charts(page, ".chart[data-chart]")
    shot(page, "csp-totals-tooltip")  # the last chart's tooltip, drawn on the canvas
    with page.expect_navigation():
        page.locator("#scope").select_option(index=1)  # data-autosubmit reloads with the chosen scope
    assert "scope=" in page.url
    _visit(page, "/campaigns/2020/completeness/")
    _visit(page, "/campaigns/2020/review/440000/")
    # Return the report so that the province has an editable table for the live check.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("textarea[name='reason']").fill("请补充直播场次的说明。")
    with page.expect_navigation():
        page.get_by_role("button", name="退回修改", exact=True).click()
    _logout(page)

    browser_login(page, "alice")
    _visit(page, entry)
    with page.expect_response(re.compile(r"/check/$")):
        page.locator("#f_meeting_sessions").fill("0")
        page.locator("#f_meeting_sessions").dispatch_event("change")
    expect(page.locator("#findings")).to_contain_text("场次为 0 时人次也应为 0")
    page.locator("#f_meeting_sessions").fill(VALID_FIGURES["meeting_sessions"])
    _logout(page)

    # --- The administrator: settings, the new-year form (data-autosubmit select).
    browser_login(page, "dave")
    _visit(page, "/campaigns/2020/settings/")
    _visit(page, "/campaigns/new/")
    _visit(page, "/public/2020/logo/")

    assert page.problems == [], "\n".join(page.problems)


def test_the_admin_and_the_api_documentation_run_under_the_same_policy(watched, settings, campaign):
    """Neither the Django admin nor django-ninja's Swagger UI needs the policy widened (no inline script or style
    attribute in either): both are opened and used here with the site-wide policy."""
    settings.CHENGXIN_2FA_REQUIRED = False
    settings.ROOT_URLCONF = __name__
    page = watched
    expect = playwright_expect()
    root = User.objects.create_superuser("root", "root@example.gov.cn", PASSWORD)
    User.objects.filter(pk=root.pk).update(password_changed_at=timezone.now())  # not an initial password

    _visit(page, "/csp-test-api/docs")
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table .response-col_description .microlight").first).to_contain_text('"n": 1')

    _visit(page, "/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    for admin_page in (
        "/admin/",
        "/admin/units/unit/",
        "/admin/units/unit/?q=广东",
        "/admin/units/user/",
        "/admin/units/user/add/",
        f"/admin/units/user/{root.pk}/change/",
    ):
        _visit(page, admin_page)
    assert page.problems == [], "\n".join(page.problems)
