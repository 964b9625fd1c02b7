from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.core"
    label = "core"
