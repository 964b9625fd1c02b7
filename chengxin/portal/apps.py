from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.portal"
    label = "portal"
