"""Backing up and restoring the whole system: the database and every uploaded file, in one archive.

The archive (.tar.gz) holds
- `database/chengxin.sqlite3` (SQLite, taken with sqlite3's online backup API, consistent while the server
  runs) or `database/chengxin.pgdump` (PostgreSQL, `pg_dump --format=custom`),
- `files/<path>`: every file in the file storage (MEDIA_ROOT by default: summary reports, photos, logos, …),
- `manifest.json` (last): when, which database vendor, the applied migrations, the row count of every table
  of the database and the sha256 of the database and of every file.

Nothing is listed table by table: the whole database is copied, and the counts cover every table it holds,
so the rows of a model added later are backed up and checked without touching this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone

from chengxin.core.generations import generation_bump

FORMAT = 1
MANIFEST = "manifest.json"
DB_MEMBERS = {"sqlite": "database/chengxin.sqlite3", "postgresql": "database/chengxin.pgdump"}
FILES_PREFIX = "files/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; `message` is shown to the operator as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class BackupResult:
    path: Path
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    # (label, table, rows in the archive, rows after restoring)
    counts: list[tuple[str, str, int, int | None]] = field(default_factory=list)
    files_restored: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Shared helpers -----------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chengxin")
    except PackageNotFoundError:
        return "unknown"


def _model_tables() -> dict[str, str]:
    """Model label → table, for every concrete model of every installed app (auto-created M2M tables too)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        tables[meta.label] = meta.db_table
    return tables


def _labelled(rows: dict[str, int]) -> dict[str, dict]:
    """Row counts per model (label → {table, rows}); tables of no model are listed under their own name."""
    by_table = {table: label for label, table in _model_tables().items()}
    return {by_table.get(table, table): {"table": table, "rows": n} for table, n in sorted(rows.items())}


def _migrations(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    applied: dict[str, list[str]] = {}
    for app, name in pairs:
        applied.setdefault(app, []).append(name)
    return {app: names[-1] for app, names in applied.items()}, applied


def _safe_relative(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts) or "\\" in name:
        return None
    return path


def _stored_files(folder: str = "") -> list[str]:
    """Every file in the file storage (settings.STORAGES["default"]: MEDIA_ROOT, or a shared store), by name."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _stored_files(f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def _private_open(path: Path):
    """A new file that only this account may read (0600): the archive holds password hashes and TOTP secrets."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


# --- Database vendors ---------------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).resolve()


def _sqlite_counts(conn: sqlite3.Connection, tables: list[str] | None = None) -> dict[str, int]:
    if tables is None:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    counts = {}
    for table in tables:
        if table in present:
            quoted = '"' + table.replace('"', '""') + '"'
            counts[table] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
    return counts


def _sqlite_migrations(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    try:
        return list(conn.execute("SELECT app, name FROM django_migrations ORDER BY id"))
    except sqlite3.OperationalError:
        return []


def _sqlite_snapshot(dest: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Copy the live database into `dest` with the online backup API; the counts are those of the copy."""
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"数据库文件不存在：{source_path}（请确认 CHENGXIN_VAR_DIR）")
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        # One self-contained file: the copy is not left in WAL mode (the server turns WAL on again when it opens it).
        target.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_counts(target), _sqlite_migrations(target)
    finally:
        target.close()
        source.close()


def _pg_settings() -> dict:
    return connection.settings_dict


def _pg_env() -> dict[str, str]:
    """Connection for pg_dump / pg_restore: the password goes in PGPASSWORD, never on the command line."""
    db = _pg_settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS") or {}
    for key, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_tool(name: str, *, at_least: int) -> tuple[str, int]:
    """The path and major version of pg_dump / pg_restore, refused if missing or older than `at_least`."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端工具（主版本不低于 {at_least}，"
            f"Debian/Ubuntu：apt-get install postgresql-client-{at_least}），并确认它在 PATH 中"
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"无法识别 {name} 的版本：{output.strip()}")
    major = int(match.group(1))
    if major < at_least:
        raise BackupError(
            f"{name} 的版本（{major}）低于所需的主版本 {at_least}；请安装 postgresql-client-{at_least} 或更新的版本"
        )
    return path, major


def _pg_quote(table: str) -> str:
    return connection.ops.quote_name(table)


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [r[0] for r in cursor.fetchall()]


def _pg_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_pg_quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_snapshot(dest: Path) -> tuple[dict[str, int], list[tuple[str, str]], int]:
    """pg_dump of the configured database; the counts are read in the very snapshot pg_dump dumps."""
    server_major = connection.pg_version // 10000
    pg_dump, dump_major = _pg_tool("pg_dump", at_least=server_major)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _pg_tables(cursor)
        counts = _pg_counts(cursor, tables)
        migrations = []
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = [tuple(r) for r in cursor.fetchall()]
        command = [
            pg_dump,
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot}",
            f"--file={dest}",
            f"--dbname={_pg_settings()['NAME']}",
        ]
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()}")
    return counts, migrations, dump_major


