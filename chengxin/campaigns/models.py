"""The year's campaign: theme, dates, focus areas, requirements, the plan and the units expected to report."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chengxin.units.models import Unit


class CampaignState(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")


class Campaign(models.Model):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    theme = models.CharField(_("活动主题"), max_length=200)
    period_start = models.DateField(_("活动开始日期"))
    period_end = models.DateField(_("活动结束日期"))
    notice_date = models.DateField(_("通知日期"))
    notice_title = models.CharField(_("通知标题"), max_length=300, blank=True)
    deadline = models.DateField(_("报送截止日期"), help_text=_("当日24时前报送为按时，之后为逾期"))
    lock_date = models.DateField(
        _("锁定日期"), null=True, blank=True, help_text=_("该日之后各单位不能再修改或报送；为空表示尚未锁定")
    )
    organiser = models.ForeignKey(
        Unit, verbose_name=_("牵头主办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.CharField(_("报送对象"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_department = models.CharField(_("联系部门"), max_length=100, blank=True)
    contact_phone = models.CharField(_("电话"), max_length=50, blank=True)
    contact_fax = models.CharField(_("传真"), max_length=50, blank=True)
    logo = models.FileField(_("活动标识"), upload_to="logos/", blank=True)
    logo_source = models.CharField(_("标识下载地址"), max_length=200, blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("复制自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_days = models.CharField(
        _("提前提醒天数"),
        max_length=50,
        default="7,3,1",
        blank=True,
        help_text=_("截止日期前第几天给尚未报送的单位发提醒邮件，用逗号分隔，如 7,3,1；留空不自动提醒"),
    )
    totals_published_at = models.DateTimeField(_("全国汇总发布时间"), null=True, blank=True)
    published_totals = models.JSONField(_("已发布的全国汇总"), default=dict, blank=True)
    # 筹备中 until published (visible to the national administrators only); 已发布 from then on; 已结束 once its
    # lock date has passed (`state`). A campaign loaded from the seed is published; a copy is being prepared.
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activity_grace_days = models.PositiveSmallIntegerField(
        _("活动日期宽限天数"),
        default=0,
        help_text=_("登记的活动可早于活动开始日期、晚于活动结束日期的天数（筹备和后续活动）；0 表示须在活动期间内"),
    )

    class Meta:
        verbose_name = _("宣传月活动")
        verbose_name_plural = _("宣传月活动")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        """筹备中 before publishing; 已结束 after the lock date (read-only, kept); 已发布 between."""
        if self.published_at is None:
            return CampaignState.PREPARING
        if is_locked(timezone.now(), self.lock_date):
            return CampaignState.CLOSED
        return CampaignState.PUBLISHED

    @property
    def state_label(self) -> str:
        return str(CampaignState(self.state).label)

    @property
    def is_preparing(self) -> bool:
        return self.published_at is None

    @property
    def reminder_day_list(self) -> list[int]:
        """The days before the deadline on which units that have not submitted are reminded, e.g. [7, 3, 1]."""
        days = set()
        for part in self.reminder_days.replace("，", ",").split(","):
            day = part.strip()
            if day.isascii() and day.isdigit():
                days.add(int(day))
        return sorted(days, reverse=True)


class NumberedSection(models.Model):
    """A numbered paragraph of the notice: （一）title。body."""

    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)

    class Meta:
        abstract = True
        ordering = ["number"]

    def __str__(self) -> str:
        return self.title


class FocusArea(NumberedSection):
    """宣传重点."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focus_areas")

    class Meta(NumberedSection.Meta):
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="focus_area_number_unique")]


class Requirement(NumberedSection):
    """有关要求."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="requirements")

    class Meta(NumberedSection.Meta):
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="requirement_number_unique")]


class PlanActivity(models.Model):
    """One of the plan's main activities (主要活动安排), led by one body."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_activities")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("活动名称"), max_length=200)
    lead_body = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="plan_activity_number_unique")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A unit expected to report for a campaign, with the exceptions the ministry granted it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="participations")
    fills_statistics = models.BooleanField(_("报送统计表"), default=True)
    deadline_override = models.DateField(_("延长的截止日期"), null=True, blank=True)
    lock_override = models.DateField(_("延长的锁定日期"), null=True, blank=True)
    exception_reason = models.CharField(_("例外原因"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="participant_unique")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.unit}"

    @property
    def deadline(self) -> dt.date:
        return self.deadline_override or self.campaign.deadline

    @property
    def lock_date(self) -> dt.date | None:
        if self.lock_override:
            return self.lock_override
        return self.campaign.lock_date


class CampaignChange(models.Model):
    """One change to a campaign's settings or texts, for its history (日期、文字的修改记录): who, when, what field of
    what part, from what to what. Written by the services that change them, in the same transaction."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    part = models.CharField(_("部分"), max_length=100)  # e.g. 活动, 有关要求（三）, 主要活动 5
    field = models.CharField(_("项目"), max_length=100)  # the field's verbose name, e.g. 活动主题
    old = models.TextField(_("原内容"), blank=True)
    new = models.TextField(_("新内容"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.part} {self.field}"


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the campaign's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def is_late(at: dt.datetime, deadline: dt.date) -> bool:
    return at >= end_of_day(deadline)


def is_locked(at: dt.datetime, lock_date: dt.date | None) -> bool:
    return lock_date is not None and at >= end_of_day(lock_date)
