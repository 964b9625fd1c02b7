"""`chengxin backup` / `chengxin restore`: an archive restored into an empty database holds every report, figure
value, history event, user and uploaded file; a database with data is not overwritten without --force; a
tampered archive is refused before anything is written.

The commands run in subprocesses against databases of their own (a temporary CHENGXIN_VAR_DIR on SQLite, scratch
databases on PostgreSQL), as an operator would run them; the data is made through the services."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# Made through the services, as a unit and the ministry would: alice and bob submit, carol returns 广东省's
# report, alice corrects and resubmits, carol accepts it; an activity with a plan file and a photo; a logo.
BUILD = """
from django.core.files.uploadedfile import SimpleUploadedFile
from chengxin.activities import services as activities
from chengxin.activities.tests.factories import JPEG, create, upload
from chengxin.campaigns.models import Campaign
from chengxin.conftest import _persona, figures_times, make_docx, submitted_report
from chengxin.portal.services import logo_upload
from chengxin.portal.tests.test_logo import PNG
from chengxin.reporting import services
from chengxin.units.models import Role, Unit

campaign = Campaign.objects.get(year=2020)
alice = _persona("alice", "440000", Role.UNIT_REPORTER)
bob = _persona("bob", "110000", Role.UNIT_REPORTER)
carol = _persona("carol", "MOFCOM", Role.NATIONAL_REVIEWER)
dave = _persona("dave", "MOFCOM", Role.NATIONAL_ADMIN)
guangdong = submitted_report(campaign, Unit.objects.get(code="440000"), alice)
submitted_report(campaign, Unit.objects.get(code="110000"), bob, figures_times(3))
guangdong = services.report_return(report=guangdong, reason="电视新闻条数请核实", acting_user=carol)
guangdong = services.report_save_draft(
    report=guangdong, raw_values=figures_times(2), version=guangdong.version, acting_user=alice
).report
revised = SimpleUploadedFile("总结（修改）.docx", make_docx("修改后的总结"))
services.report_upload_summary(report=guangdong, uploaded_file=revised, acting_user=alice)
guangdong.refresh_from_db()
guangdong = services.report_submit(report=guangdong, version=guangdong.version, acting_user=alice)
services.report_accept(report=guangdong, acting_user=carol)
activity = create(campaign, alice, plan_file=upload("防疫方案.docx", make_docx("防疫方案")))
activities.activity_add_photo(activity=activity, uploaded_file=upload("现场.jpg", JPEG), acting_user=alice)
logo_upload(campaign=campaign, kind="png", content=PNG, acting_user=dave)
"""

# What a user would find: every user, report, figure value, history event, and every file with its sha256.
STATE = """
import hashlib, json
from django.conf import settings
from django.db.models import FileField
from django.apps import apps
from chengxin.reporting.models import FigureValue, Report, ReportEvent
from chengxin.units.models import User

def rows(qs, *fields):
    return sorted(json.dumps(row, default=str, ensure_ascii=False) for row in qs.values_list(*fields))

files = []
for model in apps.get_models():
    for f in model._meta.fields:
        if isinstance(f, FileField):
            for name in model.objects.exclude(**{f.name: ""}).values_list(f.name, flat=True):
                sha = hashlib.sha256((settings.MEDIA_ROOT / name).read_bytes()).hexdigest()
                files.append([model._meta.label, name, sha])
