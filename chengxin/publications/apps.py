from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.publications"
    label = "publications"
