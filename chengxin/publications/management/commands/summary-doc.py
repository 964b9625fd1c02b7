from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.publications.charts import cjk_font
from chengxin.publications.models import DocumentJob
from chengxin.publications.services import DEFAULT_SCOPE, SCOPES, summary_document


class Command(BaseCommand):
    help = (
        "Draft the national summary of a campaign (全国活动总结) as an editable Word document: participation, "
        "national totals with year over year, rankings and media (tables and charts), activities, excerpts of the "
        "units' summaries, published cases, and the consolidated table as an appendix."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--out", required=True, metavar="FILE.docx")
        parser.add_argument("--status", choices=SCOPES, default=DEFAULT_SCOPE, help="which reports count")

    def handle(self, *args, campaign: int, out: str, status: str, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        data = summary_document(campaign=found, scope=status)
        path = Path(out)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{path}: 无法写入（{exc.strerror}）") from exc
        charts = "含图表" if cjk_font() else "未安装中文字体，仅含表格"
        scope = DocumentJob.Scope(status).label
        self.stdout.write(f"{path}: {found.title}总结（{scope}，{charts}），{len(data):,} 字节")
