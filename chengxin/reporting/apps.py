from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.reporting"
    label = "reporting"

    def ready(self) -> None:
        from chengxin.campaigns.signals import exception_granted
        from chengxin.core.generations import bump_on_change
        from chengxin.reporting.models import Report
        from chengxin.reporting.services import _record_exception

        exception_granted.connect(_record_exception, dispatch_uid="reporting.record_exception")
        # What the dashboards' data stamp covers (analytics.selectors.data_stamp): a report's row. Its figure
        # values change only with its version (reporting.services._bump_version says so itself).
        bump_on_change(Report, lambda r: (f"campaign-data:{r.campaign_id}",), "reporting.report_changed")
