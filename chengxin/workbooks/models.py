"""A workbook import running in the background: what it reads, how far it is, what it found."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        PREVIEW = "preview", _("预览")
        IMPORT = "import", _("导入")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # [{"path": "imports/<staging>-0.xlsx", "name": "广东.xlsx"}]: names in the file storage (workbooks.jobs)
    staging = models.CharField(max_length=32)
    files = models.JSONField(default=list)
    empty_is_zero = models.BooleanField(default=False)
    unit_code = models.CharField(max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list)  # one summary per file, see workbooks.jobs.summarise
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"

    @property
    def total(self) -> int:
        return len(self.files)

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total) if self.total else 0
