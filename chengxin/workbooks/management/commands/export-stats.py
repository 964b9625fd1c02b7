from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.analytics.selectors import TOTAL_SCOPES
from chengxin.campaigns.models import Campaign
from chengxin.workbooks.services import national_table_for


class Command(BaseCommand):
    help = (
        "Write the consolidated national table (.xlsx): rows as in the official form, one column per unit "
        "(grouped: provinces, 计划单列市, 兵团), a national total column. The same file as the web download."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--out", required=True, metavar="FILE.xlsx")
        parser.add_argument("--status", choices=list(TOTAL_SCOPES), default="submitted")

    def handle(self, *args, campaign: int, out: str, status: str, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        data, columns, filled = national_table_for(found, status, exported_by="命令行 export-stats")
        path = Path(out)
        path.write_bytes(data)
        self.stdout.write(f"{path}: {columns} 个单位（{filled} 个有数据），{len(data):,} 字节")
