"""Writing the audit log: append one event to the hash chain, purge rows past the retention.

Why our own and not django-auditlog: auditlog (jazzband) records model diffs with an actor and, since 3.x, lets a
project swap in its own log-entry model (AUDITLOG_LOGENTRY_MODEL), so it would cover the generic diff capture.
It has no hash chain, no sign-in events, no database-level append-only guarantee and no retention purge with a
chain anchor, and it is not installed (and may not be here). Those are the bulk of this app; the diff capture
it would save is about a hundred lines (chengxin.audit.signals), so the app stands on its own.

Same transaction: every row is written inside the caller's transaction (the signal handlers run inside the
service's `transaction.atomic`), so a write whose audit row cannot be written is rolled back with it. A write made
outside any transaction (autocommit) is already committed when its row is written: the row then gets a
transaction of its own and a warning is logged (chengxin.audit.signals).

The lock: appending locks the one-row AuditChainHead (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises
writers already, IMMEDIATE transactions). Everything that does not depend on the previous row (the diff, the
canonical JSON, the actor) is worked out before the lock, which is taken last and held until the transaction
commits, so audited write transactions are serialised from their first audited write on; a service that writes
several audited rows wraps its body in `audit_deferred()`, which appends them all at its end. A deadlock needs a
transaction that, after an audited write, waits for a row lock held by another transaction that is about to
write its own first audit row; services avoid it by locking every object they will change before they change
the first one (as the reporting services do with `_lock`). PostgreSQL detects such a cycle and aborts one side.
"""

import datetime as dt
import decimal
import logging
import math
import uuid
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from chengxin.audit import chain
from chengxin.audit.context import AuditContext, clean_text, current
from chengxin.audit.models import GENESIS_HASH, AuditAnchor, AuditChainHead, AuditEvent, Outcome, Verb

logger = logging.getLogger("chengxin.audit")

MASK = "***"
TEXT_MAX = 1000
RETENTION_MINIMUM_DAYS = 180  # Cybersecurity Law art. 21: network logs are kept for at least six months.


def retention_days() -> int:
    """CHENGXIN_AUDIT_RETENTION_DAYS, never less than the legal minimum of 180."""
    return max(int(getattr(settings, "CHENGXIN_AUDIT_RETENTION_DAYS", RETENTION_MINIMUM_DAYS)), RETENTION_MINIMUM_DAYS)


def plain(value):
    """`value` as JSON-ready data: texts trimmed to TEXT_MAX characters, times as ISO 8601, files by name."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        value = clean_text(value)
        return value if len(value) <= TEXT_MAX else value[:TEXT_MAX] + "…"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | dt.timedelta):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return plain(str(value))


def _lock_head(connection) -> tuple[int, str]:
    """(seq, hash) of the chain head, its row locked for the rest of the transaction; made if missing (after a
    flush). Plain SQL: it runs for every audited write."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM audit_auditchainhead WHERE id = 1{lock}")  # noqa: S608
        found = cursor.fetchone()
    if found is not None:
        return found[0], found[1]
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    if last is not None:
        logger.error("audit chain head missing; rebuilt from the last row #%s", last["seq"])
    defaults = {"seq": last["seq"], "hash": last["hash"]} if last else {"seq": 0, "hash": GENESIS_HASH}
    AuditChainHead.objects.get_or_create(pk=1, defaults=defaults)
    return _lock_head(connection)


_COLUMNS = ", ".join(["hash", *chain.HASHED_FIELDS])
_ROW = "(" + ", ".join(["%s"] * (len(chain.HASHED_FIELDS) + 1)) + ")"


def _insert(rows: int) -> str:
    """One INSERT of `rows` rows. Column names come from the code, never from input."""
    return f"INSERT INTO audit_auditevent ({_COLUMNS}) VALUES {', '.join([_ROW] * rows)}"  # noqa: S608


