"""The reporting loop and the review loop with the keyboard only, and at 200 % zoom (issue 16; GB/T 37668-2019
5.2 / WCAG 2.1.1 keyboard, 2.1.2 no keyboard trap, 2.4.7 focus visible, 1.4.4 resize text, 1.4.10 reflow).

After `page.goto` to reach a page, every action is `page.keyboard`: Tab and Shift+Tab to move, characters typed
into the focused field, Enter or Space to press the focused button. The one exception is the file itself: the
focused file input is opened with Space and Playwright answers the operating system's file chooser
(`expect_file_chooser`) with the summary report, as a user picks it in that dialog. The confirm dialogs of
报送 and 审核通过 are accepted by a dialog handler, as the user presses Enter in them.

Every time focus moves, the focused element must be on screen and show a focus indicator (an outline of at
least 2 px, or a box-shadow, in a colour other than the background behind it); and on each page, tabbing forward
from the top must pass every element once, in order, and leave the page after the last (no trap).

The zoom check opens the same entry and review pages in a 640×450 CSS px viewport at device scale factor 2 (a
1280×900 window at 200 %): nothing may be wider than the window except inside a container that scrolls
(overflow-x auto or scroll), and the 报送 and 审核通过 buttons must lie within the page. Screenshots:
test-artifacts/keyboard-*.png and zoom200-*.png; every walked page's stops in test-artifacts/keyboard-stops.json."""

import json

import pytest

from chengxin.conftest import (
    ARTIFACTS,
    PASSWORD,
    VALID_FIGURES,
    browser_login,
    make_docx,
    playwright_expect,
    shot,
    submitted_report,
)
from chengxin.reporting.models import Report, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRY = "/campaigns/2020/report/110000/"
REVIEW = "/campaigns/2020/review/110000/"

# What the focused element looks like, and whether it can be seen: a unique key (its index in the document),
# a short description for messages, its place on screen and its focus indicator.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const all = document.querySelectorAll("*");
  const r = el.getBoundingClientRect();
  const cs = getComputedStyle(el);
  let bg = "rgba(0, 0, 0, 0)";
  for (let a = el.parentElement; a; a = a.parentElement) {
    const c = getComputedStyle(a).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") { bg = c; break; }
  }
  if (bg === "rgba(0, 0, 0, 0)") bg = "rgb(255, 255, 255)";
  const label = (el.getAttribute("aria-label") || el.innerText || el.value || el.getAttribute("name") || "")
    .trim().replace(/\\s+/g, " ").slice(0, 24);
  return {
    key: Array.prototype.indexOf.call(all, el),
    desc: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (label ? ` "${label}"` : ""),
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight
      && r.left < innerWidth && el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
    outlineStyle: cs.outlineStyle,
    outlineWidth: parseFloat(cs.outlineWidth) || 0,
    outlineColor: cs.outlineColor,
    boxShadow: cs.boxShadow,
    background: bg,
  };
}"""

# The last element a Tab can reach: focusable, not disabled, not tabindex=-1, rendered.
LAST_TABBABLE = """() => {
  const sel = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  const all = [...document.querySelectorAll(sel)].filter(el =>
    !el.disabled && el.tabIndex >= 0 && el.checkVisibility({visibilityProperty: true})
    && el.getClientRects().length > 0);
  const last = all[all.length - 1];
  return Array.prototype.indexOf.call(document.querySelectorAll("*"), last);
}"""


class Keyboard:
    """Tab, Shift+Tab, Enter, Space and typing on `page`, checking the focus after every move. `steps` keeps
    where focus went (for messages), `walks` the stops of each page walked from top to bottom."""

    def __init__(self, page):
        self.page = page
        self.steps: list[str] = []
        self.walks: dict[str, list[str]] = {}  # each walked page's stops, written to test-artifacts/

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def check(self, info: dict | None) -> None:
        assert info is not None, f"focus left the page after {self.steps[-5:]}"
        assert info["visible"], f"the focused element is not on screen: {info['desc']}"
        outline = info["outlineStyle"] != "none" and info["outlineWidth"] >= 2
        assert outline or info["boxShadow"] != "none", (
            f"no visible focus indicator on {info['desc']}: outline {info['outlineStyle']} "
            f"{info['outlineWidth']}px, box-shadow {info['boxShadow']}"
        )
        if outline:
            assert info["outlineColor"] != info["background"], (
                f"the focus outline of {info['desc']} has the colour of the background ({info['background']})"
            )

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        info = self.focused()
        self.steps.append(info["desc"] if info else "(none)")
        return info

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 120) -> None:
        """Tab (or Shift+Tab) until the element matching `selector` has the focus, checking each stop."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.check(self.press(key))
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"{selector} not reached with {key} in {limit} presses: {self.steps[-limit:]}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def activate(self, key: str = "Enter") -> None:
        """Press the focused button with Enter or Space: it submits its form, and the next page loads."""
        self.check(self.focused())
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.page.wait_for_load_state("load")

    def walk_the_page(self, name: str) -> list[str]:
        """From the top of the page (opened again without its #fragment: after a redirect to #summary, Tab
        rightly starts there), Tab forward through every element: each stop is new (never the same element twice,
        so no trap), shows its focus, and the last element of the page is reached and then left. Returns the
        stops' descriptions."""
        self.page.goto(self.page.url.split("#")[0])
        last = self.page.evaluate(LAST_TABBABLE)
        seen: list[int] = []
        stops: list[str] = []
        for _ in range(400):
            self.page.keyboard.press("Tab")
            info = self.focused()
            if info is None or (seen and info["key"] == seen[0]):  # left the document, or came round again
                break
            self.check(info)
            assert info["key"] not in seen, f"{name}: focus came back to {info['desc']} after {stops[-5:]} (a trap)"
            seen.append(info["key"])
            stops.append(info["desc"])
        else:
            pytest.fail(f"{name}: still inside the page after 400 presses of Tab: {stops[-10:]}")
        assert seen and seen[-1] == last, f"{name}: the last stop was {stops[-1:]}, not the page's last element"
        assert len(stops) >= 10, f"{name}: only {len(stops)} stops: {stops}"
        self.walks[name] = stops
        return stops


