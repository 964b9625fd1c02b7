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
    # Separation of duties (三权分立): accounts, security (unlock, two-factor and password resets), audit log.
    ("mofcom-sysadmin", "MOFCOM", Role.SYSTEM_ADMIN, "商务部（系统管理员）"),
    ("mofcom-secadmin", "MOFCOM", Role.SECURITY_ADMIN, "商务部（安全管理员）"),
    ("mofcom-auditor", "MOFCOM", Role.AUDITOR, "商务部（审计员）"),
)
# Printed under the demo accounts (`chengxin serve`, `chengxin demo-data`).
DEMO_TWO_FACTOR_HINT = (
    "双因素认证：首次登录后须用手机身份验证器（如 Microsoft Authenticator、Google Authenticator、FreeOTP）"
    "扫码绑定，之后每次登录输入 6 位动态验证码；本地演示可设 CHENGXIN_2FA_REQUIRED=0 关闭（仅开发环境）。"
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
            # Not an initial password (the demo accounts are tried at once): this save counts as the change.
            # No superuser: the system administrator opens the Django admin (is_staff follows from its role).
            user.set_password(DEMO_PASSWORD)
            user.save()
        rows.append((username, DEMO_PASSWORD, Role(role).label, unit.name))
    return rows
