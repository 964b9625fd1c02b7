"""In-app notices and email: reminders before the deadline, and news of a returned or accepted report."""

from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.notifications"
    label = "notifications"

    def ready(self):
        # Registers the daily reminder task with huey wherever Django starts (web process, consumer, tests).
        from chengxin.notifications import tasks
        from chengxin.reporting.signals import report_reviewed

        report_reviewed.connect(tasks.report_reviewed_notify, dispatch_uid="notifications.report_reviewed")
        from chengxin.campaigns.signals import campaign_published

        campaign_published.connect(tasks.campaign_published_notify, dispatch_uid="notifications.campaign_published")
        # The header's unread count is cached (notifications.selectors.notices_unread_count).
        from chengxin.core.generations import bump_on_change
        from chengxin.notifications.models import Notice

        bump_on_change(Notice, lambda n: (f"notices:{n.unit_id}",), "notifications.notice")
