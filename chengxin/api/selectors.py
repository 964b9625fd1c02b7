"""Reads for the API: the objects a request names, checked against who asks, and their JSON.

Every rule comes from the app that owns it (reporting, analytics, statform, activities, commitments); this
module only finds the objects the web pages find, with the same permission checks, and writes them as plain
JSON values (strings, numbers, lists, dicts), so that an answer can be stored for an idempotent retry.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from chengxin.campaigns.models import Campaign, Participant
from chengxin.campaigns.selectors import campaign_current, campaign_get, campaign_overview
from chengxin.core.errors import DomainError
from chengxin.core.regions import region_name
from chengxin.reporting.models import Report, Status
from chengxin.reporting.selectors import report_values, summary_uploaded
from chengxin.reporting.services import report_check
from chengxin.statform.definition import FormDefinition, RowDef
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- campaigns and their forms -----------------------------------------------------------------------------


def campaign_for_search(year: int | None) -> Campaign:
    """The campaign a commitment search is about: the given year's, else the newest."""
    if year is not None:
        return campaign_get(year)
    campaign = campaign_current()
    if campaign is None:
        raise Http404
    return campaign


def campaign_summary_json(campaign: Campaign) -> dict:
    return {
        "year": campaign.year,
        "title": campaign.title,
        "theme": campaign.theme,
        "period_start": _iso(campaign.period_start),
        "period_end": _iso(campaign.period_end),
        "notice_date": _iso(campaign.notice_date),
        "deadline": _iso(campaign.deadline),
        "lock_date": _iso(campaign.lock_date),
        "totals_published_at": _iso(campaign.totals_published_at),
    }


def campaigns_json() -> list[dict]:
    """The published campaigns (a campaign being prepared is not public, nor given to scripts)."""
    return [campaign_summary_json(c) for c in Campaign.objects.filter(published_at__isnull=False).order_by("-year")]


def campaign_json(campaign: Campaign) -> dict:
    """What the public campaign page shows: the notice's texts, the plan and the bodies."""
    overview = campaign_overview(campaign)

    def section(s) -> dict:
        return {"number": s.number, "title": s.title, "body": s.body}

    return {
        **campaign_summary_json(campaign),
        "notice_title": campaign.notice_title,
        "receiver": campaign.receiver,
        "contact": {
            "name": campaign.contact_name,
            "department": campaign.contact_department,
            "phone": campaign.contact_phone,
            "fax": campaign.contact_fax,
        },
        "bodies": [{"code": u.code, "name": u.name} for u in overview["bodies"]],
        "focus_areas": [section(s) for s in overview["focus_areas"]],
        "requirements": [section(s) for s in overview["requirements"]],
        "plan": [
            {
                "number": p.number,
                "title": p.title,
                "lead_body": p.lead_body.code,
                "lead_body_name": p.lead_body.name,
                "description": p.description,
            }
            for p in overview["plan"]
        ],
    }


def _group_json(row: RowDef) -> dict:
    return {
        "label": row.label,
        "figures": [f.code for f in row.figures],
        "groups": [_group_json(child) for child in row.children],
    }


def form_json(campaign: Campaign, definition: FormDefinition | None = None) -> dict:
    """The statistics form: the printed rows as nested groups (each naming its figures by code), every
    figure, and the validation rules."""
    definition = definition or form_definition(campaign)
    return {
        "campaign": campaign.year,
        "title": definition.title,
        "groups": [_group_json(root) for root in definition.roots],
        "figures": [
            {
                "code": f.code,
                "label": f.label,
                "kind": f.kind,
                "unit": f.unit,
                "path": f.cell_name,
                "help_text": f.help_text,
            }
            for f in definition.figures
        ],
        "rules": [
            {
                "code": r.code,
                "left": r.left,
                "operator": r.operator,
                "right": r.right,
                "severity": r.severity,
                "anchor": r.anchor,
                "message": r.message,
            }
            for r in definition.rules
        ],
    }


# --- reports -----------------------------------------------------------------------------------------------


def report_for_reader(request, year: int, unit_code: str) -> tuple[Report, Participant]:
    """The unit's report and its participation in the campaign, if the account may read it (its own unit, a
    unit above it, ministry staff: `User.reads`, the check of the web's report pages); 404 otherwise, also when
    the campaign or the unit does not exist or the unit does not report for that campaign. A report never
    started is returned unsaved: reading creates nothing."""
    # One query for the campaign, the unit and its participation (the same 404 whichever is missing).
    participant = (
        Participant.objects.filter(campaign__year=year, unit__code=unit_code)
        .select_related("campaign", "unit__parent")
        .first()
    )
    if participant is None or not request.user.reads(participant.unit):
        raise Http404
    campaign, unit = participant.campaign, participant.unit
    report = Report.objects.filter(campaign=campaign, unit=unit).first() or Report()
    report.campaign, report.unit = campaign, unit
    return report, participant


