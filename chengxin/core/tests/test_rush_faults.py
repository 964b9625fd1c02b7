"""Faults during the deadline rush (issue 6), against the real server (`chengxin serve`, waitress) in child
processes, each test on a database of its own: a SQLite file in the test's temporary folder, or, when DATABASE_URL
points at PostgreSQL, a database of its own on that server (created afresh, dropped afterwards) — never
pytest-django's test database, which the server could not see.

1. The server is killed with SIGKILL in the middle of a rush and restarted; the clients retry with the same
   Idempotency-Keys. Every submission that got a 2xx is stored once, nothing is half-written.
2. Two server processes on different ports share one database; units submit through both, some to both at once
   with the same key. Each unit is submitted exactly once and both servers give the same national totals. This
   runs on SQLite too: in WAL mode two processes share the file, and their writing transactions (IMMEDIATE)
   queue for the write lock instead of failing.

The figures of the rush itself (requests per second, p99) are the benchmark's, bench/rush_bench.py: no timing is
asserted here. Select these tests with `pytest chengxin/core/tests/test_rush_faults.py` or `-k rush`.
"""

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("chengxin.api.services", reason="the JSON API (chengxin.api.services) is not there yet")

from bench import rush_bench as rb
from bench._server import Server, drop_pg_database, fresh_pg_database, server_env

YEAR = rb.YEAR
CLIENTS = 16


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


@pytest.fixture
def own_database(tmp_path):
    """make(name) → the environment of servers on a database of this test's own: SQLite under tmp_path, or the
    PostgreSQL database `name` (recreated now, dropped at the end). Every Server in `make.servers` is killed at
    the end, whatever happened."""
    created: list[str] = []

    def make(name: str) -> dict[str, str]:
        url = ""
        if _postgres_url():
            url = fresh_pg_database(_postgres_url(), name)
            created.append(url)
        return server_env(tmp_path / "var", database_url=url)

    make.servers = []
    yield make
    for server in make.servers:
        server.kill()
    for url in created:
        drop_pg_database(url)


def _serve(make, env, log, port=None) -> Server:
    server = Server(env, log, port=port)
    make.servers.append(server)
    return server.start()


def test_rush_survives_sigkill_of_the_server(tmp_path, own_database):
    units = 150
    env = own_database("test_chengxin_kill")
    prepared = rb.run_setup(env, tmp_path, units, summaries=False)
    sent = prepared.units
    server = _serve(own_database, env, tmp_path / "server.log")
    target = rb.Target(server.port)

    third = threading.Event()

    def on_ack(n: int) -> None:
        if n >= units // 3:
            third.set()

    pool = ThreadPoolExecutor(1)
    try:
        rushing = pool.submit(
            rb.rush, target, sent, year=YEAR, clients=CLIENTS, upload=True, patience=90, on_ack=on_ack
        )
        assert third.wait(60), "a third of the units should be acknowledged within a minute"
        server.kill()
        killed_at = time.monotonic()
        # The same port, so that the clients' retries reach the new process; started from this (the main)
        # thread, which outlives it (the server dies with the thread that started it).
        _serve(own_database, env, tmp_path / "server.log", port=server.port)
        back_at = time.monotonic()
        outcomes, attempts, _elapsed = rushing.result(timeout=300)
    except BaseException:
        target.abandoned = True
        raise
    finally:
        pool.shutdown(wait=True)

    # The kill hit the server under load: requests were cut off, and units were still submitted afterwards.
    cut = [a for a in attempts if a.status == 0]
    assert cut, "no request lost its connection: the kill did not happen under load"
    assert any(a.kind == "submit" and a.status == 200 and a.ended > back_at for a in attempts)
    # Connections failed only while no server ran, and no request ever got a 5xx.
    assert [a for a in cut if not killed_at - 1 <= a.ended <= back_at + 2] == []
    assert [(a.kind, a.status) for a in attempts if a.status >= 500] == []

    state = rb.run_dump(env, tmp_path)
    assert rb.check_state(sent, outcomes, state["reports"], all_submitted=True) == []
    assert all(o.acknowledged for o in outcomes.values())
    # An upload cut off before its commit may leave its file behind, referred to by nothing (never shown).
    print(f"connections cut by the kill: {len(cut)}; unreferenced uploaded files: {state['orphan_files']}")
    expected = rb.sent_totals(sent)
    assert state["db_totals"] == expected
    assert rb.api_totals(target, YEAR, prepared.national_token) == expected


def test_rush_through_two_server_processes_on_one_database(tmp_path, own_database):
    units = 80
    env = own_database("test_chengxin_twoproc")
    prepared = rb.run_setup(env, tmp_path, units, summaries=False)
    sent = prepared.units
    servers = [_serve(own_database, env, tmp_path / f"server-{n}.log") for n in (1, 2)]
    targets = [rb.Target(s.port) for s in servers]
    run = uuid.uuid4().hex[:12]
    attempts: list[rb.Attempt] = []
    lock = threading.Lock()

    def submit(target: rb.Target, unit: dict, barrier: threading.Barrier | None = None) -> rb.Response:
        client = rb.Client(target, patience=30)
        try:
            if barrier is not None:
                barrier.wait(10)
            return rb.submit_unit(client, YEAR, unit["code"], unit["token"], f"{run}-{unit['code']}-submit")
        finally:
            client.close()
            with lock:
                attempts.extend(client.attempts)

    def one_unit(i: int) -> list[rb.Response]:
        """Unit i prepares through server i % 2; every fourth unit submits to both servers at once with the same
        key, the others to their own server."""
        unit = sent[i]
        client = rb.Client(targets[i % 2], patience=30)
        try:
            rb.prepare_unit(client, YEAR, unit["code"], unit["token"], unit["values"], run, upload=True)
        finally:
            client.close()
            with lock:
                attempts.extend(client.attempts)
        if i % 4:
            return [submit(targets[i % 2], unit)]
        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(2) as both:
            return list(both.map(lambda t: submit(t, unit, barrier), targets))

    with ThreadPoolExecutor(CLIENTS) as pool:
        try:
            answers = dict(zip((u["code"] for u in sent), pool.map(one_unit, range(units)), strict=True))
        except BaseException:
            for target in targets:  # the other clients stop at once
                target.abandoned = True
            raise

    assert [(a.kind, a.status) for a in attempts if a.status >= 500 or a.status == 0] == []
    outcomes = {}
    for code, responses in answers.items():
        assert [r.status for r in responses] == [200] * len(responses), (code, [r.body for r in responses])
        # Two submissions with the same key at once: one is done, the other waits for it and gets its answer.
        replayed = sorted(r.headers.get("idempotent-replayed") == "true" for r in responses)
        assert replayed == [False, True][: len(responses)], code
        assert len({r.json()["submitted_at"] for r in responses}) == 1
        outcomes[code] = rb.UnitOutcome(code, acknowledged=True, submitted_at=responses[0].json()["submitted_at"])

    # The same key again, to either server, gives back the stored answer: never a second submission.
    for unit in sent[::4]:
        for target in targets:
            again = submit(target, unit)
            assert again.status == 200 and again.headers.get("idempotent-replayed") == "true", (unit["code"], again)
            assert again.json()["submitted_at"] == outcomes[unit["code"]].submitted_at

    state = rb.run_dump(env, tmp_path)
    assert rb.check_state(sent, outcomes, state["reports"], all_submitted=True) == []
    expected = rb.sent_totals(sent)
    assert state["db_totals"] == expected
    assert [rb.api_totals(t, YEAR, prepared.national_token) for t in targets] == [expected, expected]
