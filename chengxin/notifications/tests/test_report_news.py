"""A unit hears, in the system and by email, that its report was returned (with the reason) or accepted."""

import pytest

from chengxin.notifications.models import Notice, NoticeKind
from chengxin.notifications.services import notify_report_accepted, notify_report_returned
from chengxin.notifications.tests.factories import report_in, reporter
from chengxin.reporting.models import Status

pytestmark = pytest.mark.django_db

REASON = "电视新闻条数请与附件核对，直播观看人次偏高请说明"


@pytest.fixture
def guangdong_people(alice):
    alice.email = "alice@gd.example.cn"
    alice.save(update_fields=["email"])
    reporter("gd2", "440000", "wang@gd.example.cn")
    reporter("gd-left", "440000", "left@gd.example.cn", active=False)
    reporter("bj2", "110000", "li@bj.example.cn")


def test_returned_report_emails_every_active_reporter_of_the_unit_with_the_reason(
    smtp, campaign, carol, guangdong_people
):
    report = report_in(campaign, "440000", Status.RETURNED, reason=REASON, reviewed_by=carol)

    notify_report_returned(report=report)

    assert smtp.recipients == ["alice@gd.example.cn", "wang@gd.example.cn"]  # not the inactive one, not 北京
    mail = smtp.to("alice@gd.example.cn")[0]
    assert "2020年广东省的报告已被退回" in mail.subject
    assert REASON in mail.body
    assert "商务部" in mail.body  # who returned it
    assert "/campaigns/2020/report/440000/" in mail.body
    notice = Notice.objects.get(unit__code="440000")
    assert notice.kind == NoticeKind.RETURNED
    assert REASON in notice.body
    assert notice.link == "/campaigns/2020/report/440000/"
    assert notice.emails_sent == 2


def test_accepted_report_emails_the_unit(smtp, campaign, carol, guangdong_people):
    report = report_in(campaign, "440000", Status.ACCEPTED, reviewed_by=carol)

    notify_report_accepted(report=report)

    assert smtp.recipients == ["alice@gd.example.cn", "wang@gd.example.cn"]
    assert all("2020年广东省的报告已审核通过" in m.subject for m in smtp.messages)
    assert "审核通过" in smtp.messages[0].body
    assert Notice.objects.get(unit__code="440000").kind == NoticeKind.ACCEPTED


def test_mail_server_down_still_leaves_the_notice_and_raises_nothing(smtp_down, campaign, carol, guangdong_people):
    report = report_in(campaign, "440000", Status.RETURNED, reason=REASON, reviewed_by=carol)

    notice = notify_report_returned(report=report)

    assert Notice.objects.filter(pk=notice.pk, unit__code="440000", kind=NoticeKind.RETURNED).exists()
    assert Notice.objects.get(pk=notice.pk).emails_sent == 0


def test_unit_without_email_gets_the_notice_only(smtp, campaign, carol, bob):
    report = report_in(campaign, "110000", Status.ACCEPTED, reviewed_by=carol)

    notify_report_accepted(report=report)

    assert smtp.messages == []
    assert Notice.objects.filter(unit__code="110000", kind=NoticeKind.ACCEPTED).count() == 1


def test_review_news_can_be_sent_from_a_background_task(smtp, campaign, carol, guangdong_people):
    from chengxin.notifications.tasks import report_notify_task

    report = report_in(campaign, "440000", Status.RETURNED, reason=REASON, reviewed_by=carol)

    report_notify_task(report.pk, "returned")  # huey runs it at once in tests

    assert smtp.recipients == ["alice@gd.example.cn", "wang@gd.example.cn"]
    assert Notice.objects.filter(unit__code="440000", kind=NoticeKind.RETURNED).count() == 1