def report_for_reporter(request, year: int, unit_code: str) -> tuple[Report, Participant]:
    """The unit's report and participation, if the account fills it in (the web's entry page); an account that
    may only read it is refused with 403, any other with 404."""
    report, participant = report_for_reader(request, year, unit_code)
    if not request.user.reports_for(report.unit):
        raise DomainError(_("只能填报本单位的报告"), status=403)
    return report, participant


def report_json(
    report: Report, participant: Participant, *, values: dict | None = None, findings: list | None = None
) -> dict:
    """A report as the API shows it, the same for every endpoint that answers with a report. Findings are the
    form's rules applied to the stored figures (errors block submission; warnings need an explanation).
    `participant` is the report's unit in the campaign (`report_for_reader` gives both). `values` and
    `findings`, when the caller has them (a save returns both), are the report's stored figures and their
    findings; otherwise they are read (one query, the form's definition is cached) and checked here."""
    if values is None or findings is None:
        definition = form_definition(report.campaign)
        values = report_values(report, definition) if values is None else values
        if findings is None:
            findings = report_check(report, values, participant=participant, definition=definition)
    return {
        "campaign": report.campaign.year,
        "unit": report.unit.code,
        "unit_name": report.unit.name,
        "status": report.status,
        "status_label": str(Status(report.status).label),
        "version": report.version,
        "late": report.late,
        "submitted_at": _iso(report.submitted_at),
        "return_reason": report.return_reason,
        "fills_statistics": participant.fills_statistics,
        "values": values,
        "explanations": dict(report.explanations or {}),
        "summary": summary_uploaded(report),
        "findings": [
            {"rule": f.rule, "severity": f.severity, "figure": f.figure, "message": f.message} for f in findings
        ],
    }


def completeness_parent(user, under: str | None) -> Unit | None:
    """Whose sub-units a completeness list is about: the ministry's (None) for ministry staff, or the unit
    `under` names for anyone who may read that unit (as on its dashboard page); 404 otherwise."""
    if under is None:
        if not user.is_national:
            raise Http404
        return None
    parent = Unit.objects.select_related("parent").filter(code=under).first()
    if parent is None or not user.reads(parent):
        raise Http404
    return parent


# --- activities and commitments ----------------------------------------------------------------------------


def activity_json(activity) -> dict:
    """What the public campaign page shows of a published activity."""
    plan = activity.plan_activity
    return {
        "id": activity.pk,
        "title": activity.title,
        "unit": activity.unit.code,
        "unit_name": activity.unit.name,
        "plan_activity": plan.number if plan else None,
        "plan_activity_title": plan.title if plan else None,
        "start_date": _iso(activity.start_date),
        "end_date": _iso(activity.end_date),
        "region_code": activity.region_code,
        "mode": activity.mode,
        "mode_label": str(activity.get_mode_display()),
    }


def commitment_json(commitment) -> dict:
    """What the public search page shows of a commitment (never the contact person or phone)."""
    return {
        "name": commitment.name,
        "uscc": commitment.uscc,
        "region_code": commitment.region_code,
        "region": region_name(commitment.region_code),
        "industry": commitment.industry,
        "industry_label": str(commitment.get_industry_display()),
        "signed_at": _iso(commitment.signed_at),
        "status": commitment.status,
        "status_label": str(commitment.get_status_display()),
        "withdrawn_at": _iso(commitment.withdrawn_at),
    }


def page_of(queryset, page: int, per_page: int) -> tuple[int, list]:
    """The total count and the rows of one page (an empty list past the last page)."""
    start = (page - 1) * per_page
    return queryset.count(), list(queryset[start : start + per_page])


# --- tokens --------------------------------------------------------------------------------------------------


def tokens_matching(text: str):
    """Active tokens named by `text`: the whole token, or the beginning of its prefix (at least 4 characters)."""
    from chengxin.api.models import ApiToken
    from chengxin.api.services import PREFIX_LENGTH, token_hash

    text = (text or "").strip().rstrip("…").rstrip(".")
    active = ApiToken.objects.filter(revoked_at=None).select_related("user")
    if len(text) > PREFIX_LENGTH:
        return active.filter(key_hash=token_hash(text))
    if len(text) < 4:
        return active.none()
    return active.filter(prefix__startswith=text.lower())
