"""Writers at the same moment each get their own place in the chain: no fork, no gap, nothing lost.

Each thread uses its own connection (on SQLite a file copy of the test database, see
chengxin/reporting/tests/test_concurrency.py); on PostgreSQL the head row's lock serialises the appends."""

import threading

import pytest
from django.db import connections, transaction

from chengxin.audit.chain import chain_verify
from chengxin.audit.models import AuditEvent
from chengxin.reporting.tests.test_concurrency import _database_for_threads
from chengxin.units.models import Unit

WRITERS, WRITES = 4, 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_extend_one_unbroken_chain(tmp_path, campaign):
    with _database_for_threads(tmp_path) as use_database:
        use_database()
        before = AuditEvent.objects.count()
        barrier = threading.Barrier(WRITERS)
        errors = []

        def write(n: int) -> None:
            try:
                use_database()
                barrier.wait(timeout=30)
                for i in range(WRITES):
                    with transaction.atomic():
                        Unit.objects.create(
                            code=f"47{n}{i:03d}", name=f"并发{n}-{i}", short_name="并发", kind="province"
                        )
            except Exception as exc:  # the test reports whatever happened
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads), "a writer never finished (dead lock?)"
        assert errors == []

        use_database()
        report = chain_verify()
        assert report.ok, report.message
        assert AuditEvent.objects.count() == before + WRITERS * WRITES
        assert AuditEvent.objects.filter(object_repr__startswith="并发").count() == WRITERS * WRITES