# --- Backup -------------------------------------------------------------------------------------------------


class _HashingReader:
    def __init__(self, f):
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def archive_name(now: dt.datetime | None = None) -> str:
    return f"chengxin-backup-{timezone.localtime(now or timezone.now()):%Y%m%d-%H%M%S}.tar.gz"


def backup_create(*, out: Path) -> BackupResult:
    """Write one archive of the database and every uploaded file to `out` (a file, or a folder to put it in).

    The database is copied first, then the files: a file uploaded meanwhile is in the archive without its row
    (harmless), never the other way round unless a file is deleted during the backup."""
    out = Path(out)
    target = out / archive_name() if out.is_dir() else out
    if not target.parent.is_dir():
        raise BackupError(f"目标文件夹不存在：{target.parent}")
    vendor = connection.vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库（仅支持 SQLite 与 PostgreSQL）")
    created_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="chengxin-backup-") as tmp:
        db_copy = Path(tmp) / Path(DB_MEMBERS[vendor]).name
        extra = {}
        if vendor == "sqlite":
            counts, migrations = _sqlite_snapshot(db_copy)
        else:
            counts, migrations, dump_major = _pg_snapshot(db_copy)
            extra = {"pg_dump_major": dump_major, "server_version": connection.pg_version}
        latest, applied = _migrations(migrations)
        database = {
            "vendor": vendor,
            "path": DB_MEMBERS[vendor],
            "size": db_copy.stat().st_size,
            "sha256": _sha256_file(db_copy),
            **extra,
        }
        partial = target.with_name(f".{target.name}.partial")
        files = []
        try:
            with _private_open(partial) as out, tarfile.open(fileobj=out, mode="w:gz") as archive:
                archive.add(db_copy, arcname=DB_MEMBERS[vendor], recursive=False)
                for name in _stored_files():
                    info = tarfile.TarInfo(FILES_PREFIX + name)
                    info.size = default_storage.size(name)
                    info.mtime = int(default_storage.get_modified_time(name).timestamp())
                    info.mode = 0o600
                    with default_storage.open(name, "rb") as f:
                        reader = _HashingReader(f)
                        archive.addfile(info, reader)
                    files.append({"path": name, "size": info.size, "sha256": reader.digest.hexdigest()})
                manifest = {
                    "format": FORMAT,
                    "product": "chengxin",
                    "product_version": _product_version(),
                    "created_at": created_at.isoformat(),
                    "database": database,
                    "migrations": latest,
                    "applied_migrations": applied,
                    "rows": _labelled(counts),
                    "files": files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(created_at.timestamp())
                info.mode = 0o644
                archive.addfile(info, _BytesReader(body))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(path=target, manifest=manifest)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


# --- Restore ------------------------------------------------------------------------------------------------


def _unpack(archive_path: Path, staging: Path) -> tuple[dict, dict[str, tuple[Path, int, str]]]:
    """Extract the archive into `staging`, hashing every member; nothing outside `staging` is written."""
    members: dict[str, tuple[Path, int, str]] = {}
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for n, info in enumerate(archive):
                relative = _safe_relative(info.name)
                if not info.isfile() or relative is None or info.name in members:
                    raise BackupError(f"备份文件中有不应出现的条目：{info.name}；未做任何恢复")
                dest = staging / f"{n:06d}"
                digest = hashlib.sha256()
                source = archive.extractfile(info)
                with dest.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                members[info.name] = (dest, info.size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"找不到备份文件：{archive_path}") from None
        raise BackupError(f"备份文件已损坏，无法读取：{exc}；未做任何恢复") from None
    if MANIFEST not in members:
        raise BackupError("备份文件中没有清单（manifest.json），不是 chengxin 的备份；未做任何恢复")
    try:
        manifest = json.loads(members[MANIFEST][0].read_bytes())
    except ValueError:
        raise BackupError("备份清单（manifest.json）无法解析；未做任何恢复") from None
    if manifest.get("product") != "chengxin" or manifest.get("format") != FORMAT:
        raise BackupError("备份清单的格式不被此版本支持；未做任何恢复")
    return manifest, members


def _verify(manifest: dict, members: dict[str, tuple[Path, int, str]]) -> None:
    """Every file the manifest lists is in the archive with its size and sha256, and nothing else is."""
    expected = {manifest["database"]["path"]: manifest["database"]}
    for entry in manifest["files"]:
        if _safe_relative(entry["path"]) is None:
            raise BackupError(f"备份清单中有不安全的路径：{entry['path']}；未做任何恢复")
        expected[FILES_PREFIX + entry["path"]] = entry
    if manifest["database"]["path"] != DB_MEMBERS.get(manifest["database"].get("vendor")):
        raise BackupError("备份清单中的数据库条目无效；未做任何恢复")
    for name, entry in expected.items():
        if name not in members:
            raise BackupError(f"备份文件不完整：缺少 {name}；未做任何恢复")
        _, size, sha = members[name]
        if size != entry["size"] or sha != entry["sha256"]:
            raise BackupError(f"备份文件已损坏或被改动：{name} 的 sha256 与清单不符；未做任何恢复")
    extra = sorted(set(members) - set(expected) - {MANIFEST})
    if extra:
        raise BackupError(f"备份文件中有清单未列出的文件：{extra[0]}；未做任何恢复")


def _check_migrations(manifest: dict) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, names in manifest.get("applied_migrations", {}).items():
        for name in names:
            if (app, name) not in known:
                raise BackupError(
                    f"备份来自更新版本的程序（含本程序没有的数据库迁移 {app}.{name}）；请先升级程序再恢复；未做任何恢复"
                )


def _target_holds_data() -> str | None:
    """Why the configured database / file storage is not empty, or None. Creates nothing."""
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    report_table = apps.get_model("reporting", "Report")._meta.db_table
    if connection.vendor == "sqlite":
        path = _sqlite_path()
        if path.exists() and path.stat().st_size:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                counts = _sqlite_counts(conn, [user_table, report_table])
            finally:
                conn.close()
        else:
            counts = {}
    else:
        with connection.cursor() as cursor:
            present = set(_pg_tables(cursor))
            counts = _pg_counts(cursor, [t for t in (user_table, report_table) if t in present])
    if counts.get(user_table):
        return f"目标数据库已有 {counts[user_table]} 个用户"
    if counts.get(report_table):
        return f"目标数据库已有 {counts[report_table]} 份报送"
    files = _stored_files()
    if files:
        return f"文件存储（上传文件）中已有 {len(files)} 个文件"
    return None


def _replace_stored(source: Path, name: str) -> None:
    """Put `source` into the file storage under exactly `name` (an older file of that name is replaced)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with source.open("rb") as f:
        saved = default_storage.save(name, File(f, name=PurePosixPath(name).name))
    if saved != name:
        raise BackupError(f"文件存储把 {name} 存成了 {saved}；恢复中止")


def _sha256_stored(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_file(source: Path, dest: Path) -> None:
    """Put a copy of `source` at `dest` atomically (a temporary file beside it, then os.replace)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.restore-tmp")
    with source.open("rb") as src, temporary.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, dest)


