"""The texts the ministry searches: one row per summary report, case and activity, with its extracted text."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SUMMARY = "summary", _("总结报告")
    CASE = "case", _("案例")
    ACTIVITY = "activity", _("活动")


class Extraction(models.TextChoices):
    PENDING = "pending", _("正在提取文本")
    DONE = "done", _("已提取")
    FAILED = "failed", _("文本无法提取")


class TextDocument(models.Model):
    """What one searchable thing says. `object_id` is the report (for a summary: the newest file of the report
    counts, as everywhere), the case or the activity. `text` is as found in the file (for snippets); what the
    full-text index holds is in its chunks."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    year = models.PositiveSmallIntegerField(db_index=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    plan_activity = models.ForeignKey(
        "campaigns.PlanActivity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=255)
    source_file = models.CharField(max_length=255, blank=True)  # storage name of the file the text comes from
    source_kind = models.CharField(max_length=10, blank=True)  # docx | pdf | wps
    text = models.TextField(blank=True)
    extraction = models.CharField(max_length=10, choices=Extraction.choices, default=Extraction.PENDING)
    problem = models.CharField(max_length=255, blank=True)  # why the text could not be extracted, in Chinese
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="textsearch_one_per_object")]
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class TextChunk(models.Model):
    """A slice of a document's text as index terms (textsearch.terms), a few thousand characters long, so that
    no slice reaches PostgreSQL's limits of a tsvector (16,383 positions, 1 MB). Consecutive slices overlap by
    OVERLAP characters, so a phrase up to that long is found whole where a slice ends. PostgreSQL indexes
    a stored `to_tsvector('simple', terms)` (column `tsv`, GIN, migration 0002); on SQLite the FTS5 table
    `textsearch_fts` (external content, kept by triggers, migration 0001) does."""

    document = models.ForeignKey(TextDocument, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    terms = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="textsearch_chunk_number")]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.number}"
