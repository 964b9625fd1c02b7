"""Writes of the analytics layer: publishing the national totals of the accepted reports on the public campaign
page (a snapshot), and withdrawing them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.analytics.selectors import totals, totals_table_count
from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError
from chengxin.units.capabilities import Action, can


def _require_admin(acting_user, message: str) -> None:
    if not can(acting_user, Action.MANAGE_CAMPAIGN):
        raise DomainError(message, status=403)


@transaction.atomic
def campaign_publish_totals(*, campaign: Campaign, acting_user) -> Campaign:
    """Publish the national totals of the accepted reports on the public campaign page: a snapshot, so that
    later reviews change nothing public until the ministry publishes again."""
    _require_admin(acting_user, _("只有国家管理员可以发布全国汇总"))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    units = totals_table_count(campaign, "accepted")
    if not units:
        raise DomainError(_("还没有已审核的统计表，没有可发布的全国汇总"), status=409)
    campaign.published_totals = {
        "scope": "accepted",
        "units": units,
        "totals": totals(campaign, "accepted"),
        "by": {"username": acting_user.username, "name": acting_user.display_name or acting_user.username},
    }
    campaign.totals_published_at = timezone.now()
    campaign.save(update_fields=["published_totals", "totals_published_at"])
    return campaign


@transaction.atomic
def campaign_unpublish_totals(*, campaign: Campaign, acting_user) -> Campaign:
    """Withdraw the published national totals from the public page."""
    _require_admin(acting_user, _("只有国家管理员可以撤回全国汇总"))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.totals_published_at is None:
        raise DomainError(_("全国汇总尚未发布，无需撤回"), status=409)
    campaign.published_totals = {}
    campaign.totals_published_at = None
    campaign.save(update_fields=["published_totals", "totals_published_at"])
    return campaign
