"""The product's own server (`chengxin serve`: migrate, then waitress) as a child process, for benchmarks and fault
tests: start it on a free port with a given environment, wait until it answers, stop it, or kill it with SIGKILL.

The child is `python -m chengxin serve`, so its process id is the server itself (no launcher in between) and
SIGKILL hits the process that holds the database connections. On Linux the child is also told to die with its
parent (PR_SET_PDEATHSIG), so a benchmark or a test that is itself killed leaves no server behind. That signal
follows the *thread* that started the child: start servers from a thread that outlives them (the main thread).
"""

import contextlib
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench._databases import BENCH_RATES, NEVER, pg_url

ROOT = Path(__file__).resolve().parent.parent
# Variables of the caller's environment that must not leak into the server's: each server says itself which
# database, cache and settings it uses.
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(
    var_dir: Path, *, database_url: str = "", settings: str = "chengxin.settings", **extra: str
) -> dict[str, str]:
    """The environment of a server (and of its set-up commands): its own CHENGXIN_VAR_DIR (SQLite database, queue
    file, uploaded files), PostgreSQL when `database_url` is given, DEBUG off, no demo accounts, no 2FA demand,
    the local-memory cache, the repository on PYTHONPATH (for `bench.*` settings)."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith("PYTEST_")}
    env.update(
        CHENGXIN_VAR_DIR=str(var_dir),
        CHENGXIN_ENV="development",
        CHENGXIN_DEMO_ACCOUNTS="0",
        CHENGXIN_2FA_REQUIRED="0",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(BENCH_RATES)
    env.update(extra)
    return env


def fresh_pg_database(url: str, name: str) -> str:
    """Drop and create the database `name` on the server of `url`; its URL. Refuses the suites' own databases."""
    import psycopg

    if name in NEVER or name == urlsplit(url).path.lstrip("/"):
        raise ValueError(f"refusing to recreate the database {name!r}")
    with psycopg.connect(pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(url, name)


def drop_pg_database(url: str) -> None:
    """Drop the database of `url` (connections to it are closed first)."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if name in NEVER:
        raise ValueError(f"refusing to drop the database {name!r}")
    with psycopg.connect(pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_python(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run `python *args` in the repository with `env`; its standard output. Raises with the output on failure."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=_die_with_parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Server:
    """One `chengxin serve` child process on 127.0.0.1:`port`, its output in `log`. With `module="bench.serve_wsgi"`
    the same waitress serves bench.wsgi instead (the bare baselines with no middleware; no migrate, no task
    workers: the set-up is done already)."""

    def __init__(
        self, env: dict[str, str], log: Path, *, port: int | None = None, threads: int = 8, module: str = "chengxin"
    ):
        self.env, self.log, self.threads, self.module = env, log, threads, module
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> "Server":
        """Start the server and return once it answers HTTP; raises (with the log's end) if it stops first."""
        command = [sys.executable, "-m", self.module]
        command += ["serve"] if self.module == "chengxin" else []
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--threads", str(self.threads)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {self.process.returncode}):\n{self.log_tail()}")
            if self.answers():
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout:g} s:\n{self.log_tail()}")

    def answers(self) -> bool:
        """True if something on the port answers an HTTP request."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/favicon.ico")
            conn.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            conn.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind in the server (open transactions, half-sent responses)."""
        if self.running:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM (waitress and the task workers stop), SIGKILL after 20 s."""
        if not self.running:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "Server":
        return self.start() if not self.running else self

    def __exit__(self, *exc) -> None:
        self.stop()
