"""Writes to campaigns."""

import datetime as dt
import tomllib
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign, FocusArea, Participant, PlanActivity, Requirement
from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.services import form_as_spec, form_load
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


def _shift_year(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def campaign_copy(*, source: Campaign, year: int, acting_user=None, **changes) -> Campaign:
    """A new year's campaign copied from `source`: its texts, plan, focus areas, requirements, expected units
    (without their exceptions) and form, with every date moved by the difference in years. `changes` sets
    fields of the new campaign (title, theme, dates …) at once. Reports, figures and publications are not
    copied. `acting_user` None means the system (the `copy-campaign` command, demo data)."""
    if acting_user is not None and not acting_user.is_national_admin:
        raise DomainError(_("只有国家管理员可以创建新年度的活动"), status=403)
    if Campaign.objects.filter(year=year).exists():
        message = _("%(year)s年的活动已经存在") % {"year": year}
        raise DomainError(message, errors=[FieldError("year", message)])
    unknown = set(changes) - {*CAMPAIGN_FIELDS, "lock_date", "reminder_days"}
    if unknown:
        raise ValueError(f"not campaign fields: {sorted(unknown)}")
    delta = year - source.year
    fields = {name: getattr(source, name) for name in CAMPAIGN_FIELDS}
    for name in ("period_start", "period_end", "notice_date", "deadline"):
        fields[name] = _shift_year(fields[name], delta)
    fields["title"] = source.title.replace(str(source.year), str(year))
    fields["notice_title"] = source.notice_title.replace(str(source.year), str(year))
    fields.update(changes)
    campaign = Campaign.objects.create(
        year=year,
        organiser=source.organiser,
        copied_from=source,
        reminder_days=changes.get("reminder_days", source.reminder_days),
        **{k: v for k, v in fields.items() if k != "reminder_days"},
    )
    for model in (FocusArea, Requirement):
        model.objects.bulk_create(
            model(campaign=campaign, number=s.number, title=s.title, body=s.body)
            for s in model.objects.filter(campaign=source)
        )
    PlanActivity.objects.bulk_create(
        PlanActivity(
            campaign=campaign, number=a.number, title=a.title, lead_body_id=a.lead_body_id, description=a.description
        )
        for a in source.plan_activities.all()
    )
    Participant.objects.bulk_create(
        Participant(campaign=campaign, unit_id=p.unit_id, fills_statistics=p.fills_statistics)
        for p in source.participants.all()
    )
    form = form_load(campaign=campaign, spec=form_as_spec(source.stat_form))
    form.title = form.title.replace(str(source.year), str(year))
    form.save(update_fields=["title"])
    return campaign
