"""The idempotency service on its own, and under concurrency: a request sent twice at the same moment with the
same key is done once, and both senders get the same answer."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from chengxin.api.models import IdempotencyKey
from chengxin.api.services import idempotency_keys_purge, idempotent_write, request_fingerprint
from chengxin.api.tests.conftest import ApiClient, token_of
from chengxin.conftest import VALID_FIGURES, make_docx
from chengxin.core.errors import DomainError
from chengxin.reporting import services as reporting
from chengxin.reporting.models import Action, Report, ReportEvent
from chengxin.reporting.tests.test_concurrency import _database_for_threads
from chengxin.units.models import Unit


def _run(alice, key, body, *, path="/api/v1/x", method="POST", calls=None):
    def write():
        if calls is not None:
            calls.append(1)
        return 200, body

    return idempotent_write(
        user=alice,
        key=key,
        method=method,
        path=path,
        request_hash=request_fingerprint(method, path, repr(body).encode()),
        write=write,
    )


def test_the_second_call_with_a_key_replays_without_writing(alice):
    calls = []
    first = _run(alice, "k", {"a": 1}, calls=calls)
    second = _run(alice, "k", {"a": 1}, calls=calls)
    assert (first.status, first.body, first.replayed) == (200, {"a": 1}, False)
    assert (second.status, second.body, second.replayed) == (200, {"a": 1}, True)
    assert len(calls) == 1


def test_without_a_key_every_call_writes(alice):
    calls = []
    _run(alice, None, {}, calls=calls)
    _run(alice, None, {}, calls=calls)
    assert len(calls) == 2
    assert not IdempotencyKey.objects.exists()


def test_a_key_with_another_request_is_refused(alice):
    _run(alice, "k", {"a": 1})
    with pytest.raises(DomainError) as other_body:
        _run(alice, "k", {"a": 2})
    assert other_body.value.status == 422
    with pytest.raises(DomainError):
        _run(alice, "k", {"a": 1}, path="/api/v1/y")
    with pytest.raises(DomainError):
        _run(alice, "k", {"a": 1}, method="PUT")


def test_a_failed_write_stores_nothing(alice):
    def refuse():
        raise DomainError("不行")

    with pytest.raises(DomainError):
        idempotent_write(user=alice, key="k", method="POST", path="/p", request_hash="h", write=refuse)
    assert not IdempotencyKey.objects.exists()


def test_keys_older_than_a_day_are_purged(alice, bob):
    _run(alice, "old", {})
    _run(bob, "new", {})
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_sent_twice_at_once_is_done_once(tmp_path, campaign, alice):
    report = reporting.report_get_or_start(campaign=campaign, unit=Unit.objects.get(code="440000"))
    report = reporting.report_save_draft(report=report, raw_values=VALID_FIGURES, version=0, acting_user=alice).report
    from django.core.files.uploadedfile import SimpleUploadedFile

    reporting.report_upload_summary(
        report=report, uploaded_file=SimpleUploadedFile("总结.docx", make_docx()), acting_user=alice
    )
    token = token_of(alice)
    results: list = [None, None]

    with _database_for_threads(tmp_path) as use_database:
        barrier = threading.Barrier(2)

        def send(i: int) -> None:
            try:
                use_database()
                client = ApiClient(token)
                barrier.wait(timeout=30)
                results[i] = client.post("/campaigns/2020/reports/440000/submit", {"version": None}, key="the-same-key")
            except Exception as exc:  # the test inspects whatever happened
                results[i] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)

        assert [getattr(r, "status_code", r) for r in results] == [200, 200]
        assert results[0].json() == results[1].json()
        assert sorted(r.get("Idempotent-Replayed", "") for r in results) == ["", "true"]
        use_database()
        submitted = Report.objects.get(pk=report.pk)
        assert submitted.status == "submitted"
        assert ReportEvent.objects.filter(report=submitted, action=Action.SUBMIT).count() == 1


def test_the_daily_task_purges_old_keys(alice):
    from chengxin.api.tasks import idempotency_keys_purge_daily

    _run(alice, "old", {})
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    idempotency_keys_purge_daily.call_local()
    assert not IdempotencyKey.objects.exists()
