"""Searching the texts: which documents hold every word of a query, with filters, and snippets around the finds."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chengxin.textsearch.models import Extraction, TextDocument
from chengxin.textsearch.terms import Query, normalise

SNIPPET_CONTEXT = 40  # characters either side of a find
MAX_SNIPPETS = 3


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    kind: str = ""
    unit: str = ""  # a unit's code, or part of its name
    plan_activity_id: int | None = None


def _documents_matching(phrase: list[str]) -> RawSQL:
    """The ids of the documents a chunk of which holds the phrase (its terms at consecutive positions)."""
    if connection.vendor == "postgresql":
        # `tsv`: the stored tsvector of the terms, GIN-indexed (migration 0002).
        sql = "SELECT document_id FROM textsearch_textchunk WHERE tsv @@ to_tsquery('simple'::regconfig, %s)"
        text = " <-> ".join(phrase)
    else:
        sql = (
            "SELECT document_id FROM textsearch_textchunk WHERE id IN "
            "(SELECT rowid FROM textsearch_fts WHERE textsearch_fts MATCH %s)"
        )
        text = '"' + " ".join(phrase) + '"'
    # The terms are bound as a parameter; the SQL is one of the two constants above.
    return RawSQL(sql, [text])  # noqa: S611


def documents_filtered(filters: Filters) -> QuerySet:
    documents = TextDocument.objects.all()
    if filters.year:
        documents = documents.filter(year=filters.year)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.unit:
        documents = documents.filter(Q(unit__code=filters.unit) | Q(unit__name__contains=filters.unit))
    if filters.plan_activity_id:
        documents = documents.filter(plan_activity_id=filters.plan_activity_id)
    return documents


def search(query: Query, filters: Filters) -> QuerySet:
    """Documents (read) holding every phrase and lone character of `query` that pass the filters, newest year
    first, then summaries, cases and activities, then by unit code."""
    documents = documents_filtered(filters).filter(extraction=Extraction.DONE)
    for phrase in query.phrases:
        documents = documents.filter(pk__in=_documents_matching(phrase))
    for character in query.single_characters:
        documents = documents.filter(text__contains=character)
    return documents.select_related("unit", "plan_activity").order_by("-year", "kind", "unit__code", "object_id")


def not_extracted(filters: Filters) -> QuerySet:
    """Documents whose file could not be read (文本无法提取) or is still being read, under the same filters."""
    return (
        documents_filtered(filters)
        .exclude(extraction=Extraction.DONE)
        .select_related("unit")
        .order_by("-year", "unit__code")
    )


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as the index sees it (terms.normalise, character by character) and, for each of its characters,
    the position of the character of `text` it comes from: finds are made in the one and shown in the other."""
    parts: list[str] = []
    origin: list[int] = []
    for i, character in enumerate(text):
        normal = normalise(character)
        parts.append(normal)
        origin.extend([i] * len(normal))
    return "".join(parts), origin


def snippets(text: str, query: Query) -> list[SafeString]:
    """Up to MAX_SNIPPETS short passages of `text` around the first find of each word, every find marked
    (<mark>), the text shown as written (full-width digits stay full-width) and escaped."""
    words = sorted({w for w in query.highlights if w}, key=len, reverse=True)
    if not words or not text:
        return []
    normal, origin = _normalised(text)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    finds = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(normal)]
    passages: list[tuple[int, int]] = []
    for word in words:
        found = re.search(re.escape(word), normal)
        if found is None:
            continue
        first, last = origin[found.start()], origin[found.end() - 1] + 1
        start, end = max(0, first - SNIPPET_CONTEXT), min(len(text), last + SNIPPET_CONTEXT)
        if any(start < e and s < end for s, e in passages):
            continue  # shown already in another passage
        passages.append((start, end))
        if len(passages) == MAX_SNIPPETS:
            break
    result = []
    for start, end in sorted(passages):
        html, at = [], start
        for s, e in finds:
            if s >= at and e <= end:
                html += [escape(text[at:s]), "<mark>", escape(text[s:e]), "</mark>"]
                at = e
        html.append(escape(text[at:end]))
        passage = " ".join("".join(html).split())
        result.append(mark_safe(("…" if start else "") + passage + ("…" if end < len(text) else "")))  # noqa: S308
    return result
