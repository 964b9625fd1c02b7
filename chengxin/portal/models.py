"""Public content: the campaign logo files the national administrator uploads, and the case library with its
photos."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LogoKind(models.TextChoices):
    PNG = "png", "PNG"
    SVG = "svg", "SVG"


class CampaignLogo(models.Model):
    """One downloadable form (PNG or SVG) of a campaign's official logo; a new upload replaces the old one."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="logo_files")
    kind = models.CharField(_("格式"), max_length=3, choices=LogoKind.choices)
    file = models.FileField(_("文件"), upload_to="logos/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="portal_one_logo_per_kind")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class CaseKind(models.TextChoices):
    TYPICAL = "typical", _("典型案例")
    STAR = "star", _("诚信之星")
    OLD_SHOP = "old_shop", _("匠心老店")
    PRACTICE = "practice", _("经验做法")


class CaseDomain(models.TextChoices):
    COMMERCE = "commerce", _("商务")
    TRANSPORT = "transport", _("交通运输")
    CULTURE_TOURISM = "culture_tourism", _("文化和旅游")
    CUSTOMS = "customs", _("海关")
    TAX = "tax", _("税务")
    MARKET = "market", _("市场监管")
    FOREX = "forex", _("外汇")
    JUSTICE = "justice", _("司法")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未采用")


class Case(models.Model):
    """A story for the case library. Only published cases are public; a unit's editors write and submit,
    the ministry publishes or rejects."""

    kind = models.CharField(_("类别"), max_length=20, choices=CaseKind.choices)
    domain = models.CharField(_("领域"), max_length=20, choices=CaseDomain.choices)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500)
    body = models.TextField(_("正文"))
    source_body = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="cases")
    case_date = models.DateField(_("日期"))
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("未采用原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-case_date", "-id"]
        indexes = [models.Index(fields=["status", "-case_date"], name="portal_case_public")]

    def __str__(self) -> str:
        return self.title


MAX_CASE_PHOTOS = 6
CAPTION_MAX_LENGTH = 100


class CasePhoto(models.Model):
    """A photo of a case (JPEG or PNG, checked by content as activity photos are), stored under a generated name
    that no URL serves; it is read through a view that shows it to whoever may see the case. `position` orders a
    case's photos (the case page, the case book)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="case-photos/%Y/")
    caption = models.CharField(_("说明"), max_length=CAPTION_MAX_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"))
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)  # "jpeg" | "png"
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="portal_case_photo_position")]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def content_type(self) -> str:
        return "image/png" if self.kind == "png" else "image/jpeg"

    @property
    def alt_text(self) -> str:
        """What a page says of the photo to those who cannot see it: its caption, else the case's title."""
        return self.caption or self.case.title
