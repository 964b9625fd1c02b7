"""The statistics form as data: a tree of row labels, figures at the leaves, and validation rules.

A later year's form adds, renames or drops rows by editing data; no code change is needed.
"""

import uuid

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign


class StatForm(models.Model):
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="stat_form")
    title = models.CharField(_("表名"), max_length=200)
    # A new random value in the same transaction as every change of the form, its rows, figures or rules (by
    # whatever writes them: the services, the admin): the key under which the built definition is cached
    # (statform.selectors.form_definition). Random rather than a counter, so that a key always stands for one
    # content: a change rolled back or a primary key reused (a test database) never pairs a used key with another.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("统计表")
        verbose_name_plural = _("统计表")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.revision = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "revision"}
        super().save(*args, **kwargs)


def form_changed(form_id: int) -> None:
    """Give the form a new revision: the cached definitions of it are not used any more."""
    StatForm.objects.filter(pk=form_id).update(revision=uuid.uuid4())


class Row(models.Model):
    """A printed row label: a group (宣传形式), a sub-group (户外活动) or a leaf (会议（场次、人次）).

    Only leaves carry figures. `path` is derived on save: the labels from the root, joined by ›.
    """

    form = models.ForeignKey(StatForm, on_delete=models.CASCADE, related_name="rows")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    label = models.CharField(_("行标签"), max_length=100)
    order = models.PositiveIntegerField(_("排序"))
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["form", "order"], name="row_order_unique")]

    def __str__(self) -> str:
        return self.label


class FigureKind(models.TextChoices):
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")


class Count(models.TextChoices):
    """What a number figure counts: the dashboard draws people and copies (thousands) on one scale and events and
    items (tens) on another, and compares the categories that publish items (the media) by their items."""

    PEOPLE = "people", _("人次")
    ITEMS = "items", _("发布的稿件、节目等件数")
    EVENTS = "events", _("场次")
    COPIES = "copies", _("份数")


class ActivityOutput(models.TextChoices):
    """Whether a registered activity records the figure (and adds it up toward its unit's pre-fill)."""

    ANY = "any", _("任何活动")
    OFFLINE = "offline", _("仅线下（或线上线下）活动")


class Figure(models.Model):
    """One stored value of the form, e.g. 会议 › 场次 (code `meeting_sessions`).

    What the figure means to the rest of the product is data here too: its category (`traditional_media`; the
    category's title is the label of the row that holds all its figures, so renaming that row renames the group on
    the dashboard), what it counts, whether it is shown per 10,000 residents, and whether activities record it.
    """

    form = models.ForeignKey(StatForm, on_delete=models.CASCADE, related_name="figures")
    row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="figures")
    code = models.SlugField(_("代码"), max_length=50)
    label = models.CharField(_("名称"), max_length=50, help_text=_("在行内的名称，如“场次”；单值行可与行标签相同"))
    unit_of_measure = models.CharField(_("计量单位"), max_length=10, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=FigureKind.choices, default=FigureKind.NUMBER)
    order = models.PositiveIntegerField(_("排序"))
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    category = models.SlugField(_("分类"), max_length=50, blank=True, help_text=_("如 traditional_media、new_media"))
    count = models.CharField(_("计数类别"), max_length=10, choices=Count.choices, blank=True)
    per_10k = models.BooleanField(_("按每万常住人口显示"), default=False)
    activity_output = models.CharField(_("活动登记填报"), max_length=10, choices=ActivityOutput.choices, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="figure_code_unique"),
            models.UniqueConstraint(fields=["form", "order"], name="figure_order_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_number(self) -> bool:
        return self.kind == FigureKind.NUMBER


class Operator(models.TextChoices):
    GE = "ge", _("大于或等于")
    LE = "le", _("小于或等于")
    GT = "gt", _("大于")
    LT = "lt", _("小于")
    EQ = "eq", _("等于")
    BOTH_OR_NEITHER = "both_or_neither", _("同时为零或同时不为零")
    REQUIRES = "requires", _("左侧不为零时右侧必须填写")
    WITHIN_FACTOR_OF_PREVIOUS = "within_factor_of_previous", _("与上年相比不超过右侧倍数")


class Severity(models.TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("提示")


class Rule(models.Model):
    """A validation rule: `left operator right`, shown at the `anchor` figure's cell when it fails.

    `left` and `right` are expressions: figure codes joined by `+`, a whole number, or `*` (every number
    figure, for the year-on-year rule). The failing message is `message`, prefixed by the cell's path.
    """

    form = models.ForeignKey(StatForm, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("规则代码"), max_length=50)
    left = models.CharField(_("左侧"), max_length=200)
    operator = models.CharField(_("运算"), max_length=30, choices=Operator.choices)
    right = models.CharField(_("右侧"), max_length=200)
    severity = models.CharField(_("级别"), max_length=10, choices=Severity.choices)
    anchor = models.SlugField(_("提示所在单元格"), max_length=50, blank=True)
    message = models.CharField(_("提示信息"), max_length=300)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="rule_code_unique")]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"


@receiver(post_save, sender=Row, dispatch_uid="statform.row_saved")
@receiver(post_delete, sender=Row, dispatch_uid="statform.row_deleted")
@receiver(post_save, sender=Figure, dispatch_uid="statform.figure_saved")
@receiver(post_delete, sender=Figure, dispatch_uid="statform.figure_deleted")
@receiver(post_save, sender=Rule, dispatch_uid="statform.rule_saved")
@receiver(post_delete, sender=Rule, dispatch_uid="statform.rule_deleted")
def _part_changed(sender, instance, **kwargs):
    """A row, figure or rule saved or deleted (by a service, in the admin, from a fixture): the form has a new
    revision."""
    form_changed(instance.form_id)
