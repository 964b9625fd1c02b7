"""Reminders to units that have not submitted: automatic on the reminder days before each unit's own deadline
(once per day even if the job runs twice), and on demand."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from chengxin.campaigns.models import Participant
from chengxin.notifications.models import Notice, NoticeKind, Reminder
from chengxin.notifications.services import reminders_send, reminders_send_due
from chengxin.notifications.tests.factories import report_in, reporter, sub_unit
from chengxin.reporting.models import Status

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2020, 11, 25)
THREE_DAYS_BEFORE = dt.date(2020, 11, 22)
FOUR_DAYS_BEFORE = dt.date(2020, 11, 21)


@pytest.fixture
def people(campaign):
    """Reporters with email in 广东省 (draft), 北京市 (submitted), 海关总署 (returned), 上海市 (not started)."""
    reporter("gd", "440000", "gd@example.cn")
    reporter("bj", "110000", "bj@example.cn")
    reporter("gacc", "GACC", "gacc@example.cn")
    reporter("sh", "310000", "sh@example.cn")
    report_in(campaign, "440000", Status.DRAFT)
    report_in(campaign, "110000", Status.SUBMITTED)
    report_in(campaign, "GACC", Status.RETURNED, reason="请补充总结报告")
    assert campaign.deadline == DEADLINE and campaign.reminder_day_list == [7, 3, 1]


def test_automatic_reminder_goes_out_three_days_before_the_deadline_to_units_that_have_not_submitted(
    smtp, campaign, people
):
    result = reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)

    assert smtp.recipients == ["gacc@example.cn", "gd@example.cn", "sh@example.cn"]  # not 北京 (submitted)
    mail = smtp.to("gd@example.cn")[0]
    assert "请于2020年11月25日前报送2020年统计表和总结报告" in mail.subject
    assert "还有 3 天" in mail.body and "草稿" in mail.body
    assert "已退回" in smtp.to("gacc@example.cn")[0].body
    assert result.emails_sent == 3
    expected = Participant.objects.filter(campaign=campaign).exclude(unit__code="110000").count()
    assert result.units_reminded == expected
    assert len(result.without_email) == expected - 3  # the units nobody registered an email for
    assert Notice.objects.filter(kind=NoticeKind.REMINDER).count() == expected
    assert not Notice.objects.filter(unit__code="110000").exists()


def test_all_reminders_of_a_run_go_over_one_smtp_connection(smtp, campaign, people):
    reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)

    assert len(smtp.messages) == 3
    assert len({m.session for m in smtp.messages}) == 1


def test_no_reminder_four_days_before_the_deadline(smtp, campaign, people):
    result = reminders_send(campaign=campaign, today=FOUR_DAYS_BEFORE)

    assert result.units_reminded == 0
    assert smtp.messages == []
    assert not Notice.objects.exists()


def test_running_the_daily_reminder_twice_reminds_once(smtp, campaign, people):
    reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)
    smtp.clear()

    again = reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)

    assert again.units_reminded == 0
    assert smtp.messages == []
    assert Notice.objects.filter(unit__code="440000").count() == 1
    assert Reminder.objects.filter(unit__code="440000", days_before=3).count() == 1


def test_the_next_reminder_day_reminds_again(smtp, campaign, people):
    reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)
    smtp.clear()

    reminders_send(campaign=campaign, today=dt.date(2020, 11, 24))

    assert "gd@example.cn" in smtp.recipients
    assert Notice.objects.filter(unit__code="440000").count() == 2


def test_extended_deadline_is_counted_from_the_units_own_deadline(smtp, campaign, people):
    Participant.objects.filter(campaign=campaign, unit__code="440000").update(deadline_override=dt.date(2020, 12, 5))

    reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)
    assert "gd@example.cn" not in smtp.recipients  # 13 days before its own deadline
    smtp.clear()

    reminders_send(campaign=campaign, today=dt.date(2020, 12, 2))
    assert smtp.recipients == ["gd@example.cn"]  # the others' deadline is past: no automatic reminder
    assert "2020年12月5日" in smtp.messages[0].subject


def test_on_demand_reminder_reaches_only_the_named_units_that_have_not_submitted(smtp, campaign, people, carol):
    result = reminders_send(campaign=campaign, unit_codes=["440000", "110000"], acting_user=carol)

    assert smtp.recipients == ["gd@example.cn"]
    assert [u.code for u in result.skipped_submitted] == ["110000"]
    assert result.units_reminded == 1 and result.emails_sent == 1


def test_on_demand_reminders_are_not_limited_to_reminder_days_but_not_repeated_within_hours(
    smtp, campaign, people, carol, settings
):
    first = reminders_send(campaign=campaign, unit_codes=["440000"], acting_user=carol, today=FOUR_DAYS_BEFORE)
    again = reminders_send(campaign=campaign, unit_codes=["440000"], acting_user=carol, today=FOUR_DAYS_BEFORE)

    assert first.units_reminded == 1 and smtp.recipients == ["gd@example.cn"]
    assert again.units_reminded == 0 and [u.code for u in again.skipped_recent] == ["440000"]
    assert Reminder.objects.filter(unit__code="440000", days_before=None, sent_by=carol).count() == 1
    settings.CHENGXIN_REMIND_AGAIN_HOURS = 0  # hours later
    reminders_send(campaign=campaign, unit_codes=["440000"], acting_user=carol, today=FOUR_DAYS_BEFORE)
    assert smtp.recipients == ["gd@example.cn", "gd@example.cn"]


def test_twenty_clicks_on_remind_all_send_one_reminder_per_unit(client, smtp, campaign, people, carol):
    client.force_login(carol)
    url = reverse("notifications:remind", kwargs={"year": 2020})
    pages = [client.post(url, {"all_missing": "1"}, follow=True) for _ in range(20)]
    units = Reminder.objects.filter(days_before=None).values_list("unit_id", flat=True)
    assert len(units) == len(set(units)) > 0
    assert "小时内已提醒过，这次未重复提醒" in pages[-1].content.decode()


def test_sub_units_are_reminded_automatically_by_their_own_deadline(smtp, campaign, people):
    sub_unit(campaign, "440100", "广州市", "440000")
    reporter("gz", "440100", "gz@example.cn")

    reminders_send(campaign=campaign, today=THREE_DAYS_BEFORE)

    assert "gz@example.cn" in smtp.recipients


def test_daily_job_covers_campaigns_whose_deadline_is_not_past(smtp, campaign, people):
    assert [c.year for c in reminders_send_due(today=THREE_DAYS_BEFORE)] == [2020]
    assert reminders_send_due(today=dt.date(2020, 11, 26)) == {}


def test_send_reminders_command_prints_what_was_sent(smtp, campaign, people):
    out = io.StringIO()
    call_command("send-reminders", "--campaign", "2020", "--today", "2020-11-22", "--unit", "440000", stdout=out)

    text = out.getvalue()
    assert "提醒 1 个单位，发送邮件 1 封" in text
    assert "440000" in text and "gd@example.cn" in text and "前 3 天" in text
    assert smtp.recipients == ["gd@example.cn"]

    out = io.StringIO()
    call_command("send-reminders", "--campaign", "2020", "--today", "2020-11-22", "--unit", "440000", stdout=out)
    assert "没有要发送的提醒" in out.getvalue()


def test_send_reminders_command_refuses_a_unit_that_does_not_report(campaign):
    with pytest.raises(CommandError, match="XX0000 不是2020年的报送单位"):
        call_command("send-reminders", "--campaign", "2020", "--unit", "440000", "XX0000", stdout=io.StringIO())
