"""The indices' pages. Public ones (no login, cached, extending portal/public_base.html): the list, an index's
page, a release at its own URL, and the data as CSV. Staff ones: a unit's editors describe indices, upload
releases (preview first) and submit them; the ministry's moderators publish or reject."""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from chengxin.core.errors import DomainError
from chengxin.core.forms import cleaned
from chengxin.core.public_cache import public_page
from chengxin.core.spreadsheets import neutralise
from chengxin.core.uploads import safe_filename
from chengxin.indices import selectors, services
from chengxin.indices.models import Frequency, IndexRelease, ReleaseStatus
from chengxin.indices.template import template_csv, template_xlsx
from chengxin.units.capabilities import Action, can
from chengxin.units.permissions import capability_required

PREVIEW_ROWS = 50
RELEASE_ROWS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

moderator_required = capability_required(Action.MODERATE)


def _editor_required(request) -> None:
    if not can(request.user, Action.REGISTER_ACTIVITY) or request.user.unit_id is None:
        raise Http404


# --- public -------------------------------------------------------------------------------------------------------


@require_safe
@public_page
def public_list(request):
    return render(request, "indices/public_list.html", {"rows": selectors.indices_public()})


@require_safe
@public_page
def public_index(request, code: str):
    index = selectors.index_public(code)
    if index is None:
        raise Http404
    page = selectors.index_page(index)
    return render(request, "indices/public_index.html", {"page": page, "index": index, "chart": page.chart_data()})


@require_safe
@public_page
def public_release(request, code: str, version: int):
    index = selectors.index_public(code)
    release = selectors.release_public(index, version) if index else None
    if release is None:
        raise Http404
    return render(
        request,
        "indices/public_release.html",
        {"index": index, "release": release, "rows": selectors.release_rows(release)},
    )


CSV_HEADER = (
    ("index", gettext_noop("指数")),
    ("period", gettext_noop("期间")),
    ("region_code", gettext_noop("地区代码")),
    ("region_name", gettext_noop("地区")),
    ("value", gettext_noop("数值")),
    ("unit", gettext_noop("计量单位")),
    ("version", gettext_noop("版本")),
    ("published_at", gettext_noop("发布日期")),
)


@require_safe
def public_csv(request, code: str):
    """The current public values as CSV (UTF-8 with BOM, so that Excel opens it in Chinese; texts neutralised):
    the Chinese titles, then the machine names, then one line per period and region."""
    index = selectors.index_public(code)
    if index is None:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_(label) for _name, label in CSV_HEADER])
    writer.writerow([name for name, _label in CSV_HEADER])
    for value in selectors.csv_rows(index):
        writer.writerow(
            [
                neutralise(index.name),
                value.period,
                value.region_code,
                neutralise(value.region_name),
                format(value.value.normalize(), "f"),
                neutralise(index.unit_of_measure),
                value.release.version,
                value.release.published_at.date().isoformat() if value.release.published_at else "",
            ]
        )
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = safe_filename(f"{index.name}.csv", fallback=f"{index.code}.csv")
    response["Content-Disposition"] = _disposition(name, f"{index.code}.csv")
    response["Cache-Control"] = "public, max-age=60"
    return response


