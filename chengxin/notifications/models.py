"""In-app notices to a unit, and the record of reminders sent (so a day's automatic reminder goes out once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign
from chengxin.units.models import Unit


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("催报提醒")
    RETURNED = "returned", _("报告被退回")
    ACCEPTED = "accepted", _("报告已审核通过")
    CAMPAIGN = "campaign", _("活动通知")


class Notice(models.Model):
    """A message to a unit: every account of the unit sees it in its notice list."""

    unit = models.ForeignKey(Unit, verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="notices")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(
        _("链接"), max_length=300, blank=True, help_text=_("站内路径，如 /campaigns/2020/report/440000/")
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emails_sent = models.PositiveSmallIntegerField(_("已发邮件"), default=0)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "read_at"], name="notice_unit_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Reminder(models.Model):
    """A reminder sent to a unit that had not submitted. An automatic one records how many days before the
    unit's deadline it went out; the constraint lets the daily job run twice without reminding twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    days_before = models.SmallIntegerField(_("截止前天数"), null=True, blank=True, help_text=_("为空表示手动催报"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "days_before"],
                condition=models.Q(days_before__isnull=False),
                name="one_automatic_reminder_per_unit_and_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.unit_id} {self.days_before}"
