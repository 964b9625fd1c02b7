"""Enterprise integrity commitments (诚信经营承诺) signed for a campaign, moderated by the ministry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chengxin.campaigns.models import Campaign


class Industry(models.TextChoices):
    RETAIL = "retail", _("批发和零售业")
    CATERING = "catering", _("住宿和餐饮业")
    MANUFACTURING = "manufacturing", _("制造业")
    TRANSPORT = "transport", _("交通运输、仓储和邮政业")
    HOUSEKEEPING = "housekeeping", _("居民服务（家政）")
    CULTURE_TOURISM = "culture_tourism", _("文化、体育和娱乐业及旅游")
    ECOMMERCE = "ecommerce", _("电子商务")
    FINANCE = "finance", _("金融业")
    CONSTRUCTION = "construction", _("建筑业和房地产业")
    IT = "it", _("信息传输、软件和信息技术服务业")
    AGRICULTURE = "agriculture", _("农、林、牧、渔业")
    TRADE = "trade", _("进出口贸易")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公示")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# What the public ever sees; pending and rejected commitments never leave the moderation page.
PUBLIC_STATUSES = [Status.PUBLISHED, Status.WITHDRAWN]
# One commitment of a code is public in a year. Pending ones do not block each other: anyone may sign with any
# valid code (a squatter too), so the real firm's signature must still be taken; moderation publishes one.
ACTIVE_STATUSES = [Status.PUBLISHED, Status.WITHDRAWN]


class Commitment(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("宣传月活动"), on_delete=models.PROTECT)
    name = models.CharField(_("企业名称"), max_length=100)
    # The name as searched: NFKC-normalised, without spaces. Prefix search is a range over this column
    # (name_key >= q AND name_key < q + U+FFFF), which a plain B-tree index serves on PostgreSQL and SQLite alike.
    name_key = models.CharField(_("名称检索键"), max_length=100, editable=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    region_code = models.CharField(_("所在地区（行政区划代码）"), max_length=6)
    industry = models.CharField(_("行业"), max_length=30, choices=Industry.choices)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    signed_at = models.DateTimeField(_("签署时间"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("诚信经营承诺")
        verbose_name_plural = _("诚信经营承诺")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "uscc"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_public_commitment_per_code",
            ),
        ]
        indexes = [
            models.Index(fields=["uscc"], name="commitment_uscc"),
            models.Index(fields=["campaign", "name_key"], name="commitment_name_key"),
            models.Index(fields=["campaign", "status", "signed_at"], name="commitment_status_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES
