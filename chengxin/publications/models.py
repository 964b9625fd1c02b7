"""A document being drafted in the background (the national summary, the case book): for which campaign and
selection, how far it is, where the result is (the .docx and, where LibreOffice prints it, the PDF)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign
from chengxin.portal.models import CaseKind


class DocumentJob(models.Model):
    """One drafting of a campaign's national summary or case book. The finished document is a file in the file
    storage (`file`, and `pdf_file` where it could be printed), kept until a later drafting of the same document,
    campaign and selection replaces it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("出错")

    class Document(models.TextChoices):
        SUMMARY = "summary", _("全国活动总结")
        CASEBOOK = "casebook", _("案例汇编")

    # The parts written one after the other, for each document; the progress bar counts them.
    STEPS = {
        Document.SUMMARY: (
            _("报送情况"),
            _("全国汇总数据"),
            _("排名与传播效果（含图表）"),
            _("活动、总结摘编与案例"),
            _("附表"),
            _("保存文档"),
            _("生成 PDF"),
        ),
        Document.CASEBOOK: (_("收集案例"), _("封面与目录"), _("案例与照片"), _("保存文档"), _("生成 PDF")),
    }

    class Scope(models.TextChoices):
        ACCEPTED = "accepted", _("仅已审核")
        SUBMITTED = "submitted", _("已报送和已审核")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    document = models.CharField(max_length=10, choices=Document.choices, default=Document.SUMMARY)
    scope = models.CharField(max_length=10, choices=Scope.choices, blank=True)  # the summary's
    kinds = models.JSONField(default=list, blank=True)  # the case book's: the kinds of case chosen, [] for all
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveSmallIntegerField(default=0)  # steps done, of STEPS
    file = models.CharField(max_length=255, blank=True)  # its name in the file storage, once written
    size = models.PositiveIntegerField(default=0)
    pdf_file = models.CharField(max_length=255, blank=True)  # the same document printed by LibreOffice
    pdf_size = models.PositiveIntegerField(default=0)
    pdf_missing = models.CharField(max_length=500, blank=True)  # why there is no PDF (not installed, failed)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "-created_at"], name="publications_job_latest")]

    def __str__(self) -> str:
        return f"{self.document} {self.campaign_id} {self.scope or ','.join(self.kinds)} {self.id}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def kinds_label(self) -> str:
        """The case book's kinds of case, in words ("全部" when it holds every kind)."""
        return "、".join(str(CaseKind(k).label) for k in self.kinds) if self.kinds else str(_("全部"))

    @property
    def steps(self) -> tuple:
        return self.STEPS[self.Document(self.document)]

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def step_label(self) -> str:
        """The part being written now."""
        return str(self.steps[min(self.done, self.total - 1)])

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total)
