"""The demo year of `chengxin serve` (issue 16): in development, a demo copy of 2020 in the current year with its
deadline ahead and reports in every state, so that a newcomer meets a live campaign rather than "逾期 2199 天".
Made once, never in production."""

import datetime as dt
import io
import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from chengxin.campaigns.models import Campaign, CampaignState, is_late
from chengxin.campaigns.selectors import campaign_current
from chengxin.campaigns.services import campaign_copy
from chengxin.reporting.models import Report, ReportEvent, Status
from chengxin.site.demo_data import (
    DEMO_MARK,
    DEMO_YEAR_STATUSES,
    demo_current_year_ensure,
    demo_data_reset,
    demo_year_dates,
)
from chengxin.units.models import PROVINCIAL_KINDS, Unit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2031, 6, 15)  # a fixed day of a year without a campaign


@pytest.fixture(autouse=True)
def _development(settings):
    settings.PRODUCTION = False
    settings.CHENGXIN_DEMO_ACCOUNTS = True


def _statuses(campaign: Campaign) -> Counter:
    """Report status → number of provincial units, 未填报 for those without a report."""
    expected = Unit.objects.filter(
        kind__in=PROVINCIAL_KINDS, participations__campaign=campaign, participations__fills_statistics=True
    ).count()
    counts = Counter(Report.objects.filter(campaign=campaign).values_list("status", flat=True))
    counts[Status.NOT_STARTED] += expected - sum(counts.values())
    return counts


def test_a_published_demo_campaign_of_the_year_whose_deadline_is_ahead(campaign):
    demo = demo_current_year_ensure(today=TODAY)

    made = Campaign.objects.get(year=2031)
    assert demo.campaign == made and made.copied_from == campaign
    assert made.title == "2031年“诚信兴商宣传月”活动" + DEMO_MARK
    assert made.notice_title.endswith(DEMO_MARK) and "2031年" in made.notice_title
    assert made.state == CampaignState.PUBLISHED and made.published_at < timezone.now()
    # The period has just ended, the deadline is three weeks ahead: not the 2020 dates moved by eleven years.
    assert made.period_end == TODAY - dt.timedelta(days=12) and (made.period_end - made.period_start).days == 30
    assert made.notice_date < made.period_start
    assert made.deadline == TODAY + dt.timedelta(days=21)
    assert made.lock_date is None
    # It is the campaign everyone lands on.
    assert campaign_current() == made


def test_half_submitted_a_quarter_drafts_a_quarter_missing_all_before_today(campaign):
    demo = demo_current_year_ensure(today=TODAY)

    counts = _statuses(demo.campaign)
    assert sum(counts.values()) == 37
    assert counts == {
        Status.NOT_STARTED: 9,
        Status.DRAFT: 9,
        Status.SUBMITTED: 11,
        Status.ACCEPTED: 6,
        Status.RETURNED: 2,
    }
    assert demo.statuses == counts
    assert "已报送 19（其中已审核 6、已退回 2），草稿 9，未填报 9" in demo.summary
    # The demo accounts' units each have their own kind of work.
    for code, status in DEMO_YEAR_STATUSES.items():
        report = Report.objects.filter(campaign=demo.campaign, unit__code=code).first()
        assert (report.status if report else Status.NOT_STARTED) == status, code
    # Every date of the history is before the day it was made, in order; nothing is late.
    midnight = timezone.make_aware(dt.datetime.combine(TODAY, dt.time()))
    for report in Report.objects.filter(campaign=demo.campaign):
        events = list(ReportEvent.objects.filter(report=report).order_by("at", "pk"))
        assert events and events[-1].to_status == report.status
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))
        assert all(e.at < midnight for e in events)
        assert all(e.actor.username.startswith("demo-system-") for e in events)
        if report.status != Status.DRAFT:
            assert demo.campaign.period_end < report.first_submitted_at.date() < TODAY
            assert not report.late and not is_late(report.first_submitted_at, demo.campaign.deadline)
        if report.status == Status.ACCEPTED:
            assert report.submitted_at <= report.reviewed_at < midnight


def test_the_completeness_page_counts_down_to_the_deadline_and_submissions_are_on_time(client, campaign, carol):
    today = timezone.localdate()
    demo = demo_current_year_ensure(today=today)
    client.force_login(carol)

    page = client.get(f"/campaigns/{today.year}/completeness/").content.decode()
    words = re.sub(r"<[^>]+>", "", page.split('class="deadline-words">')[1].split("</p>")[0])
    assert "距报送截止" in words and "还有 21 天" in words, words
    assert "逾期" not in words

    shanghai = client.get(f"/campaigns/{today.year}/review/310000/").content.decode()
    assert "按时。" in shanghai and not re.search(r"逾期\s*\d+\s*天", shanghai)
    assert client.get(f"/campaigns/{today.year}/dashboard/").status_code == 200
    assert demo.campaign.year == today.year


