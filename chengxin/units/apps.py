from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.units"
    label = "units"

    def ready(self) -> None:
        from chengxin.core.generations import bump_on_change
        from chengxin.units.models import Unit

        # The hierarchy of units is read through the cache (has sub-units, the dashboards' data stamp).
        bump_on_change(Unit, lambda u: ("units",), "units.unit")
