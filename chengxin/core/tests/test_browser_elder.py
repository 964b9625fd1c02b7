"""长者模式 (issue 16): one switch in the public and the staff header makes the same pages larger and plainer
(text at least 20 px, line spacing at least 1.3 ×, black on white, targets at least 44 px, no serious axe-core
finding) and the browser remembers it. The cached public pages never carry one visitor's choice: elder.js applies
it from the cookie; the signed-in pages are drawn in the mode by the server (core/context_processors.py).
Screenshots in test-artifacts/elder-*.png."""

import pytest

from chengxin.conftest import ARTIFACTS, axe_report, axe_violations, browser_login, playwright_expect
from chengxin.core.context_processors import ELDER_COOKIE
from chengxin.core.tests.test_browser_header import _rgba, contrast
from chengxin.core.tests.test_browser_phone import OVERFLOW

pytestmark = pytest.mark.django_db

# The text of the page's first paragraph in <main>, the page's own colours, and every control's size.
LOOK = """() => {
  const p = document.querySelector('main p');
  const style = getComputedStyle(p);
  const size = e => {
    const r = e.getBoundingClientRect();
    return {text: e.innerText.trim(), w: r.width, h: r.height};
  };
  const shown = e => e.getClientRects().length > 0;
  return {
    elder: document.documentElement.classList.contains('elder'),
    fontSize: parseFloat(style.fontSize), lineHeight: parseFloat(style.lineHeight),
    color: style.color, background: getComputedStyle(document.body).backgroundColor,
    targets: [...document.querySelectorAll('header.top nav a, header.top button, main button')].filter(shown).map(size),
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _looks_elder(look: dict) -> None:
    assert look["elder"]
    assert look["fontSize"] >= 20, look
    assert look["lineHeight"] >= 1.3 * look["fontSize"], look
    ratio = contrast(_rgba(look["color"]), _rgba(look["background"]))
    assert ratio >= 7, f"text {look['color']} on {look['background']}: {ratio:.1f}:1"
    small = [t for t in look["targets"] if t["w"] < 44 or t["h"] < 44]
    assert not small, f"targets under 44 × 44 px: {small}"


def _switch(page, *, pressed: bool) -> None:
    toggle = page.get_by_role("button", name="长者模式")
    toggle.click()
    playwright_expect()(toggle).to_have_attribute("aria-pressed", "true" if pressed else "false")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_elder_mode_on_a_public_page_is_remembered_and_not_shared(page, browser, campaign):
    expect = playwright_expect()
    url = page.base_url + "/public/2020/"
    page.goto(url)
    toggle = page.get_by_role("button", name="长者模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    plain = page.evaluate(LOOK)
    assert not plain["elder"] and plain["fontSize"] < 20

    _switch(page, pressed=True)
    assert page.evaluate(LOOK)["elder"]
    page.reload()
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    _looks_elder(page.evaluate(LOOK))
    found = axe_violations(page)
    assert not found, axe_report(found)
    _shot(page, "elder-public")

    # The page came from the public cache (the first visit filled it): another browser gets it plain.
    other = browser.new_context(locale="zh-CN")
    stranger = other.new_page()
    stranger.goto(url)
    assert not stranger.evaluate(LOOK)["elder"]
    expect(stranger.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "false")
    other.close()

    # On a phone, larger text still never makes the page scroll sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(page.base_url + "/public/cases/")
    _shot(page, "elder-public-375")
    wide = page.evaluate(OVERFLOW, 375)
    assert wide["width"] <= 375, f"the page scrolls sideways ({wide['width']}px): {wide['out']}"

    page.goto(url)
    _switch(page, pressed=False)
    page.reload()
    assert not page.evaluate(LOOK)["elder"]
    assert ELDER_COOKIE not in {c["name"] for c in page.context.cookies()}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_elder_mode_on_a_staff_page_is_drawn_by_the_server(page, bob):
    expect = playwright_expect()
    browser_login(page, "bob")
    url = page.base_url + "/campaigns/2020/report/110000/"
    page.goto(url)
    _switch(page, pressed=True)
    page.reload()
    _looks_elder(page.evaluate(LOOK))
    expect(page.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
    found = axe_violations(page)
    assert not found, axe_report(found)
    # The server's HTML already has it (no flash before the script runs).
    assert '<html lang="zh-Hans" class="elder">' in page.request.get(url).text()
    _shot(page, "elder-staff")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    _shot(page, "elder-staff-375")
    wide = page.evaluate(OVERFLOW, 375)
    assert wide["width"] <= 375, f"the page scrolls sideways ({wide['width']}px): {wide['out']}"


def test_the_server_adds_the_class_to_staff_pages_only(client, campaign, bob):
    """The cached public frame never depends on the cookie; the signed-in frame follows it."""
    client.cookies[ELDER_COOKIE] = "1"
    public = client.get("/public/2020/").content.decode()
    assert '<html lang="zh-Hans">' in public
    assert 'data-elder-toggle aria-pressed="false"' in public
    client.force_login(bob)
    staff = client.get("/campaigns/2020/report/110000/").content.decode()
    assert '<html lang="zh-Hans" class="elder">' in staff
    assert 'data-elder-toggle aria-pressed="true"' in staff
    client.cookies[ELDER_COOKIE] = "0"
    assert '<html lang="zh-Hans">' in client.get("/campaigns/2020/report/110000/").content.decode()