media = {p.relative_to(settings.MEDIA_ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in sorted(settings.MEDIA_ROOT.rglob("*")) if p.is_file()}
print(json.dumps({
    "users": rows(User.objects, "username", "password", "unit__code", "role"),
    "reports": rows(
        Report.objects, "unit__code", "status", "version", "return_reason", "submitted_at", "reviewed_by__username"
    ),
    "values": rows(FigureValue.objects, "report__unit__code", "figure__code", "number", "text"),
    "events": rows(
        ReportEvent.objects, "report__unit__code", "actor__username", "action", "from_status", "to_status",
        "reason", "at",
    ),
    "files": sorted(files),
    "media": media,
}, ensure_ascii=False))
"""


def chengxin(
    args: list[str], var_dir: Path, database_url: str | None = None, path: str | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHENGXIN_MEDIA_ROOT")}
    env["CHENGXIN_VAR_DIR"] = str(var_dir)
    if path is not None:
        env["PATH"] = path
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "chengxin", *args], env=env, capture_output=True, text=True, timeout=180
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def state(var_dir: Path, database_url: str | None = None) -> dict:
    return json.loads(ok(chengxin(["shell", "-c", STATE], var_dir, database_url)).splitlines()[-1])


def build_source(var_dir: Path, database_url: str | None = None) -> dict:
    ok(chengxin(["migrate", "--verbosity=0"], var_dir, database_url))
    ok(chengxin(["load-campaign", "2020"], var_dir, database_url))
    ok(chengxin(["shell", "-c", BUILD], var_dir, database_url))
    expected = state(var_dir, database_url)
    # The data is what the test means it to be, so that "everything is back" says something.
    assert len(expected["users"]) == 4
    assert len(expected["reports"]) == 2
    assert len(expected["values"]) == 26
    assert {json.loads(e)[2] for e in expected["events"]} >= {"submit", "return", "accept"}
    labels = {label for label, *_ in expected["files"]}
    assert labels == {"reporting.SummaryFile", "activities.Activity", "activities.ActivityPhoto", "portal.CampaignLogo"}
    assert len(expected["media"]) >= 5
    return expected


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """A SQLite system with reports, history and files, and its backup."""
    var_dir = tmp_path_factory.mktemp("source")
    expected = build_source(var_dir)
    out = tmp_path_factory.mktemp("backups")
    stdout = ok(chengxin(["backup", "--out", str(out)], var_dir))
    (archive,) = out.iterdir()
    assert str(archive) in stdout
    return {"var_dir": var_dir, "archive": archive, "expected": expected}


def test_backup_is_one_archive_with_a_manifest_of_migrations_counts_and_file_hashes(sqlite_source):
    archive = sqlite_source["archive"]
    assert archive.name.startswith("chengxin-backup-") and archive.name.endswith(".tar.gz")
    manifest = manifest_of(archive)
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["product_version"]
    assert manifest["created_at"]
    assert manifest["migrations"]["reporting"].startswith("00")
    assert "0001_initial" in manifest["applied_migrations"]["units"]
    assert manifest["rows"]["reporting.Report"] == {"table": "reporting_report", "rows": 2}
    assert manifest["rows"]["reporting.FigureValue"]["rows"] == 26
    assert manifest["rows"]["units.User"]["rows"] == 4
    media = sqlite_source["expected"]["media"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == media
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "database/chengxin.sqlite3" in names
    assert {n.removeprefix("files/") for n in names if n.startswith("files/")} == set(media)


def test_the_archive_and_the_database_are_readable_by_the_account_only(sqlite_source):
    import stat

    # They hold password hashes and TOTP secrets.
    assert stat.S_IMODE(sqlite_source["archive"].stat().st_mode) == 0o600
    assert stat.S_IMODE((sqlite_source["var_dir"] / "chengxin.sqlite3").stat().st_mode) == 0o600


def test_restore_into_an_empty_database_brings_back_every_report_value_event_user_and_file(sqlite_source, tmp_path):
    target = tmp_path / "restored"
    stdout = ok(chengxin(["restore", str(sqlite_source["archive"])], target))
    assert "恢复完成" in stdout
    assert "reporting.Report" in stdout and "✗" not in stdout
    assert state(target) == sqlite_source["expected"]
    # The restored system works: Django sees every migration applied.
    assert "[ ]" not in ok(chengxin(["showmigrations", "reporting", "units"], target))


def test_restore_over_a_database_with_data_is_refused_without_force_and_changes_nothing(sqlite_source, tmp_path):
    target = tmp_path / "busy"
    ok(chengxin(["restore", str(sqlite_source["archive"])], target))
    extra = "from chengxin.conftest import _persona; _persona('zoe', '440000', 'unit_reporter')"
    ok(chengxin(["shell", "-c", extra], target))
    before = state(target)
    assert len(before["users"]) == 5

    refused = chengxin(["restore", str(sqlite_source["archive"])], target)
    assert refused.returncode == 1
    assert "已有 5 个用户" in refused.stderr and "--force" in refused.stderr
    assert state(target) == before

    ok(chengxin(["restore", str(sqlite_source["archive"]), "--force"], target))
    assert state(target) == sqlite_source["expected"]


def _tampered_copy(archive: Path, dest: Path) -> str:
    """The archive with one byte of one uploaded file changed (the manifest left as it was)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w:gz") as out:
        changed = None
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if changed is None and info.name.startswith("files/"):
                data = bytes([data[0] ^ 0x01]) + data[1:]
                changed = info.name
            out.addfile(info, io.BytesIO(data))
    return changed


def test_a_tampered_archive_is_refused_before_anything_is_written(sqlite_source, tmp_path):
    tampered = tmp_path / "tampered.tar.gz"
    changed = _tampered_copy(sqlite_source["archive"], tampered)
    target = tmp_path / "target"
    refused = chengxin(["restore", str(tampered)], target)
    assert refused.returncode == 1
    assert changed in refused.stderr and "sha256" in refused.stderr
    assert not (target / "chengxin.sqlite3").exists()
    assert not (target / "files").exists()


def test_a_tampered_archive_leaves_a_restored_system_as_it_was(sqlite_source, tmp_path):
    target = tmp_path / "target"
    ok(chengxin(["restore", str(sqlite_source["archive"])], target))
    database = hashlib.sha256((target / "chengxin.sqlite3").read_bytes()).hexdigest()
    tampered = tmp_path / "tampered.tar.gz"
    _tampered_copy(sqlite_source["archive"], tampered)
    assert chengxin(["restore", str(tampered), "--force"], target).returncode == 1
    assert hashlib.sha256((target / "chengxin.sqlite3").read_bytes()).hexdigest() == database
    assert state(target) == sqlite_source["expected"]


# --- PostgreSQL -------------------------------------------------------------------------------------------

SCRATCH = ("chengxin_backup_src", "chengxin_backup_dst")


def _url_for(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def pg_scratch():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL backup test skipped: DATABASE_URL is not a PostgreSQL URL")
    import psycopg

    admin = psycopg.connect(_url_for(url, "postgres"), autocommit=True)

    def drop():
        for name in SCRATCH:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    for name in SCRATCH:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {name: _url_for(url, name) for name in SCRATCH}
    finally:
        drop()
        admin.close()


def test_postgresql_backup_restores_into_an_empty_database(pg_scratch, tmp_path, sqlite_source):
    src, dst = pg_scratch["chengxin_backup_src"], pg_scratch["chengxin_backup_dst"]
    expected = build_source(tmp_path / "src", src)
    ok(chengxin(["backup", "--out", str(tmp_path / "pg.tar.gz")], tmp_path / "src", src))
    manifest = manifest_of(tmp_path / "pg.tar.gz")
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["rows"]["reporting.Report"]["rows"] == 2

    # An SQLite archive is not restored into PostgreSQL.
    refused = chengxin(["restore", str(sqlite_source["archive"])], tmp_path / "dst", dst)
    assert refused.returncode == 1
    assert "不支持跨数据库类型恢复" in refused.stderr

    stdout = ok(chengxin(["restore", str(tmp_path / "pg.tar.gz")], tmp_path / "dst", dst))
    assert "恢复完成" in stdout
    assert state(tmp_path / "dst", dst) == expected

    refused = chengxin(["restore", str(tmp_path / "pg.tar.gz")], tmp_path / "dst", dst)
    assert refused.returncode == 1 and "--force" in refused.stderr

    # pg_dump missing, or older than the server: a clear message, no archive.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (tools / "pg_dump").chmod(0o755)
    for path, message in ((str(tmp_path), "找不到 pg_dump"), (str(tools), "pg_dump 的版本（9）低于")):
        result = chengxin(["backup", "--out", str(tmp_path / "old.tar.gz")], tmp_path / "src", src, path=path)
        assert result.returncode == 1 and message in result.stderr, result.stderr
        assert not (tmp_path / "old.tar.gz").exists()
    ok(chengxin(["restore", str(tmp_path / "pg.tar.gz"), "--force"], tmp_path / "dst", dst))
    assert state(tmp_path / "dst", dst) == expected


def test_an_archive_from_a_newer_version_is_refused(sqlite_source, tmp_path):
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(sqlite_source["archive"]) as src, tarfile.open(newer, "w:gz") as out:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                manifest["applied_migrations"]["reporting"].append("9999_from_the_future")
                data = json.dumps(manifest).encode()
                info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    target = tmp_path / "target"
    refused = chengxin(["restore", str(newer)], target)
    assert refused.returncode == 1
    assert "更新版本" in refused.stderr and "reporting.9999_from_the_future" in refused.stderr
    assert not (target / "chengxin.sqlite3").exists()
