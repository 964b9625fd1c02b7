from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.workbooks"
    label = "workbooks"
