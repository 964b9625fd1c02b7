"""Phones (issue 16): the public pages and a reporter's pages in a 375 px wide window never scroll sideways. A table
wider than the screen scrolls inside its own box, and only a box that says so (a `.table-scroll` region whose
accessible name says it scrolls, with a visible hint). The commitment results show each company's name, code and
status readable; the entry table is usable (its inputs within the screen). Screenshots in test-artifacts/phone-*."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from chengxin.conftest import ARTIFACTS, playwright_expect, public_content, submitted_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375

# What overflows sideways: the page itself, and every element whose content is wider than its box and which lets
# it scroll (a scroll box), with whether that box says it scrolls (a `.table-scroll` with a hint before it).
OVERFLOW = """(width) => {
  const boxes = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth + 1) continue;
    const hint = el.previousElementSibling;
    boxes.push({
      what: el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''),
      says: el.matches('.table-scroll[role=region][tabindex="0"]') && /滑动/.test(el.getAttribute('aria-label') || '')
        && !!hint && hint.matches('.scroll-hint') && hint.offsetWidth > 0,
    });
  }
  // Whatever sticks out of the window (a box that scrolls contains its children, so they are not counted).
  const out = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 1) return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
    }
    return true;
  }).slice(0, 5).map(el => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`
  );
  return {width: document.documentElement.scrollWidth, boxes, out};
}"""


def _phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 800}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return context, page


def _fits(page, label: str, problems: list[str]) -> None:
    """Adds to `problems` what on the page as it is now scrolls sideways when it should not."""
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW, WIDTH)
    if found["width"] > WIDTH:
        problems.append(f"{label}: the page scrolls sideways ({found['width']}px): {found['out']}")
    silent = [box["what"] for box in found["boxes"] if not box["says"]]
    if silent:
        problems.append(f"{label}: these scroll sideways without saying so: {silent}")
    if found["width"] > WIDTH or silent:  # a picture of what is wrong, named for the path
        _shot(page, "phone-problem" + re.sub(r"[^a-z0-9]+", "-", urlsplit(page.url).path))


def _public_content(campaign, dave, bob) -> None:
    """Something on every public page (conftest.public_content), and commitments for the search's cards."""
    from chengxin.commitments.models import Status
    from chengxin.commitments.tests.factories import make_commitment

    public_content(campaign, dave, bob)
    make_commitment(campaign, name="深圳市诚信商贸连锁经营管理有限责任公司")
    make_commitment(campaign, name="深圳诚信超市有限公司", region_code="440300")
    make_commitment(campaign, name="深圳诚信百货有限公司", status=Status.WITHDRAWN, withdrawn_at=timezone.now())


def _reporters_content(campaign, bob) -> None:
    """An activity and a case of bob's unit, for his lists to show; his report is left to fill."""
    from chengxin.activities.models import Activity
    from chengxin.portal.services import case_save

    Activity.objects.create(
        campaign=campaign,
        unit=bob.unit,
        title="北京市“诚信兴商”进社区系列宣传活动（朝阳、海淀、丰台三区联动）",
        start_date=dt.date(2020, 10, 9),
        end_date=dt.date(2020, 10, 20),
        region_code="110105",
        mode="offline",
        status="published",
        published_at=timezone.now(),
        created_by=bob,
    )
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


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_public_pages_fit_a_phone(browser, live_server, campaign, dave, bob):
    _public_content(campaign, dave, bob)
    context, page = _phone(browser, live_server)
    problems: list[str] = []
    for path, label in (
        ("/public/2020/", "本届活动"),
        ("/public/cases/", "案例库"),
        ("/public/credit/", "信用查询"),
        ("/commitments/2020/", "承诺查询"),
        ("/commitments/2020/sign/", "签署承诺"),
        ("/public/indices/", "诚信指数"),
    ):
        page.goto(page.base_url + path)
        _fits(page, label, problems)
    page.locator(".index-list a").first.click()
    page.wait_for_selector(".index-chart[data-ready='1']")
    _fits(page, "诚信指数详情", problems)

    page.goto(page.base_url + "/commitments/2020/?q=深圳")
    _fits(page, "承诺查询结果", problems)
    _shot(page, "phone-commitment-results")
    assert not problems, "\n".join(problems)
    # Each result's name, code and status within the screen, the name never one character a line.
    rows = page.evaluate("""() => [...document.querySelectorAll('table.commitments tbody tr')].map(tr => {
      const box = e => e.getBoundingClientRect();
      const cells = [...tr.cells];
      const [name, code, status] = [cells[0], tr.querySelector('.code'), cells[cells.length - 1]];
      return {
        name: name.innerText, nameWidth: box(name).width, nameHeight: box(name).height,
        lineHeight: parseFloat(getComputedStyle(name).lineHeight),
        right: Math.max(box(name).right, box(code).right, box(status).right), status: status.innerText,
      };
    })""")
    assert len(rows) == 3
    for row in rows:
        assert row["right"] <= WIDTH, f"{row['name']}: part of it off-screen ({row})"
        assert row["nameHeight"] <= 3 * row["lineHeight"] + 1, f"{row['name']} wraps too narrowly ({row})"
        assert row["status"].strip()
    assert any("已撤回" in row["status"] for row in rows)
    assert page.errors == []
    context.close()


def test_a_reporters_pages_fit_a_phone(browser, live_server, campaign, dave, bob):
    from chengxin.conftest import browser_login

    _reporters_content(campaign, bob)
    context, page = _phone(browser, live_server)
    problems: list[str] = []
    browser_login(page, "bob")
    for path, label in (
        ("/campaigns/2020/report/110000/", "填报表"),
        ("/campaigns/2020/activities/", "活动登记"),
        ("/campaigns/2020/activities/new/", "登记活动"),
        ("/public/cases/mine/", "本单位案例"),
        ("/notices/", "通知"),
    ):
        page.goto(page.base_url + path)
        _fits(page, label, problems)
        if path.endswith("/activities/"):
            _shot(page, "phone-activities")
    assert not problems, "\n".join(problems)

    # The entry table: every input reachable within the screen, with its accessible name and description.
    page.goto(page.base_url + "/campaigns/2020/report/110000/")
    inputs = page.evaluate("""() => [...document.querySelectorAll('table.statform input')].map(i => ({
      id: i.id, right: i.getBoundingClientRect().right, label: i.getAttribute('aria-label'),
    }))""")
    assert len(inputs) >= 10
    off = [i["id"] for i in inputs if i["right"] > WIDTH]
    assert not off, f"inputs off-screen at {WIDTH}px: {off}"
    assert all(i["label"] for i in inputs)
    page.locator("#f_tv_news").fill("三条")
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    mistyped = page.locator("#f_tv_news")
    playwright_expect()(mistyped).to_have_attribute("aria-invalid", "true")
    playwright_expect()(mistyped).to_have_accessible_description(re.compile("不是有效的数字"))
    _fits(page, "填报表（填写有误）", problems)
    _shot(page, "phone-entry-table")
    assert not problems, "\n".join(problems)

    # Accepted, the table is read-only and the report's history (a table of its own) is there too.
    from chengxin.reporting.services import report_accept

    report_accept(report=submitted_report(campaign, bob.unit, bob), acting_user=dave)
    page.goto(page.base_url + "/campaigns/2020/report/110000/")
    assert page.locator("#history tbody tr").count() >= 3
    _fits(page, "填报表（已审核）", problems)
    _shot(page, "phone-entry-accepted")
    assert not problems, "\n".join(problems)
    # The mistyped cell is answered 422 by design (the page with its errors); nothing else may fail.
    assert [e for e in page.errors if "status of 422" not in e] == []
    context.close()
