"""The ministry's page for the national summary: start a drafting, watch its progress, download the document."""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chengxin.campaigns.selectors import campaign_get
from chengxin.core.uploads import safe_filename
from chengxin.publications.models import SummaryJob
from chengxin.publications.selectors import summary_documents, summary_jobs
from chengxin.publications.services import DEFAULT_SCOPE, summary_file, summary_job_start
from chengxin.units.permissions import national_required

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_http_methods(["GET", "POST"])
@national_required
def summary_page(request, year: int):
    """GET: the documents drafted so far and, with ?job=, the progress of one drafting (htmx polls it). POST: draft
    the summary again, over the scope chosen, in the background."""
    campaign = campaign_get(year)
    if request.method == "POST":
        scope = request.POST.get("scope", DEFAULT_SCOPE)
        job = summary_job_start(campaign=campaign, scope=scope, acting_user=request.user)
        return redirect(f"{reverse('publications:summary', args=[campaign.year])}?job={job.pk}")
    job = _job(campaign, request.GET.get("job", ""))
    context = {"campaign": campaign, "job": job, "scopes": SummaryJob.Scope.choices, "default_scope": DEFAULT_SCOPE}
    if request.headers.get("HX-Request") and job is not None:
        if not job.finished:
            return render(request, "publications/_summary_progress.html", context)
        response = HttpResponse(status=204)  # finished: the whole page takes over from the progress bar
        response["HX-Refresh"] = "true"
        return response
    context["documents"] = summary_documents(campaign)
    return render(request, "publications/summary.html", context)


def _job(campaign, raw: str) -> SummaryJob | None:
    """The drafting named in the query, if it is one of this campaign's; anything else is no job at all."""
    try:
        return summary_jobs(campaign).filter(pk=raw).first() if raw else None
    except (ValueError, ValidationError):  # not a UUID
        return None


@require_GET
@national_required
def summary_download(request, year: int, job_id):
    """A finished document, as an attachment named by the campaign and the scope."""
    campaign = campaign_get(year)
    job = summary_jobs(campaign).filter(pk=job_id, state=SummaryJob.State.DONE).exclude(file="").first()
    if job is None:
        raise Http404
    name = _("%(year)s年全国活动总结（%(scope)s）.docx") % {"year": campaign.year, "scope": job.get_scope_display()}
    response = FileResponse(summary_file(job), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, safe_filename(name))
    return response
