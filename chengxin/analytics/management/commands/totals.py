import json

from django.core.management.base import BaseCommand, CommandError

from chengxin.analytics.selectors import SCOPE_LABELS, TOTAL_SCOPES, totals
from chengxin.campaigns.models import Campaign
from chengxin.statform.selectors import form_definition


class Command(BaseCommand):
    help = "National totals by figure code, as on the totals page."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--status", choices=list(TOTAL_SCOPES), default="submitted")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, campaign: int, status: str, json: bool, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        result = totals(found, status)
        if json:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(f"{found.title} 全国合计（{SCOPE_LABELS[status]}）")
        for figure in form_definition(found).figures:
            value = result[figure.code]
            if isinstance(value, dict):
                text = "，".join(f"{k} {v}" for k, v in value.items()) or "—"
            else:
                text = f"{value:,} {figure.unit}"
            self.stdout.write(f"  {figure.code:<20} {figure.cell_name}: {text}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
