from django.core.management.base import BaseCommand, CommandError

from chengxin.core.errors import DomainError
from chengxin.units.models import Role
from chengxin.units.services import user_create_administrator

ROLES = {"system": Role.SYSTEM_ADMIN, "security": Role.SECURITY_ADMIN, "auditor": Role.AUDITOR}


class Command(BaseCommand):
    help = (
        "Create a system administrator, security administrator or auditor (三权分立) with a one-time initial "
        "password. The way to create the first administrators of a deployment, and the break-glass when none is "
        "left: production has no superuser. The owner changes the password and enrols two-factor at first sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES), help="system / security / auditor")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username: str, role: str, name: str, **options):
        try:
            user, password = user_create_administrator(username=username, role=ROLES[role], display_name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已创建{user.get_role_display()}账号 {user.username}，初始密码（只显示这一次）：{password}")
        self.stdout.write("首次登录须修改密码并绑定身份验证器（双因素认证）。")
