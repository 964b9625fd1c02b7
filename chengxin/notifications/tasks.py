"""Background tasks (huey): the daily reminders, and news of a review sent from a worker instead of the request.

Imported by the app's ready() so that the periodic task is registered wherever Django starts; the consumer
started by `chengxin serve` runs it when created with periodic=True.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from chengxin.campaigns.models import Campaign
from chengxin.core.schedule import once_per
from chengxin.notifications.models import NoticeKind
from chengxin.notifications.services import (
    notify_campaign_published,
    notify_report_accepted,
    notify_report_returned,
    reminders_send_due,
)
from chengxin.reporting.models import Report


# Every hour from 08:00 to 20:00 Asia/Shanghai (huey reads crontab in UTC; China has no daylight saving time).
# Each day's reminder is recorded once per unit, so the later runs only catch a morning the server was down.
# One worker sends them, however many run (chengxin.core.schedule).
@db_periodic_task(crontab(minute="0", hour="0-12"))
@once_per("notifications.reminders", period="hour")
def reminders_daily() -> None:
    reminders_send_due()


@db_task()
def report_notify_task(report_id: int, kind: str) -> None:
    """notify_report_returned / notify_report_accepted for a report, from a worker (no SMTP wait in the request)."""
    report = Report.objects.get(pk=report_id)
    if kind == NoticeKind.RETURNED:
        notify_report_returned(report=report)
    elif kind == NoticeKind.ACCEPTED:
        notify_report_accepted(report=report)
    else:
        raise ValueError(f"unknown notice kind {kind!r}")


def report_reviewed_notify(sender, *, report: Report, outcome: str, **kwargs) -> None:
    """A report was returned or accepted (reporting.signals.report_reviewed, after the commit): the unit's notice
    and email are made by a worker, so the reviewer does not wait for the mail server."""
    report_notify_task(report.pk, str(outcome))


@db_task()
def campaign_notify_task(campaign_id: int) -> None:
    notify_campaign_published(campaign=Campaign.objects.get(pk=campaign_id))


def campaign_published_notify(sender, *, campaign: Campaign, **kwargs) -> None:
    """A campaign was published (campaigns.signals.campaign_published, after the commit): the expected units'
    notices and email are made by a worker."""
    campaign_notify_task(campaign.pk)
