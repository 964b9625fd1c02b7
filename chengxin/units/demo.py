"""Demo accounts for trying the system locally. Never created in production settings."""

from django.conf import settings
from django.db import transaction

from chengxin.units.models import Role, Unit, User

DEMO_PASSWORD = "Demo-2020-Kettle"
DEMO_ACCOUNTS = (
    ("mofcom-admin", "MOFCOM", Role.NATIONAL_ADMIN, "商务部市场建设司（管理员）"),
    ("mofcom-reviewer", "MOFCOM", Role.NATIONAL_REVIEWER, "商务部市场建设司（审核员）"),
    ("beijing", "110000", Role.UNIT_REPORTER, "北京市商务局填报员"),
    ("shanghai", "310000", Role.UNIT_REPORTER, "上海市商务委员会填报员"),
    ("guangdong", "440000", Role.UNIT_REPORTER, "广东省商务厅填报员"),
    ("dalian", "210200", Role.UNIT_REPORTER, "大连市商务局填报员"),
    ("customs", "GACC", Role.UNIT_REPORTER, "海关总署填报员"),
    ("tax", "STA", Role.UNIT_REPORTER, "税务总局填报员"),
)


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that are missing; returns (username, password, role, unit) for each."""
    if not settings.CHENGXIN_DEMO_ACCOUNTS:
        raise RuntimeError("demo accounts are disabled in these settings")
    rows = []
    for username, unit_code, role, display_name in DEMO_ACCOUNTS:
        unit = Unit.objects.get(code=unit_code)
        user, created = User.objects.get_or_create(
            username=username, defaults={"unit": unit, "role": role, "display_name": display_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role == Role.NATIONAL_ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
        rows.append((username, DEMO_PASSWORD, Role(role).label, unit.name))
    return rows
