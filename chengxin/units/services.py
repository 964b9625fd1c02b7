"""Writes to units and accounts."""

import tomllib
from importlib import resources

from django.db import transaction

from chengxin.units.models import PROVINCIAL_KINDS, Role, Unit, UnitKind, User


def _reference_data() -> dict:
    with resources.files("chengxin.units").joinpath("data/units.toml").open("rb") as fh:
        return tomllib.load(fh)


@transaction.atomic
def units_load_reference() -> dict[str, Unit]:
    """Create or update the 19 national bodies and the 37 provincial reporting units. Idempotent."""
    data = _reference_data()
    units: dict[str, Unit] = {}
    for order, body in enumerate(data["body"], start=500):
        units[body["code"]], _ = Unit.objects.update_or_create(
            code=body["code"],
            defaults={
                "name": body["name"],
                "short_name": body.get("short_name", body["name"]),
                "full_name": body.get("full_name", body["name"]),
                "kind": UnitKind.NATIONAL_BODY,
                "region_code": "",
                "sort_order": order,
            },
        )
    for order, item in enumerate(data["provincial"], start=1):
        kind = UnitKind(item["kind"])
        if kind not in PROVINCIAL_KINDS:
            raise ValueError(f"units.toml: {item['code']} has kind {kind}, not a provincial kind")
        units[item["code"]], _ = Unit.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "short_name": item["short_name"],
                "full_name": item["name"] + "商务主管部门",
                "kind": kind,
                "region_code": "" if kind == UnitKind.CORPS else item["code"],
                "sort_order": order,
            },
        )
    return units


@transaction.atomic
def user_create(
    *, username: str, password: str, unit: Unit, role: str, display_name: str = "", email: str = ""
) -> User:
    """Create an account belonging to `unit`. National roles must belong to the national administrator's body."""
    role = Role(role)
    if role != Role.UNIT_REPORTER and unit.code != "MOFCOM":
        raise ValueError("national roles belong to 商务部")
    user = User(username=username, unit=unit, role=role, display_name=display_name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
