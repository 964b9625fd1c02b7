"""Tampering is detectable, the log refuses changes (model and database), a write whose audit row fails is rolled
back, and a purge removes only rows past the retention while the chain stays verifiable."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chengxin.audit import chain
from chengxin.audit.models import AppendOnlyError, AuditAnchor, AuditChainHead, AuditEvent
from chengxin.audit.services import audit_purge, audit_record
from chengxin.audit.tests.conftest import newest, triggers_lifted
from chengxin.conftest import VALID_FIGURES
from chengxin.reporting import services
from chengxin.reporting.models import FigureValue, Report, ReportEvent
from chengxin.reporting.selectors import report_values
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db


def check() -> tuple[int, str]:
    """`chengxin audit-check`: (exit code, what it said)."""
    out = io.StringIO()
    try:
        call_command("audit-check", stdout=out)
    except CommandError as exc:
        return 1, str(exc)
    return 0, out.getvalue()


@pytest.fixture
def logged(alice, guangdong_report):
    """A few real rows: alice saves her draft twice."""
    report = services.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=None, acting_user=alice
    ).report
    services.report_save_draft(
        report=report, raw_values={**VALID_FIGURES, "tv_news": "5"}, version=None, acting_user=alice
    )
    return list(AuditEvent.objects.order_by("-seq")[:5])[::-1]


def test_an_intact_chain_checks_with_its_count(logged):
    code, said = check()
    assert code == 0, said
    assert f"共 {AuditEvent.objects.count()} 条记录" in said
    assert AuditChainHead.objects.get().hash in said


def test_a_changed_row_is_named(logged):
    victim = logged[1]
    with triggers_lifted() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["改过的", victim.seq])
    code, said = check()
    assert code == 1
    assert f"第 {victim.seq} 条记录的内容与其哈希不符" in said


def test_a_changed_row_with_a_recomputed_hash_breaks_the_next_link(logged):
    victim = logged[1]
    row = AuditEvent.objects.filter(seq=victim.seq).values().get()
    row["changes"] = '{"number":[3,300]}'
    forged = chain.row_hash(row)
    with triggers_lifted() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET changes = %s, hash = %s WHERE seq = %s", [row["changes"], forged, victim.seq]
        )
    code, said = check()
    assert code == 1 and f"第 {victim.seq + 1} 条记录与上一条的链接不符" in said


def test_a_deleted_row_in_the_middle_is_named(logged):
    victim = logged[2]
    with triggers_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
    code, said = check()
    assert code == 1 and f"第 {victim.seq} 条记录缺失" in said


def test_reordered_rows_are_named(logged):
    a, b = logged[1], logged[2]
    with triggers_lifted() as cursor:
        # Swap the two rows' positions (through a free number, the key being unique).
        cursor.execute("UPDATE audit_auditevent SET seq = -1 WHERE seq = %s", [a.seq])
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a.seq, b.seq])
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = -1", [b.seq])
    code, said = check()
    assert code == 1 and f"第 {a.seq} 条记录" in said


def test_a_deleted_newest_row_is_caught_by_the_head(logged):
    last = logged[-1]
    with triggers_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [last.seq])
    code, said = check()
    assert code == 1 and f"链头（第 {last.seq} 条）与最后一条记录（第 {last.seq - 1} 条）不符" in said


def test_the_model_refuses_to_change_or_delete_a_row(logged):
    event = logged[0]
    event.object_repr = "改过的"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(seq=event.seq).object_repr != "改过的"


def test_the_database_refuses_update_and_delete_of_young_rows(logged):
    seq = logged[0].seq
    for sql in (
        "UPDATE audit_auditevent SET object_repr = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditevent WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [seq])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=seq).update(object_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=seq).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.all().delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
    assert check()[0] == 0


def test_the_chain_head_only_moves_forward(logged):
    head = AuditChainHead.objects.get()
    for seq in (head.seq, head.seq - 1):  # staying or going back: refused by the database
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditchainhead SET seq = %s WHERE id = 1", [seq])
    assert AuditChainHead.objects.get().seq == head.seq


def test_several_rows_of_one_write_are_appended_in_order_and_check(alice, guangdong_report):
    from chengxin.audit.services import audit_deferred

    start = AuditChainHead.objects.get().seq
    with transaction.atomic(), audit_deferred():
        for n in range(3):
            audit_record(action="note", object_repr=f"第{n}条")
    rows = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [r.object_repr for r in rows] == ["第0条", "第1条", "第2条"]
    assert [r.seq for r in rows] == [start + 1, start + 2, start + 3]
    assert AuditChainHead.objects.get().seq == start + 3
    assert check()[0] == 0


def test_a_write_whose_audit_row_fails_is_rolled_back(alice, guangdong_report, monkeypatch):
    report = services.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=None, acting_user=alice
    ).report
    before = (
        report_values(report),
        Report.objects.values("status", "version").get(pk=report.pk),
        ReportEvent.objects.count(),
        FigureValue.objects.count(),
        AuditEvent.objects.count(),
    )

    def broken(row):
        raise RuntimeError("audit storage unavailable")

    monkeypatch.setattr(chain, "row_hash", broken)
    with pytest.raises(RuntimeError):
        services.report_save_draft(
            report=report, raw_values={**VALID_FIGURES, "tv_news": "99"}, version=report.version, acting_user=alice
        )
    monkeypatch.undo()
    after = (
        report_values(report),
        Report.objects.values("status", "version").get(pk=report.pk),
        ReportEvent.objects.count(),
        FigureValue.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert check()[0] == 0


def _old_and_young_rows(at_time, *, old_days: int, old: int, young: int) -> None:
    now = timezone.now()
    with at_time(now - dt.timedelta(days=old_days)):
        for n in range(old):
            audit_record(action="update", object_repr=f"旧记录{n}")
    for n in range(young):
        audit_record(action="update", object_repr=f"新记录{n}")


def test_purge_removes_only_rows_past_the_retention_and_the_chain_still_checks(empty_log, at_time, settings):
    settings.CHENGXIN_AUDIT_RETENTION_DAYS = 180
    _old_and_young_rows(at_time, old_days=200, old=3, young=2)
    out = io.StringIO()
    call_command("audit-purge", stdout=out)
    assert "已清理 3 条审计记录（至第 3 条）" in out.getvalue()
    assert list(AuditEvent.objects.order_by("seq").values_list("object_repr", flat=True)) == [
        "新记录0",
        "新记录1",
        "#3",
    ]
    anchor = AuditAnchor.objects.get()
    assert (anchor.seq, anchor.purged) == (3, 3)
    assert newest().action == "audit_purge"
    code, said = check()
    assert code == 0, said
    # Nothing more to purge; a second purge changes nothing.
    call_command("audit-purge", stdout=io.StringIO())
    assert AuditEvent.objects.count() == 3
    # The anchor cannot be removed or moved.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditAnchor.objects.all().delete()


def test_the_retention_is_never_below_180_days(empty_log, at_time, settings):
    settings.CHENGXIN_AUDIT_RETENTION_DAYS = 30
    _old_and_young_rows(at_time, old_days=100, old=2, young=0)
    call_command("audit-purge", stdout=io.StringIO())
    assert AuditEvent.objects.count() == 2
    settings.CHENGXIN_AUDIT_RETENTION_DAYS = 400
    with at_time(timezone.now() - dt.timedelta(days=300)):
        audit_record(action="update", object_repr="300 天前")
    count, _anchor = audit_purge()
    assert count == 0  # 300 days is within the 400 configured


def test_the_database_lets_old_rows_go_but_the_chain_notices_without_an_anchor(empty_log, at_time):
    _old_and_young_rows(at_time, old_days=200, old=2, young=1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
    code, said = check()
    assert code == 1 and "第 1 条记录缺失" in said


def test_a_forged_anchor_is_noticed(empty_log, at_time):
    _old_and_young_rows(at_time, old_days=200, old=2, young=1)
    first = AuditEvent.objects.get(seq=1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
    AuditAnchor(created_at=timezone.now(), seq=1, hash=first.hash, purged=1).save()
    code, said = check()
    assert code == 1 and "清理锚点（第 1 条）没有对应的清理记录" in said


def test_flush_is_refused_in_production_while_the_log_has_rows(logged, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="审计日志须至少保存 180 天"):
        call_command("flush", interactive=False, verbosity=0)
    assert Unit.objects.exists()


def test_text_no_database_can_store_is_cleaned_not_a_failed_write(campaign):
    event = audit_record(action="update", object_repr="a\x00b\ud800c", changes={"name": ["x\x00", "y"]})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.object_repr == "ab?c"
    assert stored.changes_dict == {"name": ["x", "y"]}
    assert check()[0] == 0
