"""A document being drafted in the background: for which campaign and scope, how far it is, where the result is."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign


class SummaryJob(models.Model):
    """One drafting of a campaign's national summary. The finished document is a file in the file storage
    (`file`), kept until a later drafting of the same campaign and scope replaces it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    # The parts written one after the other; the progress bar counts them.
    STEPS = (
        _("报送情况"),
        _("全国汇总数据"),
        _("排名与传播效果（含图表）"),
        _("活动、总结摘编与案例"),
        _("附表"),
        _("保存文档"),
    )

    class Scope(models.TextChoices):
        ACCEPTED = "accepted", _("仅已审核")
        SUBMITTED = "submitted", _("已报送和已审核")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveSmallIntegerField(default=0)  # steps done, of STEPS
    file = models.CharField(max_length=255, blank=True)  # its name in the file storage, once written
    size = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "-created_at"], name="publications_job_latest")]

    def __str__(self) -> str:
        return f"summary {self.campaign_id} {self.scope} {self.id}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def total(self) -> int:
        return len(self.STEPS)

    @property
    def step_label(self) -> str:
        """The part being written now."""
        return str(self.STEPS[min(self.done, self.total - 1)])

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total)
