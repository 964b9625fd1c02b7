"""Every write to a report: save a draft, upload the summary, submit, withdraw, return, accept.

Each function is one transaction, checks who acts and whether the lifecycle allows the step, and
appends a ReportEvent (the report's history: who, when, old → new, why). Their audit rows are appended to the
audit chain at the end of the function (`audit_deferred`), so the chain's lock is held from there to the commit
only, not while the figures are written and checked.
"""

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chengxin.audit.services import audit_deferred
from chengxin.campaigns.models import Campaign, Participant, is_late, is_locked
from chengxin.core.errors import ConflictError, DomainError, FieldError, LockedError, TransitionError
from chengxin.core.generations import generation_bump
from chengxin.core.inputs import MAX_TEXT
from chengxin.core.numbers import format_number
from chengxin.core.uploads import check_document
from chengxin.reporting.models import Action, FigureValue, Report, ReportEvent, Status, SummaryFile
from chengxin.reporting.selectors import report_previous_values, report_values, summary_current
from chengxin.reporting.signals import report_reviewed
from chengxin.statform.definition import FormDefinition
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import Finding, check_values, parse_values
from chengxin.units.capabilities import Action as Capability
from chengxin.units.capabilities import can
from chengxin.units.models import Unit, User

# The lifecycle (DOMAIN.md): action → {from status: to status}. Anything else is refused.
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.SAVE_DRAFT: {Status.NOT_STARTED: Status.DRAFT, Status.DRAFT: Status.DRAFT, Status.RETURNED: Status.RETURNED},
    Action.UPLOAD_SUMMARY: {
        Status.NOT_STARTED: Status.DRAFT,
        Status.DRAFT: Status.DRAFT,
        Status.RETURNED: Status.RETURNED,
    },
    Action.SUBMIT: {Status.DRAFT: Status.SUBMITTED, Status.RETURNED: Status.SUBMITTED},
    # The unit takes back a submission that nobody has reviewed yet.
    Action.WITHDRAW: {Status.SUBMITTED: Status.DRAFT},
    Action.RETURN: {Status.SUBMITTED: Status.RETURNED},
    Action.ACCEPT: {Status.SUBMITTED: Status.ACCEPTED},
}

_REFUSALS = {
    Status.SUBMITTED: gettext_lazy("报告已报送，正在等待审核，不能修改；如需修改请联系商务部退回"),
    Status.ACCEPTED: gettext_lazy("报告已审核通过并锁定，不能再修改"),
}

# Why a withdrawal is refused, by the report's status (only a submitted report waiting for review may be withdrawn).
_WITHDRAW_REFUSALS = {
    Status.NOT_STARTED: gettext_lazy("报告尚未报送，无需撤回"),
    Status.DRAFT: gettext_lazy("报告尚未报送，无需撤回"),
    Status.RETURNED: gettext_lazy("报告已被退回，无需撤回：请直接修改后重新报送"),
    Status.ACCEPTED: gettext_lazy("报告已审核通过并锁定，不能撤回报送"),
}


@dataclass
class SaveResult:
    report: Report
    findings: list[Finding]
    values: dict = field(default_factory=dict)  # the report's stored figures after the save, by code


def _next_status(report: Report, action: str) -> str:
    allowed = TRANSITIONS[action]
    if report.status not in allowed:
        label = Action(action).label
        current = Status(report.status).label
        refusal = _REFUSALS.get(report.status)
        if report.status == Status.SUBMITTED and report.unit.parent_id is not None:
            refusal = _("报告已报送，正在等待%(parent)s审核，不能修改；如需修改请联系%(parent)s退回") % {
                "parent": report.unit.parent
            }
        raise TransitionError(
            str(refusal)
            if refusal
            else _("当前状态为“%(status)s”，不能%(action)s") % {"status": current, "action": label}
        )
    return allowed[report.status]


def _participant(report: Report) -> Participant:
    participant = Participant.objects.filter(campaign_id=report.campaign_id, unit_id=report.unit_id).first()
    if participant is None:
        raise DomainError(
            _("%(unit)s不是%(year)s年的报送单位") % {"unit": report.unit, "year": report.campaign.year}, status=404
        )
    participant.campaign = report.campaign  # the same row: its dates need no second read
    return participant


