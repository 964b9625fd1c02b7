"""What is captured: every save and delete of every model of the chengxin apps, Django's groups and the TOTP
devices (django-otp), their many-to-many changes (a user's groups and permissions), and every sign-in, failed
sign-in and sign-out.

Not captured, on purpose: the audit tables themselves, a report's figures (FigureValue: every change of them is
in the report's history, a ReportEvent with each figure's old → new, which is itself captured; see
EXCLUDED_MODELS), the API's stored answers for idempotent retries, sessions, django-axes' bookkeeping of
sign-in attempts (the failed sign-in is an audit row of its own), content types and permissions (made by
migrations), the admin's own log, a TOTP device's counters (last_t, drift, throttling: they change at every
sign-in) and a user's last_login (the sign-in row says it). Writes that send no signal (a queryset's update(),
bulk_create()) are recorded by their service with `audit_record()` (see the report for the call sites).

Old → new: pre_save reads the stored row (one query, only for updates) and post_save compares. Passwords,
session keys, tokens, secrets, hashes and TOTP keys are written as "***" (and only whether they changed).
"""

import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext as _

from chengxin.audit.context import current
from chengxin.audit.models import Outcome, Verb
from chengxin.audit.services import MASK, audit_record, plain, summarising

logger = logging.getLogger("chengxin.audit")

EXCLUDED_APP_LABELS = {"audit", "sessions", "axes", "contenttypes", "admin", "djhuey", "huey"}
# Models of our apps whose rows are recorded elsewhere, or are no data of anyone's.
EXCLUDED_MODELS = {
    # A report's figures: every service that writes them (reporting.services.report_save_draft, used by the web
    # form, the API and the workbook import) appends a ReportEvent whose `changes` lists each figure's old → new,
    # and that event is captured here (reporting.reportevent, create). One row per figure would put ~26 rows,
    # each taking the chain lock, into every save. The demo data writes them in bulk under its own summary row;
    # the empty cells a form edit deletes with a dropped figure go with that figure's (captured) deletion.
    "reporting.figurevalue",
    # The stored answer of an API write, kept 24 hours so that a retry gets it again: bookkeeping of the
    # request, whose write itself is captured.
    "api.idempotencykey",
    # The scheduler's claim that a periodic task ran in a period (chengxin.core.schedule): bookkeeping, hourly.
    "core.periodicrun",
    # The full-text search's index (chengxin.textsearch): text read from files and cases and activities, derived
    # data rebuilt from them (`chengxin search-index`); the uploads and edits it follows are captured.
    "textsearch.textdocument",
    "textsearch.textchunk",
    # An index release's values: written in bulk by indices.services.release_create, one audit row per upload.
    "indices.indexvalue",
}
# Fields that change by themselves (sign-in bookkeeping, OTP counters): a save changing only these is not logged.
NOISE_FIELDS = {
    "last_login",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
    "last_generated_timestamp",
    "revision",  # statform.StatForm: a random cache key, new at every change of the form (the change is logged)
}
# A field is secret if a word of its name is one of these (password, token_hash, totp_secret, api_key …) and it is
# not a time or a count about the secret (password_changed_at, token_expires_at).
_SECRET_PARTS = {"password", "passwd", "token", "secret", "hash", "salt", "otp", "pin", "credential", "credentials"}
_SECRET_NAMES = {"session_key", "session_data", "api_key", "private_key", "secret_key", "access_key"}
_NOT_SECRET_ENDINGS = ("_at", "_on", "_date", "_time", "_until", "_count", "_changed", "_expires")


class AuditorWriteRefused(PermissionDenied):
    """An auditor's request tried to change data: the auditor reads the log and changes nothing."""


def is_audited(model) -> bool:
    meta = model._meta
    if meta.auto_created or not meta.managed or meta.app_label in EXCLUDED_APP_LABELS:
        return False
    if meta.label_lower in EXCLUDED_MODELS:
        return False
    module = meta.app_config.name
    if module.startswith("chengxin."):
        return True
    if meta.app_label == "auth":
        return meta.model_name == "group"
    return meta.app_label.startswith("otp_")


