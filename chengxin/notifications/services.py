"""Notices and email to units: a returned or accepted report, and reminders to units that have not submitted.

Every message is an in-app notice first (every account of the unit sees it) and an email to the unit's
reporters second. Mail goes out after the notice rows are committed, through one SMTP connection per batch;
a mail server that is down or refuses is logged and never undoes or blocks what already happened.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chengxin.audit.services import audit_record
from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.selectors import publish_notice_text
from chengxin.core.errors import DomainError, FieldError
from chengxin.core.generations import generation_bump
from chengxin.notifications.models import Notice, NoticeKind, Reminder
from chengxin.notifications.selectors import (
    campaigns_with_open_deadlines,
    participants_not_submitted,
    unit_email_addresses,
)
from chengxin.reporting.models import Report, Status
from chengxin.units.models import Unit, User

logger = logging.getLogger(__name__)

# --- Delivery ------------------------------------------------------------------------------------------------


@dataclass
class Outgoing:
    """A notice and the addresses its email goes to."""

    notice: Notice
    addresses: list[str]


def _absolute(path: str) -> str:
    """The link as it works from a mail client: SITE_URL (e.g. https://chengxin.example.gov.cn) + path."""
    return f"{settings.SITE_URL}{path}"


def _email_body(notice: Notice) -> str:
    lines = [notice.body]
    if notice.link:
        lines.append(_("查看详情：%(url)s") % {"url": _absolute(notice.link)})
    lines.append(_("（本邮件由诚信兴商宣传月活动管理平台自动发送，请勿直接回复。）"))
    return "\n\n".join(lines)


def _messages(item: Outgoing) -> list[EmailMessage]:
    subject = _("【诚信兴商宣传月】%(title)s") % {"title": item.notice.title}
    body = _email_body(item.notice)
    # One message per person: nobody sees the other recipients' addresses, and "M 封" counts people reached.
    return [EmailMessage(subject=subject, body=body, to=[address]) for address in item.addresses]


def _deliver(items: list[Outgoing]) -> tuple[int, str]:
    """Email every notice to its addresses over one connection. Returns (messages sent, error text); a
    failure is logged, not raised: the notices already exist and the unit sees them in the system."""
    with translation.override(settings.LANGUAGE_CODE):
        batch = [(item, _messages(item)) for item in items if item.addresses]
    messages = [m for _item, ms in batch for m in ms]
    if not messages:
        return 0, ""
    timeout = settings.EMAIL_TIMEOUT
    try:
        sent = get_connection(timeout=timeout).send_messages(messages) or 0
    except Exception as exc:  # SMTP down, refused, timed out: whatever the transport raises
        logger.exception("Email to %d address(es) failed; the in-app notices were created", len(messages))
        return 0, str(exc) or exc.__class__.__name__
    for item, ms in batch:
        Notice.objects.filter(pk=item.notice.pk).update(emails_sent=len(ms))
        item.notice.emails_sent = len(ms)
    return sent, ""


def _date(day: dt.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _entry_path(campaign: Campaign, unit: Unit) -> str:
    return reverse("reporting:entry", kwargs={"year": campaign.year, "unit_code": unit.code})


def _reviewer_name(report: Report) -> str:
    reviewer = report.reviewed_by
    if reviewer is not None and reviewer.unit is not None:
        return reviewer.unit.name
    return _("审核单位")


# --- A returned or accepted report ---------------------------------------------------------------------------


def _report_notice(*, report: Report, kind: str) -> Notice:
    # Read again: called after commit, the report's reason and reviewer are those that were saved.
    report = Report.objects.select_related("campaign", "unit", "reviewed_by__unit").get(pk=report.pk)
    campaign, unit = report.campaign, report.unit
    names = {"unit": unit.name, "year": campaign.year, "title": campaign.title, "reviewer": _reviewer_name(report)}
    with translation.override(settings.LANGUAGE_CODE):
        if kind == NoticeKind.RETURNED:
            title = _("%(year)s年%(unit)s的报告已被退回") % names
            body = "\n\n".join(
                [
                    _("%(unit)s：") % names,
                    _("你单位报送的%(title)s统计表和总结报告已被%(reviewer)s退回，请按退回原因修改后重新报送。")
                    % names,
                    _("退回原因：%(reason)s") % {"reason": report.return_reason or "—"},
                ]
            )
        else:
            title = _("%(year)s年%(unit)s的报告已审核通过") % names
            body = "\n\n".join(
                [
                    _("%(unit)s：") % names,
                    _("你单位报送的%(title)s统计表和总结报告已经%(reviewer)s审核通过，数据已锁定。感谢你单位的工作！")
                    % names,
                ]
            )
    with transaction.atomic():  # after the review's commit: its own transaction, with its audit row
        return Notice.objects.create(
            unit=unit, campaign=campaign, kind=kind, title=title, body=body, link=_entry_path(campaign, unit)
        )


def notify_report_returned(*, report: Report) -> Notice:
    """Tell the unit its report was returned, with the reason: an in-app notice and an email to its reporters.
    Meant to run after the return is committed (transaction.on_commit); a mail failure is logged, not raised."""
    notice = _report_notice(report=report, kind=NoticeKind.RETURNED)
    _deliver([Outgoing(notice, unit_email_addresses(notice.unit))])
    return notice


def notify_report_accepted(*, report: Report) -> Notice:
    """Tell the unit its report was accepted: an in-app notice and an email to its reporters. Meant to run
    after the acceptance is committed; a mail failure is logged, not raised."""
    notice = _report_notice(report=report, kind=NoticeKind.ACCEPTED)
    _deliver([Outgoing(notice, unit_email_addresses(notice.unit))])
    return notice


# --- A campaign published ------------------------------------------------------------------------------------


def notify_campaign_published(*, campaign: Campaign) -> int:
    """Tell every expected unit that the campaign is open: an in-app notice each (one transaction) and an email
    to its reporters afterwards. Run by a worker after the publishing committed; returns the notices made."""
    participants = list(Participant.objects.filter(campaign=campaign).select_related("unit", "campaign"))
    items = []
    with transaction.atomic():
        for participant in participants:
            with translation.override(settings.LANGUAGE_CODE):
                title, body = publish_notice_text(campaign, participant)
            link = reverse("campaigns:overview", kwargs={"year": campaign.year})
            notice = Notice.objects.create(
                unit=participant.unit, campaign=campaign, kind=NoticeKind.CAMPAIGN, title=title, body=body, link=link
            )
            items.append(Outgoing(notice, unit_email_addresses(participant.unit)))
    _deliver(items)
    return len(items)


# --- Reminders -----------------------------------------------------------------------------------------------


@dataclass
class UnitReminded:
    unit: Unit
    deadline: dt.date
    days_before: int | None  # None: reminded on demand
    addresses: list[str]
    notice: Notice


@dataclass
class ReminderResult:
    reminded: list[UnitReminded] = field(default_factory=list)
    skipped_submitted: list[Unit] = field(default_factory=list)  # named on demand but already submitted
    skipped_recent: list[Unit] = field(default_factory=list)  # reminded within CHENGXIN_REMIND_AGAIN_HOURS
    emails_sent: int = 0
    email_error: str = ""

    @property
    def units_reminded(self) -> int:
        return len(self.reminded)

    @property
    def without_email(self) -> list[Unit]:
        """Units reminded in the system only, because none of their reporters has an email address."""
        return [r.unit for r in self.reminded if not r.addresses]


def _reminder_text(
    participant: Participant, status: str, today: dt.date, days_before: int | None, sender: User | None
) -> tuple[str, str]:
    campaign, unit, deadline = participant.campaign, participant.unit, participant.deadline
    what = _("统计表和总结报告") if participant.fills_statistics else _("总结报告")
    names = {
        "unit": unit.name,
        "year": campaign.year,
        "title": campaign.title,
        "what": what,
        "deadline": _date(deadline),
        "status": Status(status).label,
    }
    left = (deadline - today).days
    if left < 0:
        title = _("%(year)s年%(what)s已过截止日期，请尽快报送") % names
        when = _("%(title)s的报送截止日期%(deadline)s已过") % names
    elif left == 0:
        title = _("今天是%(year)s年%(what)s的报送截止日") % names
        when = _("%(title)s的报送截止日期是今天（%(deadline)s）") % names
    else:
        title = _("请于%(deadline)s前报送%(year)s年%(what)s") % names
        when = _("%(title)s的报送截止日期是%(deadline)s，还有 %(days)d 天") % dict(names, days=left)
    paragraphs = [
        _("%(unit)s：") % names,
        _("%(when)s。你单位尚未报送（当前状态：%(status)s），请登录系统填写并报送%(what)s。") % dict(names, when=when),
    ]
    if sender is not None and sender.unit is not None:
        paragraphs.append(_("（%(sender)s提醒）") % {"sender": sender.unit.name})
    if unit.parent_id is None and campaign.contact_name:
        paragraphs.append(
            _("如有疑问，请联系%(department)s%(name)s，电话 %(phone)s。")
            % {
                "department": campaign.contact_department or campaign.receiver,
                "name": campaign.contact_name,
                "phone": campaign.contact_phone or "—",
            }
        )
    return title, "\n\n".join(paragraphs)


@transaction.atomic
def _reminders_record(
    *, targets: list[tuple[Participant, int | None]], today: dt.date, acting_user: User | None, recent: list[Unit]
) -> list[UnitReminded]:
    """Write the reminder rows and the notices. An automatic reminder already recorded for the same unit and
    day before the deadline is left out (the daily job may run more than once); so is an on-demand reminder of a
    unit reminded (either way) in the last CHENGXIN_REMIND_AGAIN_HOURS, which is added to `recent`: twenty clicks
    send one reminder. The units' rows are locked first, so that concurrent clicks see each other's reminders."""
    on_demand = [p.pk for p, days in targets if days is None]
    if on_demand:
        list(Participant.objects.select_for_update().filter(pk__in=on_demand).order_by("pk").values_list("pk"))
        since = timezone.now() - dt.timedelta(hours=settings.CHENGXIN_REMIND_AGAIN_HOURS)
        just_reminded = set(
            Reminder.objects.filter(
                campaign_id__in={p.campaign_id for p, _d in targets},
                unit_id__in=[p.unit_id for p, _d in targets],
                sent_at__gte=since,
            ).values_list("unit_id", flat=True)
        )
        recent.extend(p.unit for p, days in targets if days is None and p.unit_id in just_reminded)
        targets = [(p, days) for p, days in targets if days is not None or p.unit_id not in just_reminded]
    statuses = dict(
        Report.objects.filter(
            campaign_id__in={p.campaign_id for p, _d in targets}, unit_id__in=[p.unit_id for p, _d in targets]
        ).values_list("unit_id", "status")
    )
    reminded = []
    for participant, days_before in targets:
        if days_before is None:
            reminder = Reminder.objects.create(
                campaign=participant.campaign, unit=participant.unit, days_before=None, sent_by=acting_user
            )
        else:
            reminder, created = Reminder.objects.get_or_create(
                campaign=participant.campaign, unit=participant.unit, days_before=days_before
            )
            if not created:
                continue
        with translation.override(settings.LANGUAGE_CODE):
            title, body = _reminder_text(
                participant, statuses.get(participant.unit_id, Status.NOT_STARTED), today, days_before, acting_user
            )
        notice = Notice.objects.create(
            unit=participant.unit,
            campaign=participant.campaign,
            kind=NoticeKind.REMINDER,
            title=title,
            body=body,
            link=_entry_path(participant.campaign, participant.unit),
        )
        reminder.notice = notice
        reminder.save(update_fields=["notice"])
        reminded.append(
            UnitReminded(
                unit=participant.unit,
                deadline=participant.deadline,
                days_before=days_before,
                addresses=unit_email_addresses(participant.unit),
                notice=notice,
            )
        )
    return reminded


def _codes(unit_codes) -> list[str]:
    return list(dict.fromkeys(code.strip() for code in unit_codes or [] if code and code.strip()))


def _targets_on_demand(*, campaign: Campaign, unit_codes, acting_user: User) -> tuple[list, list[Unit]]:
    reviewed = {
        p.unit.code: p
        for p in Participant.objects.filter(campaign=campaign).select_related("campaign", "unit")
        if acting_user.reviews(p.unit)
    }
    if not reviewed:
        raise DomainError(_("你没有可以催报的单位"), status=404)
    if unit_codes is None:
        chosen = list(reviewed.values())
    else:
        codes = _codes(unit_codes)
        if not codes:
            message = _("请选择要提醒的单位")
            raise DomainError(message, errors=[FieldError("unit", message)])
        if any(code not in reviewed for code in codes):
            # Another unit's sub-units and unknown codes look the same: nothing to see here.
            raise DomainError(_("找不到要提醒的单位"), status=404)
        chosen = [reviewed[code] for code in codes]
    waiting = set(participants_not_submitted(campaign).values_list("unit_id", flat=True))
    targets = [(p, None) for p in chosen if p.unit_id in waiting]
    skipped = [p.unit for p in chosen if p.unit_id not in waiting]
    return targets, skipped


def _targets_due(*, campaign: Campaign, unit_codes, today: dt.date) -> list:
    days = set(campaign.reminder_day_list)
    participants = participants_not_submitted(campaign)
    if unit_codes is not None:
        codes = _codes(unit_codes)
        known = set(Participant.objects.filter(campaign=campaign, unit__code__in=codes).values_list("unit__code"))
        unknown = [code for code in codes if (code,) not in known]
        if unknown:
            message = _("%(codes)s 不是%(year)s年的报送单位") % {"codes": "、".join(unknown), "year": campaign.year}
            raise DomainError(message, errors=[FieldError("unit", message)])
        participants = participants.filter(unit__code__in=codes)
    targets = []
    for participant in participants:
        days_before = (participant.deadline - today).days
        if days_before in days:
            targets.append((participant, days_before))
    return targets


def reminders_send(
    *,
    campaign: Campaign,
    unit_codes: list[str] | None = None,
    acting_user: User | None = None,
    today: dt.date | None = None,
) -> ReminderResult:
    """Remind units that have not submitted (report missing, not started, a draft, or returned).

    With `acting_user` (on demand): the given units, or every unit in scope that has not submitted; the
    ministry reminds the units that report to it directly, a unit its own direct sub-units. A unit outside
    the person's scope is refused with a 404 DomainError before anything is sent; named units that have
    already submitted are skipped. Without `acting_user` (the daily job): each participant is reminded only
    when `today` is one of the campaign's reminder days before its own deadline, once per day.
    """
    today = today or timezone.localdate()
    if acting_user is not None:
        targets, skipped = _targets_on_demand(campaign=campaign, unit_codes=unit_codes, acting_user=acting_user)
    else:
        targets, skipped = _targets_due(campaign=campaign, unit_codes=unit_codes, today=today), []
    # Recorded (and committed) first, mailed second: a slow or failing mail server neither holds the
    # transaction open nor loses the in-app notice.
    recent: list[Unit] = []
    reminded = _reminders_record(targets=targets, today=today, acting_user=acting_user, recent=recent)
    sent, error = _deliver([Outgoing(r.notice, r.addresses) for r in reminded])
    return ReminderResult(
        reminded=reminded, skipped_submitted=skipped, skipped_recent=recent, emails_sent=sent, email_error=error
    )


def reminders_send_due(*, today: dt.date | None = None) -> dict[Campaign, ReminderResult]:
    """The daily job: automatic reminders for every campaign whose deadline (or an extended one) is not past."""
    today = today or timezone.localdate()
    return {
        campaign: reminders_send(campaign=campaign, today=today) for campaign in campaigns_with_open_deadlines(today)
    }


# --- The notice list -----------------------------------------------------------------------------------------


@transaction.atomic
def notices_mark_all_read(*, unit: Unit, acting_user: User) -> int:
    """Mark every unread notice of the unit read; returns how many."""
    if acting_user.unit_id is None or acting_user.unit_id != unit.pk:
        raise DomainError(_("只能处理本单位的通知"), status=404)
    count = Notice.objects.filter(unit=unit, read_at=None).update(read_at=timezone.now())
    generation_bump(f"notices:{unit.pk}")  # the header's unread count (an update() sends no signal)
    if count:  # a queryset update sends no signal: the audit row is written here
        audit_record(
            action="notices_mark_read",
            object_type="notifications.notice",
            object_repr=unit.name,
            changes={"unit": unit.code, "count": count},
        )
    return count
