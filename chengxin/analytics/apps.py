from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.analytics"
    label = "analytics"
