"""Production mode: refuses to start half-configured, passes `check --deploy`, creates no demo account."""

import os
import subprocess
import sys

import pytest

from chengxin.units.demo import demo_accounts_ensure


def _chengxin(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    dropped = ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(CHENGXIN_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "chengxin", *args], env=base, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _chengxin(["check"], {"CHENGXIN_ENV": "production", "ALLOWED_HOSTS": "example.gov.cn"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _chengxin(["check"], {"CHENGXIN_ENV": "production", "SECRET_KEY": "x" * 60}, tmp_path)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


PRODUCTION = {
    "CHENGXIN_ENV": "production",
    "SECRET_KEY": "k3J9-very-long-random-secret-for-the-deploy-check-0123456789abcdef",
    "ALLOWED_HOSTS": "chengxin.example.gov.cn",
}


def test_production_passes_check_deploy_with_no_warning(tmp_path):
    result = _chengxin(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    # Silenced: only django-ratelimit's two cache checks, for the reasons settings.py gives (Django's RedisCache is
    # atomic; without Redis there is one process).
    assert "System check identified no issues (2 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "?: (" not in result.stdout + result.stderr  # no check message of any level


# Run inside `chengxin shell` with the production settings: a page over HTTPS and over plain HTTP, the headers
# of each as JSON, and what the demo-account switch says. Static files are served from the finders here (the
# production storage needs `collectstatic`, which is not what this test is about).
HEADERS_SCRIPT = """
import json
from django.core.management import call_command
from django.test import Client, override_settings
from django.conf import settings
from chengxin.units.models import User

call_command("migrate", verbosity=0)
static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=static):
    client = Client(HTTP_HOST="chengxin.example.gov.cn")
    https = client.get("/accounts/login/", secure=True)
    http = client.get("/accounts/login/")
try:
    from chengxin.units.demo import demo_accounts_ensure
    demo_accounts_ensure()
    demo = "created"
except RuntimeError:
    demo = "refused"
print(json.dumps({
    "https": [https.status_code, dict(https.headers), {k: str(v) for k, v in https.cookies.items()}],
    "http": [http.status_code, dict(http.headers)],
    "demo": demo, "demo_setting": settings.CHENGXIN_DEMO_ACCOUNTS, "users": User.objects.count(),
    "two_factor": settings.CHENGXIN_2FA_REQUIRED,
}))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    """The production settings' answers to a browser, CHENGXIN_DEMO_ACCOUNTS=1 set to try to get demo accounts."""
    import json

    env = dict(PRODUCTION, CHENGXIN_DEMO_ACCOUNTS="1")
    result = _chengxin(["shell", "-c", HEADERS_SCRIPT], env, tmp_path_factory.mktemp("production"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_pages_carry_the_security_headers(production_responses):
    status, headers, cookies = production_responses["https"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    csrf = cookies["csrftoken"]
    assert "Secure" in csrf and "SameSite=Lax" in csrf


def test_production_sends_plain_http_to_https(production_responses):
    status, headers = production_responses["http"]
    assert status == 301
    assert headers["Location"] == "https://chengxin.example.gov.cn/accounts/login/"


def test_production_creates_no_demo_account_even_when_asked(production_responses):
    assert production_responses["demo_setting"] is False
    assert production_responses["demo"] == "refused"
    assert production_responses["users"] == 0


def test_production_always_requires_two_factor_sign_in(production_responses, tmp_path):
    assert production_responses["two_factor"] is True
    result = _chengxin(["check"], dict(PRODUCTION, CHENGXIN_2FA_REQUIRED="0"), tmp_path)
    assert result.returncode != 0
    assert "CHENGXIN_2FA_REQUIRED cannot be switched off in production" in result.stderr


@pytest.mark.parametrize(("value", "ok"), [("179", False), ("0", False), ("180", True), ("365", True)])
def test_audit_retention_is_at_least_six_months(tmp_path, value, ok):
    code = "from django.conf import settings; print(settings.CHENGXIN_AUDIT_RETENTION_DAYS)"
    result = _chengxin(["shell", "-c", code], {"CHENGXIN_AUDIT_RETENTION_DAYS": value}, tmp_path)
    if ok:
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == value
    else:
        assert result.returncode != 0
        assert "CHENGXIN_AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


def test_unknown_mode_is_refused(tmp_path):
    result = _chengxin(["check"], {"CHENGXIN_ENV": "staging"}, tmp_path)
    assert result.returncode != 0
    assert "CHENGXIN_ENV" in result.stderr


@pytest.mark.django_db
def test_demo_accounts_are_never_created_when_disabled(settings, campaign):
    settings.CHENGXIN_DEMO_ACCOUNTS = False
    with pytest.raises(RuntimeError):
        demo_accounts_ensure()
    from chengxin.units.models import User

    assert not User.objects.filter(username="mofcom-admin").exists()


@pytest.mark.django_db
def test_demo_accounts_cover_ministry_three_provinces_and_two_bodies(settings, campaign):
    settings.CHENGXIN_DEMO_ACCOUNTS = True
    rows = demo_accounts_ensure()
    assert demo_accounts_ensure() == rows  # idempotent
    from chengxin.units.models import Role, User

    users = User.objects.select_related("unit")
    assert users.filter(role=Role.NATIONAL_ADMIN, unit__code="MOFCOM").exists()
    assert users.filter(role=Role.NATIONAL_REVIEWER, unit__code="MOFCOM").exists()
    assert users.filter(role=Role.UNIT_REPORTER, unit__kind__in=["province", "planned_city"]).count() >= 3
    assert users.filter(role=Role.UNIT_REPORTER, unit__kind="national_body").count() >= 2


def test_embedded_default_is_sqlite_in_wal_mode_under_var(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(connection.vendor, c.fetchone()[0], connection.settings_dict['NAME'])"
    )
    result = _chengxin(["shell", "-c", code], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    vendor, mode, name = result.stdout.splitlines()[-1].split()
    assert (vendor, mode) == ("sqlite", "wal")
    assert name == str(tmp_path / "chengxin.sqlite3")


def test_cache_is_local_memory_by_default_and_redis_with_redis_url(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    assert "LocMemCache" in _chengxin(["shell", "-c", code], {}, tmp_path).stdout
    with_redis = _chengxin(["shell", "-c", code], {"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path)
    assert "RedisCache" in with_redis.stdout