def _require_reporter(report: Report, user: User, *, on_behalf: bool = False) -> Participant:
    """The unit's own reporter may write; with `on_behalf`, so may a national administrator (entering a
    table a unit sent in another way, e.g. an emailed workbook); the history names who did it."""
    if not (user.reports_for(report.unit) or (on_behalf and user.is_national_admin)):
        raise DomainError(_("只能填报本单位的报告"), status=404)
    return _require_unlocked(report)


def _require_unlocked(report: Report) -> Participant:
    """The report's unit in its campaign, if the unit's lock date (its own, or the campaign's) has not passed."""
    participant = _participant(report)
    if is_locked(timezone.now(), participant.lock_date):
        raise LockedError(
            _("已过锁定日期（%(date)s），不能再修改或报送；如需补报，请联系%(receiver)s")
            % {"date": f"{participant.lock_date:%Y-%m-%d}", "receiver": report.campaign.receiver or _("商务部")}
        )
    return participant


def _require_reviewer(user: User, unit: Unit) -> None:
    """The ministry reviews the units reporting to it; a unit with sub-units reviews its direct sub-units."""
    if user.reviews(unit):
        return
    status = 403 if user.reads(unit) else 404  # a unit that may not even read it is not told it exists
    if unit.parent_id is None:
        raise DomainError(_("只有商务部审核人员可以审核"), status=status)
    raise DomainError(
        _("%(unit)s的报送由上级单位%(parent)s审核") % {"unit": unit, "parent": unit.parent}, status=status
    )


def _require_rollup_open(report: Report) -> None:
    """A sub-unit's report may join its parent's roll-up only while the parent has not sent it up: once the
    parent has submitted (or had accepted) its own report, its totals must not change behind the reviewer's
    back. The parent's report has to be returned first."""
    unit = report.unit
    if unit.parent_id is None:
        return
    parent_report = Report.objects.filter(campaign_id=report.campaign_id, unit_id=unit.parent_id).first()
    if parent_report is not None and parent_report.status in (Status.SUBMITTED, Status.ACCEPTED):
        raise DomainError(
            _(
                "%(parent)s已向上级报送汇总数据（状态：%(status)s），此时审核通过%(unit)s会使已报送的汇总数过时。"
                "请先由上级将%(parent)s的报送退回，再审核。"
            )
            % {"parent": unit.parent, "status": Status(parent_report.status).label, "unit": unit},
            status=409,
        )


def _bump_version(report: Report, expected: int | None) -> None:
    """Compare-and-set on `version`: a stale edit is refused, never silently written over. `report` is the row
    `_lock()` gave (it exists)."""
    qs = Report.objects.filter(pk=report.pk)
    if expected is not None:
        qs = qs.filter(version=expected)
    if qs.update(version=F("version") + 1) != 1:
        raise ConflictError(
            _("报告已被他人修改（可能在另一个窗口中保存过）。请刷新页面查看最新数据后再修改，您本次填写的内容未保存。")
        )
    # Every caller holds the row's lock (`_lock`), which read the version just before.
    report.version += 1
    generation_bump(f"campaign-data:{report.campaign_id}")  # update() sends no signal: say it here


def _log(report: Report, user: User, action: str, old: str, new: str, *, reason: str = "", changes=None) -> None:
    ReportEvent.objects.create(
        report=report, actor=user, action=action, from_status=old, to_status=new, reason=reason, changes=changes or []
    )


def _lock(report: Report) -> Report:
    """The report's row, created if the unit never saved anything, locked for this transaction. Its `version`
    is the stored one until the transaction ends (`_bump_version` relies on it)."""
    campaign, unit = report.campaign, report.unit
    if report.pk is None:
        try:
            with transaction.atomic():
                # A row this transaction inserts is its own until the commit (a concurrent insert of the same
                # report waits on the unique constraint, then fails): no need to lock it again.
                return Report.objects.create(campaign=campaign, unit=unit)
        except IntegrityError:  # another request started the report meanwhile: lock that one
            report = Report.objects.get(campaign=campaign, unit=unit)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    # The campaign and the unit are the caller's (no report write changes them): not read again.
    locked.campaign, locked.unit = campaign, unit
    return locked


