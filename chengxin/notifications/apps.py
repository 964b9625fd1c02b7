"""In-app notices and email: reminders before the deadline, and news of a returned or accepted report."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _notice_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump(f"notices:{instance.unit_id}")


class Config(AppConfig):
    name = "chengxin.notifications"
    label = "notifications"

    def ready(self):
        # Registers the daily reminder task with huey wherever Django starts (web process, consumer, tests).
        from chengxin.notifications import tasks
        from chengxin.reporting.signals import report_reviewed

        report_reviewed.connect(tasks.report_reviewed_notify, dispatch_uid="notifications.report_reviewed")
        # The header's unread count is cached (notifications.selectors.notices_unread_count).
        from chengxin.notifications.models import Notice

        for signal in (post_save, post_delete):
            signal.connect(_notice_changed, sender=Notice, dispatch_uid=f"notifications.notice.{signal}")
