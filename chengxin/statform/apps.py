from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.statform"
    label = "statform"