def _explanations(definition: FormDefinition, given: Mapping[str, str]) -> dict[str, str]:
    """The written explanations worth keeping: of the form's warning rules only (a year-on-year rule's are per
    figure, `rule:figure`); anything else a form or a script sends is dropped. Trimmed, none empty; one longer than
    MAX_TEXT characters refuses the save."""
    warnings = {rule.code for rule in definition.rules if rule.severity == "warning"}
    kept = {code: (text or "").strip() for code, text in given.items() if code.partition(":")[0] in warnings}
    too_long = [
        FieldError(f"x_{code}", _("说明不能超过 %(n)s 个字符") % {"n": MAX_TEXT})
        for code, text in kept.items()
        if len(text) > MAX_TEXT
    ]
    if too_long:
        raise DomainError(too_long[0].message, errors=too_long, status=422)
    return {code: text for code, text in kept.items() if text}


def report_get_or_start(*, campaign: Campaign, unit: Unit) -> Report:
    """The unit's report for the campaign, created (not started) on first access."""
    report, _created = Report.objects.get_or_create(campaign=campaign, unit=unit)
    return report


def report_check(
    report: Report,
    values: Mapping | None = None,
    *,
    require_complete: bool = False,
    participant: Participant | None = None,
    definition: FormDefinition | None = None,
) -> list[Finding]:
    """Every rule of the form applied to the report's (or the given) values. `participant` (the report's unit
    in the campaign) and `definition` (the campaign's form), when the caller has them, are not read again."""
    participant = participant or _participant(report)
    if not participant.fills_statistics:
        return []
    definition = definition or form_definition(report.campaign)
    if values is None:
        values = report_values(report, definition)
    return check_values(definition, values, previous=report_previous_values(report), require_complete=require_complete)


@transaction.atomic
@audit_deferred()
def report_save_draft(
    *,
    report: Report,
    raw_values: Mapping[str, object],
    version: int | None,
    acting_user: User,
    explanations: Mapping[str, str] | None = None,
) -> SaveResult:
    """Save typed figures as a draft. Text that is not a number refuses the whole save (nothing is written),
    with an error per cell; rule errors and warnings are returned, and block only submission.

    The history event lists every figure that changed, old → new: it is the audit trail of the figures (the
    audit log records that event, not each stored value)."""
    participant = _require_reporter(report, acting_user, on_behalf=True)
    report = _lock(report)
    new_status = _next_status(report, Action.SAVE_DRAFT)
    definition = form_definition(report.campaign)
    if not participant.fills_statistics and any(str(v or "").strip() for v in raw_values.values()):
        raise DomainError(_("%(unit)s本年度只需上传总结报告，不填统计表") % {"unit": report.unit.name})
    values, parse_findings = parse_values(definition, raw_values)
    if parse_findings:
        raise DomainError(
            _("有单元格填写有误，本次未保存，请按提示修改"),
            errors=[FieldError(f.figure, f.message) for f in parse_findings],
        )
    _bump_version(report, version)
    by_pk = {f.pk: f for f in definition.figures}
    existing = {v.figure_id: v for v in FigureValue.objects.filter(report=report)}
    stored = {
        by_pk[pk].code: (v.number if by_pk[pk].is_number else v.text) for pk, v in existing.items() if pk in by_pk
    }
    changes, created, updated = [], [], []
    for code, value in values.items():
        figure = definition.by_code[code]
        old = stored.get(code)
        if old == value or (old in (None, "") and value in (None, "")):
            continue
        changes.append(
            {
                "code": code,
                "label": figure.cell_name,
                "old": format_number(old) if isinstance(old, int) else (old or ""),
                "new": format_number(value) if isinstance(value, int) else (value or ""),
            }
        )
        row = existing.get(figure.pk) or FigureValue(report=report, figure_id=figure.pk)
        if figure.is_number:
            row.number = value
        else:
            row.text = value or ""
        (updated if row.pk else created).append(row)
        stored[code] = value if figure.is_number else (value or "")
    FigureValue.objects.bulk_create(created)
    FigureValue.objects.bulk_update(updated, ["number", "text"])
    if explanations is not None:
        report.explanations = _explanations(definition, explanations)
    old_status = report.status
    report.status = new_status
    report.save(update_fields=["status", "explanations", "updated_at"])
    if changes or old_status != new_status:
        _log(report, acting_user, Action.SAVE_DRAFT, old_status, new_status, changes=changes)
    findings = report_check(report, stored, participant=participant, definition=definition)
    return SaveResult(report, findings, stored)


