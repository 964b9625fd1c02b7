"""Excel in and out on the web: the unit's template, import with a preview before anything is saved."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.models import Participant
from chengxin.campaigns.selectors import campaign_get, participant_get
from chengxin.core.middleware import max_body
from chengxin.core.uploads import safe_filename
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.units.permissions import national_required, unit_for_reader
from chengxin.workbooks.jobs import staging_save
from chengxin.workbooks.models import ImportJob
from chengxin.workbooks.services import national_table_for
from chengxin.workbooks.tasks import job_task
from chengxin.workbooks.template import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILES = 20
MAX_FILE_BYTES = 20 * 1024 * 1024


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    return content_disposition_header(True, safe_filename(filename))


@require_GET
@login_required
def template_download(request, year: int, unit_code: str):
    """The unit's own template: the table laid out like the attachment, unit and campaign filled in."""
    unit = unit_for_reader(request, unit_code)
    campaign = campaign_get(year)
    participant = participant_get(campaign, unit)
    if participant is None or not participant.fills_statistics:
        raise Http404
    data = build_template(
        form_definition(campaign), unit_code=unit.code, unit_name=unit.name, campaign_title=campaign.title
    )
    return xlsx_response(data, f"{campaign.year}年统计表模板-{unit.name}.xlsx")


def _importer_units(request, campaign) -> list[Unit]:
    """The units the signed-in account may import for (404 for anyone else)."""
    user = request.user
    fills = Participant.objects.filter(campaign=campaign, fills_statistics=True).select_related("unit")
    if user.is_national_admin:
        return [p.unit for p in fills.order_by("unit__sort_order")]
    if user.unit_id and fills.filter(unit_id=user.unit_id).exists():
        return [user.unit]
    raise Http404