def test_a_second_call_changes_nothing(campaign):
    first = demo_current_year_ensure(today=TODAY)
    before = (Campaign.objects.count(), Report.objects.count(), ReportEvent.objects.count())

    assert demo_current_year_ensure(today=TODAY) is None
    assert demo_current_year_ensure(today=TODAY + dt.timedelta(days=30)) is None  # later the same year

    assert (Campaign.objects.count(), Report.objects.count(), ReportEvent.objects.count()) == before
    assert Campaign.objects.get(year=2031).deadline == first.campaign.deadline


def test_nothing_in_production_or_without_demo_accounts(campaign, settings):
    settings.PRODUCTION = True
    assert demo_current_year_ensure(today=TODAY) is None
    settings.PRODUCTION = False
    settings.CHENGXIN_DEMO_ACCOUNTS = False
    assert demo_current_year_ensure(today=TODAY) is None

    assert not Campaign.objects.filter(year=2031).exists()
    assert Report.objects.count() == 0


def test_a_real_campaign_of_the_year_is_left_as_it_is(campaign):
    real = campaign_copy(source=campaign, year=2031)

    assert demo_current_year_ensure(today=TODAY) is None

    real.refresh_from_db()
    assert not real.title.endswith(DEMO_MARK) and real.is_preparing
    assert not Report.objects.filter(campaign=real).exists()


def test_dates_stay_within_the_year_in_early_january():
    dates = demo_year_dates(dt.date(2031, 1, 5))

    assert dates["notice_date"] == dates["period_start"] == dt.date(2031, 1, 1)
    assert dates["period_end"] == dt.date(2031, 1, 1)
    assert dates["deadline"] == dt.date(2031, 1, 26)


def test_demo_data_still_runs_beside_it_and_its_reset_removes_it(campaign):
    demo_current_year_ensure(today=TODAY)

    out = io.StringIO()
    call_command("demo-data", "--units", "60", "--years", "2020", "--seed", "7", stdout=out)
    assert "演示数据：2020–2020 年" in out.getvalue()
    assert Report.objects.filter(campaign__year=2031).count() == 28  # untouched

    demo_data_reset()

    assert not Campaign.objects.filter(year=2031).exists()
    assert demo_current_year_ensure(today=TODAY) is not None  # the next `serve` makes it again


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_until_listening(var_dir) -> str:
    """`chengxin serve` in development on an empty port, stopped as soon as it says where it serves; its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(CHENGXIN_VAR_DIR=str(var_dir), CHENGXIN_ENV="development", CHENGXIN_DEMO_ACCOUNTS="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "chengxin", "serve", "--no-worker", "--port", str(_free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 120
    try:
        for line in process.stdout:
            lines.append(line)
            if "Ctrl+C" in line or time.monotonic() > deadline:
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
    return "".join(lines)


def test_serve_makes_it_once_and_says_so(tmp_path):
    first = _serve_until_listening(tmp_path / "var")
    year = timezone.localdate().year
    made = [line for line in first.splitlines() if line.startswith("已创建演示年度：")]
    assert len(made) == 1 and f"{year}年" in made[0] and DEMO_MARK in made[0], first
    assert "Ctrl+C" in first

    again = _serve_until_listening(tmp_path / "var")
    assert "Ctrl+C" in again and "已创建演示年度" not in again


def test_the_demo_year_has_cases_for_the_case_book_and_an_index(settings):
    from chengxin.indices.models import IntegrityIndex
    from chengxin.portal.models import Case, CasePhoto
    from chengxin.publications.services import casebook_document

    settings.CHENGXIN_DEMO_ACCOUNTS = True
    demo = demo_current_year_ensure(TODAY)
    cases = Case.objects.filter(campaign=demo.campaign, status="published")
    assert sorted(cases.values_list("kind", flat=True)) == ["old_shop", "practice", "star", "typical"]
    assert CasePhoto.objects.filter(case__in=cases).count() == 2
    assert all("演示数据" in c.title for c in cases)
    assert IntegrityIndex.objects.filter(code="sh-shopping").exists()
    assert casebook_document(campaign=demo.campaign)[:2] == b"PK"  # the case book can be compiled at once
