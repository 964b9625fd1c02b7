from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.reporting"
    label = "reporting"

    def ready(self) -> None:
        from chengxin.campaigns.signals import exception_granted
        from chengxin.reporting.services import _record_exception

        exception_granted.connect(_record_exception, dispatch_uid="reporting.record_exception")