def _restore_sqlite(staged: Path) -> None:
    check = sqlite3.connect(staged)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError(f"备份中的数据库未通过完整性检查：{result}；未做任何恢复")
    connections.close_all()
    path = _sqlite_path()
    if path.exists():
        # Fold the old write-ahead log into the old file first, so that no stale log is applied to the new one.
        old = sqlite3.connect(path, timeout=20)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
    _replace_file(staged, path)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _restore_postgresql(staged: Path, manifest: dict) -> None:
    needed = max(int(manifest["database"].get("pg_dump_major") or 0), connection.pg_version // 10000)
    pg_restore, _ = _pg_tool("pg_restore", at_least=needed)
    connections.close_all()
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={_pg_settings()['NAME']}",
        str(staged),
    ]
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败（数据库未改动）：{done.stderr.strip()}")


def _counts_now(tables: list[str]) -> dict[str, int]:
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(f"{_sqlite_path().as_uri()}?mode=ro", uri=True)
        try:
            return _sqlite_counts(conn, tables)
        finally:
            conn.close()
    with connection.cursor() as cursor:
        present = set(_pg_tables(cursor))
        return _pg_counts(cursor, [t for t in tables if t in present])


def backup_restore(*, archive: Path, force: bool = False, say: Callable[[str], None] = lambda _: None) -> RestoreResult:
    """Restore the archive into the configured database and file storage.

    Everything is checked before anything is written: the manifest, the sha256 of the database and of every
    file, the database vendor, the migrations, and (unless `force`) that the target holds no data. After
    restoring, the row count of every table and the sha256 of every file are checked again."""
    with tempfile.TemporaryDirectory(prefix="chengxin-restore-") as tmp:
        manifest, members = _unpack(Path(archive), Path(tmp))
        _verify(manifest, members)
        vendor = manifest["database"]["vendor"]
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        if vendor != connection.vendor:
            raise BackupError(
                f"该备份来自 {names.get(vendor, vendor)} 数据库，当前配置的是 "
                f"{names.get(connection.vendor, connection.vendor)}；不支持跨数据库类型恢复，未做任何恢复"
            )
        _check_migrations(manifest)
        if not force:
            reason = _target_holds_data()
            if reason:
                raise BackupError(f"{reason}；恢复会覆盖这些数据。确认要覆盖请加 --force；未做任何恢复")
        say(f"备份时间 {manifest['created_at']}，程序版本 {manifest['product_version']}；校验通过，开始恢复")

        staged_db = members[manifest["database"]["path"]][0]
        if vendor == "sqlite":
            _restore_sqlite(staged_db)
        else:
            _restore_postgresql(staged_db, manifest)
        say("数据库已恢复")

        result = RestoreResult(manifest=manifest)
        for entry in manifest["files"]:
            name = entry["path"]
            _replace_stored(members[FILES_PREFIX + name][0], name)
            if _sha256_stored(name) != entry["sha256"]:
                result.problems.append(f"文件 {name} 恢复后的 sha256 与备份不符")
            result.files_restored += 1
        say(f"已恢复 {result.files_restored} 个上传文件到文件存储")

    rows = manifest["rows"]
    now = _counts_now([entry["table"] for entry in rows.values()])
    for label, entry in rows.items():
        after = now.get(entry["table"])
        result.counts.append((label, entry["table"], entry["rows"], after))
        if after != entry["rows"]:
            result.problems.append(
                f"{label}：备份中 {entry['rows']} 行，恢复后 {after if after is not None else '无此表'}"
            )
    generation_bump("all")  # every cached read derived from the data (core.generations) is stale now
    return result
