"""What the database benchmarks share: one child process per database (SQLite in a folder under the temporary
directory; PostgreSQL in a database of its own on the server of DATABASE_URL), running those children, and
emptying a child's database before it builds its data set (`wipe`)."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# One client address asks thousands of times a second in a benchmark: the per-client limits of the anonymous pages
# stay on (their cost is measured) but so high that they never refuse; no request log line per request.
BENCH_RATES = {"CHENGXIN_SEARCH_RATE": "1000000/s", "CHENGXIN_SIGN_RATE": "1000000/s", "CHENGXIN_REQUEST_LOG": "0"}
# Databases a benchmark must never write into: the test suites' and the server's own.
NEVER = {"test", "test_chengxin", "postgres", "template0", "template1"}


def pg_url(url: str, name: str) -> str:
    """`url` with its database name replaced by `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def backends(args, slug: str) -> list[tuple[str, dict]]:
    """(name, environment) of each database to measure, as `--backend` and `--pg-name` ask; `slug` names the
    benchmark's folders under the temporary directory."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DEBUG"] = "0"
    env.update(BENCH_RATES)
    tmp = Path(tempfile.gettempdir())
    found = []
    if args.backend in ("all", "sqlite"):
        found.append(("SQLite", {**env, "CHENGXIN_VAR_DIR": str(tmp / f"chengxin-{slug}-bench-sqlite")}))
    url = os.environ.get("DATABASE_URL", "")
    if args.backend in ("all", "postgresql"):
        if url.startswith(("postgres://", "postgresql://")):
            if args.pg_name in NEVER:
                raise SystemExit(f"refusing to use the database {args.pg_name!r} for the benchmark")
            pg_env = {**env, "DATABASE_URL": pg_url(url, args.pg_name)}
            found.append(("PostgreSQL", {**pg_env, "CHENGXIN_VAR_DIR": str(tmp / f"chengxin-{slug}-bench-pg")}))
        else:
            print("PostgreSQL: skipped (DATABASE_URL is not set to a postgres:// URL)")
    return found


def ensure_pg_database(url: str) -> None:
    """Create the benchmark database on the server of `url` if it does not exist."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(pg_url(url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"PostgreSQL: created the database {name}")


def run_per_database(args, *, module: str, slug: str, passed: list[str], report: Callable[[str, dict], bool]) -> int:
    """Run `python -m module --child *passed` once per database; the child prints its figures as one line
    `RESULT {json}`, which `report(name, result)` prints and judges. Exit status 0 when every report is met."""
    ok = True
    for name, env in backends(args, slug):
        if "DATABASE_URL" in env:
            ensure_pg_database(env["DATABASE_URL"])
        print(f"=== {name} ===", flush=True)
        command = [sys.executable, "-m", module, "--child", *passed]
        done = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
        result = None
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
            else:
                print(line)
        if done.returncode != 0 or result is None:
            print(f"{name}: the benchmark failed (exit {done.returncode})")
            ok = False
            continue
        ok = report(name, result) and ok
    return 0 if ok else 1


def wipe() -> None:
    """Empty the benchmark database of this (child) process, Django set up: remove the SQLite file, or drop and
    create the PostgreSQL database (never one of NEVER)."""
    from django.conf import settings
    from django.db import connection

    connection.close()
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db['NAME']}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = db["NAME"]
    if name in NEVER:
        raise SystemExit(f"refusing to drop the database {name!r}")
    with psycopg.connect(pg_url(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
