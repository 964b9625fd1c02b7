"""The ministry's pages for the documents the system drafts (the national summary, the case book): start a
drafting, watch its progress, download the document as Word or PDF."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.selectors import campaign_get
from chengxin.core.uploads import safe_filename
from chengxin.portal.models import CaseKind
from chengxin.publications import pdf
from chengxin.publications.models import DocumentJob
from chengxin.publications.selectors import casebook_counts, document_jobs, finished_documents
from chengxin.publications.services import DEFAULT_SCOPE, casebook_job_start, document_file, summary_job_start
from chengxin.units.permissions import national_required

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGES = {DocumentJob.Document.SUMMARY: "publications:summary", DocumentJob.Document.CASEBOOK: "publications:casebook"}


def _progress_or_page(request, campaign, document: str, template: str, context: dict):
    """The page of `document`; to htmx polling with ?job=, the progress of one drafting (or, once it finished,
    a refresh of the whole page)."""
    job = _job(campaign, document, request.GET.get("job", ""))
    context = {**context, "campaign": campaign, "job": job, "pdf_available": pdf.available()}
    if request.headers.get("HX-Request") and job is not None:
        if not job.finished:
            return render(request, "publications/_summary_progress.html", context)
        response = HttpResponse(status=204)  # finished: the whole page takes over from the progress bar
        response["HX-Refresh"] = "true"
        return response
    context["documents"] = finished_documents(campaign, document)
    return render(request, template, context)


def _started(campaign, job: DocumentJob):
    return redirect(f"{reverse(PAGES[job.document], args=[campaign.year])}?job={job.pk}")


@require_http_methods(["GET", "POST"])
@national_required
def summary_page(request, year: int):
    """GET: the summaries drafted so far and, with ?job=, the progress of one drafting (htmx polls it). POST: draft
    the summary again, over the scope chosen, in the background."""
    campaign = campaign_get(year)
    if request.method == "POST":
        scope = request.POST.get("scope", DEFAULT_SCOPE)
        return _started(campaign, summary_job_start(campaign=campaign, scope=scope, acting_user=request.user))
    context = {"scopes": DocumentJob.Scope.choices, "default_scope": DEFAULT_SCOPE}
    return _progress_or_page(request, campaign, DocumentJob.Document.SUMMARY, "publications/summary.html", context)


@require_http_methods(["GET", "POST"])
@national_required
def casebook_page(request, year: int):
    """GET: the case books compiled so far, the published cases by kind, and the progress of one compiling. POST:
    compile the case book of the kinds chosen (none: all) in the background."""
    campaign = campaign_get(year)
    if request.method == "POST":
        kinds = request.POST.getlist("kind")
        return _started(campaign, casebook_job_start(campaign=campaign, kinds=kinds, acting_user=request.user))
    counts = casebook_counts(campaign)
    kinds = [(value, label, counts.get(value, 0)) for value, label in CaseKind.choices]
    context = {"kinds": kinds, "published": sum(counts.values())}
    return _progress_or_page(request, campaign, DocumentJob.Document.CASEBOOK, "publications/casebook.html", context)


def _job(campaign, document: str, raw: str) -> DocumentJob | None:
    """The drafting named in the query, if it is one of this campaign's documents of that kind; else no job."""
    try:
        return document_jobs(campaign, document).filter(pk=raw).first() if raw else None
    except (ValueError, ValidationError):  # not a UUID
        return None


@require_GET
@national_required
def document_download(request, year: int, job_id, fmt: str):
    """A finished document as an attachment named by the campaign and the selection: its .docx, or its .pdf."""
    campaign = campaign_get(year)
    job = DocumentJob.objects.filter(campaign=campaign, pk=job_id, state=DocumentJob.State.DONE).first()
    if fmt not in ("docx", "pdf") or job is None or not (job.pdf_file if fmt == "pdf" else job.file):
        raise Http404
    if job.document == DocumentJob.Document.CASEBOOK:
        name = _("%(year)s年案例汇编") % {"year": campaign.year}
    else:
        name = _("%(year)s年全国活动总结（%(scope)s）") % {"year": campaign.year, "scope": job.get_scope_display()}
    as_pdf = fmt == "pdf"
    response = FileResponse(document_file(job, as_pdf=as_pdf), content_type="application/pdf" if as_pdf else DOCX)
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(f"{name}.{fmt}"))
    return response
