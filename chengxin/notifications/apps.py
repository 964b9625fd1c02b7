from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.notifications"
    label = "notifications"
