"""Benchmark of the public pages (issue 5): requests per second and p99 of the campaign page and of the commitment
search by credit code, each as a ratio to a bare Django view answering a constant, on the same server in the same
run; under one waitress process and under the production shape (nginx with TLS in front of gunicorn).

Run from the project root:

    .venv/bin/python -m bench.portal_bench [--clients 8] [--seconds 10] [--activities 300] [--commitments 2000]

The application is bench.wsgi with the settings bench.portal_settings: the product (chengxin.wsgi, every middleware,
DEBUG off) for every path, except `/__bench/constant/` (bench/portal_urls.py), which bench.wsgi serves with Django
and no middleware at all: the bare baseline. Two server shapes, one after the other, each on a database of its own
filled by a set-up child with the server's environment (migrate, the 2020 campaign, `--activities` published
activities spread over the provinces, the national totals of one accepted report, `--commitments` commitments
signed and published through the product's services):

1. waitress, one process, 8 threads, as `chengxin serve` runs it (development mode: SQLite in a temporary
   CHENGXIN_VAR_DIR and the local-memory cache; with `--waitress-services`, PostgreSQL and Redis like the stack);
2. the production shape, bench/_stack.py: nginx with TLS → one gunicorn instance of `--workers` sync workers
   (deploy/gunicorn.conf.py) → PostgreSQL (the database test_chengxin_portal, created afresh and dropped at the
   end) and Redis (`--redis-url`, flushed before and after). It needs nginx, openssl, PostgreSQL (DATABASE_URL, or
   postgres://postgres@127.0.0.1:5432/) and Redis; without them it is skipped with a line that says why.

The load: `--clients` client processes, each with one keep-alive connection (http.client; HTTPS trusting the
stack's certificate), asking for one page for `--seconds` after one second of warm-up. The commitment search asks
for random codes (each request draws its own): a seeded, published code (the page must list it) or, for
`--miss-share` of the requests, a valid code nobody signed (the page must say nothing was found). Its cache hit
rate is measured in the server (bench.portal_settings counts the look-ups of public pages' cached copies), and
printed with the number of distinct codes asked. Every answer is checked (status 200, and the body: the constant,
the campaign page, the code's row or the not-found line): anything else stops the bench with what came and exit
status 1. The servers' output goes to log files (printed in part when something fails). The target is a ratio
≥ 0.5 of each page's requests per second to the constant view's, in each shape; the exit status is 1 when one is
missed.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import ssl
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2020
TARGET_RATIO = 0.5
SETTINGS = "bench.portal_settings"
CONSTANT_PATH = "/__bench/constant/"
PG_NAME = "test_chengxin_portal"
PG_NAME_WAITRESS = "test_chengxin_portal_waitress"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
WAITRESS_REDIS_DB = 11
WAITRESS_THREADS = 8
MISS_BASE = 50_000_000  # organisation numbers of the codes nobody signed (the seeded ones start at 100,000)
WARM_BASE = 60_000_000  # codes asked only during the warm-up, so that it fills no measured key of the cache
NOT_FOUND = "没有找到已公示的承诺。".encode()
ROW_CODE = '<td class="code">{code}</td>'


class Failed(Exception):
    """The bench cannot give meaningful figures: an unexpected answer, a server that stopped, a set-up that failed."""


# --- the set-up (a child process with the server's environment) ------------------------------------------------


def _uscc(i: int) -> str:
    from chengxin.commitments.uscc import check_character, org_check_character

    org = f"{i:08d}"
    first17 = "91440300" + org + org_check_character(org)
    return first17 + check_character(first17)


def seed(activities: int, commitments: int, out: Path) -> None:
    """Fill the database of this process's environment; write the codes the search will ask to `out` (JSON):
    "found" (seeded and published), "missing" (valid, nobody signed them) and "warm" (for the warm-up only)."""
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from chengxin.activities.models import Activity
    from chengxin.analytics.services import campaign_publish_totals
    from chengxin.campaigns.models import Campaign
    from chengxin.campaigns.services import campaign_load
    from chengxin.commitments.models import Industry
    from chengxin.commitments.services import commitment_publish, commitment_sign
    from chengxin.conftest import figures_times, submitted_report  # needs the test extras (pytest, factory_boy)
    from chengxin.reporting.services import report_accept
    from chengxin.units.models import Role, Unit, User

    call_command("migrate", interactive=False, verbosity=0)
    campaign = Campaign.objects.filter(year=YEAR).first() or campaign_load(year=YEAR)
    mofcom = Unit.objects.get(code="MOFCOM")
    now = timezone.now()
    admin = User.objects.create(username="bench-admin", unit=mofcom, role=Role.NATIONAL_ADMIN, password_changed_at=now)
    reporter = User.objects.create(
        username="bench-reporter",
        unit=Unit.objects.get(code="440000"),
        role=Role.UNIT_REPORTER,
        password_changed_at=now,
    )
    report = submitted_report(campaign, reporter.unit, reporter, figures_times(7))
    report_accept(report=report, acting_user=admin)
    campaign_publish_totals(campaign=campaign, acting_user=admin)

    provinces = list(Unit.objects.filter(kind="province").exclude(region_code="").order_by("code"))
    plan = list(campaign.plan_activities.all())
    Activity.objects.bulk_create(
        Activity(
            campaign=campaign,
            unit=provinces[i % len(provinces)],
            title=f"诚信兴商主题宣传活动（第{i + 1}场）",
            plan_activity=plan[i % len(plan)] if i % 3 else None,
            start_date=dt.date(2020, 10, 1 + i % 28),
            end_date=dt.date(2020, 10, 1 + i % 28),
            region_code=provinces[i % len(provinces)].region_code,
            mode="online",
            status="published",
            published_at=now,
            created_by=reporter,
        )
        for i in range(activities)
    )
    found = []
    for i in range(commitments):
        code = _uscc(100_000 + i)
        commitment = commitment_sign(
            campaign=campaign,
            name=f"深圳市诚信商贸有限公司第{i}分公司",
            uscc=code,
            region_code="440300",
            industry=Industry.values[0],
            contact_name="张三",
            contact_phone="13800000000",
        )
        commitment_publish(commitment=commitment, acting_user=admin)
        found.append(code)
    missing = [_uscc(MISS_BASE + i) for i in range(max(commitments, 1))]
    warm = [_uscc(WARM_BASE + i) for i in range(50)]
    out.write_text(json.dumps({"found": found, "missing": missing, "warm": warm}))


def run_seed(env: dict[str, str], folder: Path, args) -> dict:
    """`seed` in a child process with `env` (the server's environment); the codes it wrote."""
    from bench._server import run_python

    out = folder / "codes.json"
    started = time.monotonic()
    command = ["-m", "bench.portal_bench", "_seed", "--activities", str(args.activities)]
    try:
        run_python(env, *command, "--commitments", str(args.commitments), "--out", str(out))
    except RuntimeError as exc:
        raise Failed(f"the set-up failed: {exc}") from None
    print(f"  set-up: {time.monotonic() - started:.0f} s", flush=True)
    return json.loads(out.read_text())


# --- the waitress server (a child process) -----------------------------------------------------------------------


def _answers(host: str, port: int, cert: str | None) -> bool:
    conn = _connection(host, port, cert, timeout=2)
    try:
        conn.request("GET", CONSTANT_PATH)
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- the load generator --------------------------------------------------------------------------------------------


def _connection(host: str, port: int, cert: str | None, timeout: float = 30) -> http.client.HTTPConnection:
    if cert:
        context = ssl.create_default_context(cafile=cert)
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _problem(check: tuple, status: int, headers: http.client.HTTPMessage, body: bytes) -> str:
    """What is wrong with an answer ('' when it is the page asked for). `check` is (kind, argument)."""
    kind, argument = check
    if status != 200:
        where = f" → {headers['Location']}" if headers["Location"] else ""
        return f"HTTP {status}{where}"
    content_type = headers["Content-Type"] or ""
    if kind == "constant":
        return "" if body == argument else f"body {body[:100]!r} is not the constant {argument!r}"
    if not content_type.startswith("text/html"):
        return f"Content-Type {content_type!r}, expected text/html"
    if kind == "campaign":
        return "" if argument in body else f"no {argument.decode()!r} in the campaign page"
    if kind == "found":
        row = ROW_CODE.format(code=argument).encode()
        return "" if row in body else f"the code {argument} is not listed"
    if kind == "missing":
        return (
            "" if NOT_FOUND in body and b'<td class="code">' not in body else f"{argument} found, or no not-found line"
        )
    return f"unknown check {kind}"


def _client(job: dict) -> dict:
    """One client process: one keep-alive connection asking for the job's pages until `until`. Returns the latency
    of each request (seconds), the paths asked (for the distinct keys), the connections reopened after the server
    closed an idle or used-up keep-alive connection, and `error` (the first unexpected answer, which stops it)."""
    rng = random.Random(job["seed"])
    targets, miss_share, missing = job["targets"], job["miss_share"], job["missing"]
    conn = _connection(job["host"], job["port"], job["cert"])
    headers = job.get("headers") or {}
    latencies: list[float] = []
    asked: set[str] = set()
    reopened = 0
    used = False  # whether `conn` has carried a request: only then may the server have closed it meanwhile
    result = {"latencies": latencies, "asked": asked, "reopened": 0, "error": ""}
    while time.monotonic() < job["until"]:
        if missing and rng.random() < miss_share:
            path, check = rng.choice(missing)
        else:
            path, check = rng.choice(targets)
        asked.add(path)
        start = time.monotonic()
        try:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not used:
                    raise
                # The server closed a kept-alive connection between two requests (as HTTP allows): a new one.
                conn.close()
                reopened += 1
                start = time.monotonic()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            result["error"] = f"GET {path}: no answer ({type(exc).__name__}: {exc})"
            break
        latencies.append(time.monotonic() - start)
        used = not response.will_close
        if response.will_close:
            conn.close()
        problem = _problem(check, response.status, response.headers, body)
        if problem:
            result["error"] = f"GET {path}: {problem}: {body[:300].decode(errors='replace')!r}"
            break
    conn.close()
    result["reopened"] = reopened
    return result


def _cache_counts(folder: Path) -> dict[str, list[int]]:
    """The servers' counts of page cache look-ups so far, {bucket: [hits, misses]}, summed over their processes."""
    total: dict[str, list[int]] = {}
    for file in folder.glob("*.json"):
        try:
            counts = json.loads(file.read_text())["counts"]
        except (OSError, ValueError, KeyError):
            continue
        for bucket, (hits, misses) in counts.items():
            pair = total.setdefault(bucket, [0, 0])
            pair[0] += hits
            pair[1] += misses
    return total


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else float("nan")


def measure(pool, server: dict, page: dict, args) -> dict:
    """Warm up for one second, then `args.clients` clients on `page` for `args.seconds`; raises Failed on the first
    unexpected answer. `server` is {"host", "port", "cert", "stats"}; `page` is {"label", "targets", "missing",
    "warm", "bucket"}."""
    clients = args.clients

    def jobs(until: float, targets: list, missing: list, seed_base: int) -> list[dict]:
        common = {
            "host": server["host"],
            "port": server["port"],
            "cert": server["cert"],
            "headers": server.get("headers"),
            "until": until,
        }
        return [
            {**common, "targets": targets, "missing": missing, "miss_share": args.miss_share, "seed": seed_base + i}
            for i in range(clients)
        ]

    def run(batch: list[dict], seconds: float) -> list[dict]:
        try:
            results = pool.map_async(_client, batch).get(timeout=seconds + 120)
        except multiprocessing.TimeoutError:
            raise Failed(f"{page['label']} ({server['name']}): the clients got no answer for 2 minutes") from None
        errors = [r["error"] for r in results if r["error"]]
        if errors:
            more = f" (and {len(errors) - 1} more clients failed)" if len(errors) > 1 else ""
            raise Failed(f"{page['label']} ({server['name']}): {errors[0]}{more}")
        return results

    run(jobs(time.monotonic() + 1.0, page["warm"], [], 1000), 1.0)
    time.sleep(0.6)  # the servers' cache counts written (every 0.25 s)
    before = _cache_counts(server["stats"])
    start = time.monotonic()
    results = run(jobs(start + args.seconds, page["targets"], page["missing"], 2000), args.seconds)
    elapsed = time.monotonic() - start
    time.sleep(0.6)
    after = _cache_counts(server["stats"])
    latencies = sorted(x for r in results for x in r["latencies"])
    asked = set().union(*(r["asked"] for r in results))
    warmed = {path for path, _check in page["warm"]}
    hits, misses = (after.get(page["bucket"], [0, 0])[k] - before.get(page["bucket"], [0, 0])[k] for k in (0, 1))
    return {
        "label": page["label"],
        "path": page["shown"],
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
        "distinct": len(asked),
        "new": len(asked - warmed),  # distinct URLs the warm-up did not ask: their first request cannot hit
        "hits": hits,
        "misses": misses,
        "cached": page["bucket"] is not None,
        "reopened": sum(r["reopened"] for r in results),
    }


def pages(codes: dict) -> list[dict]:
    """The three pages measured, the bare constant first (the baseline of the ratios)."""
    search = f"/commitments/{YEAR}/?q="

    def asks(kind: str, code_list: list[str]) -> list[tuple[str, tuple]]:
        return [(search + quote(code), (kind, code)) for code in code_list]

    campaign = [(f"/public/{YEAR}/", ("campaign", str(YEAR).encode()))]
    warm_search = asks("missing", codes["warm"])
    return [
        {
            "label": "bare Django view (constant)",
            "shown": CONSTANT_PATH,
            "targets": [(CONSTANT_PATH, ("constant", b"ok"))],
            "missing": [],
            "warm": [(CONSTANT_PATH, ("constant", b"ok"))],
            "bucket": None,
        },
        {
            "label": "campaign page",
            "shown": campaign[0][0],
            "targets": campaign,
            "missing": [],
            "warm": campaign,
            "bucket": "/public/",
        },
        {
            "label": "commitment search by code",
            "shown": f"{search}<random code>",
            "targets": asks("found", codes["found"]),
            "missing": asks("missing", codes["missing"]),
            "warm": warm_search,
            "bucket": "/commitments/",
        },
    ]


def measure_all(server: dict, codes: dict, args) -> list[dict]:
    found = []
    for page in pages(codes):
        with multiprocessing.Pool(args.clients) as pool:
            row = measure(pool, server, page, args)
        found.append(row)
        print(
            f"  {row['label']}: {row['rps']:,.0f} requests/s, p99 {row['p99']:.1f} ms ({row['requests']:,} requests)",
            flush=True,
        )
    return found


# --- the two shapes ----------------------------------------------------------------------------------------------


def _pg_base() -> str:
    base = os.environ.get("DATABASE_URL", "")
    return base if base.startswith(("postgres://", "postgresql://")) else DEFAULT_PG


def _pg_missing(base: str) -> str:
    try:
        import psycopg

        with psycopg.connect(base, connect_timeout=3):
            return ""
    except Exception as exc:  # any reason is a reason to skip (printed)
        return f"no PostgreSQL at {urlsplit(base).hostname}:{urlsplit(base).port or 5432} ({type(exc).__name__})"


def _redis_db(url: str, db: int) -> str:
    return url.rsplit("/", 1)[0] + f"/{db}"


def _flush_redis(url: str) -> None:
    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=5) as s:
        s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        answer = b""
        while answer.count(b"\r\n") < 2:
            chunk = s.recv(64)
            if not chunk:
                break
            answer += chunk
    if answer != b"+OK\r\n+OK\r\n":
        raise Failed(f"Redis at {url} did not flush its database: {answer!r}")


