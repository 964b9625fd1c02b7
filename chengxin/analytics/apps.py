from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.analytics"
    label = "analytics"

    def ready(self) -> None:
        from chengxin.analytics.selectors import report_page_breakdown
        from chengxin.reporting.extensions import register_entry_page_extra

        register_entry_page_extra(report_page_breakdown)
