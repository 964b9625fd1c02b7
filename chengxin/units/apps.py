from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _unit_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump("units")


class Config(AppConfig):
    name = "chengxin.units"
    label = "units"

    def ready(self) -> None:
        from chengxin.units.models import Unit

        # The hierarchy of units is read through the cache (has sub-units, the dashboards' data stamp).
        for signal in (post_save, post_delete):
            signal.connect(_unit_changed, sender=Unit, dispatch_uid=f"units.unit.{signal}")
