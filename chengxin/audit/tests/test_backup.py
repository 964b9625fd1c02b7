"""`chengxin backup` / `chengxin restore` carry the audit log: the restored chain checks with the same count and
head, new writes continue it, and restoring over a database that has audit rows (--force) is not blocked by the
append-only triggers. Run as an operator would, in subprocesses, like chengxin/core/tests/test_backup.py."""

import os
import re

import pytest

from chengxin.core.tests.test_backup import _url_for, chengxin, ok

WRITE_AND_CHECK = """
from chengxin.audit.chain import chain_verify
from chengxin.units.models import Unit
unit = Unit.objects.get(code="110000")
unit.population = 21_890_000
unit.save()
report = chain_verify()
print(report.ok, report.checked)
"""


def _head(output: str) -> tuple[int, str]:
    match = re.search(r"共 (\d+) 条记录；链头 #\d+ ([0-9a-f]{64})", output)
    assert match, output
    return int(match.group(1)), match.group(2)


def _round_trip(tmp_path, src_url=None, dst_url=None):
    src, dst = tmp_path / "src", tmp_path / "dst"
    ok(chengxin(["migrate", "--verbosity=0"], src, src_url))
    ok(chengxin(["load-campaign", "2020"], src, src_url))
    count, head = _head(ok(chengxin(["audit-check"], src, src_url)))
    assert count > 100  # the bodies, the units, the form, the participants of the campaign
    archive = tmp_path / "backup.tar.gz"
    ok(chengxin(["backup", "--out", str(archive)], src, src_url))

    ok(chengxin(["restore", str(archive)], dst, dst_url))
    assert _head(ok(chengxin(["audit-check"], dst, dst_url))) == (count, head)

    said = ok(chengxin(["shell", "-c", WRITE_AND_CHECK], dst, dst_url))
    assert said.split()[-2:] == ["True", str(count + 1)]  # new writes continue the restored chain

    # Over a database that holds audit rows: the triggers do not stand in the way of a restore.
    ok(chengxin(["restore", str(archive), "--force"], dst, dst_url))
    assert _head(ok(chengxin(["audit-check"], dst, dst_url))) == (count, head)


def test_backup_and_restore_keep_the_audit_chain_sqlite(tmp_path):
    _round_trip(tmp_path)


SCRATCH = ("chengxin_audit_backup_src", "chengxin_audit_backup_dst")


def test_backup_and_restore_keep_the_audit_chain_postgresql(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("PostgreSQL backup test skipped: DATABASE_URL is not a PostgreSQL URL")
    import psycopg

    admin = psycopg.connect(_url_for(url, "postgres"), autocommit=True)

    def drop():
        for name in SCRATCH:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    try:
        for name in SCRATCH:
            admin.execute(f'CREATE DATABASE "{name}"')
        _round_trip(tmp_path, _url_for(url, SCRATCH[0]), _url_for(url, SCRATCH[1]))
    finally:
        drop()
        admin.close()
