"""Reads of units, and recognising a unit named by a person."""

import re
import unicodedata

from django.db.models import QuerySet

from chengxin.units.models import Unit

# A department's own suffix after the region's name: 广东省商务厅, 大连市商务局, 上海市商务委员会 …
DEPARTMENT_SUFFIXES = ("商务主管部门", "商务委员会", "商务厅", "商务局", "商务委")
_REGION_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_BODY_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{2,10}(?![A-Za-z])")
_NOISE = re.compile(r"[\s:：()（）【】\[\]\"“”'‘’]+")


def unit_get_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def units_national_bodies() -> QuerySet[Unit]:
    return Unit.objects.filter(kind="national_body")


def unit_resolve(text: str, units: list[Unit] | None = None) -> Unit | None:
    """The unit a person named, or None. Never a guess (CONTRACT.md, Unit codes).

    Recognised: the unit's code anywhere in the text (`440000`, `GACC`), or the whole text being its name or
    short name (`广东省`, `广东`, `海关总署`), optionally followed by a department suffix (`广东省商务厅`).
    """
    if not text:
        return None
    units = list(Unit.objects.all()) if units is None else units
    by_code = {u.code: u for u in units}
    cleaned = unicodedata.normalize("NFKC", str(text))
    codes = {c for c in _REGION_CODE.findall(cleaned) + _BODY_CODE.findall(cleaned) if c in by_code}
    if len(codes) == 1:
        return by_code[codes.pop()]
    if len(codes) > 1:
        return None
    name = _NOISE.sub("", cleaned)
    candidates = {name}
    for suffix in DEPARTMENT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            candidates.add(name[: -len(suffix)])
    matches = {u.pk: u for u in units if candidates & {u.name, u.short_name, u.full_name}}
    return next(iter(matches.values())) if len(matches) == 1 else None
