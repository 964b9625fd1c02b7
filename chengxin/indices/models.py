"""An integrity index (诚信指数), its releases (版本) and their values by period and region.

A release is one upload of values; only the ministry makes it public. Published releases of one index never hold
the same (period, region): a release that changes published numbers is a correction (修订) that names the release
it replaces and says why; when it is published the old one is marked 已被修订替代 and stays readable at its URL.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONAL_REGION = "000000"  # 全国: the code the values of the whole country are filed under


class Frequency(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class IntegrityIndex(models.Model):
    """An index a unit publishes: what it measures and how (shown with every published number). Its description
    is fixed once a release is published: a changed method would change the meaning of numbers already public."""

    code = models.SlugField(_("代码"), max_length=40, unique=True, allow_unicode=False)
    name = models.CharField(_("指数名称"), max_length=100)
    publisher = models.ForeignKey("units.Unit", verbose_name=_("发布单位"), on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("发布频率"), max_length=10, choices=Frequency.choices, default=Frequency.MONTH)
    unit_of_measure = models.CharField(_("计量单位"), max_length=20)
    base_period = models.CharField(_("基期"), max_length=20)
    base_value = models.DecimalField(_("基期值"), max_digits=12, decimal_places=4)
    method = models.TextField(_("编制方法说明"), max_length=5000)
    description = models.TextField(_("简介"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("诚信指数")
        verbose_name_plural = _("诚信指数")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未采用")
    SUPERSEDED = "superseded", _("已被修订替代")


# What the public may read: the current releases and the ones a correction replaced (kept, marked).
PUBLIC_STATUSES = (ReleaseStatus.PUBLISHED, ReleaseStatus.SUPERSEDED)


class IndexRelease(models.Model):
    """One upload of an index's values (版本 N of the index). Draft → submitted → published or rejected; a
    published one becomes superseded when a correction of it is published."""

    index = models.ForeignKey(IntegrityIndex, on_delete=models.PROTECT, related_name="releases")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    source_name = models.CharField(_("上传文件"), max_length=200)
    row_count = models.PositiveIntegerField(_("数据条数"), default=0)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("修订的版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    revision_note = models.TextField(_("修订说明"), max_length=2000, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("未采用原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("诚信指数版本")
        verbose_name_plural = _("诚信指数版本")
        ordering = ["index", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["index", "version"], name="indices_one_version_number_per_index"),
            # A correction always says why (修订说明): never a silent replacement.
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | ~models.Q(revision_note=""),
                name="indices_correction_has_a_note",
            ),
        ]
        indexes = [models.Index(fields=["index", "status"], name="indices_release_status")]

    def __str__(self) -> str:
        return f"{self.index} 第{self.version}版"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class IndexValue(models.Model):
    """One number of a release: the index for one period in one region. `period` is normalised ("2020-10",
    "2020Q4", "2020") and `period_key` sorts it (year × 100 + the period's last month)."""

    release = models.ForeignKey(IndexRelease, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("期间"), max_length=10)
    period_key = models.PositiveIntegerField()
    region_code = models.CharField(_("地区代码"), max_length=6)
    region_name = models.CharField(_("地区"), max_length=40)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["period_key", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "period", "region_code"], name="indices_one_value_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.region_name} {self.value}"


class IndexUpload(models.Model):
    """An uploaded file waiting for its uploader to confirm the preview (the workbook import's pattern): the file
    is staged in the file storage; nothing becomes a release until the person confirms."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    index = models.ForeignKey(IntegrityIndex, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    staged = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name
