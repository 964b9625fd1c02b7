from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _report_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump(f"campaign-data:{instance.campaign_id}")


class Config(AppConfig):
    name = "chengxin.reporting"
    label = "reporting"

    def ready(self) -> None:
        from chengxin.campaigns.signals import exception_granted
        from chengxin.reporting.models import Report
        from chengxin.reporting.services import _record_exception

        exception_granted.connect(_record_exception, dispatch_uid="reporting.record_exception")
        # What the dashboards' data stamp covers (analytics.selectors.data_stamp): a report's row. Its figure
        # values change only with its version (reporting.services._bump_version says so itself).
        for signal in (post_save, post_delete):
            signal.connect(_report_changed, sender=Report, dispatch_uid=f"reporting.report_changed.{signal}")
