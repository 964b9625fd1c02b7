"""/healthz for the load balancer, /metrics for Prometheus, one log line per request, private files."""

import json
import logging
import os
import stat
import subprocess
import sys

import pytest
from django.urls import reverse

from chengxin.core.models import PeriodicRun
from chengxin.core.schedule import once_per

pytestmark = pytest.mark.django_db


def test_healthz_says_every_check_passed(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "tasks": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_any_host_and_plain_http_as_the_load_balancer_probes(client, settings):
    settings.ALLOWED_HOSTS = ["chengxin.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # nothing else does


def test_healthz_fails_with_503_and_shows_no_error_text_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"]["cache"] == "fail" and body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode() and "Error" not in response.content.decode()


def test_metrics_are_off_without_a_token_and_private_with_one(client, settings):
    assert client.get("/metrics").status_code == 404
    settings.CHENGXIN_METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.get(reverse("login"))
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'chengxin_http_requests_total{method="GET",route="accounts/login/",status="200"}' in text
    assert "chengxin_http_request_duration_seconds_bucket" in text


def test_every_request_is_one_log_line_with_its_id_user_ip_and_duration(client, caplog, alice):
    client.force_login(alice)
    with caplog.at_level(logging.INFO, logger="chengxin.request"):
        response = client.get(reverse("home"), REMOTE_ADDR="192.0.2.44")
    [record] = [r for r in caplog.records if r.name == "chengxin.request"]
    fields = record.request
    assert fields["request_id"] == response["X-Request-ID"] and len(fields["request_id"]) == 32
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/", response.status_code)
    assert fields["user_id"] == str(alice.pk) and fields["client_ip"] == "192.0.2.44"
    assert fields["duration_ms"] >= 0
    assert f"id={fields['request_id']}" in record.getMessage()


def test_the_request_id_of_a_trusted_proxy_is_kept_and_a_clients_is_not(client, settings, caplog):
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] != given
    settings.CHENGXIN_TRUSTED_PROXY_COUNT = 1
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_the_query_string_is_not_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="chengxin.request"):
        client.get("/accounts/login/?next=/secret-code-123")
    assert "secret-code-123" not in caplog.text


def test_json_logs_are_one_object_per_line():
    from chengxin.ops.middleware import JsonFormatter

    record = logging.LogRecord("chengxin.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.request = {"request_id": "abc", "status": 200, "client_ip": "192.0.2.1"}
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "GET / 200" and entry["status"] == 200 and entry["level"] == "INFO"


def test_a_periodic_task_runs_once_per_period_however_many_workers(db):
    runs = []

    @once_per("test.task", period="hour")
    def task():
        runs.append(1)

    task()
    task()  # a second worker reaching the same hour
    assert runs == [1]
    assert PeriodicRun.objects.filter(task="test.task").count() == 1


def test_the_sqlite_database_and_the_queue_are_private_to_the_account(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["CHENGXIN_VAR_DIR"] = str(var)
    subprocess.run([sys.executable, "-m", "chengxin", "migrate", "-v0"], env=env, check=True, timeout=300)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("chengxin.sqlite3", "tasks.sqlite3"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name


def test_each_log_line_is_printed_once(tmp_path):
    """Django's own console handler (on with DEBUG) printed every django.* line a second time beside ours."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(CHENGXIN_VAR_DIR=str(tmp_path), DEBUG="1")
    script = "import logging; logging.getLogger('django.request').warning('Not Found: /x-once')"
    done = subprocess.run(
        [sys.executable, "-m", "chengxin", "shell", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert (done.stdout + done.stderr).count("Not Found: /x-once") == 1, done.stderr
