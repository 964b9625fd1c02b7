"""Reads of units, and recognising a unit named by a person."""

import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chengxin.core.generations import cached
from chengxin.units.models import Unit, User

# A department's own suffix after the region's name: 广东省商务厅, 大连市商务局, 上海市商务委员会 …
DEPARTMENT_SUFFIXES = ("商务主管部门", "商务委员会", "商务厅", "商务局", "商务委")
_REGION_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_BODY_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{2,10}(?![A-Za-z])")
_NOISE = re.compile(r"[\s:：()（）【】\[\]\"“”'‘’]+")


def totp_device_for(user):
    """The account's confirmed authenticator (TOTPDevice), or None when it has not enrolled one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def accounts_for_security(*, query: str = "") -> QuerySet[User]:
    """Every account with what the security administrator watches: `is_locked` (signing in is locked from at
    least one computer: AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME), `has_failures` (failed sign-ins
    still counted) and `has_two_factor` (a confirmed authenticator). `query` matches the user name, the name
    or the unit."""
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    attempts = AccessAttempt.objects.filter(
        username=OuterRef("username"), attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    accounts = (
        User.objects.select_related("unit")
        .annotate(
            is_locked=Exists(attempts.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)),
            has_failures=Exists(attempts),
            has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .order_by("-is_locked", "username")
    )
    query = query.strip()
    if query:
        accounts = accounts.filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(unit__code=query)
        )
    return accounts


def approvals_for_security(*, decided: int = 30):
    """(pending changes, oldest first; the latest `decided` ones), with their accounts, units and people."""
    from chengxin.units.models import Approval, ApprovalState

    rows = Approval.objects.select_related("user", "user__unit", "unit", "requested_by", "decided_by")
    pending = list(rows.filter(state=ApprovalState.PENDING).order_by("requested_at", "pk"))
    done = list(rows.exclude(state=ApprovalState.PENDING).order_by("-decided_at", "-pk")[:decided])
    return pending, done


def pending_approvals_count() -> int:
    from chengxin.units.models import Approval, ApprovalState

    return Approval.objects.filter(state=ApprovalState.PENDING).count()


def unit_get_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def units_national_bodies() -> QuerySet[Unit]:
    return Unit.objects.filter(kind="national_body")


class UnitNames:
    """Units by code and by every name a person may use for them (name, short name, full name), built once
    for many look-ups: a workbook of 100 sheets is 100 look-ups among thousands of units."""

    def __init__(self, units: Iterable[Unit]):
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, dict[int, Unit]] = {}
        for unit in units:
            self.by_code[unit.code] = unit
            for name in {unit.name, unit.short_name, unit.full_name} - {""}:
                self.by_name.setdefault(name, {})[unit.pk] = unit


def unit_resolve(text: str, units: list[Unit] | UnitNames | None = None) -> Unit | None:
    """The unit a person named, or None. Never a guess (CONTRACT.md, Unit codes).

    Recognised: the unit's code anywhere in the text (`440000`, `GACC`), or the whole text being its name or
    short name (`广东省`, `广东`, `海关总署`), optionally followed by a department suffix (`广东省商务厅`).
    `units` is where to look (a list, or a UnitNames built once for many look-ups); all units when None.
    """
    if not text:
        return None
    if not isinstance(units, UnitNames):
        units = UnitNames(Unit.objects.all() if units is None else units)
    cleaned = unicodedata.normalize("NFKC", str(text))
    codes = {c for c in _REGION_CODE.findall(cleaned) + _BODY_CODE.findall(cleaned) if c in units.by_code}
    if len(codes) == 1:
        return units.by_code[codes.pop()]
    if len(codes) > 1:
        return None
    name = _NOISE.sub("", cleaned)
    candidates = {name}
    for suffix in DEPARTMENT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            candidates.add(name[: -len(suffix)])
    matches: dict[int, Unit] = {}
    for candidate in candidates:
        matches.update(units.by_name.get(candidate, {}))
    return next(iter(matches.values())) if len(matches) == 1 else None


def unit_has_sub_units(unit_id: int | None) -> bool:
    """True if a unit has units under it (the header's 下级单位 entry, a drill-down). Read through the cache: it
    is asked on every page and the hierarchy changes rarely (generation "units", bumped by every Unit save)."""
    if unit_id is None:
        return False
    return cached(f"has-sub-units:{unit_id}", ("units",), Unit.objects.filter(parent_id=unit_id).exists)


def unit_by_code_cached(code: str) -> Unit | None:
    """A unit with its parent and grandparent (a drill-down's breadcrumb and scope check), read through the cache
    under generation "units". A read-only copy: never save it."""
    return cached(f"unit:{code}", ("units",), Unit.objects.select_related("parent__parent").filter(code=code).first)
