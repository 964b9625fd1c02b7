"""Two people save the same draft at the same moment, both from the same version of the page: exactly one
save wins, the other is told to reload (409), and the stored figures are the winner's, all of them.

Each thread uses its own database connection. On SQLite the test database is normally an in-memory
shared-cache database, where a second writer fails at once with "database table is locked" instead of
waiting: that is a property of the test set-up, not of the product (which runs on a WAL file with
IMMEDIATE transactions and a 20 s busy timeout). So on SQLite the threads work on a file copy of the test
database opened with the product's own connection options; on PostgreSQL they use the test database.
"""

import contextlib
import sqlite3
import threading

import pytest
from django.db import connection, connections

from chengxin.conftest import VALID_FIGURES
from chengxin.core.errors import ConflictError
from chengxin.reporting import services
from chengxin.reporting.models import Action, Report, ReportEvent, Status
from chengxin.reporting.selectors import report_values
from chengxin.statform.selectors import form_definition
from chengxin.statform.validation import parse_values


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextlib.contextmanager
def _database_for_threads(tmp_path):
    """Yield a function that points the calling thread's default connection at the database the threads share."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield lambda: None
        return
    path = str(tmp_path / "concurrency.sqlite3")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    file_settings = {**connection.settings_dict, "NAME": path}
    original = connections["default"]

    def use_file_database() -> None:
        # A thread's connection is its own: this replaces the default connection of the calling thread only.
        connections["default"] = original.__class__(dict(file_settings), "default")

    try:
        yield use_file_database
    finally:
        if connections["default"] is not original:
            connections["default"].close()
        connections["default"] = original


def _race(use_database, report_id: int, version: int, user, figure_sets: list[dict]) -> list[object]:
    """Run one save per figure set, all threads released at once; each result is a SaveResult or the error."""
    results: list[object] = [None] * len(figure_sets)
    barrier = threading.Barrier(len(figure_sets))

    def save(i: int, figures: dict) -> None:
        try:
            use_database()
            report = Report.objects.select_related("campaign", "unit").get(pk=report_id)
            barrier.wait(timeout=30)
            results[i] = services.report_save_draft(
                report=report, raw_values=figures, version=version, acting_user=user
            )
        except Exception as exc:  # the test inspects whatever happened
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i, f)) for i, f in enumerate(figure_sets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a save never finished (dead lock?)"
    return results


def _variant(n: int) -> dict:
    """Figures that differ from VALID_FIGURES, and from every other variant, in several cells."""
    return dict(
        VALID_FIGURES,
        tv_news=str(10 + n),
        videos=str(20 + n),
        web_news=str(100 + n),
        consultations=f"{n + 1}千",
        material_methods=f"展板、手册、横幅{n}",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_saves_of_the_same_version_one_wins_nothing_lost(tmp_path, alice, guangdong_report, writers):
    first = services.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=0, acting_user=alice
    ).report
    version = first.version
    events_before = ReportEvent.objects.filter(report=first).count()
    figure_sets = [_variant(n) for n in range(writers)]

    with _database_for_threads(tmp_path) as use_database:
        results = _race(use_database, first.pk, version, alice, figure_sets)
        unexpected = [r for r in results if not isinstance(r, (services.SaveResult, ConflictError))]
        assert unexpected == [], unexpected
        winners = [i for i, r in enumerate(results) if isinstance(r, services.SaveResult)]
        losers = [r for r in results if isinstance(r, ConflictError)]
        assert len(winners) == 1, results
        assert len(losers) == writers - 1
        assert all(e.status == 409 and "报告已被他人修改" in e.message for e in losers)

        use_database()
        report = Report.objects.get(pk=first.pk)
        expected, problems = parse_values(form_definition(report.campaign), figure_sets[winners[0]])
        assert problems == []
        assert report_values(report) == expected  # every cell is the winner's: nothing lost, nothing mixed
        assert report.version == version + 1
        assert report.status == Status.DRAFT
        events = list(ReportEvent.objects.filter(report=report).order_by("pk"))
        assert len(events) == events_before + 1  # only the winner's change is in the history
        assert events[-1].action == Action.SAVE_DRAFT
        assert {c["code"] for c in events[-1].changes} == {
            "tv_news",
            "videos",
            "web_news",
            "consultations",
            "material_methods",
        }


@pytest.mark.django_db(transaction=True)
def test_the_loser_can_save_after_reloading(tmp_path, alice, guangdong_report):
    first = services.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=0, acting_user=alice
    ).report
    with _database_for_threads(tmp_path) as use_database:
        results = _race(use_database, first.pk, first.version, alice, [_variant(1), _variant(2)])
        [loser] = [i for i, r in enumerate(results) if isinstance(r, ConflictError)]

        use_database()
        report = Report.objects.select_related("campaign", "unit").get(pk=first.pk)
        services.report_save_draft(
            report=report, raw_values=_variant(loser + 1), version=report.version, acting_user=alice
        )
        assert report_values(Report.objects.get(pk=first.pk))["tv_news"] == 11 + loser
