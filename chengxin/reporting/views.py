"""The unit's side (fill, save, upload, submit) and the ministry's review of one report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chengxin.campaigns.models import is_locked
from chengxin.campaigns.selectors import campaign_get, participant_get
from chengxin.core.errors import ConflictError, DomainError
from chengxin.core.inputs import ascii_int
from chengxin.core.numbers import format_number
from chengxin.core.uploads import safe_filename
from chengxin.reporting import services
from chengxin.reporting.extensions import entry_page_extras
from chengxin.reporting.models import Report, Status
from chengxin.reporting.selectors import (
    report_for_unit,
    report_history,
    report_values,
    review_neighbours,
    summaries_for_campaign,
    summaries_kinds,
    summaries_statuses,
    summary_current,
)
from chengxin.reporting.summaries_zip import summaries_zip_stream
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.units.permissions import national_required, unit_for_reader, unit_for_reporter


def _explanations(post) -> dict[str, str]:
    return {key[2:]: value for key, value in post.items() if key.startswith("x_")}


def _raw_values(post, definition) -> dict[str, str]:
    return {f.code: post.get(f"f_{f.code}", "") for f in definition.figures}


def _table(definition, shown: dict, cell_messages: dict, flags: dict[str, str]) -> list[dict]:
    """The printed table's lines with each figure's shown text, the messages next to its cell, and whether
    a rule that failed names it (every cell a failed rule names is highlighted, not only the anchor).

    `cell_messages`: figure code → [(severity, text, the other figures the message is about)]. Each message shown
    is (severity, text, id); `described_by` is the ids of the messages about the figure, beside its cell or beside
    another one the rule names, for the input's aria-describedby."""
    messages: dict[str, list[tuple[str, str, str]]] = {}
    described_by: dict[str, list[str]] = {}
    for code, items in cell_messages.items():
        for n, (severity, text, about) in enumerate(items, start=1):
            message_id = f"msg-{code}-{n}"
            messages.setdefault(code, []).append((severity, text, message_id))
            for other in dict.fromkeys((code, *about)):
                described_by.setdefault(other, []).append(message_id)
    lines = []
    for line in definition.table_lines():
        figures = []
        for f in line.leaf.figures:
            value = shown.get(f.code)
            figures.append(
                {
                    "def": f,
                    "value": format_number(value) if isinstance(value, int) else (value or ""),
                    "messages": messages.get(f.code, []),
                    "described_by": " ".join(described_by.get(f.code, [])),
                    "flag": flags.get(f.code, ""),
                }
            )
        lines.append({"labels": line.labels, "figures": figures})
    return lines


def _instruction(message: str) -> str:
    """The instruction part of "place：instruction", for showing inside the cell the place names."""
    return message.split("：", 1)[-1]


def _page_context(request, report: Report, *, raw=None, field_errors=None, explanations=None) -> dict:
    campaign = report.campaign
    participant = participant_get(campaign, report.unit)
    definition = form_definition(campaign)
    findings = services.report_check(report) if report.pk else []
    cell_messages: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    flags: dict[str, str] = {}
    for f in findings:
        cell_messages.setdefault(f.figure, []).append((f.severity, f.text, f.related))
        for code in (f.figure, *f.related):
            if flags.get(code) != "error":
                flags[code] = f.severity
    shown_texts = {f.message for f in findings}
    for e in field_errors or []:
        if e.field in definition.by_code and e.message not in shown_texts:
            cell_messages.setdefault(e.field, []).insert(0, ("error", _instruction(e.message), ()))
            flags[e.field] = "error"
    stored = report_values(report)
    shown = raw if raw is not None else stored
    today = timezone.localdate()
    # Timeliness is the first submission's (a resubmission after a return keeps it): so are the days late.
    first_submitted_at = report.first_submitted_at or report.submitted_at
    late_days = None
    if first_submitted_at and participant is not None:
        late_days = (timezone.localtime(first_submitted_at).date() - participant.deadline).days
    # A co-organiser fills no statistics table: its page is its summary report's.
    if participant is None or participant.fills_statistics:
        page_title = definition.title
    else:
        page_title = _("%(campaign)s总结报告") % {"campaign": campaign.title}
    return {
        # What the apps above reporting add to the page (reporting.extensions): the sums of the unit's published
        # activities against what the report holds, what a unit with sub-units reports upward.
        **entry_page_extras(campaign=campaign, unit=report.unit, participant=participant, definition=definition),
        "current": stored,
        "prefill_readonly": not report.is_editable,
        "campaign": campaign,
        "unit": report.unit,
        "report": report,
        "participant": participant,
        "definition": definition,
        "table": _table(definition, shown, cell_messages, flags),
        "depth": definition.depth,
        "findings": findings,
        "errors": [f for f in findings if f.is_error],
        "warnings": [f for f in findings if not f.is_error],
        "field_errors": field_errors or [],
        "explanations": explanations if explanations is not None else report.explanations,
        "summary": summary_current(report),
        "history": report_history(report)[:50] if report.pk else [],
        "deadline_passed": participant is not None and today > participant.deadline,
        "late_days": late_days,
        "first_submitted_at": first_submitted_at,
        "page_title": page_title,
        "can_withdraw": report.status == Status.SUBMITTED
        and request.user.reports_for(report.unit)
        and not (participant is not None and is_locked(timezone.now(), participant.lock_date)),
        "form_version": report.version,
    }


