from django.core.management.base import BaseCommand

from chengxin.audit.services import audit_purge, retention_days


class Command(BaseCommand):
    help = (
        "Delete audit rows older than CHENGXIN_AUDIT_RETENTION_DAYS (at least 180), oldest first, and record a "
        "chain anchor and an audit_purge row so that `chengxin audit-check` still verifies the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run: bool, **options):
        count, anchor = audit_purge(dry_run=dry_run)
        days = retention_days()
        if dry_run:
            self.stdout.write(f"保存期限 {days} 天：有 {count} 条审计记录可以清理（未删除）")
        elif anchor is None:
            self.stdout.write(f"保存期限 {days} 天：没有超过期限的审计记录")
        else:
            self.stdout.write(f"保存期限 {days} 天：已清理 {count} 条审计记录（至第 {anchor.seq} 条），已记录链锚点")