@max_body("CHENGXIN_IMPORT_MAX_BYTES")
@require_http_methods(["GET", "POST"])
@login_required
def import_page(request, year: int):
    """Upload one or several workbooks. They are read in the background; the job page shows the progress and
    then the preview (figures beside the current ones, every problem as FILE!SHEET!CELL, warnings). Nothing is
    saved before the person confirms there, and each file is all or nothing."""
    campaign = campaign_get(year)
    units = _importer_units(request, campaign)
    context = {"campaign": campaign, "units": units, "max_files": MAX_FILES}
    if request.method == "GET":
        return render(request, "workbooks/import.html", context)

    files = request.FILES.getlist("files")
    errors = []
    if not files:
        errors.append(_("请选择要导入的 Excel 文件（.xlsx）"))
    if len(files) > MAX_FILES:
        errors.append(_("一次最多导入 %(n)s 个文件") % {"n": MAX_FILES})
    too_big = [f.name for f in files if f.size > MAX_FILE_BYTES]
    if too_big:
        errors.append(_("文件超过 20 MB：%(names)s") % {"names": "、".join(too_big)})
    elif sum(f.size for f in files) > settings.CHENGXIN_IMPORT_MAX_BYTES:
        errors.append(
            _("一次导入的文件合计不能超过 %(limit)s MB，请分几次导入")
            % {"limit": settings.CHENGXIN_IMPORT_MAX_BYTES // 1024 // 1024}
        )
    if errors:
        return render(request, "workbooks/import.html", {**context, "errors": errors}, status=422)

    staging = uuid.uuid4().hex
    staged = [
        {"path": staging_save(staging, i, upload), "name": safe_filename(upload.name or f"file{i}.xlsx")}
        for i, upload in enumerate(files)
    ]
    choice = _chosen_unit(request, units)
    job = ImportJob.objects.create(
        campaign=campaign,
        created_by=request.user,
        kind=ImportJob.Kind.PREVIEW,
        staging=staging,
        files=staged,
        empty_is_zero=request.POST.get("empty_is_zero") == "1",
        unit_code=choice.code if choice else "",
    )
    _queue(job)
    return redirect("workbooks:job", year=campaign.year, job_id=job.pk)


def _queue(job: ImportJob) -> None:
    # After the commit, so that the worker finds the job row.
    transaction.on_commit(lambda: job_task(str(job.pk)))


def _chosen_unit(request, units: list[Unit]) -> Unit | None:
    code = request.POST.get("unit", "")
    return next((u for u in units if u.code == code), None) if code else None


@require_http_methods(["GET", "POST"])
@login_required
def job_page(request, year: int, job_id):
    """A job's progress (htmx polls it), then its preview or its result. POST confirms a finished preview."""
    campaign = campaign_get(year)
    job = ImportJob.objects.filter(pk=job_id, campaign=campaign, created_by=request.user).first()
    if job is None:
        raise Http404
    if request.method == "POST":
        return _confirm(request, campaign, job)
    figures = form_definition(campaign).figures
    context = {
        "campaign": campaign,
        "job": job,
        "figures": figures,
        "previews": _previews(job.results, figures),
        "importable": sum(1 for r in job.results if r["ok"]),
    }
    if request.headers.get("HX-Request") and not job.finished:
        return render(request, "workbooks/_progress.html", context)
    if request.headers.get("HX-Request"):
        # Finished: the whole page takes over from the progress bar.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    status = 200 if not job.finished or context["importable"] or job.kind == ImportJob.Kind.IMPORT else 422
    return render(request, "workbooks/job.html", context, status=status)


def _previews(results: list[dict], figures) -> list[dict]:
    """The preview's files as the page shows them: each problem and each finding with an id, and each sheet's
    table as rows, one per figure, whose `described_by` names the ids of the findings about that figure (a screen
    reader reads them with the figure's new value). Results saved before findings carried their figure have none."""
    files = []
    for i, result in enumerate(results, start=1):
        problems = [dict(p, id=f"problem-{i}-{n}") for n, p in enumerate(result["problems"], start=1)]
        sheets = []
        for j, item in enumerate(result["sheets"], start=1):
            findings = [dict(f, id=f"finding-{i}-{j}-{n}") for n, f in enumerate(item["findings"], start=1)]
            rows = []
            for f in figures if item["new"] else []:
                about = [finding for finding in findings if finding.get("figure") == f.code]
                rows.append(
                    {
                        "figure": f,
                        "current": item["current"].get(f.code),
                        "new": item["new"].get(f.code),
                        "changed": f.code in item["changed"],
                        "findings": about,
                        "described_by": " ".join(finding["id"] for finding in about),
                    }
                )
            sheets.append(dict(item, findings=findings, rows=rows))
        files.append(dict(result, problems=problems, sheets=sheets))
    return files


def _confirm(request, campaign, preview: ImportJob):
    if preview.kind != ImportJob.Kind.PREVIEW or not preview.finished or preview.state != ImportJob.State.DONE:
        raise Http404
    ok_files = [f for f, r in zip(preview.files, preview.results, strict=True) if r["ok"]]
    if not ok_files or ImportJob.objects.filter(staging=preview.staging, kind=ImportJob.Kind.IMPORT).exists():
        messages.error(request, _("预览已过期，请重新上传文件。"))
        return redirect("workbooks:import", year=campaign.year)
    job = ImportJob.objects.create(
        campaign=campaign,
        created_by=request.user,
        kind=ImportJob.Kind.IMPORT,
        staging=preview.staging,
        files=ok_files,
        empty_is_zero=preview.empty_is_zero,
        unit_code=preview.unit_code,
    )
    _queue(job)
    return redirect("workbooks:job", year=campaign.year, job_id=job.pk)


def _scope(request) -> str:
    from chengxin.analytics.selectors import TOTAL_SCOPES

    scope = request.GET.get("scope", "submitted")
    return scope if scope in TOTAL_SCOPES else "submitted"


@require_GET
@national_required
def national_xlsx(request, year: int):
    """The consolidated national table, as `chengxin export-stats` writes it."""
    campaign = campaign_get(year)
    data, _columns, _filled = national_table_for(campaign, _scope(request), exported_by=_exporter(request))
    return xlsx_response(data, f"{campaign.year}年统计表全国汇总.xlsx")


def _exporter(request) -> str:
    who = request.user.display_name or request.user.username
    return f"{who}（{request.user.username}）"


@require_GET
@national_required
def national_pdf(request, year: int):
    """The consolidated national table as a PDF, laid out like the workbook's 打印版 sheet (A4 landscape, one
    row per unit). When it cannot be made here (workbooks/printpdf.py), back to the totals page, which says so
    and points to the workbook."""
    from chengxin.workbooks.printpdf import PdfUnavailable
    from chengxin.workbooks.services import national_pdf_for

    campaign = campaign_get(year)
    scope = _scope(request)
    try:
        data = national_pdf_for(campaign, scope, exported_by=_exporter(request))
    except PdfUnavailable as exc:
        messages.error(
            request,
            _("暂时无法生成 PDF（%(reason)s）。请下载 Excel 全国汇总表，打印其中的“打印版”工作表。")
            % {"reason": exc.reason},
        )
        return redirect(f"{reverse('analytics:totals', kwargs={'year': campaign.year})}?scope={scope}")
    response = HttpResponse(data, content_type="application/pdf")
    # inline: the browser opens it, ready to print
    response["Content-Disposition"] = content_disposition_header(
        False, safe_filename(f"{campaign.year}年统计表全国汇总.pdf")
    )
    return response


@require_GET
@national_required
def national_csv(request, year: int):
    """Every figure of every unit in long format, UTF-8 with BOM so that Excel opens it in Chinese."""
    from chengxin.workbooks.export import figures_csv
    from chengxin.workbooks.selectors import csv_rows

    campaign = campaign_get(year)
    response = HttpResponse(figures_csv(csv_rows(campaign, _scope(request))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"{campaign.year}年统计数据.csv")
    return response


@require_GET
@login_required
def unit_xlsx(request, year: int, unit_code: str):
    """One unit's filled table in the product's template (it can be imported back unchanged)."""
    from chengxin.reporting.selectors import report_for_unit, report_values
    from chengxin.workbooks.export import unit_filled

    unit = unit_for_reader(request, unit_code)
    campaign = campaign_get(year)
    participant = participant_get(campaign, unit)
    if participant is None or not participant.fills_statistics:
        raise Http404
    report = report_for_unit(campaign, unit)
    values = report_values(report) if report else {}
    data = unit_filled(
        definition=form_definition(campaign),
        unit_code=unit.code,
        unit_name=unit.name,
        campaign_title=campaign.title,
        values=values,
    )
    return xlsx_response(data, f"{campaign.year}年统计表-{unit.name}.xlsx")
