"""`chengxin serve` as a newcomer meets it: its help names the data folder, and a port already in use ends with
one line saying which, not a traceback."""

import os
import socket
import subprocess
import sys

import pytest

PORT_TAKEN_LINE = "端口 {port} 已被占用（Port {port} is already in use）：请关闭占用它的程序，或用 --port 指定其他端口"


def _chengxin(*args: str, var_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(CHENGXIN_VAR_DIR=str(var_dir), CHENGXIN_ENV="development")
    return subprocess.run(
        [sys.executable, "-m", "chengxin", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def taken_port():
    """A port on which something else is already listening."""
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        yield occupant.getsockname()[1]


def test_a_port_in_use_ends_with_one_line_naming_it_and_status_1(taken_port, tmp_path):
    done = _chengxin("serve", "--port", str(taken_port), var_dir=tmp_path / "var")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [PORT_TAKEN_LINE.format(port=taken_port)]
    assert "Traceback" not in done.stderr
    # It stops before migrating or announcing an address it does not serve.
    assert "Ctrl+C" not in done.stdout
    assert not (tmp_path / "var" / "chengxin.sqlite3").exists()


def test_help_says_what_the_data_folder_holds(tmp_path):
    done = _chengxin("serve", "--help", var_dir=tmp_path / "var")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "CHENGXIN_VAR_DIR (default ./var/)" in text
    for holds in ("SQLite database", "task queue", "uploaded files", "static files"):
        assert holds in text
