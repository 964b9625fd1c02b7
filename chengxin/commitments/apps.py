from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.commitments"
    label = "commitments"

    def ready(self) -> None:
        from chengxin.commitments.models import Commitment
        from chengxin.core.generations import bump_on_change

        # The national menu's count of commitments waiting (site.context_processors).
        bump_on_change(Commitment, lambda c: ("commitments",), "commitments.changed")
