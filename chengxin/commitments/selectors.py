"""Reads of commitments: the public search (published and withdrawn only) and the moderation queue."""

import unicodedata

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from chengxin.campaigns.models import Campaign
from chengxin.commitments.models import PUBLIC_STATUSES, Commitment, Status
from chengxin.commitments.uscc import LENGTH, normalise

# The public list never counts past this many matches: a count over a short name at 10 million rows would cost
# more than the page itself (the page then asks for a longer name).
SEARCH_CAP = 1000
PUBLIC_FIELDS = ["id", "name", "uscc", "region_code", "industry", "signed_at", "status", "withdrawn_at"]
# Greater than any character a name can hold: `name_key < prefix + TOP` ends the prefix's range.
TOP = chr(0x10FFFF)


def name_key(name: str) -> str:
    """A name as it is searched: full-width letters and digits made half-width, spaces removed."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name or "") if not ch.isspace())


def _public(campaign: Campaign) -> QuerySet[Commitment]:
    return Commitment.objects.filter(campaign=campaign, status__in=PUBLIC_STATUSES).only(*PUBLIC_FIELDS)


def commitment_by_code(*, campaign: Campaign, uscc: str) -> QuerySet[Commitment]:
    """The public commitment of one code (at most one: the constraint allows one active per code)."""
    return _public(campaign).filter(uscc=normalise(uscc)).order_by("id")


def commitments_by_name_prefix(*, campaign: Campaign, prefix: str) -> QuerySet[Commitment]:
    """Public commitments whose name starts with `prefix`, by name: one range scan of the name index."""
    key = name_key(prefix)
    return _public(campaign).filter(name_key__gte=key, name_key__lt=key + TOP).order_by("name_key", "id")


# A "contains" search of fewer characters than a trigram cannot use the trigram index (migration 0003): it reads
# at most this many of the campaign's commitments, in name order, instead of all of them.
SHORT_PART_SCAN = 20_000


def commitments_by_name_part(*, campaign: Campaign, part: str) -> QuerySet[Commitment]:
    """Public commitments whose name contains `part` anywhere, through the trigram index (pg_trgm on PostgreSQL, an
    FTS5 trigram table on SQLite) when `part` has three characters or more; shorter, among the first SHORT_PART_SCAN
    names in name order (a bounded read: a two-character name such as 华为 is better searched "开头为")."""
    key = name_key(part)
    rows = _public(campaign)
    if len(key) < 3:
        first = Commitment.objects.filter(campaign=campaign).order_by("name_key", "id").values("id")[:SHORT_PART_SCAN]
        return rows.filter(id__in=first, name_key__contains=key).order_by("name_key", "id")
    if connection.vendor == "sqlite":
        phrase = '"' + key.replace('"', '""') + '"'
        matching = RawSQL("SELECT rowid FROM commitments_name_fts WHERE commitments_name_fts MATCH %s", [phrase])
        return rows.filter(id__in=matching).order_by("name_key", "id")
    return rows.filter(name_key__contains=key).order_by("name_key", "id")  # LIKE '%…%', served by pg_trgm


def is_code_query(q: str) -> bool:
    """Whether a search text is a credit code (18 letters and digits once normalised) rather than a name."""
    code = normalise(q)
    return len(code) == LENGTH and code.isascii() and code.isalnum()


def commitment_search(*, campaign: Campaign, q: str, match: str = "contains") -> QuerySet[Commitment]:
    """The public search: a full 18-character code finds that code; anything else is a name, matched from its
    start (`match="prefix"`) or anywhere in it; no query lists the newest signatures. At most SEARCH_CAP rows."""
    q = (q or "").strip()
    if is_code_query(q):
        return commitment_by_code(campaign=campaign, uscc=q)
    if not q:
        return _public(campaign).order_by("-signed_at", "-id")[:SEARCH_CAP]
    if match == "prefix":
        return commitments_by_name_prefix(campaign=campaign, prefix=q)[:SEARCH_CAP]
    return commitments_by_name_part(campaign=campaign, part=q)[:SEARCH_CAP]


def commitments_for_moderation(*, campaign: Campaign, status: str = Status.PENDING) -> QuerySet[Commitment]:
    """The commitments of one status, oldest first; each with `same_code`: how many other signatures of its code
    wait too (someone may have signed with another firm's code first)."""
    others = (
        Commitment.objects.filter(campaign=campaign, uscc=OuterRef("uscc"), status=Status.PENDING)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("uscc")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Commitment.objects.filter(campaign=campaign, status=status)
        .select_related("moderated_by")
        .annotate(same_code=Coalesce(Subquery(others), 0))
        .order_by("signed_at", "id")
    )
