from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from chengxin.campaigns.services import campaign_load
from chengxin.core.errors import DomainError


class Command(BaseCommand):
    help = "(Re)load a year's campaign, its bodies, provincial units, plan activities and form. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options):
        try:
            campaign = campaign_load(year=year)
        except DomainError as exc:
            raise CommandError("\n".join([exc.message, *(e.message for e in exc.errors[1:])])) from None
        except ProtectedError:
            raise CommandError(
                f"campaign-{year}.toml 删去了已有单位填报数据的指标；已填报的指标不能删除（可改名或保留）"
            ) from None
        form = campaign.stat_form
        self.stdout.write(
            f"{campaign.title}: {campaign.participants.count()} 个报送单位，"
            f"{campaign.plan_activities.count()} 项主要活动，统计表 {form.figures.count()} 项指标，"
            f"{form.rules.count()} 条校验规则；截止日期 {campaign.deadline:%Y-%m-%d}"
        )
