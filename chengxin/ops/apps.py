from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self):
        from chengxin.ops import tasks  # noqa: F401  registers the worker's heartbeat
