from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.commitments"
    label = "commitments"
