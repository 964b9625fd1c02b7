from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from chengxin.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and every uploaded file into one archive (.tar.gz) with a manifest (migrations, "
        "row counts, sha256 of every file). SQLite is copied with the online backup API and PostgreSQL with "
        "pg_dump, so the server may keep running. --out is a file, or a folder for "
        "chengxin-backup-YYYYmmdd-HHMMSS.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="archive file, or an existing folder")

    def handle(self, *args, out: Path, **options):
        try:
            result = backup_create(out=out)
        except BackupError as exc:
            raise CommandError(exc.message) from None
        except DatabaseError as exc:
            raise CommandError(f"无法访问配置的数据库：{exc}") from None
        manifest = result.manifest
        rows = sum(entry["rows"] for entry in manifest["rows"].values())
        size = result.path.stat().st_size
        self.stdout.write(
            f"已备份到 {result.path}（{size / 1024 / 1024:.1f} MB）：{manifest['database']['vendor']} 数据库 "
            f"{len(manifest['rows'])} 张表共 {rows} 行，上传文件 {len(manifest['files'])} 个"
        )
