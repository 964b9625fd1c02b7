"""API tokens for scripts, and the idempotency keys that make a retried write safe."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token of one account. Only the SHA-256 of the token is stored; the token itself is shown once,
    when it is created. `prefix` (its first characters) names it in lists and on the command line."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["prefix"], name="api_token_prefix")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """The answer given to a write that carried an `Idempotency-Key` header, stored in the write's own
    transaction: a retry with the same key gets this answer again instead of doing the write twice.

    `request_hash` fingerprints the method, path and body, so the same key sent with another request is
    refused. Only successful answers are stored (a refused request changed nothing and may be retried with
    the same key once corrected). Keys older than 24 hours are purged daily (tasks.idempotency_keys_purge_daily)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The answer as the JSON text first sent: a replay is the same bytes (a jsonb column would reorder its keys).
    response_body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
