"""What the entry, review and print pages say about where a report stands: a returned report was submitted (on
time or late), the printed 填报日期 is the submission's, an empty 校验结果 is not shown, and a co-organiser's page is
its summary report's, not a statistics table's."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.campaigns.models import Campaign
from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.reporting import services
from chengxin.reporting.models import Report
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

GUANGDONG = {"year": 2020, "unit_code": "440000"}
ENTRY = reverse("reporting:entry", kwargs=GUANGDONG)
REVIEW = reverse("reporting:review", kwargs=GUANGDONG)
PRINT = reverse("reporting:print", kwargs=GUANGDONG)
CUSTOMS = {"year": 2020, "unit_code": "GACC"}  # 海关总署: a co-organiser, summary report only
REACH_RULE = "reach_covers_attendance"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _today() -> dt.date:
    return timezone.localdate()


def _set_deadline(campaign: Campaign, deadline: dt.date) -> None:
    campaign.deadline = deadline
    campaign.lock_date = None
    campaign.save()


def _text(html: str) -> str:
    """The page's words as a person reads them: tags dropped, whitespace runs made one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return _text(response.content.decode())


def _guangdong(campaign, alice, figures=None) -> Report:
    return submitted_report(campaign, Unit.objects.get(code="440000"), alice, figures)


def _return(report: Report, carol) -> Report:
    return services.report_return(report=report, reason="电视新闻条数请与附件核对", acting_user=carol)


# --- 1. A returned report was submitted: the dates say when, on time or late ----------------------------------


def test_a_report_returned_after_the_deadline_says_it_was_submitted_on_time(client, campaign, alice, carol):
    _set_deadline(campaign, _today() + dt.timedelta(days=3))
    report = _guangdong(campaign, alice)
    _set_deadline(campaign, _today() - dt.timedelta(days=2))  # the deadline has passed since
    _return(report, carol)

    page = _page(client, alice, ENTRY)
    assert "已退回修改，请修改后重新报送" in page
    assert f"本单位于 {timezone.localtime(report.submitted_at):%Y年%-m月%-d日} " in page and "报送，按时。" in page
    assert "尚未报送" not in page
    assert "现在报送仍会受理" not in page  # a resubmission keeps the first submission's timeliness

    page = _page(client, carol, REVIEW)
    assert "该单位于" in page and "报送，按时。" in page
    assert "已退回修改，等待该单位重新报送。" in page
    assert "尚未报送" not in page


def test_a_late_report_returned_says_it_was_submitted_late(client, campaign, alice, carol):
    _set_deadline(campaign, _today() - dt.timedelta(days=4))
    _return(_guangdong(campaign, alice), carol)

    page = _page(client, alice, ENTRY)
    assert "报送，逾期 4 天。" in page and "已退回修改，请修改后重新报送" in page
    assert "状态：已退回 逾期" in page  # the status keeps the mark of the late submission
    page = _page(client, carol, REVIEW)
    assert "报送，逾期 4 天。" in page and "尚未报送" not in page


def test_a_resubmission_after_a_return_counts_from_the_first_submission(client, campaign, alice, carol):
    _set_deadline(campaign, _today() + dt.timedelta(days=3))
    report = _guangdong(campaign, alice)
    first = timezone.now() - dt.timedelta(days=6)
    Report.objects.filter(pk=report.pk).update(submitted_at=first, first_submitted_at=first)
    _set_deadline(campaign, _today() - dt.timedelta(days=2))
    report = _return(Report.objects.get(pk=report.pk), carol)
    services.report_submit(report=report, version=report.version, acting_user=alice)

    page = _page(client, alice, ENTRY)
    assert f"本单位于 {timezone.localtime(first):%Y年%-m月%-d日} " in page and "报送，按时。" in page
    assert "修改后重新报送，是否逾期按首次报送计。" in page


