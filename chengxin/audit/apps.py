from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "chengxin.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from chengxin.audit import signals

        signals.connect()
