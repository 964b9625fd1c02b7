"""The hash chain: what a row's hash covers, and the check that walks the whole log.

hash = sha256(canonical JSON of the row's content fields and prev_hash). Canonical JSON: keys sorted, no
spaces, UTF-8, the time as UTC ISO 8601 with microseconds. Every field hashed is a string or an integer as the
database returns it, so the same row hashes the same on SQLite and PostgreSQL and after a backup round trip.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chengxin.audit.models import GENESIS_HASH, AuditAnchor, AuditChainHead, AuditEvent

# The columns a row's hash covers (everything but `hash` itself).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "unit_code",
    "unit_name",
    "ip",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "outcome",
    "method",
    "path",
    "prev_hash",
)


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(row: dict) -> str:
    """The sha256 (hex) of one row given as {field: value} with at least HASHED_FIELDS."""
    content = {name: row[name] for name in HASHED_FIELDS}
    content["at"] = _time(content["at"])
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@dataclass
class ChainReport:
    ok: bool
    checked: int
    message: str
    broken_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH


def chain_verify(*, chunk: int = 2000) -> ChainReport:
    """Recompute every row's hash in order and check each link, the first row's link to the genesis or to the
    latest purge anchor, and that the head names the last row. Reads the log in chunks (constant memory)."""
    anchor = AuditAnchor.objects.order_by("-seq").first()
    last_seq, last_hash = (anchor.seq, anchor.hash) if anchor else (0, GENESIS_HASH)
    checked = 0

    def broken(seq: int, message: str) -> ChainReport:
        return ChainReport(False, checked, message, seq, last_seq, last_hash)

    if anchor is not None:
        earlier = AuditEvent.objects.filter(seq__lte=anchor.seq).order_by("seq").values_list("seq", flat=True).first()
        if earlier is not None:
            return broken(
                earlier,
                _("第 %(seq)d 条记录位于清理锚点（第 %(anchor)d 条）之前") % {"seq": earlier, "anchor": anchor.seq},
            )
        if not _purge_recorded(anchor):
            return broken(anchor.seq, _("清理锚点（第 %(seq)d 条）没有对应的清理记录") % {"seq": anchor.seq})
    fields = ["hash", *HASHED_FIELDS]
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq").values(*fields)[:chunk])
        if not rows:
            break
        for row in rows:
            seq = row["seq"]
            if seq != last_seq + 1:
                return broken(
                    last_seq + 1,
                    _("第 %(seq)d 条记录缺失（下一条是第 %(next)d 条）：记录被删除")
                    % {"seq": last_seq + 1, "next": seq},
                )
            if row["prev_hash"] != last_hash:
                return broken(
                    seq, _("第 %(seq)d 条记录与上一条的链接不符：记录被删除、插入或调换了顺序") % {"seq": seq}
                )
            if row_hash(row) != row["hash"]:
                return broken(seq, _("第 %(seq)d 条记录的内容与其哈希不符：记录被改动") % {"seq": seq})
            checked += 1
            last_seq, last_hash = seq, row["hash"]
    head = AuditChainHead.objects.filter(pk=1).first()
    head_state = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_state != (last_seq, last_hash) and not (head is None and checked == 0):
        return broken(
            head_state[0],
            _("链头（第 %(head)d 条）与最后一条记录（第 %(last)d 条）不符：最新的记录被删除或改动")
            % {"head": head_state[0], "last": last_seq},
        )
    return ChainReport(
        True, checked, _("审计链完整：共 %(count)d 条记录") % {"count": checked}, None, last_seq, last_hash
    )


def _purge_recorded(anchor: AuditAnchor) -> bool:
    """A purge writes an `audit_purge` event naming the anchor in the same transaction; an anchor without it was
    not made by `chengxin audit-purge`."""
    events = AuditEvent.objects.filter(action="audit_purge", object_id=str(anchor.seq)).values_list(
        "changes", flat=True
    )
    return any(f'"{anchor.hash}"' in changes for changes in events)