@transaction.atomic
@audit_deferred()
def report_upload_summary(*, report: Report, uploaded_file, acting_user: User) -> SummaryFile:
    """Store the summary report under a generated name outside the web root; the newest upload counts."""
    _require_reporter(report, acting_user)
    checked = check_document(uploaded_file, max_bytes=settings.SUMMARY_MAX_BYTES)
    report = _lock(report)
    new_status = _next_status(report, Action.UPLOAD_SUMMARY)
    _bump_version(report, None)
    content = uploaded_file.read()
    digest = hashlib.sha256(content).hexdigest()
    summary = SummaryFile(
        report=report,
        original_name=(uploaded_file.name or f"summary.{checked.extension}")[:255],
        kind=checked.kind,
        size=checked.size,
        sha256=digest,
        uploaded_by=acting_user,
    )
    summary.file.save(f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(content), save=False)
    summary.save()
    old_status = report.status
    report.status = new_status
    report.save(update_fields=["status", "updated_at"])
    _log(
        report,
        acting_user,
        Action.UPLOAD_SUMMARY,
        old_status,
        new_status,
        changes=[{"file": summary.original_name, "size": summary.size, "sha256": digest}],
    )
    return summary


@transaction.atomic
@audit_deferred()
def report_submit(
    *, report: Report, version: int | None, acting_user: User, explanations: Mapping[str, str] | None = None
) -> Report:
    """Submit figures and summary. Errors block; each warning needs a written explanation; the summary
    report is required. A first submission after the deadline is accepted and marked late (逾期); a
    resubmission after a return keeps the timeliness of the first submission."""
    participant = _require_reporter(report, acting_user)
    report = _lock(report)
    new_status = _next_status(report, Action.SUBMIT)
    if explanations is not None:
        report.explanations = _explanations(form_definition(report.campaign), explanations)
    problems: list[FieldError] = []
    for finding in report_check(report, require_complete=True, participant=participant):
        if finding.is_error:
            problems.append(FieldError(finding.figure, finding.message))
        elif not report.explanations.get(finding.rule):
            problems.append(FieldError(finding.figure, _("%(message)s（请填写说明）") % {"message": finding.message}))
    if summary_current(report) is None:
        problems.append(FieldError("summary", _("请先上传总结报告（docx、pdf 或 wps）")))
    if problems:
        raise DomainError(_("还不能报送：请先处理下列问题"), errors=problems)
    _bump_version(report, version)
    now = timezone.now()
    old_status = report.status
    report.status = new_status
    report.submitted_at = now
    # Timeliness is judged by the first submission: a correction the ministry asked for after the
    # deadline does not turn an on-time report into a late one.
    report.first_submitted_at = report.first_submitted_at or now
    report.late = is_late(report.first_submitted_at, participant.deadline)
    report.return_reason = ""
    report.save(
        update_fields=[
            "status",
            "submitted_at",
            "first_submitted_at",
            "late",
            "return_reason",
            "explanations",
            "updated_at",
        ]
    )
    _log(report, acting_user, Action.SUBMIT, old_status, new_status, reason="逾期报送" if report.late else "")
    return report


@transaction.atomic
@audit_deferred()
def report_withdraw(*, report: Report, version: int | None, acting_user: User) -> Report:
    """The unit takes back a submission that nobody has reviewed yet: the report is a draft again, to be corrected
    and submitted anew. Only the unit's own reporter, only while the report waits for review (a returned report is
    already editable; an accepted one is locked), and not after the lock date.

    The withdrawn submission no longer stands: its time is cleared, and so is the first submission's, so the next
    submission is judged on time or late by itself (a unit cannot keep an early place with a placeholder). After a
    reviewer's return, though, the first submission stays what timeliness is judged by, as it does for the
    resubmission a return asks for. A sub-unit's report joins its parent's roll-up only once accepted, so
    withdrawing a submitted one changes no total that the parent has sent up."""
    if not can(acting_user, Capability.FILL_REPORT, report.unit):
        status = 403 if acting_user.reads(report.unit) else 404  # as for a reviewer: no hint of another unit
        raise DomainError(_("只有本单位的填报人员可以撤回报送"), status=status)
    _require_unlocked(report)
    report = _lock(report)
    refusal = _WITHDRAW_REFUSALS.get(report.status)
    if refusal:
        raise TransitionError(str(refusal))
    new_status = _next_status(report, Action.WITHDRAW)
    _bump_version(report, version)
    old_status = report.status
    withdrawn_at = report.submitted_at
    report.status = new_status
    report.submitted_at = None
    if not ReportEvent.objects.filter(report=report, action=Action.RETURN).exists():
        report.first_submitted_at = None
        report.late = False
    report.save(update_fields=["status", "submitted_at", "first_submitted_at", "late", "updated_at"])
    _log(
        report,
        acting_user,
        Action.WITHDRAW,
        old_status,
        new_status,
        changes=[{"withdrawn": f"{timezone.localtime(withdrawn_at):%Y-%m-%d %H:%M}"}] if withdrawn_at else [],
    )
    return report


