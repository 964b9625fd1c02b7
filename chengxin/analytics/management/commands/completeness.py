import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chengxin.analytics.selectors import completeness
from chengxin.campaigns.models import Campaign
from chengxin.units.models import Unit


class Command(BaseCommand):
    help = "Every unit expected to report to the ministry (or, with --under, to that unit): its status."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--under", metavar="CODE", help="a unit's code: list its direct sub-units instead")

    def handle(self, *args, campaign: int, json: bool, under: str | None = None, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        parent = None
        if under:
            parent = Unit.objects.filter(code=under).first()
            if parent is None:
                raise CommandError(f"没有代码为 {under} 的单位")
        data = completeness(found, under=parent)
        if json:
            self.stdout.write(_dumps([u.as_json() for u in data.units]))
            return
        o = data.overall
        self.stdout.write(
            f"{found.title}：应报 {o.expected}，已报 {o.submitted}（{o.rate:.0%}），"
            f"按时 {o.on_time}（{o.on_time_rate:.0%}）。"
            f"{data.deadline_words}"
        )
        for u in data.units:
            when = timezone.localtime(u.submitted_at).strftime("%Y-%m-%d %H:%M") if u.submitted_at else ""
            self.stdout.write(f"  {u.code:<8} {u.name:<12} {u.status_label:<4} {when} {'逾期' if u.late else ''}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