def _sign_in(page, keys: Keyboard, username: str) -> None:
    """The login form with the keyboard: the user name field has the focus when the page opens."""
    page.goto(page.base_url + "/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"
    keys.type(username)
    keys.tab_to("#id_password")
    keys.type(PASSWORD)
    keys.tab_to("button[type=submit].primary")
    keys.activate("Enter")
    playwright_expect()(page.locator("header .who")).to_contain_text(username)


def _sign_out(page, keys: Keyboard) -> None:
    page.goto(page.url.split("#")[0])
    keys.tab_to("header .who button")
    keys.activate("Enter")
    assert "/accounts/login/" in page.url


def test_the_reporting_and_review_loops_with_the_keyboard_only(page, campaign, bob, carol, tmp_path):
    expect = playwright_expect()
    dialogs: list[tuple[str, str]] = []

    def accept(dialog):  # the user reads the question and presses Enter
        dialogs.append((dialog.type, dialog.message))
        dialog.accept()

    page.on("dialog", accept)
    keys = Keyboard(page)

    # --- The reporter: signs in and opens the entry page.
    _sign_in(page, keys, "bob")
    page.goto(page.base_url + ENTRY)
    stops = keys.walk_the_page("填报页（未填报）")
    assert any("#f_consultations" in s for s in stops) and any("#summary-file" in s for s in stops)

    # Each figure, from the top of the page: Tab to its field, type the value.
    page.goto(page.base_url + ENTRY)
    for code, value in VALID_FIGURES.items():
        keys.tab_to(f"#f_{code}")
        keys.type(value)
    shot(page, "keyboard-01-entry-typed")

    # Save the draft: Tab on to 保存草稿, Enter.
    keys.tab_to("button[value=save]")
    keys.activate("Enter")
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator("#f_live_viewers")).to_have_value("12,000")

    # The summary report: Tab to the file field, Space opens the chooser, the file is picked; Tab to 上传, Enter.
    docx = tmp_path / "北京市2020年诚信兴商宣传月活动总结.docx"
    docx.write_bytes(make_docx())
    keys.tab_to("#summary-file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(docx))
    keys.tab_to("#summary button[type=submit]")
    keys.activate("Enter")
    expect(page.locator("#summary")).to_contain_text(docx.name)
    shot(page, "keyboard-02-entry-uploaded")

    # Submit: back up from the summary section (where the upload returned to) to 报送 with Shift+Tab, Enter;
    # the confirm dialog is accepted.
    assert page.url.endswith("#summary")
    keys.tab_to("button[value=submit]", backwards=True)
    keys.activate("Enter")
    assert dialogs and dialogs[-1][0] == "confirm" and "确认报送" in dialogs[-1][1]
    expect(page.locator(".subtitle")).to_contain_text("已报送")
    assert Report.objects.get(unit__code="110000").status == Status.SUBMITTED
    keys.walk_the_page("填报页（已报送）")
    shot(page, "keyboard-03-entry-submitted")
    _sign_out(page, keys)

    # --- The reviewer: signs in, opens 北京市's review page, walks it, accepts with Space.
    _sign_in(page, keys, "carol")
    page.goto(page.base_url + REVIEW)
    stops = keys.walk_the_page("审核页（待审核）")
    assert any("#reason" in s for s in stops)
    page.goto(page.base_url + REVIEW)
    keys.tab_to("button[value=accept]")
    shot(page, "keyboard-04-review-accept-focused")
    keys.activate("Space")
    assert dialogs[-1][0] == "confirm" and "确认审核通过" in dialogs[-1][1]
    expect(page.locator(".subtitle")).to_contain_text("已审核")
    expect(page.locator(".messages")).to_contain_text("审核通过")
    assert Report.objects.get(unit__code="110000").status == Status.ACCEPTED
    keys.walk_the_page("审核页（已审核）")
    shot(page, "keyboard-05-review-accepted")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "keyboard-stops.json").write_text(json.dumps(keys.walks, ensure_ascii=False, indent=1))

    assert [e for e in page.console_errors if "favicon" not in e] == []


