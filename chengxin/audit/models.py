"""The append-only audit log: one row per write and per sign-in, linked into a hash chain.

Each AuditEvent carries `prev_hash` (the hash of the row before it) and `hash` (sha256 over the canonical JSON of
its own content and `prev_hash`, see chengxin.audit.chain). AuditChainHead is a single row holding the position
and hash of the newest event: appending locks it, so appends are serialised and the chain has no forks.
AuditAnchor records where a purge of old rows cut the chain, so that the rest can still be checked.

Rows are never changed: save() of an existing row and delete() are refused here, and database triggers
(migration 0002) refuse UPDATE always and DELETE of rows younger than 180 days (Cybersecurity Law art. 21).
"""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class Verb(models.TextChoices):
    """The actions the log names; a domain verb may be any other short word (e.g. `report_submit`)."""

    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    M2M_ADD = "m2m_add", _("添加关联")
    M2M_REMOVE = "m2m_remove", _("移除关联")
    M2M_CLEAR = "m2m_clear", _("清空关联")
    REQUEST_REFUSED = "request_refused", _("请求被拒绝")
    AUDIT_EXPORT = "audit_export", _("导出审计日志")
    AUDIT_PURGE = "audit_purge", _("清理过期审计记录")


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit row through the ORM."""


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted through the ORM (a purge uses a queryset delete,
    which the database triggers limit to rows past the retention)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: an existing row cannot be saved")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: a row cannot be deleted")


class AuditEvent(AppendOnlyModel):
    # The position in the chain, given under the head's lock: also the primary key.
    seq = models.BigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # No database constraint: an account that is deleted later leaves its rows as they were (with actor_name),
    # and deleting it never has to touch (UPDATE) an audit row.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    unit_code = models.CharField(_("单位代码"), max_length=20, blank=True)
    unit_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=45, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # Canonical JSON text ({field: [old, new]} for writes), kept as text so that what is hashed is exactly
    # what is stored, on every database.
    changes = models.TextField(_("变更内容"), default="{}")
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor_name"], name="audit_actor_name")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_type}"

    @property
    def changes_dict(self) -> dict:
        try:
            value = json.loads(self.changes or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {"value": value}

    @property
    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field, old, new) for a write's changes; (key, None, value) for other details."""
        rows = []
        for key, value in self.changes_dict.items():
            if isinstance(value, list) and len(value) == 2:
                rows.append((key, value[0], value[1]))
            else:
                rows.append((key, None, value))
        return rows

    @property
    def action_label(self) -> str:
        return Verb(self.action).label if self.action in Verb.values else self.action


class AuditChainHead(models.Model):
    """The one row (pk 1) holding the newest event's position and hash; appending locks it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditAnchor(AppendOnlyModel):
    """Where a purge cut the chain: the last purged row's position and hash. The first row left must link to it."""

    created_at = models.DateTimeField(_("清理时间"))
    seq = models.BigIntegerField(_("已清理至序号"))
    hash = models.CharField(max_length=64)
    purged = models.PositiveBigIntegerField(_("清理条数"))

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
