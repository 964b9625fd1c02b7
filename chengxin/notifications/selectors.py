"""Reads of notices, and who is to be reminded."""

from django.db.models import Q, QuerySet

from chengxin.campaigns.models import Campaign, Participant
from chengxin.core.generations import cached
from chengxin.notifications.models import Notice
from chengxin.reporting.models import Report, Status
from chengxin.units.models import Role, Unit, User

SUBMITTED_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)


def notices_for_unit(unit: Unit | None) -> QuerySet[Notice]:
    """The unit's notices, newest first (none for an account without a unit)."""
    if unit is None:
        return Notice.objects.none()
    return Notice.objects.filter(unit=unit).select_related("campaign").order_by("-created_at", "-pk")


def notices_unread_count(unit: Unit | int | None) -> int:
    """The unit's unread notices (the header's badge on every page): read through the cache, generation
    "notices:<unit id>" (bumped by every Notice save or delete and by marking all read)."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    if unit_id is None:
        return 0
    unread = Notice.objects.filter(unit_id=unit_id, read_at=None)
    return cached(f"notices-unread:{unit_id}", (f"notices:{unit_id}",), unread.count)


def unit_email_addresses(unit: Unit) -> list[str]:
    """Where a unit's mail goes: the addresses of its active reporters, each once."""
    addresses = (
        User.objects.filter(unit=unit, role=Role.UNIT_REPORTER, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address.strip(), None)
    return [a for a in seen if a]


def participants_not_submitted(campaign: Campaign) -> QuerySet[Participant]:
    """Participants whose report is missing or not started, a draft, or returned."""
    submitted = Report.objects.filter(campaign=campaign, status__in=SUBMITTED_STATUSES).values("unit_id")
    return (
        Participant.objects.filter(campaign=campaign)
        .exclude(unit_id__in=submitted)
        .select_related("campaign", "unit")
        .order_by("unit__sort_order", "unit__code")
    )


def campaigns_with_open_deadlines(today) -> QuerySet[Campaign]:
    """Campaigns whose deadline, or some unit's extended deadline, is today or later."""
    return (
        Campaign.objects.filter(Q(deadline__gte=today) | Q(participants__deadline_override__gte=today))
        .distinct()
        .order_by("year")
    )
