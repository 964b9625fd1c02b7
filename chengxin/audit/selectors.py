"""Reading the audit log: the auditor's search, and a quick look at the newest part of the chain."""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.audit.chain import row_hash
from chengxin.audit.models import GENESIS_HASH, AuditAnchor, AuditChainHead, AuditEvent, Verb

TAIL = 200


@dataclass
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""
    unit: str = ""
    action: str = ""
    object_type: str = ""
    text: str = ""
    outcome: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events matching every given filter, newest first. Dates are whole local days, both included."""
    qs = AuditEvent.objects.order_by("-seq")
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.actor:
        qs = qs.filter(actor_name__icontains=filters.actor)
    if filters.unit:
        qs = qs.filter(Q(unit_code__iexact=filters.unit) | Q(unit_name__icontains=filters.unit))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.text:
        qs = qs.filter(object_repr__icontains=filters.text)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    return qs


def action_choices() -> list[tuple[str, str]]:
    """The named verbs, then any other action found in the log (domain verbs recorded by services)."""
    named = list(Verb.choices)
    known = set(Verb.values)
    found = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return named + sorted((a, a) for a in found if a not in known)


def object_type_choices() -> list[tuple[str, str]]:
    """Every object type found in the log, labelled with its model's name where the model still exists."""
    result = []
    for label in AuditEvent.objects.order_by().exclude(object_type="").values_list("object_type", flat=True).distinct():
        try:
            name = str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            name = label
        result.append((label, f"{name}（{label}）"))
    return sorted(result)


@dataclass
class TailStatus:
    ok: bool
    checked: int
    message: str


def chain_tail_status(n: int = TAIL) -> TailStatus:
    """A quick check for the list page: the newest `n` rows hash and link correctly, and the head names the
    newest. The whole chain is checked by `chengxin audit-check` (or the full check page)."""
    from chengxin.audit.chain import HASHED_FIELDS

    rows = list(AuditEvent.objects.order_by("-seq").values("hash", *HASHED_FIELDS)[: n + 1])
    rows.reverse()
    head = AuditChainHead.objects.filter(pk=1).first()
    if not rows:
        return TailStatus(True, 0, _("审计日志中还没有记录"))
    newest = rows[-1]
    if head is None or (head.seq, head.hash) != (newest["seq"], newest["hash"]):
        return TailStatus(False, 0, _("链头与最新一条记录不符：最新的记录可能被删除或改动，请运行完整校验"))
    first = rows[0]
    if len(rows) <= n:  # the whole log: the first row links to the genesis or to the last purge anchor
        anchor = AuditAnchor.objects.order_by("-seq").first()
        if first["prev_hash"] != (anchor.hash if anchor else GENESIS_HASH):
            return TailStatus(False, 0, _("第 %(seq)d 条记录的链接不符，请运行完整校验") % {"seq": first["seq"]})
    for previous, row in itertools.pairwise(rows):
        if row["seq"] != previous["seq"] + 1 or row["prev_hash"] != previous["hash"]:
            return TailStatus(False, 0, _("第 %(seq)d 条记录的链接不符，请运行完整校验") % {"seq": row["seq"]})
    for row in rows:
        if row_hash(row) != row["hash"]:
            return TailStatus(False, 0, _("第 %(seq)d 条记录的内容与其哈希不符，请运行完整校验") % {"seq": row["seq"]})
    checked = len(rows)
    return TailStatus(True, checked, _("最近 %(count)d 条记录校验通过") % {"count": checked})