def is_secret(model, field_name: str) -> bool:
    """A value never written to the log: passwords, keys of OTP devices, tokens, secrets, hashes, sessions."""
    name = field_name.lower()
    if name in _SECRET_NAMES:
        return True
    if name == "key" and model._meta.app_label.startswith("otp_"):
        return True
    return bool(_SECRET_PARTS & set(name.split("_"))) and not name.endswith(_NOT_SECRET_ENDINGS)


def _tracked(model) -> list[models.Field]:
    """The concrete fields whose changes are logged: not the primary key, not an auto_now time stamp."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False) and f.name not in NOISE_FIELDS
    ]


def _label(instance) -> str:
    return instance._meta.concrete_model._meta.label_lower


def _repr(instance) -> str:
    try:
        return str(instance)[:200]
    except Exception:  # a __str__ that follows a relation already deleted in the same cascade
        return f"{instance._meta.label}#{instance.pk}"


def _shown(model, field: models.Field, value):
    if is_secret(model, field.name):
        return MASK if value not in (None, "") else value
    return plain(value)


def _changes(instance, old: dict | None, *, gone: bool = False) -> dict:
    """{field: [old, new]}: every field that changed; on creation (old None) every field with a value; on
    deletion (`gone`) every field with its last value."""
    model = type(instance)
    deferred = instance.get_deferred_fields()
    result = {}
    for field in _tracked(model):
        if field.attname in deferred:
            continue
        value = getattr(instance, field.attname)
        if gone:
            if value not in (None, ""):
                result[field.name] = [_shown(model, field, value), None]
        elif old is None:
            if value not in (None, "", [], {}):
                result[field.name] = [None, _shown(model, field, value)]
        elif field.attname in old and plain(old[field.attname]) != plain(value):
            result[field.name] = [_shown(model, field, old[field.attname]), _shown(model, field, value)]
    return result


def _refuse_auditor(instance) -> None:
    """An auditor may change only their own account (password, sign-in time, TOTP device), nothing else."""
    from chengxin.units.models import Role

    user = current().user
    if user is None or getattr(user, "role", None) != Role.AUDITOR:
        return
    own = (isinstance(instance, get_user_model()) and instance.pk == user.pk) or getattr(
        instance, "user_id", None
    ) == user.pk
    if not own:
        raise AuditorWriteRefused(_("审计员只能查阅，不能修改数据"))


def _warn_if_outside_transaction(instance, using) -> None:
    if not transaction.get_connection(using).in_atomic_block:
        logger.warning(
            "audited write of %s outside a transaction: the write is committed even if its audit row fails",
            instance._meta.label,
        )


def _record(instance, verb: str, changes: dict) -> None:
    tally = summarising()
    if tally is not None:
        tally[(_label(instance), verb)] += 1
        return
    audit_record(
        action=verb, object_type=_label(instance), object_id=instance.pk, object_repr=_repr(instance), changes=changes
    )


def on_pre_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    _refuse_auditor(instance)
    instance.__dict__.pop("_audit_old", None)
    if instance._state.adding or instance.pk is None or summarising() is not None:
        return
    fields = [f.attname for f in _tracked(type(instance)) if f.attname not in instance.get_deferred_fields()]
    if update_fields is not None:
        names = set(update_fields)
        fields = [a for a in fields if a in names or a.removesuffix("_id") in names]
        if not fields:  # only noise (last_login) or time stamps
            instance.__dict__["_audit_old"] = "skip"
            return
    old = type(instance)._base_manager.using(using).filter(pk=instance.pk).values(*fields).first()
    instance.__dict__["_audit_old"] = old


def on_post_save(sender, instance, created, raw=False, using=None, update_fields=None, **kwargs):
    old = instance.__dict__.pop("_audit_old", None)
    tally = summarising()
    if tally is not None:
        tally[(_label(instance), Verb.CREATE if created else Verb.UPDATE)] += 1
        return
    if old == "skip":
        return
    _warn_if_outside_transaction(instance, using)
    created = created or old is None
    changes = _changes(instance, None if created else old)
    if not created and not changes:
        return  # saved without a change worth logging
    _record(instance, Verb.CREATE if created else Verb.UPDATE, changes)


def on_pre_delete(sender, instance, using=None, **kwargs):
    _refuse_auditor(instance)
    # While every row of a cascade still exists: __str__ may follow relations that the cascade deletes.
    instance.__dict__["_audit_repr"] = _repr(instance)


def on_post_delete(sender, instance, using=None, **kwargs):
    _warn_if_outside_transaction(instance, using)
    tally = summarising()
    if tally is not None:
        tally[(_label(instance), Verb.DELETE)] += 1
        return
    audit_record(
        action=Verb.DELETE,
        object_type=_label(instance),
        object_id=instance.pk,
        object_repr=instance.__dict__.pop("_audit_repr", None) or _repr(instance),
        changes=_changes(instance, None, gone=True),
    )


_M2M_VERBS = {"post_add": Verb.M2M_ADD, "post_remove": Verb.M2M_REMOVE, "post_clear": Verb.M2M_CLEAR}


def on_m2m_changed(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    if action.startswith("pre_"):
        _refuse_auditor(instance)
        if action == "pre_clear":
            field = _m2m_field(sender, instance, reverse)
            manager = getattr(instance, field) if field else None
            instance.__dict__["_audit_cleared"] = sorted(manager.values_list("pk", flat=True)) if manager else []
        return
    verb = _M2M_VERBS[action]
    field = _m2m_field(sender, instance, reverse) or model._meta.model_name
    if verb == Verb.M2M_CLEAR:
        changes = {field: [instance.__dict__.pop("_audit_cleared", []), []]}
    elif verb == Verb.M2M_ADD:
        changes = {field: [None, sorted(pk_set or [])]}
    else:
        changes = {field: [sorted(pk_set or []), None]}
    if verb != Verb.M2M_CLEAR and not pk_set:
        return
    _record(instance, verb, changes)


def _m2m_field(through, instance, reverse) -> str | None:
    """The name of the many-to-many accessor on `instance` for the `through` table."""
    meta = instance._meta
    if not reverse:
        return next((f.name for f in meta.many_to_many if f.remote_field.through is through), None)
    return next((r.get_accessor_name() for r in meta.related_objects if r.many_to_many and r.through is through), None)


def on_logged_in(sender, request, user, **kwargs):
    audit_record(
        action=Verb.LOGIN,
        actor=user,
        request=request,
        object_type=_label(user),
        object_id=user.pk,
        object_repr=user.get_username(),
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(
        action=Verb.LOGOUT,
        actor=user,
        request=request,
        object_type=_label(user),
        object_id=user.pk,
        object_repr=user.get_username(),
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    audit_record(
        action=Verb.LOGIN_FAILED,
        outcome=Outcome.FAILURE,
        actor_name=username,
        request=request,
        object_type=User._meta.label_lower,
        object_repr=username,
    )


def connect() -> None:
    """Connect the handlers to each audited model (and not globally, so that the others keep Django's fast
    delete path)."""
    for model in apps.get_models():
        if not is_audited(model):
            continue
        uid = model._meta.label_lower
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=f"audit.pre_save.{uid}")
        post_save.connect(on_post_save, sender=model, dispatch_uid=f"audit.post_save.{uid}")
        pre_delete.connect(on_pre_delete, sender=model, dispatch_uid=f"audit.pre_delete.{uid}")
        post_delete.connect(on_post_delete, sender=model, dispatch_uid=f"audit.post_delete.{uid}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(on_m2m_changed, sender=through, dispatch_uid=f"audit.m2m.{through._meta.label_lower}")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
