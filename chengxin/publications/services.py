"""Drafting the documents: the national summary (`summary_document`, which `chengxin summary-doc` writes), the
case book (`casebook_document`, `chengxin case-book`), and their drafting in the background for the web pages
(`summary_job_start`, `casebook_job_start`; the task worker runs `document_job_run`, which also prints the PDF
where LibreOffice is installed: publications/pdf.py).

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
from chengxin.portal.models import CaseKind
from chengxin.publications import pdf, selectors
from chengxin.publications.casebook import CaseBookWriter
from chengxin.publications.models import DocumentJob
from chengxin.publications.summary_doc import SummaryWriter
from chengxin.statform.selectors import form_definition
from chengxin.units.capabilities import Action, can

# The summary is an official document of the ministry: Chinese whatever the language of the person asking, as
# the national table's status labels are (its words are marked for translation all the same).
DOCUMENT_LANGUAGE = "zh-hans"
SCOPES = tuple(DocumentJob.Scope.values)
DEFAULT_SCOPE = DocumentJob.Scope.SUBMITTED.value  # as `chengxin totals`
STORAGE_FOLDER = "publications"

KINDS = tuple(CaseKind.values)

Progress = Callable[[int], None]  # called with the number of steps done (of DocumentJob.STEPS)


def summary_document(*, campaign: Campaign, scope: str = DEFAULT_SCOPE, progress: Progress | None = None) -> bytes:
    """The national summary of `campaign` over the reports in `scope` ("accepted", or "submitted": submitted and
    accepted) as .docx bytes, written step by step (DocumentJob.STEPS), `progress` told after each."""
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


def _may_draft(acting_user) -> None:
    if not can(acting_user, Action.VIEW_NATIONAL):
        raise DomainError(_("只有商务部的审核员和管理员可以起草全国活动总结和案例汇编"), status=403)


def _queue(job: DocumentJob) -> DocumentJob:
    """Run the job in the task worker once its row is committed (the worker must find it)."""
    from chengxin.publications.tasks import document_task  # the task module imports this one

    transaction.on_commit(lambda: document_task(str(job.pk)))
    return job


def summary_job_start(*, campaign: Campaign, scope: str, acting_user) -> DocumentJob:
    """Queue the drafting of `campaign`'s summary over `scope`, for ministry staff."""
    _may_draft(acting_user)
    if scope not in SCOPES:
        raise DomainError(_("统计范围无效"), status=422)
    return _queue(DocumentJob.objects.create(campaign=campaign, scope=scope, created_by=acting_user))


def casebook_job_start(*, campaign: Campaign, kinds, acting_user) -> DocumentJob:
    """Queue the compiling of `campaign`'s case book of the published cases of `kinds` (none given: every kind),
    for ministry staff. Refused when the selection holds no published case: an empty book helps nobody."""
    _may_draft(acting_user)
    kinds = _kinds(kinds)
    counts = selectors.casebook_counts(campaign)
    _some_cases(sum(counts.get(kind, 0) for kind in (kinds or KINDS)))
    job = DocumentJob.objects.create(
        campaign=campaign, document=DocumentJob.Document.CASEBOOK, kinds=kinds, created_by=acting_user
    )
    return _queue(job)


def _some_cases(cases) -> None:
    """Refuse an empty case book (`cases`: the cases, or how many)."""
    if not cases:
        raise DomainError(_("所选类别没有已发布的案例，无法汇编"), status=422)


def _kinds(kinds) -> list[str]:
    """The chosen kinds of case in the library's order; an unknown one is refused by name."""
    chosen = set(kinds or ())
    unknown = sorted(chosen - set(KINDS))
    if unknown:
        raise DomainError(_("案例类别“%(kind)s”无效") % {"kind": unknown[0]}, status=422)
    return [kind for kind in KINDS if kind in chosen]


def casebook_document(*, campaign: Campaign, kinds=(), progress: Progress | None = None) -> bytes:
    """The case book of `campaign`: its published cases of `kinds` (none: all) as .docx bytes, `progress` told
    after each step (DocumentJob.STEPS)."""
    kinds = _kinds(kinds)
    with translation.override(DOCUMENT_LANGUAGE):
        cases = selectors.casebook_cases(campaign, kinds)
        _some_cases(cases)
        if progress:
            progress(1)
        writer = CaseBookWriter(campaign, kinds, as_of=selectors.as_of())
        writer.cover_and_contents(cases)
        if progress:
            progress(2)
        writer.cases(cases)
        if progress:
            progress(3)
        return writer.save()


def _file_name(job: DocumentJob, extension: str) -> str:
    selection = job.scope or "-".join(job.kinds) or "all"
    return f"{STORAGE_FOLDER}/{job.document}-{job.campaign.year}-{selection}-{job.pk.hex}.{extension}"


def document_job_run(job_id) -> DocumentJob:
    """Write the job's document into the file storage, recording each step, then its PDF where LibreOffice can
    print it (the reason recorded where not); then forget the earlier documents of the same kind, campaign and
    selection. A failure of the document is recorded on the job (the page says so) and raised."""
    job = DocumentJob.objects.select_related("campaign", "created_by").get(pk=job_id)
    jobs = DocumentJob.objects.filter(pk=job.pk)
    jobs.update(state=DocumentJob.State.RUNNING, done=0)
    # Run by a worker, outside the request: any audit row names the person who asked for the draft.
    with audit_context(user=job.created_by, label=f"task:{job.document}"):
        try:
            progress = lambda done: jobs.update(done=done)  # noqa: E731
            if job.document == DocumentJob.Document.CASEBOOK:
                data = casebook_document(campaign=job.campaign, kinds=job.kinds, progress=progress)
            else:
                data = summary_document(campaign=job.campaign, scope=job.scope, progress=progress)
            name = default_storage.save(_file_name(job, "docx"), ContentFile(data))
        except Exception as exc:  # the person sees that the drafting failed instead of waiting forever
            jobs.update(state=DocumentJob.State.FAILED, error=str(exc)[:1000], finished_at=timezone.now())
            raise
        jobs.update(file=name, size=len(data), done=job.total - 1)
        printed = {}
        try:
            pdf_data = pdf.docx_to_pdf(data, name=job.document)
            printed = {"pdf_file": default_storage.save(_file_name(job, "pdf"), ContentFile(pdf_data))}
            printed["pdf_size"] = len(pdf_data)
        except pdf.PdfUnavailable as exc:  # the Word document stands; the page says why there is no PDF
            printed = {"pdf_missing": str(exc)[:500]}
        jobs.update(state=DocumentJob.State.DONE, done=job.total, finished_at=timezone.now(), **printed)
        _forget_earlier(job)
    job.refresh_from_db()
    return job


def _forget_earlier(job: DocumentJob) -> None:
    """Remove the finished jobs of the same document, campaign and selection made before `job`, with their files."""
    earlier = DocumentJob.objects.filter(
        campaign=job.campaign,
        document=job.document,
        scope=job.scope,
        kinds=job.kinds,
        created_at__lt=job.created_at,
        state__in=(DocumentJob.State.DONE, DocumentJob.State.FAILED),
    )
    for old in earlier:
        for stored in (old.file, old.pdf_file):
            if stored:
                default_storage.delete(stored)
        old.delete()


def document_file(job: DocumentJob, *, as_pdf: bool = False):
    """The finished document of `job` (its PDF with `as_pdf`), opened for reading (the caller closes it)."""
    return default_storage.open(job.pdf_file if as_pdf else job.file, "rb")