def run_waitress(args, tmp: Path) -> tuple[str, list[dict]]:
    """Shape 1: waitress, one process; (description, figures)."""
    from bench._server import Server, drop_pg_database, fresh_pg_database, server_env

    folder = tmp / "waitress"
    stats = folder / "cache-stats"
    stats.mkdir(parents=True)
    extra = {"CHENGXIN_BENCH_CACHE_STATS": str(stats)}
    database_url = ""
    if args.waitress_services:
        database_url = fresh_pg_database(_pg_base(), PG_NAME_WAITRESS)
        redis_url = _redis_db(args.redis_url, WAITRESS_REDIS_DB)
        _flush_redis(redis_url)
        extra["REDIS_URL"] = redis_url
        backing = f"PostgreSQL ({PG_NAME_WAITRESS}), Redis ({redis_url})"
    else:
        backing = "SQLite, the local-memory cache (per process, 300 entries)"
    env = server_env(folder / "var", database_url=database_url, settings=SETTINGS, **extra)
    description = f"waitress, 1 process × {WAITRESS_THREADS} threads, HTTP; {backing}"
    print(f"\n== {description} ==", flush=True)
    try:
        codes = run_seed(env, folder, args)
        server = Server(env, folder / "server.log", threads=WAITRESS_THREADS, module="bench.serve_wsgi")
        try:
            server.start()
            where = {"name": "waitress", "host": "127.0.0.1", "port": server.port, "cert": None, "stats": stats}
            try:
                figures = measure_all(where, codes, args)
            except Failed as exc:
                raise Failed(f"{exc}\n--- end of the server's log ---\n{log_tail(server.log)}") from None
        finally:
            server.stop()
        queued = server.log.read_text(errors="replace").count("Task queue depth")
        print(f'  waitress queued requests (its "Task queue depth" warnings): {queued:,} times', flush=True)
    finally:
        if database_url:
            drop_pg_database(database_url)
            _flush_redis(extra["REDIS_URL"])
    return description, figures


