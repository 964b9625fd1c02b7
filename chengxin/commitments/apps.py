from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _commitment_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump("commitments")  # the national menu's count of commitments waiting (site.context_processors)


class Config(AppConfig):
    name = "chengxin.commitments"
    label = "commitments"

    def ready(self) -> None:
        from chengxin.commitments.models import Commitment

        for signal in (post_save, post_delete):
            signal.connect(_commitment_changed, sender=Commitment, dispatch_uid=f"commitments.changed.{signal}")
