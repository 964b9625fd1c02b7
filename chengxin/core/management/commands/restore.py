from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from chengxin.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `chengxin backup` into the configured database and file storage. "
        "STOP THE SERVER FIRST (`chengxin serve` and any worker): on SQLite the database file is replaced. "
        "The manifest and the sha256 of every file are checked before anything is written; a database that "
        "already holds users or reports (or a file storage with files) is refused unless --force. PostgreSQL "
        "archives are restored with pg_restore --clean --if-exists --no-owner; an archive of another database "
        "vendor is refused. Afterwards the row count of every table is compared with the manifest; exit 0 "
        "only if everything matches."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database / file storage that already holds data"
        )

    def handle(self, *args, archive: Path, force: bool, **options):
        try:
            result = backup_restore(archive=archive, force=force, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError as exc:
            raise CommandError(f"无法访问配置的数据库：{exc}") from None
        width = max((len(label) for label, *_ in result.counts), default=10)
        self.stdout.write("行数核对（备份中 / 恢复后）：")
        for label, _table, expected, after in result.counts:
            mark = "✓" if expected == after else "✗"
            self.stdout.write(f"  {mark} {label:<{width}} {expected:>8} / {after if after is not None else '-':>8}")
        if not result.ok:
            raise CommandError("恢复后的核对未通过：\n" + "\n".join(result.problems))
        self.stdout.write(
            f"恢复完成：{len(result.counts)} 张表的行数与备份一致，{result.files_restored} 个上传文件校验一致。"
            "若程序版本比备份新，请再运行 chengxin migrate。"
        )
