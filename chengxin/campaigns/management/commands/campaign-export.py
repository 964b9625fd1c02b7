from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.campaigntext import campaign_export
from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Print a year's whole campaign (texts, dates, expected units, plan, form) as TOML in the layout of "
        "campaign-2020.toml; `campaign-load` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--out", help="write to this file instead of standard output")

    def handle(self, *args, year: int, out: str | None = None, **options):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            known = "、".join(str(y) for y in Campaign.objects.order_by("year").values_list("year", flat=True))
            raise CommandError(f"没有 {year} 年的活动" + (f"（已有：{known}）" if known else ""))
        try:
            text = campaign_export(campaign)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc}") from None
        self.stdout.write(f"{campaign.title}：已导出到 {out}")