def _disposition(name: str, ascii_name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


# --- a unit's editors ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def mine(request):
    _editor_required(request)
    return render(request, "indices/mine.html", {"indices": selectors.indices_of_unit(request.user.unit)})


class IndexForm(forms.Form):
    """What the index's page sends; every rule is `index_save`'s."""

    code = forms.CharField(required=False, strip=False)
    name = forms.CharField(required=False, strip=False)
    frequency = forms.CharField(required=False)
    unit_of_measure = forms.CharField(required=False, strip=False)
    base_period = forms.CharField(required=False, strip=False)
    base_value = forms.CharField(required=False)
    method = forms.CharField(required=False, strip=False)
    description = forms.CharField(required=False, strip=False)


def _index_values(index) -> dict:
    if index is None:
        return {"frequency": Frequency.MONTH, "unit_of_measure": "点", "base_value": "100"}
    return {
        "code": index.code,
        "name": index.name,
        "frequency": index.frequency,
        "unit_of_measure": index.unit_of_measure,
        "base_period": index.base_period,
        "base_value": format(index.base_value.normalize(), "f"),
        "method": index.method,
        "description": index.description,
    }


def _index_form(request, index):
    error, values = None, _index_values(index)
    locked = index is not None and selectors.index_has_public_release(index)
    if request.method == "POST":
        values = request.POST
        try:
            index = services.index_save(index=index, acting_user=request.user, **cleaned(IndexForm(request.POST)))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("指数说明已保存。"))
            return redirect("indices:manage", code=index.code)
    return render(
        request,
        "indices/index_form.html",
        {"index": index, "values": values, "error": error, "frequencies": Frequency.choices, "locked": locked},
        status=error.status if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def index_new(request):
    _editor_required(request)
    return _index_form(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def index_edit(request, code: str):
    index = selectors.index_for_editor(code, request.user)
    if index is None:
        raise Http404
    return _index_form(request, index)


@require_http_methods(["GET", "POST"])
@login_required
def manage(request, code: str):
    """An index with its releases, and the upload of a new one (which leads to its preview)."""
    index = selectors.index_for_editor(code, request.user)
    if index is None:
        raise Http404
    error = None
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise DomainError(_("请选择要上传的文件（CSV 或 .xlsx）"))
            if uploaded.size > services.MAX_BYTES:
                raise DomainError(_("文件不能超过 %(n)s MB") % {"n": services.MAX_BYTES // 1024 // 1024})
            upload = services.upload_stage(
                index=index, name=uploaded.name, content=uploaded.read(), acting_user=request.user
            )
        except DomainError as exc:
            error = exc
        else:
            return redirect("indices:preview", job_id=upload.pk)
    return render(
        request,
        "indices/manage.html",
        {
            "index": index,
            "releases": index.releases.select_related("replaces").order_by("-version"),
            "public": selectors.index_has_public_release(index),
            "error": error,
        },
        status=error.status if error else 200,
    )


@require_GET
@login_required
def template_download(request, kind: str):
    _editor_required(request)
    if kind == "xlsx":
        response = HttpResponse(template_xlsx(), content_type=XLSX)
    else:
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(f"诚信指数上传模板.{kind}", f"index-template.{kind}")
    return response


@require_http_methods(["GET", "POST"])
@login_required
def preview(request, job_id):
    """What the uploaded file holds: the first rows, the counts and every refused row. Confirming makes it a
    release (a draft, or submitted at once); nothing is saved before, and nothing at all while a row is refused."""
    upload = selectors.upload_for(job_id, request.user)
    if upload is None or not selectors.may_edit(request.user, upload.index):
        raise Http404
    parsed = services.upload_parsed(upload)
    if parsed is None:
        messages.error(request, _("上传的文件已过期，请重新上传"))
        return redirect("indices:manage", code=upload.index.code)
    error = None
    if request.method == "POST":
        replaces = None
        chosen = request.POST.get("replaces", "")
        if chosen:
            replaces = next((r for r in selectors.correctable_releases(upload.index) if str(r.pk) == chosen), None)
            if replaces is None:
                error = DomainError(_("只能修订本指数现行的已发布版本"), status=422)
        if error is None:
            try:
                release = services.release_create(
                    upload=upload,
                    acting_user=request.user,
                    submit=request.POST.get("action") == "submit",
                    replaces=replaces,
                    revision_note=request.POST.get("revision_note", ""),
                )
            except DomainError as exc:
                error = exc
            else:
                if release.status == ReleaseStatus.SUBMITTED:
                    messages.success(request, _("已提交商务部审核，审核通过后公开发布。"))
                else:
                    messages.success(request, _("已保存为草稿。"))
                return redirect("indices:release", pk=release.pk)
    return render(
        request,
        "indices/preview.html",
        {
            "upload": upload,
            "index": upload.index,
            "parsed": parsed,
            "rows": parsed.rows[:PREVIEW_ROWS],
            "correctable": selectors.correctable_releases(upload.index),
            "values": request.POST if request.method == "POST" else {},
            "error": error,
        },
        status=error.status if error else 200,
    )


@require_GET
@login_required
def release(request, pk: int):
    release = selectors.release_for_staff(pk, request.user)
    if release is None:
        raise Http404
    rows = selectors.release_rows(release, RELEASE_ROWS)
    return render(
        request,
        "indices/release.html",
        {
            "release": release,
            "index": release.index,
            "rows": rows,
            "changes": selectors.release_changes(release),
            "editor": selectors.may_edit(request.user, release.index),
            "moderator": can(request.user, Action.MODERATE),
        },
    )


def _editor_release(request, pk: int) -> IndexRelease:
    release = get_object_or_404(IndexRelease.objects.select_related("index__publisher"), pk=pk)
    if not selectors.may_edit(request.user, release.index):
        raise Http404
    return release


@require_POST
@login_required
def release_submit(request, pk: int):
    release = _editor_release(request, pk)
    try:
        services.release_submit(release=release, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交商务部审核，审核通过后公开发布。"))
    return redirect("indices:release", pk=release.pk)


@require_POST
@login_required
def release_delete(request, pk: int):
    release = _editor_release(request, pk)
    try:
        services.release_delete(release=release, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("indices:release", pk=release.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("indices:manage", code=release.index.code)


# --- the ministry -------------------------------------------------------------------------------------------------


@require_GET
@moderator_required
def moderate(request):
    return render(request, "indices/moderate.html", selectors.releases_to_moderate())


@require_POST
@moderator_required
def release_decide(request, pk: int):
    release = get_object_or_404(IndexRelease.objects.select_related("index"), pk=pk)
    try:
        if request.POST.get("action") == "publish":
            services.release_publish(release=release, acting_user=request.user)
            messages.success(request, _("“%(release)s”已发布。") % {"release": release})
        else:
            services.release_reject(release=release, reason=request.POST.get("reason", ""), acting_user=request.user)
            messages.success(request, _("“%(release)s”已退回。") % {"release": release})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("indices:moderate")
