import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.campaigntext import campaign_load_text
from chengxin.campaigns.services import earlier_years_left
from chengxin.core.errors import DomainError
from chengxin.statform.models import StatForm


class Command(BaseCommand):
    help = (
        "Load a whole campaign from a TOML file as `campaign-export` writes it (the seed campaign-2020.toml too). "
        "A new year is created; an existing one only with --replace, and never once a unit has submitted a "
        "report. All or nothing: every problem is reported with its place and line, and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the TOML file; - reads standard input")
        parser.add_argument(
            "--replace", action="store_true", help="replace the year's campaign if it exists (not once reports exist)"
        )

    def handle(self, *args, file: str, replace: bool = False, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from None
        try:
            campaign, created = campaign_load_text(text, replace=replace)
        except DomainError as exc:
            details = [e.message for e in exc.errors] or [exc.message]
            raise CommandError("\n".join([f"{file}: 活动未作任何修改", *(f"{file}: {d}" for d in details)])) from None
        form = StatForm.objects.filter(campaign=campaign).first()
        how = "新建" if created else "已替换"
        self.stdout.write(
            f"{campaign.title}（{how}，{file}）：{campaign.participants.count()} 个报送单位，"
            f"{campaign.focus_areas.count()} 项宣传重点，{campaign.requirements.count()} 项有关要求，"
            f"{campaign.plan_activities.count()} 项主要活动，"
            + (f"统计表 {form.figures.count()} 项指标，{form.rules.count()} 条校验规则" if form else "没有统计表")
            + f"；截止日期 {campaign.deadline:%Y-%m-%d}；{campaign.state_label}"
        )
        for place in earlier_years_left(campaign):
            self.stderr.write(f"{file}: 注意，文字中仍有往年年份：{place}")
