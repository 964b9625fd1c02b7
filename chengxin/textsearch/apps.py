from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.textsearch"
    label = "textsearch"

    def ready(self) -> None:
        from chengxin.textsearch import signals

        signals.connect()
