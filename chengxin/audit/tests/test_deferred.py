"""Deferred audit rows (audit_deferred): a service's rows are prepared as its writes happen and appended together
at its end, in order, so the chain's lock is held from there to the commit only; rows of writes rolled back are
never appended, and the chain stays verifiable."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from chengxin.audit.models import AuditChainHead, AuditEvent
from chengxin.audit.services import audit_deferred, audit_record
from chengxin.audit.tests.conftest import newest

pytestmark = pytest.mark.django_db


def _reprs_after(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("object_repr", flat=True))


def _chain_checks() -> None:
    out = io.StringIO()
    call_command("audit-check", stdout=out)
    assert "审计链完整" in out.getvalue()


def test_rows_are_appended_at_the_end_of_the_block_in_their_order(campaign):
    start = newest().seq
    with transaction.atomic():
        with audit_deferred():
            audit_record(action="update", object_repr="第一")
            audit_record(action="update", object_repr="第二")
            # Nothing appended yet: the chain's head (and its lock) is untouched.
            assert AuditChainHead.objects.get().seq == start
            assert _reprs_after(start) == []
        assert _reprs_after(start) == ["第一", "第二"]
    assert AuditChainHead.objects.get().seq == start + 2
    _chain_checks()


def test_a_block_that_fails_appends_nothing(campaign):
    start = newest().seq
    with pytest.raises(RuntimeError), transaction.atomic(), audit_deferred():
        audit_record(action="update", object_repr="回滚的")
        raise RuntimeError("the service fails")
    assert _reprs_after(start) == []


def test_a_nested_block_that_fails_drops_only_its_own_rows(campaign):
    """As in a workbook import: one sheet's save is refused (its savepoint rolled back), the others are kept."""
    start = newest().seq
    with transaction.atomic(), audit_deferred():
        audit_record(action="update", object_repr="外层")
        with pytest.raises(RuntimeError), transaction.atomic(), audit_deferred():
            audit_record(action="update", object_repr="被拒绝的")
            raise RuntimeError("refused")
        with transaction.atomic(), audit_deferred():
            audit_record(action="update", object_repr="内层")
        assert _reprs_after(start) == []
    assert _reprs_after(start) == ["外层", "内层"]
    _chain_checks()