def test_a_report_returned_with_a_reason_by_keyboard(page, campaign, bob, carol):
    """退回修改 with the keyboard: Tab to the reason, type it, Tab to the button, Enter, confirm."""
    submitted_report(campaign, bob.unit, bob)
    page.on("dialog", lambda dialog: dialog.accept())
    keys = Keyboard(page)
    _sign_in(page, keys, "carol")
    page.goto(page.base_url + REVIEW)

    keys.tab_to("#reason")
    keys.type("电视新闻条数与附件不符，请核对")
    keys.tab_to("button[value=return]")
    keys.activate("Enter")

    playwright_expect()(page.locator(".subtitle")).to_contain_text("已退回")
    report = Report.objects.get(unit__code="110000")
    assert report.status == Status.RETURNED and report.return_reason == "电视新闻条数与附件不符，请核对"


# --- 200 % zoom -----------------------------------------------------------------------------------------------

# Elements reaching past the window's right edge, except inside a container that scrolls sideways and says so
# (overflow-x auto or scroll, role="region" and an aria-label, as the site's .table-scroll boxes do): content cut
# off by overflow hidden, or in a scroll box that nobody is told about, counts.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll") {
        const named = a.getAttribute("aria-label") || a.getAttribute("aria-labelledby");
        return a.getAttribute("role") === "region" && !!named;
      }
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility({visibilityProperty: true}) || el.closest(".sr")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right + window.scrollX > width + 1 && !scrolls(el)) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + el.className : ""}`
        + ` (right edge ${Math.round(r.right + window.scrollX)} > ${width})`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, out: out.slice(0, 12)};
}"""


def _zoom_check(page, name: str) -> None:
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW)
    shot(page, f"zoom200-{name}")
    assert found["scrollWidth"] <= found["innerWidth"] + 1 and not found["out"], (
        f"{name} at 200 %: the page is {found['scrollWidth']} px wide in a {found['innerWidth']} px window; "
        f"cut off or wider than the window: {found['out']}"
    )


def _inside_the_page(page, selector: str) -> None:
    button = page.locator(selector)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (
        f"{selector} lies outside the page at 200 %: {box}, page width {width}"
    )


def test_the_entry_and_review_pages_at_200_percent_zoom(browser, live_server, campaign, bob, carol):
    # 北京市 with a draft (the entry page with every button), 广东省 submitted (the review page's buttons).
    from chengxin.reporting.services import report_get_or_start, report_save_draft
    from chengxin.units.models import Role, Unit
    from chengxin.units.tests.factories import UserFactory

    report = report_get_or_start(campaign=campaign, unit=bob.unit)
    report_save_draft(report=report, raw_values=VALID_FIGURES, version=report.version, acting_user=bob)
    guangdong = Unit.objects.get(code="440000")
    alice = UserFactory(username="alice", unit=guangdong, role=Role.UNIT_REPORTER, password=PASSWORD)
    submitted_report(campaign, guangdong, alice)

    # A 1280×900 window at 200 %: 640×450 CSS px, two device pixels to each.
    context = browser.new_context(locale="zh-CN", viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    try:
        browser_login(page, "bob")
        page.goto(page.base_url + ENTRY)
        _zoom_check(page, "entry")
        _inside_the_page(page, "button[value=submit]")
        _inside_the_page(page, "#summary button[type=submit]")

        page.goto(page.base_url + "/")
        page.locator("header .who").get_by_role("button", name="退出").click()
        page.wait_for_url("**/accounts/login/")
        browser_login(page, "carol")
        page.goto(page.base_url + "/campaigns/2020/review/440000/")
        _zoom_check(page, "review")
        _inside_the_page(page, "button[value=accept]")
        _inside_the_page(page, "button[value=return]")
    finally:
        context.close()
