"""Set-up shared by the notification tests: reporters with email addresses, sub-units, report states."""

from django.utils import timezone

from chengxin.campaigns.models import Participant
from chengxin.reporting.models import Report, Status
from chengxin.units.models import Role, Unit, UnitKind
from chengxin.units.tests.factories import UserFactory


def reporter(username: str, unit_code: str, email: str = "", *, active: bool = True):
    user = UserFactory(username=username, unit=Unit.objects.get(code=unit_code), role=Role.UNIT_REPORTER)
    user.email, user.is_active = email, active
    user.save(update_fields=["email", "is_active"])
    return user


def sub_unit(campaign, code: str, name: str, parent_code: str, kind: str = UnitKind.CITY) -> Unit:
    """A city or county under a province, expected to report for the campaign."""
    unit = Unit.objects.create(
        code=code, name=name, short_name=name, kind=kind, parent=Unit.objects.get(code=parent_code), region_code=code
    )
    Participant.objects.create(campaign=campaign, unit=unit)
    return unit


def report_in(campaign, unit_code: str, status: str, *, reason: str = "", reviewed_by=None) -> Report:
    """The unit's report in the given state, written directly (the lifecycle has its own tests)."""
    submitted = timezone.now() if status in (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED) else None
    report, _created = Report.objects.update_or_create(
        campaign=campaign,
        unit=Unit.objects.get(code=unit_code),
        defaults={
            "status": status,
            "submitted_at": submitted,
            "first_submitted_at": submitted,
            "return_reason": reason,
            "reviewed_by": reviewed_by,
            "reviewed_at": timezone.now() if reviewed_by else None,
        },
    )
    return report