def test_a_draft_never_submitted_after_the_deadline_is_still_missing(client, campaign, alice, carol):
    client.force_login(alice)
    client.post(ENTRY, {**{f"f_{k}": v for k, v in VALID_FIGURES.items()}, "version": 0, "action": "save"})
    assert "现在报送仍会受理，但记为逾期" in _page(client, alice, ENTRY)  # 2020's deadline is long past
    assert "已过截止日期，尚未报送。" in _page(client, carol, REVIEW)


# --- 2. The print view's 填报日期 is the submission's date ------------------------------------------------------


def test_print_shows_the_submission_date_not_the_print_date(client, campaign, alice, carol):
    report = _guangdong(campaign, alice)
    submitted = timezone.make_aware(dt.datetime(2020, 11, 20, 10, 30))
    Report.objects.filter(pk=report.pk).update(submitted_at=submitted, first_submitted_at=submitted)

    page = _page(client, alice, PRINT)
    assert "填报日期：2020年11月20日" in page
    assert f"填报日期：{_today():%Y年%-m月%-d日}" not in page
    assert f"打印时间：{_today():%Y年%-m月%-d日}" in page  # the print date, apart and labelled as such
    assert _page(client, carol, PRINT).count("填报日期：2020年11月20日") == 1  # the ministry prints the same

    _return(Report.objects.get(pk=report.pk), carol)  # returned: still the date it was submitted, and a banner
    page = _page(client, alice, PRINT)
    assert "填报日期：2020年11月20日" in page and "已退回 · 退回修改中，尚未重新报送 · 仅供核对" in page


def test_print_of_a_report_never_submitted_says_so(client, alice):
    client.force_login(alice)
    client.post(ENTRY, {**{f"f_{k}": v for k, v in VALID_FIGURES.items()}, "version": 0, "action": "save"})
    page = _page(client, alice, PRINT)
    assert "填报日期：未报送" in page
    assert "草稿 · 未报送 · 仅供核对" in page


# --- 3. 校验结果 only when there is something under it ------------------------------------------------------


def test_a_submitted_report_without_findings_has_no_empty_check_results_heading(client, campaign, alice):
    client.force_login(alice)
    assert "校验结果" in _page(client, alice, ENTRY)  # while filling in: the live check's place
    _guangdong(campaign, alice)
    page = _page(client, alice, ENTRY)
    assert "已报送" in page
    assert "校验结果" not in page


def test_a_submitted_report_with_an_explained_warning_keeps_its_check_results(client, campaign, alice):
    report = services.report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))
    figures = dict(VALID_FIGURES, people_reached="1万")
    services.report_save_draft(
        report=report, raw_values=figures, version=None, acting_user=alice, explanations={REACH_RULE: "按去重口径"}
    )
    _guangdong(campaign, alice, figures)
    page = _page(client, alice, ENTRY)
    assert "校验结果" in page and "宣传覆盖总人数" in page


# --- 4. A co-organiser's page is its summary report's --------------------------------------------------------


def test_a_co_organisers_pages_are_titled_for_the_summary_report(client, campaign, erin, carol):
    entry = _page(client, erin, reverse("reporting:entry", kwargs=CUSTOMS))
    assert "2020年“诚信兴商宣传月”活动总结报告" in entry
    assert "活动统计表" not in entry

    printed = _page(client, erin, reverse("reporting:print", kwargs=CUSTOMS))
    assert "2020年“诚信兴商宣传月”活动总结报告 · 海关总署" in printed  # the window title
    assert "活动统计表" not in printed and "会议（场次、人次）" not in printed  # no empty table to sign
    assert "总结报告：尚未上传。" in printed

    review = _page(client, carol, reverse("reporting:review", kwargs=CUSTOMS))
    assert "2020年“诚信兴商宣传月”活动总结报告" in review and "活动统计表" not in review


def test_a_province_keeps_the_statistics_tables_title(client, alice):
    page = _page(client, alice, ENTRY)
    assert "2020年“诚信兴商宣传月”活动统计表" in page and "活动总结报告" not in page
