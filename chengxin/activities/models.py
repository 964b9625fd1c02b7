"""The activity registry: what each unit ran during the campaign, under which plan activity, with its media outputs.

Which outputs an activity records is the campaign's statistics form's to say (`FigureDef.activity_output`): each
output is a row keyed by the figure code, so a later year's form adds or drops one without a migration here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign, PlanActivity
from chengxin.units.models import Unit


class Mode(models.TextChoices):
    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")
    BOTH = "both", _("线上线下")


OFFLINE_MODES = (Mode.OFFLINE, Mode.BOTH)


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


# The smallest written epidemic-prevention plan accepted instead of a file.
PLAN_TEXT_MIN_LENGTH = 20


class Activity(models.Model):
    """One activity a unit ran. `plan_activity` is null for a local activity (地方自办活动)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="activities")
    unit = models.ForeignKey(Unit, verbose_name=_("登记单位"), on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=200)
    plan_activity = models.ForeignKey(
        PlanActivity,
        verbose_name=_("所属主要活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("通知“主要活动安排”中的哪一项；留空为地方自办活动"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    region_code = models.CharField(_("行政区划代码"), max_length=6, help_text=_("GB/T 2260 六位代码"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices, default=Mode.OFFLINE)
    organiser = models.CharField(_("主办单位"), max_length=200, blank=True)
    audience = models.CharField(_("参与对象"), max_length=200, blank=True)
    links = models.TextField(_("报道链接"), blank=True, help_text=_("每行一个 http 或 https 网址"))
    epidemic_plan = models.FileField(_("防疫方案文件"), upload_to="activity-plans/%Y/", blank=True)
    epidemic_plan_name = models.CharField(_("防疫方案文件名"), max_length=255, blank=True)
    epidemic_plan_text = models.TextField(_("防疫方案（文字）"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit", "status"]), models.Index(fields=["campaign", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="activity_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_activity_has_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_offline(self) -> bool:
        return self.mode in OFFLINE_MODES

    @property
    def has_epidemic_plan(self) -> bool:
        return bool(self.epidemic_plan) or len(self.epidemic_plan_text.strip()) >= PLAN_TEXT_MIN_LENGTH

    @property
    def link_list(self) -> list[str]:
        return [line for line in self.links.splitlines() if line.strip()]

    @property
    def province_prefix(self) -> str:
        """The two digits of the province, which the China map's features are keyed by."""
        return self.region_code[:2]


class ActivityPhoto(models.Model):
    """A photo of an activity (JPEG or PNG, checked by content), stored under a generated name that no URL
    serves; it is read through a view that checks who may see the activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="activity-photos/%Y/")
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)  # "jpeg" | "png"
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def content_type(self) -> str:
        return "image/png" if self.kind == "png" else "image/jpeg"


class ActivityOutputValue(models.Model):
    """One media output of an activity, keyed by the code of the statistics figure it adds up to
    (`meeting_sessions`, `live_viewers` …). A figure without a row is 0: zeros are not stored."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outputs")
    code = models.CharField(_("指标"), max_length=50)
    value = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "code"], name="activity_output_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} = {self.value}"
