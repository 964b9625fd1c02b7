from django.apps import AppConfig


class Config(AppConfig):
    name = "chengxin.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from chengxin.campaigns.models import Campaign, Participant
        from chengxin.core.generations import bump_on_change

        # Cached reads keyed by generations (core.generations): who takes part in a campaign (the dashboards'
        # data stamp) and the campaigns themselves (the header's current campaign).
        bump_on_change(Participant, lambda p: (f"campaign-data:{p.campaign_id}",), "campaigns.participant")
        bump_on_change(Campaign, lambda c: ("campaigns", f"campaign-data:{c.pk}"), "campaigns.campaign")
