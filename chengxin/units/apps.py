from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.units"
    label = "units"