def stack_missing(args) -> str:
    from bench._stack import missing, redis_answers

    if args.no_stack:
        return "--no-stack"
    return (
        missing()
        or _pg_missing(_pg_base())
        or ("" if redis_answers(args.redis_url) else f"no Redis answers at {args.redis_url}")
    )


def run_stack(args, tmp: Path) -> list[tuple[str, str, list[dict]]]:
    """Shape 2: nginx (TLS) → gunicorn, `args.workers` sync workers → PostgreSQL + Redis; and the same gunicorn
    asked directly over plain HTTP (with the headers nginx adds), to tell the server's share from nginx's and TLS's.
    [(name, description, figures)]."""
    from bench._databases import BENCH_RATES
    from bench._server import drop_pg_database, fresh_pg_database
    from bench._stack import Stack

    folder = tmp / "stack"
    stats = folder / "cache-stats"
    stats.mkdir(parents=True)
    description = (
        f"nginx (TLS, HTTP/1.1 keep-alive) → gunicorn, {args.workers} sync workers → PostgreSQL ({PG_NAME}),"
        f" Redis ({args.redis_url}); production settings"
    )
    print(f"\n== {description} ==", flush=True)
    database_url = fresh_pg_database(_pg_base(), PG_NAME)
    _flush_redis(args.redis_url)
    stack = Stack(
        folder,
        database_url=database_url,
        redis_url=args.redis_url,
        wsgi="bench.wsgi",
        settings=SETTINGS,
        apps=1,
        workers=args.workers,
        task_worker=False,
        access_log=False,
        extra_env={"CHENGXIN_BENCH_CACHE_STATS": str(stats), **BENCH_RATES},
    )
    try:
        try:
            stack.prepare()
        except RuntimeError as exc:
            raise Failed(f"the stack's preparation failed: {exc}") from None
        codes = run_seed(stack.env("admin"), folder, args)
        try:
            stack.start()
        except RuntimeError as exc:
            raise Failed(f"the stack did not start: {exc}") from None
        where = {
            "name": "stack",
            "host": "127.0.0.1",
            "port": stack.https_port,
            "cert": str(stack.cert),
            "stats": stats,
        }
        direct = {
            "name": "gunicorn",
            "host": "127.0.0.1",
            "port": stack.app_ports[0],
            "cert": None,
            "stats": stats,
            # What nginx adds (CHENGXIN_TRUSTED_PROXY_COUNT=1): without it production sends plain HTTP to https.
            "headers": {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1", "Host": "127.0.0.1"},
        }
        try:
            figures = measure_all(where, codes, args)
            print(f"  … and gunicorn asked directly on port {stack.app_ports[0]} (plain HTTP):", flush=True)
            figures_direct = measure_all(direct, codes, args)
        except Failed as exc:
            app = stack.app_children[0]
            raise Failed(
                f"{exc}\n--- end of gunicorn's log ---\n{app.log_tail()}\n"
                f"--- end of nginx's error log ---\n{log_tail(folder / 'nginx' / 'error.log')}"
            ) from None
    finally:
        stack.stop()
        drop_pg_database(database_url)
        _flush_redis(args.redis_url)
    plain = f"gunicorn, {args.workers} sync workers, asked directly over plain HTTP (no nginx, no TLS); the same data"
    return [("nginx + gunicorn", description, figures), ("gunicorn direct", plain, figures_direct)]


# --- the report --------------------------------------------------------------------------------------------------


def report(shapes: list[tuple[str, str, list[dict]]], args) -> bool:
    """Print the tables; True when every page of every shape meets the target."""
    others = ["nginx"] if len(shapes) > 1 else []
    others += ["PostgreSQL", "Redis"] if len(shapes) > 1 or args.waitress_services else []
    print()
    print(
        f"{args.clients} client processes (one keep-alive connection each), {args.seconds:g} s per page after 1 s of"
        f" warm-up; {os.cpu_count()} CPUs shared by the clients and the server"
        f"{''.join(', ' + o for o in others)};"
        f" {args.commitments:,} published commitments, {args.miss_share:.0%} of the searches for a code nobody signed."
    )
    for name, description, _figures in shapes:
        print(f"- {name}: {description}")
    print()
    print("| server | page | URL | requests | requests/s | p50 ms | p99 ms | ratio to constant | target | cache hits |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    met = True
    for name, _description, figures in shapes:
        baseline = figures[0]["rps"]
        for i, row in enumerate(figures):
            ratio = row["rps"] / baseline
            target = ""
            if i:
                ok = ratio >= TARGET_RATIO
                met &= ok
                target = f"≥ {TARGET_RATIO} {'met' if ok else 'MISSED'}"
            print(
                f"| {name} | {row['label']} | `{row['path']}` | {row['requests']:,} | {row['rps']:,.0f} |"
                f" {row['p50']:.1f} | {row['p99']:.1f} | {ratio:.2f} | {target} | {_hits(row)} |"
            )
    print()
    print(
        "cache hits: look-ups of the page's cached copy that found it, counted in the server processes"
        " (bench.portal_settings), during the timed run. The first request of a URL the warm-up did not ask"
        " cannot hit, so at most 1 − those URLs / requests could (the search's warm-up asks codes of its own; the"
        " campaign page's asks the page)."
    )
    for name, _description, figures in shapes:
        for row in figures:
            if row["cached"] and row["hits"] + row["misses"] != row["requests"]:
                print(
                    f"note ({name}, {row['label']}): {row['hits'] + row['misses']:,} look-ups counted for"
                    f" {row['requests']:,} requests"
                )
            if row["reopened"]:
                print(f"note ({name}, {row['label']}): {row['reopened']} kept-alive connections closed by the server")
    return met


def _hits(row: dict) -> str:
    if not row["cached"]:
        return "no cache"
    counted = row["hits"] + row["misses"]
    rate = f"{row['hits'] / counted:.1%}" if counted else "none counted"
    bound = 1 - row["new"] / row["requests"] if row["requests"] else 0.0
    return f"{rate} ({row['distinct']:,} distinct URLs, at most {bound:.1%})"


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_seed":
        parser = argparse.ArgumentParser()
        parser.add_argument("command")
        parser.add_argument("--activities", type=int, required=True)
        parser.add_argument("--commitments", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True)
        args = parser.parse_args()
        seed(args.activities, args.commitments, args.out)
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="client processes (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per page (default 10)")
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--commitments", type=int, default=2000)
    parser.add_argument(
        "--miss-share", type=float, default=0.1, help="share of the searches for a code nobody signed (default 0.1)"
    )
    default_workers = 2 * (os.cpu_count() or 1)
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers,
        help=f"gunicorn workers of the stack (default {default_workers})",
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help=f"the stack's Redis database, flushed (default {DEFAULT_REDIS})"
    )
    parser.add_argument("--no-stack", action="store_true", help="measure waitress only")
    parser.add_argument(
        "--waitress-services",
        action="store_true",
        help=f"waitress on PostgreSQL ({PG_NAME_WAITRESS}) and Redis (database {WAITRESS_REDIS_DB}) instead of SQLite "
        "and the local-memory cache",
    )
    args = parser.parse_args()
    if args.commitments < 1 or args.clients < 1 or args.seconds <= 0 or not 0 <= args.miss_share < 1:
        parser.error("--commitments and --clients must be at least 1, --seconds above 0, --miss-share in [0, 1)")

    print(
        f"{os.cpu_count()} CPUs on this machine, shared by the {args.clients} client processes and the server(s):"
        " the figures are those of the whole machine, not of the server alone.",
        flush=True,
    )
    shapes = []
    try:
        with tempfile.TemporaryDirectory(prefix="chengxin-portal-bench-") as tmp:
            description, figures = run_waitress(args, Path(tmp))
            shapes.append(("waitress", description, figures))
            reason = stack_missing(args)
            if reason:
                print(f"\nproduction stack: skipped ({reason})", flush=True)
            else:
                shapes.extend(run_stack(args, Path(tmp)))
    except Failed as exc:
        print(f"\nFAILED: {exc}", flush=True)
        print("the bench stops: no figure is printed when an answer was not the page asked for", flush=True)
        return 1
    return 0 if report(shapes, args) else 1


if __name__ == "__main__":
    sys.exit(main())
