from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.activities"
    label = "activities"

    def ready(self) -> None:
        from chengxin.activities.selectors import report_page_suggestions
        from chengxin.reporting.extensions import register_entry_page_extra

        register_entry_page_extra(report_page_suggestions)
