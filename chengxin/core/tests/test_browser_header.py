"""The page header in a real browser: the unread-notice badge is readable (WCAG AA contrast), and the national
administrator's menu, the longest, fits on one line in a 1366 px window without the page scrolling sideways at
any width. Screenshots in test-artifacts/."""

import re

import pytest

from chengxin.conftest import browser_login, shot
from chengxin.notifications.models import Notice, NoticeKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _rgba(css: str) -> tuple[float, float, float, float]:
    """`rgb(r, g, b)` or `rgba(r, g, b, a)` as getComputedStyle gives it."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    assert len(numbers) in (3, 4), css
    return (*numbers[:3], numbers[3] if len(numbers) == 4 else 1.0)


def luminance(rgb: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""
    r, g, b = (_channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, ...], two: tuple[float, ...]) -> float:
    lighter, darker = sorted((luminance(one), luminance(two)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_the_known_ratios():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((255, 255, 255), (238, 238, 238)) == pytest.approx(1.16, abs=0.01)  # the old badge
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # #767676: the AA limit


def _notice(unit, title="您单位的报告已被退回") -> Notice:
    return Notice.objects.create(unit=unit, kind=NoticeKind.RETURNED, title=title, link="/campaigns/2020/")


def test_the_unread_notice_badge_is_readable(page, alice):
    _notice(alice.unit)
    browser_login(page, "alice")
    badge = page.locator("header.top nav .badge")
    assert badge.inner_text().strip() == "1"
    color, background = badge.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    text, fill = _rgba(color), _rgba(background)
    assert text[3] == 1 and fill[3] == 1, (color, background)  # opaque: the ratio is the one the eye sees
    ratio = contrast(text, fill)
    assert ratio >= 4.5, f"badge {color} on {background}: contrast {ratio:.2f}:1, WCAG AA needs 4.5:1"
    page.locator("header.top").screenshot(path=_artifact("header-unread-badge"))


def _artifact(name: str) -> str:
    from chengxin.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


# The header's boxes: the nav's links and each direct child of the header, with their vertical extent.
HEADER_BOXES = """() => {
  const box = e => {
    const r = e.getBoundingClientRect();
    return {text: e.innerText.trim(), top: r.top, bottom: r.bottom, right: r.right};
  };
  const header = document.querySelector('header.top');
  return {
    links: [...header.querySelectorAll('nav a')].map(box),
    children: [...header.children].map(box),
    nav: box(header.querySelector('nav')),
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


def _header(page) -> dict:
    return page.evaluate(HEADER_BOXES)


def _one_row(boxes: dict) -> None:
    """Every link of the menu on the same line, and the whole header one row: the brand, the public page link,
    the account and the language switch all overlap the menu's line."""
    tops = {round(link["top"]) for link in boxes["links"]}
    assert len(tops) == 1, f"the menu wraps: link tops {sorted(tops)}"
    nav = boxes["nav"]
    for child in boxes["children"]:
        assert child["top"] < nav["bottom"] and child["bottom"] > nav["top"], f"{child['text']!r} is on another row"


# Two links another engineer may add (commitment moderation): the menu keeps room for them.
# Work waiting shows as a count on four entries (site.context_processors.work_waiting): two digits each.
WAITING_BADGES = """() => {
  for (const a of document.querySelectorAll('header.top nav a')) {
    if (['报送情况', '承诺审核', '案例审核', '指数审核'].includes(a.textContent.trim())) {
      const badge = document.createElement('span'); badge.className = 'badge'; badge.textContent = '99';
      a.append(' ', badge);
    }
  }
}"""


@pytest.mark.parametrize("width", [1366, 1349])  # 1349: a 1366 px window with a classic 17 px scrollbar (Windows)
def test_the_administrators_menu_fits_on_one_line_at_1366(page, dave, width):
    for n in range(12):  # a two-digit badge: the widest the menu gets
        _notice(dave.unit, title=f"通知 {n}")
    page.set_viewport_size({"width": width, "height": 768})
    browser_login(page, "dave")  # (it looks for the user name in the header: the display name comes after)
    dave.display_name = "商务部市场建设司（管理员）"  # the demo administrator's name (units/demo.py): a long one
    dave.save(update_fields=["display_name"])
    page.goto(page.base_url + "/campaigns/2020/")
    boxes = _header(page)
    links = boxes["links"]
    assert [link["text"] for link in links] == [
        "2020年活动",
        "数据看板",
        "报送情况",
        "全国合计",
        "活动",
        "承诺审核",
        "案例审核",
        "指数审核",
        "通知 12",
    ]
    _one_row(boxes)
    assert boxes["scrollWidth"] <= width
    shot(page, f"header-admin-{width}")
    page.evaluate(WAITING_BADGES)  # the widest it gets: every entry with work waiting shows a count
    more = _header(page)
    assert len(more["links"]) == 9
    _one_row(more)
    assert more["scrollWidth"] <= width
    page.locator("header.top").screenshot(path=_artifact(f"header-admin-{width}-with-counts"))


@pytest.mark.parametrize("width", [1024, 768, 375])
def test_narrower_windows_wrap_the_menu_but_never_scroll_sideways(page, dave, width):
    _notice(dave.unit)
    page.set_viewport_size({"width": width, "height": 768})
    browser_login(page, "dave")
    dave.display_name = "商务部市场建设司（管理员）"
    dave.save(update_fields=["display_name"])
    page.goto(page.base_url + "/campaigns/2020/")
    boxes = _header(page)
    assert boxes["scrollWidth"] <= width, f"the page scrolls sideways at {width}px ({boxes['scrollWidth']}px)"
    assert all(link["right"] <= width for link in boxes["links"])
    shot(page, f"header-admin-{width}")
    page.locator("header.top").screenshot(path=_artifact(f"header-admin-{width}-header"))
