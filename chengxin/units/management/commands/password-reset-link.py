"""`chengxin password-reset-link USERNAME`: the owner's one-time link to set a new password, printed on the server
for an account without an email address (the security administrator's page mails it when there is one). The old
password stops working at once."""

from django.core.management.base import BaseCommand, CommandError

from chengxin.audit.context import audit_context
from chengxin.units.models import User
from chengxin.units.services import password_reset_begin


class Command(BaseCommand):
    help = "Print a one-time link for USERNAME to set a new password (its old password stops working at once)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的账号")
        with audit_context(label="system:password-reset-link"):
            link = password_reset_begin(user=user)
        self.stdout.write(f"“{username}”的原密码已失效。请把下面的链接当面交给本人（只能使用一次，3 天内有效）：")
        self.stdout.write(link)
