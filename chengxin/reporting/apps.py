from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.reporting"
    label = "reporting"
