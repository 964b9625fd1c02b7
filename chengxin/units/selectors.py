"""Reads of units."""

from django.db.models import QuerySet

from chengxin.units.models import Unit


def unit_get_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


def units_national_bodies() -> QuerySet[Unit]:
    return Unit.objects.filter(kind="national_body")
