"""The auditor's pages: search the log, export the search as CSV, check the chain. Only the auditor opens them."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from chengxin.audit.chain import chain_verify
from chengxin.audit.forms import AuditSearchForm
from chengxin.audit.models import Verb
from chengxin.audit.selectors import AuditFilters, audit_search, chain_tail_status
from chengxin.audit.services import audit_record
from chengxin.core.spreadsheets import neutralise
from chengxin.units.permissions import auditor_required

PAGE_SIZE = 50


def _search(request) -> tuple[AuditSearchForm, AuditFilters | None]:
    form = AuditSearchForm(request.GET or None)
    if not request.GET:
        return form, AuditFilters()
    return form, form.filters() if form.is_valid() else None


@require_GET
@auditor_required
def event_list(request):
    form, filters = _search(request)
    context = {"form": form, "tail": chain_tail_status()}
    if filters is None:
        return render(request, "audit/list.html", context, status=400)
    page = Paginator(audit_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(page=page, query=query.urlencode())
    return render(request, "audit/list.html", context)


CSV_HEADER = (
    ("seq", gettext_lazy("序号")),
    ("at", gettext_lazy("时间")),
    ("actor_name", gettext_lazy("操作人")),
    ("unit_code", gettext_lazy("单位代码")),
    ("unit_name", gettext_lazy("单位名称")),
    ("ip", gettext_lazy("IP 地址")),
    ("action", gettext_lazy("操作")),
    ("object_type", gettext_lazy("对象类型")),
    ("object_id", gettext_lazy("对象编号")),
    ("object_repr", gettext_lazy("对象")),
    ("changes", gettext_lazy("变更内容")),
    ("outcome", gettext_lazy("结果")),
    ("method", gettext_lazy("请求方法")),
    ("path", gettext_lazy("请求路径")),
    ("user_agent", gettext_lazy("浏览器")),
    ("hash", gettext_lazy("哈希")),
)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(queryset):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _name, label in CSV_HEADER])
    for event in queryset.iterator(chunk_size=2000):
        cells = []
        for name, _label in CSV_HEADER:
            value = getattr(event, name)
            if name == "at":
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            cells.append(neutralise(str(value)))
        yield writer.writerow(cells)


@require_GET
@auditor_required
def event_export(request):
    """The current search as CSV (UTF-8 with BOM, formula-like cells neutralised), newest first. The export is
    itself recorded."""
    form, filters = _search(request)
    if filters is None:
        return render(request, "audit/list.html", {"form": form, "tail": chain_tail_status()}, status=400)
    queryset = audit_search(filters)
    audit_record(action=Verb.AUDIT_EXPORT, changes={"query": request.GET.urlencode()[:1000]})
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(queryset)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_GET
@auditor_required
def chain_check(request):
    """The whole chain recomputed (as `chengxin audit-check` does)."""
    return render(request, "audit/check.html", {"report": chain_verify()})
