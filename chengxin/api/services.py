"""Writes of the API app: creating and revoking tokens, and running a write under an idempotency key."""

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chengxin.api.models import ApiToken, IdempotencyKey
from chengxin.audit.services import audit_deferred
from chengxin.core.errors import DomainError, FieldError
from chengxin.units.models import User

TOKEN_BYTES = 32  # 256 bits, written as 64 hex digits
PREFIX_LENGTH = 8
# A token's last use is written at most this often, so that a script's requests do not each write the row.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# How long an idempotency key answers for its request; older ones may be purged.
IDEMPOTENCY_KEY_LIFETIME = dt.timedelta(hours=24)
IDEMPOTENCY_KEY_MAX_LENGTH = 255


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "", acting_user: User | None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is not stored and cannot be shown
    again. An account creates its own tokens; `acting_user=None` is the server's command line
    (`chengxin api-token`), where the operator may create one for any active account."""
    if acting_user is not None and acting_user.pk != user.pk:
        raise DomainError(_("只能为自己的账号创建 API 令牌"), status=403)
    if not user.is_active:
        raise DomainError(_("账号 %(user)s 已停用，不能创建 API 令牌") % {"user": user.username})
    if user.is_administrator:
        # Separation of duties (三权分立): the system, security and audit administrators do no reporting work,
        # and the API is reporting work (DutiesMiddleware keeps their sessions out of it too).
        raise DomainError(
            _("账号 %(user)s 是系统管理员、安全管理员或审计员，不能使用 API 令牌") % {"user": user.username},
            status=403,
        )
    name = (name or "").strip()
    if len(name) > 100:
        message = _("令牌名称不能超过 100 个字")
        raise DomainError(message, errors=[FieldError("name", message)])
    if not name.isprintable():
        message = _("令牌名称不能包含控制字符")
        raise DomainError(message, errors=[FieldError("name", message)])
    raw = secrets.token_hex(TOKEN_BYTES)
    token = ApiToken.objects.create(user=user, name=name, key_hash=token_hash(raw), prefix=raw[:PREFIX_LENGTH])
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, acting_user: User | None) -> ApiToken:
    """Revoke a token at once: the next request with it is refused. Its owner may revoke it, and so may the
    server's command line (`acting_user=None`). Revoking a revoked token changes nothing."""
    if acting_user is not None and acting_user.pk != token.user_id:
        raise DomainError(_("只能撤销自己的 API 令牌"), status=404)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> User | None:
    """The active account a token belongs to, or None (unknown, revoked, the account is inactive, or it holds
    one of the three administrative roles: an account made administrator after creating a token cannot keep
    reading data through it). Records when the token was last used (at most once a minute)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit").filter(key_hash=token_hash(raw), revoked_at=None).first()
    )
    if token is None or not token.user.is_active or token.user.is_administrator:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: object
    replayed: bool


def request_fingerprint(method: str, path: str, content: bytes) -> str:
    """What makes two requests "the same request" for an idempotency key."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode("utf-8", "surrogatepass"), content):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _replay(row: IdempotencyKey, method: str, path: str, request_hash: str) -> StoredAnswer:
    if (row.method, row.path, row.request_hash) != (method, path, request_hash):
        message = _("这个 Idempotency-Key 已用于另一个请求（方法、地址或内容不同）；新的请求请使用新的键")
        raise DomainError(message, errors=[FieldError("Idempotency-Key", message)], status=422)
    return StoredAnswer(row.status_code, json.loads(row.response_body or "null"), replayed=True)


def idempotent_write(
    *,
    user: User,
    key: str | None,
    method: str,
    path: str,
    request_hash: str,
    write: Callable[[], tuple[int, object]],
) -> StoredAnswer:
    """Run `write` (which returns the answer's status and JSON body) in one transaction with the storing of
    its answer under (`user`, `key`).

    The key's row is inserted first, in the same transaction: a concurrent request with the same key waits on
    the unique constraint (PostgreSQL; SQLite runs one writing transaction at a time) until this one commits,
    then finds the stored answer and returns it without writing anything. A `write` that raises (a refused
    request) stores nothing, so the corrected request may be sent with the same key. Without a key the write
    simply runs in a transaction.
    """
    # The audit rows of the write are appended at the very end of its transaction (audit_deferred), so that the
    # audit chain's lock is held for the commit only, not for the answer's reading and storing.
    with transaction.atomic(), audit_deferred():
        if key is None:
            status, body = write()
            return StoredAnswer(status, body, replayed=False)
        row_id = _claim_key(user=user, key=key, method=method, path=path, request_hash=request_hash)
        if row_id is None:
            row = IdempotencyKey.objects.get(user=user, key=key)
            return _replay(row, method, path, request_hash)
        status, body = write()
        answer = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
        IdempotencyKey.objects.filter(pk=row_id).update(status_code=status, response_body=answer)
        return StoredAnswer(status, body, replayed=False)


# INSERT … ON CONFLICT DO NOTHING (PostgreSQL, SQLite ≥ 3.24) instead of catching the IntegrityError of a plain
# insert: no savepoint (two round trips) in every write. On PostgreSQL a concurrent insert of the same key waits
# for the other transaction, as the unique constraint did.
_CLAIM = (
    "INSERT INTO api_idempotencykey (user_id, key, method, path, request_hash, status_code, response_body, created_at)"
    " VALUES (%s, %s, %s, %s, %s, 0, '', %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
)


def _claim_key(*, user: User, key: str, method: str, path: str, request_hash: str) -> int | None:
    """Insert the key's row in the current transaction; its id, or None if the key was used before."""
    connection = transaction.get_connection()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [user.pk, key, method, path, request_hash, now])
        found = cursor.fetchone()
    return found[0] if found else None


def idempotency_keys_purge(*, older_than: dt.timedelta = IDEMPOTENCY_KEY_LIFETIME) -> int:
    """Delete idempotency keys older than `older_than` (24 hours by default); returns how many. A request
    retried with a purged key is done again, so purge only keys no client will still retry."""
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
