"""Reads of campaigns."""

from django.http import Http404
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.generations import cached


def campaign_current() -> Campaign | None:
    """The campaign everyone lands on (the header shows it on every page): the newest published one (open, or
    else the latest closed), never one being prepared, whatever was created last. Read through the cache,
    generation "campaigns" (bumped by every Campaign save). A read-only copy: write through the services."""
    return cached(
        "campaign-current", ("campaigns",), Campaign.objects.filter(published_at__isnull=False).order_by("-year").first
    )


def campaign_years() -> list[tuple[int, str, bool]]:
    """(year, theme, published) of every campaign, newest first (cached): the year switcher and the portal."""

    def read():
        rows = Campaign.objects.order_by("-year").values_list("year", "theme", "published_at")
        return [(year, theme, published_at is not None) for year, theme, published_at in rows]

    return cached("campaign-years", ("campaigns",), read)


def campaign_years_for(user) -> list[int]:
    """The years `user` may open: the published ones; the national administrators those being prepared too."""
    sees_preparing = bool(getattr(user, "is_authenticated", False) and user.is_national_admin)
    return [year for year, _theme, published in campaign_years() if published or sees_preparing]


def campaign_hidden_from(year: int, user) -> bool:
    """A campaign being prepared is the national administrators' alone: for anyone else its pages do not
    exist (404), as a year that was never created."""
    return any(y == year and not published for y, _theme, published in campaign_years()) and not (
        getattr(user, "is_authenticated", False) and user.is_national_admin
    )


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


def _date(day) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def publish_notice_text(campaign: Campaign, participant: Participant) -> tuple[str, str]:
    """The title and body of the notice that tells an expected unit the campaign is open: shown to the national
    administrator before publishing, sent by notifications after."""
    names = {
        "unit": participant.unit.name,
        "title": campaign.title,
        "theme": campaign.theme,
        "start": _date(campaign.period_start),
        "end": _date(campaign.period_end),
        "deadline": _date(participant.deadline),
    }
    what = (
        _("请按通知要求组织开展活动，并于%(deadline)s前在系统中报送统计表和总结报告。")
        if participant.fills_statistics
        else _("请按通知要求组织开展活动，并于%(deadline)s前在系统中报送总结报告。")
    )
    body = "\n\n".join(
        [
            _("%(unit)s：") % names,
            _("%(title)s（主题：%(theme)s，活动时间%(start)s至%(end)s）已发布。") % names + what % names,
        ]
    )
    return _("%(title)s已发布") % names, body
