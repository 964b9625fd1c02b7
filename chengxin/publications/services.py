"""Drafting the national summary: the document (`summary_document`, which `chengxin summary-doc` writes) and its
drafting in the background for the web page (`summary_job_start`; the task worker runs `summary_job_run`).

The finished document goes to Django's file storage (settings.STORAGES["default"]), never a local path: the web
process that queued the job, the worker that writes the file and the process that serves the download may run
on different machines, sharing only the database and the storage.
"""

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chengxin.audit.context import audit_context
from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError
from chengxin.publications import selectors
from chengxin.publications.models import SummaryJob
from chengxin.publications.summary_doc import SummaryWriter
from chengxin.statform.selectors import form_definition
from chengxin.units.capabilities import Action, can

# The summary is an official document of the ministry: Chinese whatever the language of the person asking, as
# the national table's status labels are (its words are marked for translation all the same).
DOCUMENT_LANGUAGE = "zh-hans"
SCOPES = tuple(SummaryJob.Scope.values)
DEFAULT_SCOPE = SummaryJob.Scope.SUBMITTED.value  # as `chengxin totals`
STORAGE_FOLDER = "publications"

Progress = Callable[[int], None]  # called with the number of steps done (of SummaryJob.STEPS)


def summary_document(*, campaign: Campaign, scope: str = DEFAULT_SCOPE, progress: Progress | None = None) -> bytes:
    """The national summary of `campaign` over the reports in `scope` ("accepted", or "submitted": submitted and
    accepted) as .docx bytes, written step by step (SummaryJob.STEPS), `progress` told after each."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: one of {', '.join(SCOPES)}")
    definition = form_definition(campaign)
    with translation.override(DOCUMENT_LANGUAGE):
        writer = SummaryWriter(campaign, scope, as_of=selectors.as_of())
        writer.opening()
        steps = (
            lambda: writer.participation(selectors.participation(campaign)),
            lambda: writer.totals(selectors.national_totals(campaign, scope, definition)),
            lambda: writer.reach(selectors.reach(campaign, scope, definition)),
            lambda: writer.activities_and_highlights(selectors.highlights(campaign, scope)),
            lambda: writer.appendix(selectors.appendix(campaign, scope, definition)),
        )
        for done, step in enumerate(steps, 1):
            step()
            if progress:
                progress(done)
        return writer.save()


def summary_job_start(*, campaign: Campaign, scope: str, acting_user) -> SummaryJob:
    """Queue the drafting of `campaign`'s summary over `scope`, for ministry staff. The task starts once the job
    row is committed (the worker must find it)."""
    if not can(acting_user, Action.VIEW_NATIONAL):
        raise DomainError(_("只有商务部的审核员和管理员可以起草全国活动总结"), status=403)
    if scope not in SCOPES:
        raise DomainError(_("统计范围无效"), status=422)
    job = SummaryJob.objects.create(campaign=campaign, scope=scope, created_by=acting_user)
    from chengxin.publications.tasks import summary_task  # the task module imports this one

    transaction.on_commit(lambda: summary_task(str(job.pk)))
    return job


def _file_name(job: SummaryJob) -> str:
    return f"{STORAGE_FOLDER}/summary-{job.campaign.year}-{job.scope}-{job.pk.hex}.docx"


def summary_job_run(job_id) -> SummaryJob:
    """Write the job's document into the file storage, recording each step; then forget the earlier documents
    of the same campaign and scope. A failure is recorded on the job (the page says so) and raised."""
    job = SummaryJob.objects.select_related("campaign", "created_by").get(pk=job_id)
    jobs = SummaryJob.objects.filter(pk=job.pk)
    jobs.update(state=SummaryJob.State.RUNNING, done=0)
    # Run by a worker, outside the request: any audit row names the person who asked for the draft.
    with audit_context(user=job.created_by, label="task:summary"):
        try:
            data = summary_document(
                campaign=job.campaign, scope=job.scope, progress=lambda done: jobs.update(done=done)
            )
            name = default_storage.save(_file_name(job), ContentFile(data))
        except Exception as exc:  # the person sees that the drafting failed instead of waiting forever
            jobs.update(state=SummaryJob.State.FAILED, error=str(exc)[:1000], finished_at=timezone.now())
            raise
        jobs.update(state=SummaryJob.State.DONE, done=job.total, file=name, size=len(data), finished_at=timezone.now())
        _forget_earlier(job)
    job.refresh_from_db()
    return job


def _forget_earlier(job: SummaryJob) -> None:
    """Remove the finished jobs of the same campaign and scope made before `job`, with their files."""
    earlier = SummaryJob.objects.filter(
        campaign=job.campaign,
        scope=job.scope,
        created_at__lt=job.created_at,
        state__in=(SummaryJob.State.DONE, SummaryJob.State.FAILED),
    )
    for old in earlier:
        if old.file:
            default_storage.delete(old.file)
        old.delete()


def summary_file(job: SummaryJob):
    """The finished document of `job`, opened for reading (the caller closes it)."""
    return default_storage.open(job.file, "rb")
