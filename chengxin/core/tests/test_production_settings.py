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


def test_production_passes_check_deploy_with_no_warning(tmp_path):
    env = {
        "CHENGXIN_ENV": "production",
        "SECRET_KEY": "k3J9-very-long-random-secret-for-the-deploy-check-0123456789abcdef",
        "ALLOWED_HOSTS": "chengxin.example.gov.cn",
    }
    result = _chengxin(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


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