def _report(year: int, unit: Unit) -> Report:
    """The unit's report (unsaved and not started if it never saved anything): reading creates nothing."""
    campaign = campaign_get(year)
    if participant_get(campaign, unit) is None:
        raise Http404
    return report_for_unit(campaign, unit) or Report(campaign=campaign, unit=unit)


@login_required
def home(request):
    user = request.user
    from chengxin.campaigns.selectors import campaign_current
    from chengxin.units.views import landing_url

    if user.is_administrator:  # the separated administrative roles (三权分立) do no reporting work
        return redirect(landing_url(user))
    campaign = campaign_current()
    if campaign is None:
        return render(request, "empty.html")
    if user.is_national:
        return redirect("analytics:completeness", year=campaign.year)
    if user.unit_id:
        return redirect("reporting:entry", year=campaign.year, unit_code=user.unit.code)
    raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def entry(request, year: int, unit_code: str):
    """The data-entry page laid out like the printed table: save as draft any number of times, or submit."""
    unit = unit_for_reporter(request, unit_code)
    report = _report(year, unit)
    if request.method == "GET":
        return render(request, "reporting/entry.html", _page_context(request, report))

    definition = form_definition(report.campaign)
    raw = _raw_values(request.POST, definition)
    explanations = _explanations(request.POST)
    version = ascii_int(request.POST.get("version", ""))
    if version is None:
        raise DomainError(_("页面已过期，请刷新后重新填写"), status=400)
    action = request.POST.get("action", "save")
    if action == "withdraw":
        return _withdraw(request, report, version)
    saved = None
    try:
        if action == "save" or report.is_editable:
            saved = services.report_save_draft(
                report=report, raw_values=raw, version=version, acting_user=request.user, explanations=explanations
            )
            report = saved.report
        if action == "submit":
            services.report_submit(
                report=report, version=report.version, acting_user=request.user, explanations=explanations
            )
            messages.success(request, _("报送成功。"))
        else:
            errors = [f for f in saved.findings if f.is_error]  # the save already checked every rule
            if errors:
                messages.warning(
                    request,
                    ngettext(
                        "草稿已保存，但有 %(count)d 处错误，报送前须改正。",
                        "草稿已保存，但有 %(count)d 处错误，报送前须改正。",
                        len(errors),
                    )
                    % {"count": len(errors)},
                )
            else:
                messages.success(request, _("草稿已保存。"))
        return redirect("reporting:entry", year=year, unit_code=unit_code)
    except DomainError as exc:
        report = _report(year, unit)
        context = _page_context(request, report, raw=raw, field_errors=exc.errors, explanations=explanations)
        context["error"] = exc
        context["draft_saved"] = saved is not None
        if isinstance(exc, ConflictError):
            # The typed values are shown again on top of someone else's save: keep the version they were
            # typed against, so that pressing 保存 again is refused too until the page is reloaded.
            context["form_version"] = version
        return render(request, "reporting/entry.html", context, status=exc.status if exc.status != 400 else 422)


def _withdraw(request, report: Report, version: int):
    """The entry page's 撤回报送: the submission goes back to a draft. The form posts nothing else (no figures)."""
    try:
        services.report_withdraw(report=report, version=version, acting_user=request.user)
    except DomainError as exc:
        context = _page_context(request, _report(report.campaign.year, report.unit))
        context["error"] = exc
        return render(request, "reporting/entry.html", context, status=exc.status if exc.status != 400 else 422)
    messages.success(request, _("已撤回报送，报告回到草稿，修改后请重新报送。"))
    return redirect("reporting:entry", year=report.campaign.year, unit_code=report.unit.code)


@require_POST
@login_required
def check(request, year: int, unit_code: str):
    """htmx: the findings for what is typed now, without saving anything."""
    unit = unit_for_reporter(request, unit_code)
    report = _report(year, unit)
    definition = form_definition(report.campaign)
    from chengxin.statform.validation import parse_values

    values, parse_findings = parse_values(definition, _raw_values(request.POST, definition))
    findings = parse_findings + (services.report_check(report, values) if not parse_findings else [])
    return render(request, "reporting/_findings.html", {"findings": findings, "live": True})


