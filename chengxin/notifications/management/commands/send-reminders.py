import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError
from chengxin.notifications.services import reminders_send


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today 应为 年-月-日，如 2020-11-22，不是 {text!r}") from None


class Command(BaseCommand):
    help = (
        "Send the day's automatic reminders to units that have not submitted (on the campaign's reminder days "
        "before each unit's deadline; once per unit and day), and print what was sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--today", type=_day, default=None, help="the day to act as, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--unit", action="extend", nargs="+", default=None, metavar="CODE", help="only these units (codes)"
        )

    def handle(self, *args, campaign: int, today: dt.date | None, unit: list[str] | None, **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        try:
            result = reminders_send(campaign=found, unit_codes=unit, today=today)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        days = "、".join(str(d) for d in found.reminder_day_list) or "无"
        if not result.reminded:
            self.stdout.write(f"{found.title}：没有要发送的提醒（提醒日为截止前 {days} 天；已提醒过的不再重复）")
            return
        self.stdout.write(
            f"{found.title}：提醒 {result.units_reminded} 个单位，发送邮件 {result.emails_sent} 封"
            + (f"；{len(result.without_email)} 个单位没有登记邮箱，只收到站内通知" if result.without_email else "")
        )
        for item in result.reminded:
            mail = "、".join(item.addresses) if item.addresses else "无邮箱，仅站内通知"
            self.stdout.write(
                f"  {item.unit.code:<8} {item.unit.name}  截止 {item.deadline:%Y-%m-%d}，"
                f"前 {item.days_before} 天  {mail}"
            )
        if result.email_error:
            self.stderr.write(f"邮件发送失败（站内通知已生成）：{result.email_error}")
