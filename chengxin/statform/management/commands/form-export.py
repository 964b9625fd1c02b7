from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.statform.formtext import spec_to_toml
from chengxin.statform.models import StatForm
from chengxin.statform.services import form_as_spec


class Command(BaseCommand):
    help = "Print a year's statistics form as TOML (the text the web form editor shows; `form-load` reads it back)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options):
        form = StatForm.objects.filter(campaign__year=year).first()
        if form is None:
            known = "、".join(str(y) for y in Campaign.objects.order_by("year").values_list("year", flat=True))
            raise CommandError(f"没有 {year} 年的统计表" + (f"（已有：{known}）" if known else ""))
        self.stdout.write(spec_to_toml(form_as_spec(form)), ending="")