@require_POST
@login_required
def upload_summary(request, year: int, unit_code: str):
    unit = unit_for_reporter(request, unit_code)
    report = _report(year, unit)
    try:
        summary = services.report_upload_summary(
            report=report, uploaded_file=request.FILES.get("summary"), acting_user=request.user
        )
        messages.success(request, _("总结报告“%(name)s”已上传。") % {"name": summary.original_name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("reporting:entry", kwargs={"year": year, "unit_code": unit_code}) + "#summary")


@require_GET
@login_required
def download_summary(request, year: int, unit_code: str):
    unit = unit_for_reader(request, unit_code)
    report = _report(year, unit)
    summary = summary_current(report)
    if summary is None:
        raise Http404
    name = safe_filename(summary.original_name, f"summary.{summary.kind}")
    return FileResponse(summary.file.open("rb"), as_attachment=True, filename=name)


@require_GET
@login_required
def print_view(request, year: int, unit_code: str):
    unit = unit_for_reader(request, unit_code)
    report = _report(year, unit)
    context = _page_context(request, report)
    # 填报日期 is the date the report was submitted (the latest submission), never the day it is printed; a report
    # not submitted (a draft, a withdrawn submission) has none.
    submitted = report.status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED)
    context["submitted_on"] = (report.submitted_at or report.first_submitted_at) if submitted else None
    return render(request, "reporting/print.html", context)


def _review_context(request, report: Report, status_filter: str = "") -> dict:
    context = _page_context(request, report)
    context["can_review"] = request.user.reviews(report.unit)
    # Reading report after report: the units before and after this one among those the viewer reviews, in the
    # completeness page's order, keeping the status filter the viewer came with.
    status_filter = status_filter if status_filter in Status.values else ""
    context["status_filter"] = status_filter
    if context["can_review"]:
        before, after = review_neighbours(report.campaign, report.unit, status_filter)
        context["review_prev"], context["review_next"] = before, after
    return context


def _review_url(year: int, unit_code: str, status_filter: str) -> str:
    url = reverse("reporting:review", kwargs={"year": year, "unit_code": unit_code})
    return f"{url}?status={status_filter}" if status_filter in Status.values else url


@require_GET
@login_required
def review(request, year: int, unit_code: str):
    """One submission as its reviewer sees it (the ministry, or the unit above a sub-unit): figures, warnings
    and explanations, the summary, the history, and for a unit with sub-units the roll-up's breakdown."""
    unit = unit_for_reader(request, unit_code)
    if request.user.reports_for(unit):
        return redirect("reporting:entry", year=year, unit_code=unit_code)
    report = _report(year, unit)
    return render(request, "reporting/review.html", _review_context(request, report, request.GET.get("status", "")))


@require_POST
@login_required
def review_action(request, year: int, unit_code: str):
    unit = unit_for_reader(request, unit_code)
    report = _report(year, unit)
    action = request.POST.get("action")
    try:
        if action == "return":
            services.report_return(report=report, reason=request.POST.get("reason", ""), acting_user=request.user)
            messages.success(request, _("已将%(unit)s的报告退回。") % {"unit": unit.name})
        elif action == "accept":
            services.report_accept(report=report, acting_user=request.user)
            messages.success(request, _("%(unit)s的报告已审核通过。") % {"unit": unit.name})
        else:
            raise DomainError(_("未知的操作"))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        context = _review_context(request, report, request.POST.get("status", ""))
        context["error"] = exc
        context["reason"] = request.POST.get("reason", "")
        return render(request, "reporting/review.html", context, status=exc.status if exc.status != 400 else 422)
    return redirect(_review_url(year, unit_code, request.POST.get("status", "")))


@require_POST
@national_required
def accept_clean(request, year: int):
    campaign = campaign_get(year)
    codes = request.POST.getlist("units")
    reports = list(Report.objects.filter(campaign=campaign, unit__code__in=codes).select_related("unit", "campaign"))
    if not reports:
        messages.error(request, _("请先勾选要审核通过的单位。"))
        return redirect("analytics:completeness", year=year)
    accepted, skipped = services.reports_accept_clean(reports=reports, acting_user=request.user)
    if accepted:
        names = _("、").join(r.unit.name for r in accepted)
        messages.success(
            request,
            ngettext("已审核通过 %(count)d 个单位：%(units)s", "已审核通过 %(count)d 个单位：%(units)s", len(accepted))
            % {"count": len(accepted), "units": names},
        )
    for report, why in skipped:
        messages.warning(request, _("%(unit)s未通过批量审核：%(why)s") % {"unit": report.unit.name, "why": why})
    return redirect("analytics:completeness", year=year)


@require_GET
@national_required
def summaries_zip(request, year: int):
    """Every summary report of the units that report to the ministry, in one zip streamed as it is written,
    with a list of the units (目录.csv). Filters: `status` (a status, `all`; by default submitted and
    accepted) and `kind` (unit kinds, repeatable, `provincial`; by default all)."""
    campaign = campaign_get(year)
    entries = summaries_for_campaign(
        campaign,
        statuses=summaries_statuses(request.GET.get("status", "")),
        kinds=summaries_kinds(request.GET.getlist("kind")),
    )
    response = StreamingHttpResponse(summaries_zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, safe_filename(_("%(year)s年总结报告.zip") % {"year": campaign.year})
    )
    response["Cache-Control"] = "private, no-store"
    return response
