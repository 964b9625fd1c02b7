from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.units.models import User
from chengxin.workbooks.services import stats_import_file, system_user

MAX_FILE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import filled statistics tables (.xlsx: the product's template or the notice's attachment layout) into "
        "each unit's draft. Exit 0 when every file was imported; 1 when any file had a problem, printed as "
        "FILE!SHEET!CELL: message, and nothing of that file was saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("files", nargs="+", metavar="FILE.xlsx")
        parser.add_argument(
            "--empty-is-zero", action="store_true", help="treat empty cells as 0 (else they stay empty)"
        )
        parser.add_argument("--as", dest="username", help="act as this account (default: the system account)")
        parser.add_argument("--dry-run", action="store_true", help="check only, save nothing")

    def handle(self, *args, campaign: int, files: list[str], empty_is_zero: bool, username, dry_run, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        user = User.objects.filter(username=username).first() if username else system_user()
        if user is None:
            raise CommandError(f"没有用户 {username}")
        failed = False
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{path.name}: 文件不存在")
                failed = True
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                self.stderr.write(f"{path.name}: 文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，已拒收")
                failed = True
                continue
            result = stats_import_file(
                campaign=found,
                data=path.read_bytes(),
                file_name=path.name,
                acting_user=user,
                empty_is_zero=empty_is_zero,
                dry_run=dry_run,
            )
            if not result.ok:
                failed = True
                for problem in result.problems:
                    self.stderr.write(str(problem))
                self.stderr.write(f"{path.name}: 有 {len(result.problems)} 处问题，本文件未保存任何数据")
                continue
            units = "、".join(item.unit.name for item in result.sheets)
            verb = "检查通过（未保存）" if dry_run else "已导入草稿"
            self.stdout.write(f"{path.name}: {verb} {len(result.sheets)} 个单位：{units}")
            for place, finding in result.warnings:
                self.stdout.write(f"{place}: 提示：{finding.text}")
        if failed:
            raise SystemExit(1)
