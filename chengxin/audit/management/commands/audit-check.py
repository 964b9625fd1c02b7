from django.core.management.base import BaseCommand, CommandError

from chengxin.audit.chain import chain_verify


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain: every row's hash, every link, the link to the last purge anchor and "
        "the chain head. Exit 0 and the count when intact; exit 1 naming the first broken row otherwise."
    )

    def handle(self, *args, **options):
        report = chain_verify()
        if not report.ok:
            raise CommandError(f"审计链校验未通过：{report.message}")
        self.stdout.write(f"{report.message}；链头 #{report.head_seq} {report.head_hash}")
