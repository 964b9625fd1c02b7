import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.campaigns.services import campaign_copy
from chengxin.core.errors import DomainError


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--deadline 应为 年-月-日，如 2021-11-25，不是 {raw!r}") from None


class Command(BaseCommand):
    help = (
        "Create a new year's campaign by copying an earlier one (texts, plan, units and form; dates moved by the "
        "years between). Reports are not copied."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=int, help="the year to copy, e.g. 2020")
        parser.add_argument("year", type=int, help="the new year, e.g. 2021")
        parser.add_argument("--title", help="the new title (default: the source's, with the year replaced)")
        parser.add_argument("--theme", help="the new theme (default: the source's)")
        parser.add_argument("--deadline", help="the reporting deadline, YYYY-MM-DD (default: the source's, moved)")

    def handle(self, *args, source: int, year: int, title=None, theme=None, deadline=None, **options):
        original = Campaign.objects.filter(year=source).first()
        if original is None:
            raise CommandError(f"没有 {source} 年的活动，无法复制")
        changes = {"title": title, "theme": theme, "deadline": _day(deadline) if deadline else None}
        try:
            campaign = campaign_copy(source=original, year=year, **{k: v for k, v in changes.items() if v is not None})
        except DomainError as exc:
            problems = "；".join(e.message for e in exc.errors) or exc.message
            raise CommandError(problems) from None
        form = campaign.stat_form
        self.stdout.write(
            f"{campaign.title}（复制自 {source} 年）: {campaign.participants.count()} 个报送单位，"
            f"{campaign.plan_activities.count()} 项主要活动，统计表 {form.figures.count()} 项指标，"
            f"{form.rules.count()} 条校验规则；截止日期 {campaign.deadline:%Y-%m-%d}"
        )
