"""Reads of campaigns."""

from django.http import Http404

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.generations import cached


def campaign_current() -> Campaign | None:
    """The newest campaign (the header shows it on every page): read through the cache, generation "campaigns"
    (bumped by every Campaign save). A read-only copy: write through the services, which read it again."""
    return cached("campaign-current", ("campaigns",), Campaign.objects.order_by("-year").first)


def campaign_get_cached(year: int) -> Campaign:
    """`campaign_get` read through the cache (generation "campaigns", bumped by every Campaign save), for pages
    that only read the campaign (the dashboards). A read-only copy: write through the services."""
    return cached(f"campaign:{year}", ("campaigns",), lambda: campaign_get(year))


def campaign_get(year: int) -> Campaign:
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_bodies(campaign: Campaign) -> list:
    """The organiser and the co-organising bodies, in the notice's signature order."""
    bodies = [
        p.unit
        for p in campaign.participants.filter(unit__kind="national_body")
        .select_related("unit")
        .order_by("unit__sort_order")
    ]
    return ([campaign.organiser] if campaign.organiser else []) + bodies


def campaign_overview(campaign: Campaign) -> dict:
    return {
        "bodies": campaign_bodies(campaign),
        "focus_areas": list(campaign.focus_areas.all()),
        "requirements": list(campaign.requirements.all()),
        "plan": list(campaign.plan_activities.select_related("lead_body")),
    }


def participant_get(campaign: Campaign, unit) -> Participant | None:
    return Participant.objects.filter(campaign=campaign, unit=unit).select_related("campaign", "unit").first()


def participants_with_exceptions(campaign: Campaign):
    return (
        Participant.objects.filter(campaign=campaign)
        .exclude(deadline_override=None, lock_override=None)
        .select_related("unit")
    )
