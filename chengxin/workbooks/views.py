"""Excel in and out on the web: the unit's template, import with a preview before anything is saved."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.models import Participant
from chengxin.campaigns.selectors import campaign_get, participant_get
from chengxin.core.permissions import national_required, unit_for_reader
from chengxin.core.uploads import safe_filename
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.workbooks.services import national_table_for, stats_import_file
from chengxin.workbooks.template import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILES = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
SESSION_KEY = "workbook_imports"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

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


def _staging(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / token


@require_http_methods(["GET", "POST"])
@login_required
def import_page(request, year: int):
    """Upload one or several workbooks → preview (figures beside the current ones, every problem named by
    FILE!SHEET!CELL, warnings) → confirm. Nothing is saved before the confirmation, and each file is all or
    nothing."""
    campaign = campaign_get(year)
    units = _importer_units(request, campaign)
    context = {"campaign": campaign, "units": units, "max_files": MAX_FILES}
    if request.method == "GET":
        return render(request, "workbooks/import.html", context)
    if request.POST.get("action") == "confirm":
        return _confirm(request, campaign, units)

    files = request.FILES.getlist("files")
    empty_is_zero = request.POST.get("empty_is_zero") == "1"
    choice = _chosen_unit(request, units)
    errors = []
    if not files:
        errors.append(_("请选择要导入的 Excel 文件（.xlsx）"))
    if len(files) > MAX_FILES:
        errors.append(_("一次最多导入 %(n)s 个文件") % {"n": MAX_FILES})
    too_big = [f.name for f in files if f.size > MAX_FILE_BYTES]
    if too_big:
        errors.append(_("文件超过 20 MB：%(names)s") % {"names": "、".join(too_big)})
    if errors:
        return render(request, "workbooks/import.html", {**context, "errors": errors}, status=422)

    token = uuid.uuid4().hex
    folder = _staging(token)
    folder.mkdir(parents=True, exist_ok=True)
    staged, results = [], []
    for i, upload in enumerate(files):
        data = upload.read()
        name = safe_filename(upload.name or f"file{i}.xlsx")
        (folder / f"{i}.xlsx").write_bytes(data)
        staged.append({"path": f"{i}.xlsx", "name": name})
        results.append(
            stats_import_file(
                campaign=campaign,
                data=data,
                file_name=name,
                acting_user=request.user,
                empty_is_zero=empty_is_zero,
                unit_choice=choice,
                dry_run=True,
            )
        )
    request.session.setdefault(SESSION_KEY, {})[token] = {
        "year": campaign.year,
        "files": staged,
        "empty_is_zero": empty_is_zero,
        "unit": choice.code if choice else "",
    }
    request.session.modified = True
    definition = form_definition(campaign)
    return render(
        request,
        "workbooks/preview.html",
        {
            **context,
            "token": token,
            "results": results,
            "figures": definition.figures,
            "importable": sum(1 for r in results if r.ok),
            "empty_is_zero": empty_is_zero,
        },
        status=200 if any(r.ok for r in results) else 422,
    )


def _chosen_unit(request, units: list[Unit]) -> Unit | None:
    code = request.POST.get("unit", "")
    return next((u for u in units if u.code == code), None) if code else None


def _confirm(request, campaign, units):
    token = request.POST.get("token", "")
    staged = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if not staged or staged["year"] != campaign.year or not token.isalnum():
        messages.error(request, _("预览已过期，请重新上传文件。"))
        return redirect("workbooks:import", year=campaign.year)
    choice = next((u for u in units if u.code == staged["unit"]), None)
    folder = _staging(token)
    saved, failed = [], []
    try:
        for item in staged["files"]:
            result = stats_import_file(
                campaign=campaign,
                data=(folder / item["path"]).read_bytes(),
                file_name=item["name"],
                acting_user=request.user,
                empty_is_zero=staged["empty_is_zero"],
                unit_choice=choice,
            )
            (saved if result.saved else failed).append(result)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for result in saved:
        names = "、".join(s.unit.name for s in result.sheets)
        messages.success(request, _("%(file)s：已导入草稿（%(units)s）") % {"file": result.file_name, "units": names})
    for result in failed:
        messages.error(
            request,
            _("%(file)s：有 %(n)s 处问题，未导入") % {"file": result.file_name, "n": len(result.problems)},
        )
    if request.user.is_national:
        return redirect("analytics:completeness", year=campaign.year)
    return redirect("reporting:entry", year=campaign.year, unit_code=request.user.unit.code)


def _scope(request) -> str:
    from chengxin.analytics.selectors import TOTAL_SCOPES

    scope = request.GET.get("scope", "submitted")
    return scope if scope in TOTAL_SCOPES else "submitted"


@require_GET
@national_required
def national_xlsx(request, year: int):
    """The consolidated national table, as `chengxin export-stats` writes it."""
    campaign = campaign_get(year)
    scope = _scope(request)
    data, _columns, _filled = national_table_for(campaign, scope)
    return xlsx_response(data, f"{campaign.year}年统计表全国汇总.xlsx")


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