def audit_record(
    *,
    action: str,
    object_type: str = "",
    object_id: object = "",
    object_repr: str = "",
    changes: dict | None = None,
    outcome: str = Outcome.SUCCESS,
    actor=None,
    actor_name: str | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or in one of its own outside any).

    The actor and the request come from the audit context (the current request, task or command) unless
    given. `changes` is {field: [old, new]} for a write (masked and trimmed by the caller) or any small
    dict of details. Raises if the row cannot be written: inside a transaction the caller's write is then
    rolled back with it."""
    context = current()
    if request is not None:
        context = AuditContext(user=actor, request=request)
    user = actor if actor is not None else context.user
    if user is not None and getattr(user, "is_authenticated", True):
        name = user.get_username()
        unit = getattr(user, "unit", None)
        unit_code, unit_name = (unit.code, unit.name) if unit is not None else ("", "")
        actor_id = user.pk
    else:
        name, unit_code, unit_name, actor_id = context.actor_name, "", "", None
    row = {
        "actor_id": actor_id,
        "actor_name": (actor_name if actor_name is not None else name)[:150],
        "unit_code": unit_code[:20],
        "unit_name": unit_name[:100],
        "ip": context.ip,
        "user_agent": context.user_agent,
        "action": action[:40],
        "object_type": object_type[:100],
        "object_id": str(object_id if object_id is not None else "")[:64],
        "object_repr": plain(object_repr or "")[:200],
        "changes": chain.canonical_json(plain(changes or {})),
        "outcome": outcome,
        "method": context.method,
        "path": context.path,
    }
    pending = _deferred.get()
    if pending is not None:
        pending.append(row)
        return AuditEvent(**row)
    return _append([row])[0]


def _append(rows: list[dict]) -> list[AuditEvent]:
    """Append prepared rows to the chain in their order, in the caller's transaction: the head locked once, the
    rows inserted in one statement, the head moved once (three round trips however many rows)."""
    connection = transaction.get_connection()
    events = []
    # No savepoint of its own inside the caller's transaction: a failure here fails the caller's write.
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _lock_head(connection)  # as late as possible: everything before needs no lock
        values = []
        for row in rows:
            row.update(seq=seq + 1, at=timezone.now(), prev_hash=prev_hash)
            row["hash"] = chain.row_hash(row)
            stored = [row["hash"], *(row[name] for name in chain.HASHED_FIELDS)]
            stored[chain.HASHED_FIELDS.index("at") + 1] = connection.ops.adapt_datetimefield_value(row["at"])
            values.extend(stored)
            seq, prev_hash = row["seq"], row["hash"]
            event = AuditEvent(**row)
            event._state.adding = False
            events.append(event)
        with connection.cursor() as cursor:
            cursor.execute(_insert(len(rows)), values)
            cursor.execute("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [seq, prev_hash])
    return events


# --- Deferred rows -------------------------------------------------------------------------------------------

_deferred: ContextVar[list | None] = ContextVar("chengxin_audit_deferred", default=None)


@contextmanager
def audit_deferred():
    """Inside the block, each audited write's row is prepared when the write happens (its changes, its actor)
    and appended to the chain when the block ends, all at once and in the same order. Appending locks the chain
    head until the transaction commits, so a service that writes several rows wraps its body in this block to
    hold that lock for the end of its transaction only. Use it inside the service's transaction: if the block
    raises, its rows are dropped with the writes that the transaction rolls back. A nested block hands its rows
    to the enclosing one on success (and drops them if it raises, even if the enclosing block goes on).

    Inside the block, `audit_record()` returns the event unsaved (no seq, no hash yet)."""
    outer = _deferred.get()
    rows: list[dict] = []
    token = _deferred.set(rows)
    try:
        yield
    finally:
        _deferred.reset(token)
    if outer is not None:
        outer.extend(rows)
    elif rows:
        _append(rows)


# --- Summarised writes ---------------------------------------------------------------------------------------

_summary: ContextVar[Counter | None] = ContextVar("chengxin_audit_summary", default=None)


def summarising() -> Counter | None:
    """The tally of the enclosing `audit_summarised()` block, or None."""
    return _summary.get()


@contextmanager
def audit_summarised(*, action: str, object_repr: str = "", details: dict | None = None):
    """Inside the block, audited writes are counted per model and verb instead of written one row each; at the
    end one event records the counts. For bulk jobs (demo data, loading a campaign) that write thousands of rows.
    Use inside the job's transaction: the summary row is part of it."""
    tally: Counter = Counter()
    token = _summary.set(tally)
    try:
        yield tally
    finally:
        _summary.reset(token)
    counts: dict[str, dict[str, int]] = {}
    for (label, verb), n in sorted(tally.items()):
        counts.setdefault(label, {})[verb] = n
    audit_record(action=action, object_repr=object_repr, changes={**(details or {}), "counts": counts})


# --- Retention -----------------------------------------------------------------------------------------------


def audit_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> tuple[int, AuditAnchor | None]:
    """Delete the oldest events, those older than the retention (retention_days()), as one contiguous run from
    the start of the chain; record an anchor (the last deleted row's position and hash) and an `audit_purge`
    event naming it, so that `chengxin audit-check` still verifies what is left. Returns (rows deleted, anchor)."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    with transaction.atomic():
        _lock_head(transaction.get_connection())  # no append meanwhile
        first_young = AuditEvent.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        old = AuditEvent.objects.all() if first_young is None else AuditEvent.objects.filter(seq__lt=first_young)
        last = old.order_by("-seq").values("seq", "hash").first()
        if last is None:
            return 0, None
        count = old.count()
        if dry_run:
            return count, None
        old.delete()  # one DELETE statement (no signals, no relations); the triggers let only rows past 180 days go
        anchor = AuditAnchor(created_at=timezone.now(), seq=last["seq"], hash=last["hash"], purged=count)
        anchor.save()
        audit_record(
            action=Verb.AUDIT_PURGE,
            object_type="audit.auditanchor",
            object_id=last["seq"],
            object_repr=f"#{last['seq']}",
            changes={
                "purged": count,
                "up_to_seq": last["seq"],
                "anchor_hash": last["hash"],
                "cutoff": cutoff.isoformat(),
                "retention_days": retention_days(),
            },
        )
    return count, anchor
