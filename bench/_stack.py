"""The production shape on this machine, for the end-to-end tests (chengxin/ops/tests/test_stack.py) and the scale-out
benchmark (bench/rush_bench.py --stack): nginx with TLS, running the repository's own deploy/nginx/chengxin.conf
rendered as the README says → `apps` gunicorn instances (deploy/gunicorn.conf.py), each with `workers` worker
processes (or `chengxin serve` under waitress, one process each) → PostgreSQL and Redis; and one task worker
(`chengxin run_huey`), in production mode.

Every process gets a CHENGXIN_VAR_DIR of its own, as if each ran on a machine of its own: what they share is only
what a real deployment shares (the database, Redis, the uploaded files' storage). Each child is told to die with
the thread that started it (PR_SET_PDEATHSIG, see bench/_server.py), so a killed test leaves nothing behind.
"""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench._server import _die_with_parent, free_port, run_python

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx" / "chengxin.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
ERROR_PAGES = ROOT / "deploy" / "nginx" / "errors"
SECRET_KEY = "stack-test-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP"
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def missing() -> str:
    """Why the stack cannot run here ('' if it can): nginx, openssl, PostgreSQL and Redis are needed."""
    if not nginx_binary():
        return "nginx is not installed (apt-get install nginx)"
    if not shutil.which("openssl"):
        return "openssl is not installed"
    return ""


