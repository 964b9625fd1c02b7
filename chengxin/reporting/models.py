"""A unit's report for a campaign: figures, the summary report file, its lifecycle and its history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign
from chengxin.statform.models import Figure
from chengxin.units.models import Unit


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


EDITABLE_STATUSES = (Status.NOT_STARTED, Status.DRAFT, Status.RETURNED)


class Report(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    version = models.PositiveIntegerField(_("版本"), default=0)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期"), default=False)
    return_reason = models.TextField(_("退回原因"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanations = models.JSONField(_("提示说明"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报送")
        verbose_name_plural = _("报送")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="one_report_per_unit_and_campaign"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "accepted"]) | models.Q(submitted_at__isnull=False),
                name="submitted_report_has_submitted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class FigureValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    figure = models.ForeignKey(Figure, on_delete=models.PROTECT, related_name="values")
    number = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "figure"], name="one_value_per_figure"),
            models.CheckConstraint(
                condition=models.Q(number__gte=0) | models.Q(number__isnull=True), name="number_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figure_id}={self.number if self.number is not None else self.text}"


class SummaryFile(models.Model):
    """An uploaded summary report (总结报告). The newest one counts; older ones stay for the history."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="summary_files")
    file = models.FileField(upload_to="summaries/%Y/")
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class Action(models.TextChoices):
    SAVE_DRAFT = "save_draft", _("保存草稿")
    UPLOAD_SUMMARY = "upload_summary", _("上传总结报告")
    SUBMIT = "submit", _("报送")
    WITHDRAW = "withdraw", _("撤回报送")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("审核通过")
    GRANT_EXCEPTION = "grant_exception", _("单独延期")


class ReportEvent(models.Model):
    """One entry of a report's history: who did what, when, old → new, and why. Append-only."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField(blank=True)
    # [{"code": …, "label": …, "old": …, "new": …}] for figure changes; file details for uploads.
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
