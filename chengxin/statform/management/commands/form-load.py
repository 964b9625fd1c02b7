import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError
from chengxin.statform.services import form_edit


class Command(BaseCommand):
    help = (
        "Load a year's statistics form from a TOML file (as `form-export` prints it). All or nothing; refused, "
        "with every problem and its line, when the text is wrong or once a unit has submitted a report."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file", help="the TOML file; - reads standard input")

    def handle(self, *args, year: int, file: str, **options):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"没有 {year} 年的活动：请先 load-campaign 或 copy-campaign")
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from None
        try:
            form = form_edit(campaign=campaign, text=text)
        except DomainError as exc:
            details = [e.message for e in exc.errors] or [exc.message]
            raise CommandError("\n".join([f"{file}: 统计表未作任何修改", *(f"{file}: {d}" for d in details)])) from None
        self.stdout.write(f"{form.title}：{form.figures.count()} 项指标，{form.rules.count()} 条校验规则")
