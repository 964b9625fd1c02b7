from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.activities"
    label = "activities"
