"""Keeping the search texts: what a summary, case or activity says is written when it is saved; a file's text
is read afterwards, by the task worker (textsearch.tasks), so that an upload never waits for it."""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chengxin.textsearch.extract import Extracted, extract
from chengxin.textsearch.models import Extraction, Kind, TextChunk, TextDocument
from chengxin.textsearch.terms import document_terms

logger = logging.getLogger(__name__)

CHUNK_CHARS = 6_000
OVERLAP = 100  # characters: longer than any query (terms.Query keeps 200 typed, a phrase is one word of it)


def _chunks(text: str) -> list[str]:
    return [text[start : start + CHUNK_CHARS + OVERLAP] for start in range(0, len(text), CHUNK_CHARS)] or [""]


def _write_text(document: TextDocument, text: str) -> None:
    document.text = text
    document.chunks.all().delete()
    TextChunk.objects.bulk_create(
        TextChunk(document=document, number=n, terms=document_terms(chunk))
        for n, chunk in enumerate(_chunks(document.text))
    )


def _document(kind: str, object_id: int, **fields) -> TextDocument:
    document, _created = TextDocument.objects.update_or_create(kind=kind, object_id=object_id, defaults=fields)
    return document


@transaction.atomic
def document_put_text(
    kind: Kind, object_id: int, *, year: int, unit_id: int, title: str, text: str, plan_activity_id=None
) -> TextDocument:
    """A case's or an activity's text, indexed at once (it is already text)."""
    document = _document(
        kind,
        object_id,
        year=year,
        unit_id=unit_id,
        plan_activity_id=plan_activity_id,
        title=title[:255],
        source_file="",
        source_kind="",
        extraction=Extraction.DONE,
        problem="",
    )
    _write_text(document, text)
    document.save(update_fields=["text", "updated_at"])
    return document


@transaction.atomic
def document_put_file(
    kind: Kind,
    object_id: int,
    *,
    year: int,
    unit_id: int,
    title: str,
    source_file: str,
    source_kind: str,
    enqueue: bool = True,
) -> TextDocument:
    """A stored file whose text is read after the commit, by the task worker. Until then the document keeps
    its earlier text out of the results (it is pending)."""
    document = _document(
        kind,
        object_id,
        year=year,
        unit_id=unit_id,
        plan_activity_id=None,
        title=title[:255],
        source_file=source_file,
        source_kind=source_kind,
        extraction=Extraction.PENDING,
        problem="",
    )
    _write_text(document, "")
    document.save(update_fields=["text", "updated_at"])

    def read_later(document_id=document.pk):
        from chengxin.textsearch.tasks import extract_task

        extract_task(document_id)

    if enqueue:
        transaction.on_commit(read_later)
    return document


def document_extract(document_id: int) -> TextDocument | None:
    """Read a pending document's file and index its text; a file that cannot be read is marked with why.
    Reading happens outside any transaction (it may take seconds); the result is written in one."""
    document = TextDocument.objects.filter(pk=document_id).first()
    if document is None or not document.source_file:
        return document
    source_file = document.source_file
    try:
        with default_storage.open(source_file, "rb") as handle:
            result = extract(handle, document.source_kind)
    except OSError:
        logger.warning("text extraction: %s is missing", source_file, exc_info=True)
        result = Extracted("", _("文件不存在，无法提取文本"))
    with transaction.atomic():
        document = TextDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.source_file != source_file:
            return document  # deleted, or a newer file came meanwhile: its own task indexes it
        _write_text(document, result.text)
        document.extraction = Extraction.FAILED if result.problem else Extraction.DONE
        document.problem = result.problem[:255]
        document.save(update_fields=["text", "extraction", "problem", "updated_at"])
    return document


def document_delete(kind: Kind, object_id: int) -> None:
    TextDocument.objects.filter(kind=kind, object_id=object_id).delete()


def index_all(*, year: int | None = None, progress=None) -> dict[str, int]:
    """Index every summary report (its newest file, read now, in this process), case and activity of `year`
    (or of every year). Each object is written in its own transaction, so an interruption keeps what is done.
    `progress(kind, done, total)` is called along the way."""
    from chengxin.activities.models import Activity
    from chengxin.portal.models import Case
    from chengxin.reporting.models import Report, SummaryFile
    from chengxin.textsearch.signals import activity_text, case_text

    counts = dict.fromkeys(("summary", "failed", "case", "activity"), 0)
    tick = progress or (lambda kind, done, total: None)
    reports = Report.objects.filter(summary_files__isnull=False).distinct().select_related("campaign")
    if year:
        reports = reports.filter(campaign__year=year)
    reports = list(reports.order_by("pk"))
    for n, report in enumerate(reports, 1):
        newest = SummaryFile.objects.filter(report=report).first()
        with transaction.atomic():
            document = document_put_file(
                Kind.SUMMARY,
                report.pk,
                year=report.campaign.year,
                unit_id=report.unit_id,
                title=newest.original_name,
                source_file=newest.file.name,
                source_kind=newest.kind,
                enqueue=False,
            )
        document = document_extract(document.pk)
        counts["summary"] += 1
        counts["failed"] += document.extraction == Extraction.FAILED
        tick("summary", n, len(reports))
    cases = Case.objects.select_related("campaign").order_by("pk")
    if year:  # a case of no campaign belongs to the year of its date (as its document does)
        cases = cases.filter(Q(campaign__year=year) | Q(campaign__isnull=True, case_date__year=year))
    cases = list(cases)
    for n, case in enumerate(cases, 1):
        document_put_text(
            Kind.CASE,
            case.pk,
            year=case.campaign.year if case.campaign_id else case.case_date.year,
            unit_id=case.source_body_id,
            title=case.title,
            text=case_text(case),
        )
        counts["case"] += 1
        tick("case", n, len(cases))
    activities = Activity.objects.select_related("campaign").order_by("pk")
    if year:
        activities = activities.filter(campaign__year=year)
    activities = list(activities)
    for n, activity in enumerate(activities, 1):
        document_put_text(
            Kind.ACTIVITY,
            activity.pk,
            year=activity.campaign.year,
            unit_id=activity.unit_id,
            plan_activity_id=activity.plan_activity_id,
            title=activity.title,
            text=activity_text(activity),
        )
        counts["activity"] += 1
        tick("activity", n, len(activities))
    return counts
