from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.campaigns"
    label = "campaigns"