@transaction.atomic
@audit_deferred()
def report_return(*, report: Report, reason: str, acting_user: User) -> Report:
    """Send a submitted report back to its unit with the reviewer's reason."""
    _require_reviewer(acting_user, report.unit)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请填写退回原因"), errors=[FieldError("reason", _("请填写退回原因，单位将看到这段说明"))])
    report = _lock(report)
    new_status = _next_status(report, Action.RETURN)
    _bump_version(report, None)
    old_status = report.status
    report.status = new_status
    report.return_reason = reason
    report.reviewed_at = timezone.now()
    report.reviewed_by = acting_user
    report.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by", "updated_at"])
    _log(report, acting_user, Action.RETURN, old_status, new_status, reason=reason)
    transaction.on_commit(lambda: report_reviewed.send(Report, report=report, outcome="returned"))
    return report


@transaction.atomic
@audit_deferred()
def report_accept(*, report: Report, acting_user: User, reason: str = "") -> Report:
    """Accept a submitted report; it is locked from then on. A sub-unit's accepted report counts in its
    parent's roll-up."""
    _require_reviewer(acting_user, report.unit)
    report = _lock(report)
    new_status = _next_status(report, Action.ACCEPT)
    _require_rollup_open(report)
    _bump_version(report, None)
    old_status = report.status
    report.status = new_status
    report.reviewed_at = timezone.now()
    report.reviewed_by = acting_user
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    _log(report, acting_user, Action.ACCEPT, old_status, new_status, reason=reason)
    transaction.on_commit(lambda: report_reviewed.send(Report, report=report, outcome="accepted"))
    return report


@transaction.atomic
def reports_accept_clean(*, reports: list[Report], acting_user: User) -> tuple[list[Report], list[tuple[Report, str]]]:
    """Accept every given report that is submitted and has no finding at all; the others are left, with
    the reason, for one-by-one review."""
    accepted, skipped = [], []
    # Lock every report first, in one order: the audit chain is locked from the first audited write on, so a
    # lock taken after it could wait on a transaction that waits for the chain (a deadlock on PostgreSQL).
    list(Report.objects.select_for_update().filter(pk__in=[r.pk for r in reports if r.pk]).order_by("pk"))
    for report in reports:
        _require_reviewer(acting_user, report.unit)
        if report.status != Status.SUBMITTED:
            skipped.append((report, _("状态为“%(status)s”") % {"status": Status(report.status).label}))
        elif report_check(report):
            skipped.append((report, _("有提示需逐一审核")))
        else:
            accepted.append(report_accept(report=report, acting_user=acting_user, reason="批量审核通过"))
    return accepted, skipped


def _record_exception(sender, *, participant, deadline, lock_date, reason, acting_user, **kwargs) -> None:
    """A unit's own deadline or lock date (campaigns.participant_grant_exception) goes into its report's
    history, in the same transaction: connected to campaigns.signals.exception_granted in ReportingConfig."""
    report = report_get_or_start(campaign=participant.campaign, unit=participant.unit)
    text = "截止日期 {}，锁定日期 {}".format(
        deadline.isoformat() if deadline else "同统一日期", lock_date.isoformat() if lock_date else "同统一日期"
    )
    _log(
        report,
        acting_user,
        Action.GRANT_EXCEPTION,
        report.status,
        report.status,
        reason=reason,
        changes=[{"exception": text}],
    )
