from django.core.management.base import BaseCommand, CommandError

from chengxin.api.selectors import tokens_matching
from chengxin.api.services import token_create, token_revoke
from chengxin.core.errors import DomainError
from chengxin.units.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for an account (printed once on stdout, nothing else there), or revoke one by "
        "its prefix. Scripts send it as `Authorization: Bearer <token>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="账号（用户名）：为其创建令牌")
        parser.add_argument("--name", default="", help="令牌名称，如“每日汇总脚本”")
        parser.add_argument("--revoke", metavar="PREFIX", help="撤销前缀为 PREFIX（列表中显示的前 8 位）的令牌")

    def handle(self, *args, username: str | None, name: str, revoke: str | None, **options):
        if revoke is not None:
            if username:
                raise CommandError("--revoke 与用户名不能同时给出")
            self._revoke(revoke)
            return
        if not username:
            raise CommandError("请给出用户名：chengxin api-token 用户名 [--name 名称]，或 --revoke 前缀")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号")
        try:
            token, raw = token_create(user=user, name=name, acting_user=None)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
        self.stderr.write(f"已为 {user.username} 创建令牌 {token.prefix}…（只显示这一次，请妥善保存）")

    def _revoke(self, text: str) -> None:
        tokens = list(tokens_matching(text))
        if not tokens:
            raise CommandError(f"没有以 {text} 开头的有效令牌")
        if len(tokens) > 1:
            raise CommandError(f"有 {len(tokens)} 个令牌以 {text} 开头，请给出完整的 8 位前缀")
        token = token_revoke(token=tokens[0], acting_user=None)
        self.stdout.write(f"已撤销 {token.user.username} 的令牌 {token.prefix}…")
