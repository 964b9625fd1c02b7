from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.api"
    label = "api"

    def ready(self) -> None:
        from chengxin.api import tasks  # noqa: F401 - registers the periodic purge of idempotency keys
