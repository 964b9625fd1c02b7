"""Integrity indices (诚信指数): a body publishes an index's releases (values by period and region, uploaded as
CSV or .xlsx), the ministry reviews them, the public portal shows the published ones with a chart, a region table
and the method, and offers the data as CSV. A corrected release replaces the old one visibly (修订)."""

from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.indices"
    label = "indices"

    def ready(self) -> None:
        from chengxin.core.generations import bump_on_change

        # The national menu's count of releases waiting (site.context_processors).
        bump_on_change("indices.IndexRelease", lambda r: ("index-releases",), "indices.release_changed")
