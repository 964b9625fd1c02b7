from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(exc.message) from None
        form = campaign.stat_form
        self.stdout.write(
            f"{campaign.title}: {campaign.participants.count()} 个报送单位，"
            f"{campaign.plan_activities.count()} 项主要活动，统计表 {form.figures.count()} 项指标，"
            f"{form.rules.count()} 条校验规则；截止日期 {campaign.deadline:%Y-%m-%d}"
        )
