"""Writes to campaigns."""

import datetime as dt
import tomllib
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement
from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.services import form_load
from chengxin.units.models import PROVINCIAL_KINDS, Unit
from chengxin.units.services import units_load_reference

CAMPAIGN_FIELDS = (
    "title",
    "notice_title",
    "theme",
    "period_start",
    "period_end",
    "notice_date",
    "deadline",
    "receiver",
    "contact_name",
    "contact_department",
    "contact_phone",
    "contact_fax",
    "logo_source",
)


def campaign_spec(year: int) -> dict:
    """The campaign file shipped for `year`, parsed."""
    path = resources.files("chengxin.campaigns").joinpath(f"data/campaign-{year}.toml")
    if not path.is_file():
        raise DomainError(_("没有 %(year)s 年的活动数据文件（campaign-%(year)s.toml）") % {"year": year})
    with path.open("rb") as fh:
        return tomllib.load(fh)


@transaction.atomic
def campaign_load(*, year: int) -> Campaign:
    """(Re)load a campaign, its units, plan and form from its data file. Idempotent: a second load changes
    nothing; reports, figures and dates the ministry changed since (lock date, exceptions) are kept."""
    spec = campaign_spec(year)
    units = units_load_reference()
    info = spec["campaign"]
    organiser_code, *co_organisers = info["bodies"]
    defaults = {k: info[k] for k in CAMPAIGN_FIELDS if k in info}
    # The deadline is the notice's only on first load: afterwards it belongs to the national administrator
    # (settings page), and a reload must not undo an extension.
    deadline = defaults.pop("deadline")
    campaign, _created = Campaign.objects.update_or_create(
        year=year,
        defaults={**defaults, "organiser": units[organiser_code]},
        create_defaults={**defaults, "organiser": units[organiser_code], "deadline": deadline},
    )
    for model, key in ((FocusArea, "focus_area"), (Requirement, "requirement")):
        numbers = []
        for item in spec[key]:
            numbers.append(item["number"])
            model.objects.update_or_create(
                campaign=campaign, number=item["number"], defaults={"title": item["title"], "body": item["body"]}
            )
        model.objects.filter(campaign=campaign).exclude(number__in=numbers).delete()
    numbers = []
    for item in spec["plan_activity"]:
        numbers.append(item["number"])
        PlanActivity.objects.update_or_create(
            campaign=campaign,
            number=item["number"],
            defaults={
                "title": item["title"],
                "lead_body": units[item["lead_body"]],
                "description": item.get("description", ""),
            },
        )
    PlanActivity.objects.filter(campaign=campaign).exclude(number__in=numbers).delete()

    # Expected reporters: every provincial unit fills the table and sends a summary; the co-organising
    # bodies send a summary only. The organiser (the first body) reviews and is not expected to report.
    expected = {u.pk: True for u in Unit.objects.filter(kind__in=PROVINCIAL_KINDS)}
    expected.update({units[code].pk: False for code in co_organisers})
    for unit_id, fills in expected.items():
        Participant.objects.update_or_create(campaign=campaign, unit_id=unit_id, defaults={"fills_statistics": fills})
    form_load(campaign=campaign, spec=spec["form"])
    return campaign


@transaction.atomic
def campaign_set_dates(*, campaign: Campaign, deadline: dt.date, lock_date: dt.date | None, acting_user) -> Campaign:
    """Change the deadline and lock date. Only a national administrator may."""
    if not acting_user.is_national_admin:
        raise DomainError(_("只有国家管理员可以修改截止日期和锁定日期"), status=403)
    if lock_date is not None and lock_date < deadline:
        message = _("锁定日期不能早于报送截止日期")
        raise DomainError(message, errors=[FieldError("lock_date", message)])
    if lock_date is not None:
        # A unit whose deadline was extended must not be locked before its own deadline.
        clash = (
            campaign.participants.filter(deadline_override__gt=lock_date, lock_override__isnull=True)
            .select_related("unit")
            .first()
        )
        if clash is not None:
            message = _(
                "%(unit)s的截止日期已单独延至 %(date)s，统一锁定日期不能早于它；请先为该单位单独设定锁定日期"
            ) % {"unit": clash.unit.name, "date": f"{clash.deadline_override:%Y-%m-%d}"}
            raise DomainError(message, errors=[FieldError("lock_date", message)])
    campaign.deadline = deadline
    campaign.lock_date = lock_date
    campaign.save(update_fields=["deadline", "lock_date"])
    return campaign
