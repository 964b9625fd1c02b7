import time

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.textsearch.services import index_all


class Command(BaseCommand):
    help = (
        "Index for the full-text search every summary report (its newest file, text read now), case and activity, "
        "of one year or all. Uploads are indexed as they come; this fills the index for data that came before it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="year, e.g. 2020 (default: every year)")

    def handle(self, *args, campaign: int | None = None, **options):
        if campaign is not None and not Campaign.objects.filter(year=campaign).exists():
            raise CommandError(f"没有 {campaign} 年的活动")
        started = time.perf_counter()

        def progress(kind: str, done: int, total: int) -> None:
            if done == total or done % 200 == 0:
                self.stdout.write(f"  {kind}: {done}/{total}")

        counts = index_all(year=campaign, progress=progress)
        self.stdout.write(
            f"已索引：总结报告 {counts['summary']} 份（其中文本无法提取 {counts['failed']} 份），"
            f"案例 {counts['case']} 个，活动 {counts['activity']} 项；用时 {time.perf_counter() - started:.1f} 秒。"
        )
