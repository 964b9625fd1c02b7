"""Fixtures of the audit tests: ivan the auditor, time travel for old rows, and a way to get past the triggers
(as someone with the database owner's rights would) to show that the chain still catches the change."""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from chengxin.audit import triggers
from chengxin.audit.models import AuditEvent
from chengxin.units.models import Role


@pytest.fixture
def ivan(campaign):
    """The auditor (审计员) of the ministry."""
    from chengxin.conftest import _persona

    return _persona("ivan", "MOFCOM", Role.AUDITOR)


@pytest.fixture
def sam(campaign):
    """The system administrator: not the auditor."""
    from chengxin.conftest import _persona

    return _persona("sam", "MOFCOM", Role.SYSTEM_ADMIN)


def events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def newest() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


@contextlib.contextmanager
def triggers_lifted():
    """The append-only triggers dropped for the block, inside the test's transaction (rolled back with it)."""
    triggers.uninstall(connection)
    try:
        yield connection.cursor()
    finally:
        triggers.install(connection)


@pytest.fixture
def at_time(monkeypatch):
    """Call with a datetime: audit rows written in the block carry it as their time."""

    @contextlib.contextmanager
    def travel(moment: dt.datetime):
        with monkeypatch.context() as m:
            m.setattr(timezone, "now", lambda: moment)
            yield

    return travel


@pytest.fixture
def empty_log(db):
    """The audit log emptied (inside the test's transaction), as on a new system."""
    with triggers_lifted() as cursor:
        for table in ("audit_auditevent", "audit_auditanchor", "audit_auditchainhead"):
            cursor.execute(f"DELETE FROM {table}")
