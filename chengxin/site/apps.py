from django.apps import AppConfig


class Config(AppConfig):
    """The top of the layers: what runs the site as a whole (`chengxin serve`) and fills it with demo data
    (`chengxin demo-data`). It may import every app; no app imports it."""

    name = "chengxin.site"
    label = "site_tools"
