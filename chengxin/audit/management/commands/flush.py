"""Django's `flush`, kept from wiping the audit log in production.

The audit tables refuse DELETE and TRUNCATE at the database level (chengxin.audit.triggers), so Django's own
flush would fail on them. Outside production (development, the test suite's live-server and transactional tests)
this command lifts the triggers for the flush, in the same transaction, and puts them back. In production
(CHENGXIN_ENV=production) it refuses while the audit log holds rows: they must be kept for at least 180 days.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from chengxin.audit import triggers


class Command(DjangoFlush):
    help = DjangoFlush.help + " Refused in production while the audit log holds rows (kept ≥ 180 days)."

    def handle(self, **options):
        connection = connections[options["database"]]
        if getattr(settings, "PRODUCTION", False) and self._audit_rows(connection):
            raise CommandError("审计日志须至少保存 180 天（《网络安全法》第二十一条），生产环境不能清空数据库。")
        with transaction.atomic(using=connection.alias):
            triggers.uninstall(connection)
            try:
                super().handle(**options)
            finally:
                triggers.install(connection)

    @staticmethod
    def _audit_rows(connection) -> bool:
        from chengxin.audit.models import AuditEvent

        try:
            return AuditEvent.objects.using(connection.alias).exists()
        except Exception:  # no audit table yet: nothing to keep
            return False