def render_nginx_conf(values: dict[str, str]) -> str:
    """deploy/nginx/chengxin.conf with its ${CHENGXIN_…} names replaced, as `envsubst` does in the README."""
    text = NGINX_CONF.read_text()
    names = set(re.findall(r"\$\{(CHENGXIN_[A-Z_]+)\}", text))
    absent = names - set(values)
    if absent:
        raise KeyError(f"no value for {sorted(absent)}")
    return re.sub(r"\$\{(CHENGXIN_[A-Z_]+)\}", lambda m: values[m.group(1)], text)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (the test's stand-in for the real one)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
    names = "subjectAltName=IP:127.0.0.1,DNS:localhost"
    subprocess.run(
        ["openssl", *request, "-addext", names, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def rss_kib(pid: int) -> int:
    """Resident memory of a process, KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class Child:
    """One long-running child process (nginx, a gunicorn instance, the task worker), its output in `log`."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> "Child":
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
                start_new_session=True,  # its own process group: a kill reaches gunicorn's workers too
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: the machine of this process went away."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if not self.running:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def memory_kib(self) -> dict[int, int]:
        """RSS of the process and of its children (gunicorn's master and workers), by pid."""
        if not self.running:
            return {}
        pids = [self.process.pid, *children(self.process.pid)]
        return {pid: rss_kib(pid) for pid in pids}

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    """nginx (TLS) → `apps` gunicorn instances of `workers` processes each → PostgreSQL + Redis; one task worker."""

    root: Path
    database_url: str
    redis_url: str
    server: str = "gunicorn"  # or "waitress": `chengxin serve --no-worker`, one process per app instance
    apps: int = 2
    workers: int = 2
    threads: int = 1
    task_worker: bool = True
    wsgi: str = "chengxin.wsgi"
    settings: str = "chengxin.settings"
    access_log: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        self.https_port, self.http_port = free_port(), free_port()
        self.app_ports = [free_port() for _ in range(self.apps)]
        self.app_children: list[Child] = []
        self.worker_child: Child | None = None
        self.nginx_child: Child | None = None
        self.cert: Path | None = None

    # --- what each process sees ---------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def env(self, name: str) -> dict[str, str]:
        """The production environment of one process; `name` gives it a CHENGXIN_VAR_DIR of its own."""
        env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith("PYTEST_")}
        env.update(
            CHENGXIN_ENV="production",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL=self.origin,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CHENGXIN_TRUSTED_PROXY_COUNT="1",
            CHENGXIN_VAR_DIR=str(self.root / f"var-{name}"),
            CHENGXIN_MEDIA_ROOT=str(self.root / "shared-files"),
            CHENGXIN_STATIC_ROOT=str(self.root / "static"),
            DJANGO_SETTINGS_MODULE=self.settings,
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="WARNING",
        )
        env.pop("EMAIL_URL", None)
        env.update(self.extra_env)
        return env

    def chengxin(self, *args: str, timeout: float = 900) -> str:
        """`chengxin <args>` in the production environment (as an operator runs it on an app machine)."""
        return run_python(self.env("admin"), "-m", "chengxin", *args, timeout=timeout)

    # --- life cycle ----------------------------------------------------------------------------------------

    def prepare(self) -> "Stack":
        """What the README's Deployment section runs once: migrate, load the campaign, collect the static files."""
        self.chengxin("migrate", "--no-input", "-v0")
        self.chengxin("load-campaign", "2020")
        self.chengxin("collectstatic", "--no-input", "-v0")
        return self

    def start(self, timeout: float = 90) -> "Stack":
        folder = self.root / "nginx"
        folder.mkdir(exist_ok=True)
        self.cert, key = self_signed_certificate(folder)
        for i, port in enumerate(self.app_ports, start=1):
            self.app_children.append(self._app(i, port).start())
        if self.task_worker:
            command = [sys.executable, "-m", "chengxin", "run_huey"]
            self.worker_child = Child("worker", command, self.env("worker"), self.root / "worker.log").start()
        self.nginx_child = self._nginx(folder, key).start()
        deadline = time.monotonic() + timeout
        for port, child in zip(self.app_ports, self.app_children, strict=True):
            self._wait(lambda port=port: _answers(f"http://127.0.0.1:{port}/healthz"), child, deadline)
        self._wait(lambda: _answers(f"{self.origin}/healthz", self.ssl_context()), self.nginx_child, deadline)
        return self

    def _app(self, i: int, port: int) -> Child:
        env = self.env(f"app{i}")
        if self.server == "waitress":
            command = [sys.executable, "-m", "chengxin", "serve", "--no-worker", "--host", "127.0.0.1"]
            command += ["--port", str(port), "--threads", str(self.threads if self.threads > 1 else 8)]
        else:
            command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), self.wsgi]
            env.update(
                CHENGXIN_BIND=f"127.0.0.1:{port}",
                CHENGXIN_WORKERS=str(self.workers),
                CHENGXIN_THREADS=str(self.threads),
                PROMETHEUS_MULTIPROC_DIR=str(self.root / f"metrics-app{i}"),
            )
        return Child(f"app{i}", command, env, self.root / f"app{i}.log")

    def _nginx(self, folder: Path, key: Path) -> Child:
        servers = " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in self.app_ports)
        site = render_nginx_conf(
            {
                "CHENGXIN_SERVER_NAME": "127.0.0.1 localhost",
                "CHENGXIN_HTTPS_ORIGIN": self.origin,
                "CHENGXIN_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
                "CHENGXIN_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
                "CHENGXIN_TLS_CERT": str(self.cert),
                "CHENGXIN_TLS_KEY": str(key),
                "CHENGXIN_STATIC_ROOT": str(self.root / "static"),
                "CHENGXIN_ERROR_PAGES": str(ERROR_PAGES),
                "CHENGXIN_APP_SERVERS": servers,
            }
        )
        (folder / "chengxin.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        access = f"access_log {folder / 'access.log'};" if self.access_log else "access_log off;"
        (folder / "nginx.conf").write_text(
            f"""{user}worker_processes 2;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    {access}
{temp}
    include {folder / "chengxin.conf"};
}}
"""
        )
        nginx = nginx_binary()
        conf = str(folder / "nginx.conf")
        check = subprocess.run([nginx, "-t", "-c", conf, "-p", str(folder)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refuses the configuration:\n{check.stderr}")
        command = [nginx, "-c", conf, "-p", str(folder), "-g", "daemon off;"]
        return Child("nginx", command, os.environ.copy(), folder / "nginx.out")

    @staticmethod
    def _wait(answers, child: Child, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not child.running:
                raise RuntimeError(f"{child.name} stopped:\n{child.log_tail()}")
            if answers():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{child.name} did not answer in time:\n{child.log_tail()}")

    def stop(self) -> None:
        for child in [self.nginx_child, *self.app_children, self.worker_child]:
            if child is not None:
                child.stop()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- for the clients -----------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.origin + path

    def ssl_context(self) -> ssl.SSLContext:
        """Trusts the stack's own certificate only."""
        return ssl.create_default_context(cafile=str(self.cert))

    def app_memory_kib(self) -> list[dict[int, int]]:
        """Per app instance: the RSS of its master and of each worker process, by pid."""
        return [child.memory_kib() for child in self.app_children]


def _answers(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def redis_answers(url: str) -> bool:
    """True if a Redis server answers PING at `url` (redis://host:port/db)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
