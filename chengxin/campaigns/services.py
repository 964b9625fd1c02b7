"""Writes to campaigns."""

import datetime as dt
import re
import tomllib
from importlib import resources

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.audit.services import audit_record
from chengxin.campaigns.models import (
    Campaign,
    CampaignChange,
    CampaignState,
    FocusArea,
    Participant,
    PlanActivity,
    Requirement,
)
from chengxin.campaigns.signals import campaign_published, exception_granted
from chengxin.core.errors import DomainError, FieldError
from chengxin.statform.models import StatForm
from chengxin.statform.services import form_as_spec, form_load
from chengxin.units.capabilities import Action, can
from chengxin.units.models import PROVINCIAL_KINDS, Unit, User
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


def campaign_text(year: int) -> str:
    """The campaign file shipped for `year`, as text."""
    path = resources.files("chengxin.campaigns").joinpath(f"data/campaign-{year}.toml")
    if not path.is_file():
        raise DomainError(_("没有 %(year)s 年的活动数据文件（campaign-%(year)s.toml）") % {"year": year})
    return path.read_text(encoding="utf-8")


def campaign_spec(year: int) -> dict:
    """The campaign file shipped for `year`, parsed."""
    return tomllib.loads(campaign_text(year))


@transaction.atomic
def campaign_load(*, year: int) -> Campaign:
    """(Re)load a campaign, its units, plan and form from its data file. Idempotent: a second load changes
    nothing; reports, figures and dates the ministry changed since (lock date, exceptions) are kept."""
    text = campaign_text(year)
    spec = tomllib.loads(text)
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
        # the seed is the notice as it went out: published when first loaded
        create_defaults={
            **defaults,
            "organiser": units[organiser_code],
            "deadline": deadline,
            "published_at": timezone.now(),
        },
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
    form_load(campaign=campaign, spec=spec["form"], text=text)
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
    for name, value in (("deadline", deadline), ("lock_date", lock_date)):
        change_record(campaign, acting_user, _("日期"), name, getattr(campaign, name), value)
    campaign.deadline = deadline
    campaign.lock_date = lock_date
    campaign.save(update_fields=["deadline", "lock_date"])
    return campaign


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def change_record(campaign: Campaign, acting_user, part: str, field: str, old, new) -> CampaignChange | None:
    """Write one change of `campaign` (its `part`, the model field `field` or a label) to its history, if the
    value changed. Called inside the changing service's transaction."""
    old, new = _as_text(old), _as_text(new)
    if old == new:
        return None
    try:
        label = str(Campaign._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # not a field of Campaign: a label already
        label = field
    return CampaignChange.objects.create(
        campaign=campaign,
        by=acting_user if getattr(acting_user, "pk", None) else None,
        part=part,
        field=label,
        old=old,
        new=new,
    )


@transaction.atomic
def campaign_publish(*, campaign: Campaign, acting_user) -> Campaign:
    """Publish a campaign being prepared: from now on the notice is public, units see it and report. Every
    expected unit is told (in the system and by email) once this commits (notifications listens to
    campaign_published). Only a national administrator may, once."""
    if not acting_user.is_national_admin:
        raise DomainError(_("只有国家管理员可以发布活动"), status=403)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_preparing:
        raise DomainError(_("%(year)s年的活动已经发布") % {"year": campaign.year}, status=409)
    if not campaign.participants.exists():
        raise DomainError(_("还没有报送单位：请先设定报送单位再发布"), status=409)
    campaign.published_at = timezone.now()
    campaign.published_by = acting_user
    campaign.save(update_fields=["published_at", "published_by"])
    change_record(
        campaign, acting_user, _("活动"), _("状态"), CampaignState.PREPARING.label, CampaignState.PUBLISHED.label
    )
    transaction.on_commit(lambda: campaign_published.send(Campaign, campaign=campaign, acting_user=acting_user))
    return campaign


def shift_year(day: dt.date | None, years: int) -> dt.date | None:
    """`day` moved by `years` years (29 February becomes 28 February in a common year)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def with_year(text: str, old: int, new: int) -> str:
    """`text` with the campaign's year `old` written as `new` where it stands as a year (2020年, 《2020…, “2020…):
    a copied notice speaks of its own year. Digits inside longer numbers (120200) are left alone."""
    if not isinstance(new, int) or not text:
        return text
    return re.sub(rf"(?<![0-9]){old}(?![0-9])", str(new), text)


_YEAR = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9][0-9])(?=年)")


def earlier_years_left(campaign: Campaign) -> list[str]:
    """Where a text of `campaign` still names an earlier year as a year (2019年 in a 2021 campaign): each as
    "part: 2019年…", for the warning after a copy. A law's year may be meant; the administrator decides."""
    parts = [(_("标题"), campaign.title), (_("通知标题"), campaign.notice_title), (_("活动主题"), campaign.theme)]
    for label, items in (
        (_("宣传重点"), campaign.focus_areas.all()),
        (_("有关要求"), campaign.requirements.all()),
        (_("主要活动"), campaign.plan_activities.all()),
    ):
        for item in items:
            text = f"{item.title} {getattr(item, 'body', '') or getattr(item, 'description', '')}"
            parts.append((f"{label} {item.number}", text))
    found = []
    for label, text in parts:
        for match in _YEAR.finditer(text or ""):
            if int(match.group(1)) < campaign.year:
                found.append(f"{label}：{text[max(0, match.start() - 8) : match.end() + 12]}")
                break
    return found


def _copy_problems(source: Campaign, year, fields: dict) -> list[FieldError]:
    problems = []
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.append(FieldError("year", _("年度应为 2000 到 2100 之间的四位数字")))
    elif Campaign.objects.filter(year=year).exists():
        problems.append(FieldError("year", _("%(year)s年的活动已经存在") % {"year": year}))
    for name, label in (("title", _("标题")), ("theme", _("活动主题"))):
        if not str(fields.get(name) or "").strip():
            problems.append(FieldError(name, _("请填写%(label)s") % {"label": label}))
        elif len(fields[name]) > Campaign._meta.get_field(name).max_length:
            problems.append(FieldError(name, _("%(label)s太长") % {"label": label}))
    if fields["period_end"] < fields["period_start"]:
        problems.append(FieldError("period_end", _("活动结束日期不能早于开始日期")))
    if fields["deadline"] < fields["period_start"]:
        problems.append(FieldError("deadline", _("报送截止日期不能早于活动开始日期")))
    return problems


@transaction.atomic
def campaign_copy(*, source: Campaign, year: int, acting_user=None, **changes) -> Campaign:
    """A new year's campaign copied from `source`: its texts, plan, focus areas, requirements, expected units
    (without their exceptions) and form, with every date moved by the difference in years. `changes` sets
    fields of the new campaign (title, theme, dates …) at once. Reports, figures and publications are not
    copied. `acting_user` None means the system (the `copy-campaign` command, demo data)."""
    if acting_user is not None and not acting_user.is_national_admin:
        raise DomainError(_("只有国家管理员可以创建新年度的活动"), status=403)
    unknown = set(changes) - {*CAMPAIGN_FIELDS, "lock_date", "reminder_days"}
    if unknown:
        raise ValueError(f"not campaign fields: {sorted(unknown)}")
    delta = year - source.year if isinstance(year, int) else 0
    fields = {name: getattr(source, name) for name in CAMPAIGN_FIELDS}
    for name in ("period_start", "period_end", "notice_date", "deadline"):
        fields[name] = shift_year(fields[name], delta)
    for name in ("title", "notice_title", "theme"):
        fields[name] = with_year(fields[name], source.year, year)
    fields["reminder_days"] = source.reminder_days
    fields.update(changes)
    problems = _copy_problems(source, year, fields)
    if problems:
        raise DomainError(problems[0].message if len(problems) == 1 else _("请按提示修改后再创建"), errors=problems)
    campaign = Campaign.objects.create(
        year=year, organiser=source.organiser, copied_from=source, logo=source.logo.name, **fields
    )
    copied = {"copied_from": source.year}
    for model in (FocusArea, Requirement):
        copied[model._meta.model_name] = len(
            model.objects.bulk_create(
                model(
                    campaign=campaign,
                    number=s.number,
                    title=with_year(s.title, source.year, year),
                    body=with_year(s.body, source.year, year),
                )
                for s in model.objects.filter(campaign=source)
            )
        )
    plan = PlanActivity.objects.bulk_create(
        PlanActivity(
            campaign=campaign,
            number=a.number,
            title=with_year(a.title, source.year, year),
            lead_body_id=a.lead_body_id,
            description=with_year(a.description, source.year, year),
        )
        for a in source.plan_activities.all()
    )
    participants = Participant.objects.bulk_create(
        Participant(campaign=campaign, unit_id=p.unit_id, fills_statistics=p.fills_statistics)
        for p in source.participants.all()
    )
    # bulk_create sends no save signal: one audit row says what the copy made
    audit_record(
        action="campaign_copy",
        object_type="campaigns.campaign",
        object_id=campaign.pk,
        object_repr=str(campaign),
        changes={**copied, "plan_activities": len(plan), "participants": len(participants)},
    )
    source_form = StatForm.objects.filter(campaign=source).first()
    if source_form is not None:
        spec = form_as_spec(source_form)
        spec["title"] = spec["title"].replace(str(source.year), str(year))
        form_load(campaign=campaign, spec=spec)
    return campaign


@transaction.atomic
def participant_grant_exception(
    *,
    campaign: Campaign,
    unit: Unit,
    deadline,
    lock_date,
    reason: str,
    acting_user: User,
) -> Participant:
    """Give one unit a later deadline and/or lock date than the campaign's."""
    if not can(acting_user, Action.MANAGE_CAMPAIGN):
        raise DomainError(_("只有国家管理员可以为单位单独延期"), status=403)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写单独延期的原因"), errors=[FieldError("reason", _("请填写原因"))])
    participant = Participant.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    if participant is None:
        raise DomainError(_("%(unit)s不是本年度的报送单位") % {"unit": unit}, status=404)
    effective_deadline = deadline or campaign.deadline
    effective_lock = lock_date or campaign.lock_date
    if effective_lock is not None and effective_lock < effective_deadline:
        raise DomainError(
            _("锁定日期不能早于截止日期"),
            errors=[
                FieldError(
                    "lock_override",
                    _("锁定日期（%(lock)s）不能早于该单位的截止日期（%(deadline)s），请一并延长锁定日期")
                    % {"lock": f"{effective_lock:%Y-%m-%d}", "deadline": f"{effective_deadline:%Y-%m-%d}"},
                )
            ],
        )
    participant.deadline_override = deadline
    participant.lock_override = lock_date
    participant.exception_reason = reason
    participant.save()
    # The report's history records it (reporting listens): the campaign layer does not know reports.
    exception_granted.send(
        Participant,
        participant=participant,
        deadline=deadline,
        lock_date=lock_date,
        reason=reason,
        acting_user=acting_user,
    )
    return participant
