from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _participant_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump(f"campaign-data:{instance.campaign_id}")


def _campaign_changed(sender, instance, **kwargs) -> None:
    from chengxin.core.generations import generation_bump

    generation_bump("campaigns", f"campaign-data:{instance.pk}")


class Config(AppConfig):
    name = "chengxin.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from chengxin.campaigns.models import Campaign, Participant

        # Cached reads keyed by generations (core.generations): who takes part in a campaign (the dashboards'
        # data stamp) and the campaigns themselves (the header's current campaign).
        for signal in (post_save, post_delete):
            signal.connect(_participant_changed, sender=Participant, dispatch_uid=f"campaigns.participant.{signal}")
            signal.connect(_campaign_changed, sender=Campaign, dispatch_uid=f"campaigns.campaign.{signal}")
