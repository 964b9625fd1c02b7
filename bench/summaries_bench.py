"""Every summary report in one zip (issue 14): streaming the ministry's zip through the view against Python's
zipfile writing the same files, in the same run, on each database.

    .venv/bin/python -m bench.summaries_bench        # 3,400 units × 100 KB (SQLite; PostgreSQL with DATABASE_URL)
    .venv/bin/python -m bench.summaries_bench --units 300 --size-kb 20   # a quick look

One child process per database (bench/_databases.py). The child builds its data set from scratch: the 2020
campaign as loaded from the notice, synthetic units up to `--units` (all reporting to the ministry, submitted),
each with a summary report of `--size-kb` random bytes behind a docx's first bytes (random so that nothing
compresses it away) stored in a temporary MEDIA_ROOT, removed at the end.

Measured, `--rounds` times each, alternating: the view (`reporting:summaries_zip`, Django's test client, signed
in as a national reviewer with a verified second factor, `streaming_content` consumed chunk by chunk and
counted, never kept) and the baseline (zipfile writing the same stored files, read in the same 64 KiB chunks,
into an unseekable sink that counts bytes). For each: seconds (best round), MB/s, the peak resident set of
the process during the run (VmHWM restarted through /proc/self/clear_refs) and, in one more run each under
tracemalloc, the Python peak. Figures are printed, never asserted; the exit status is 1 only if the zip is not
what it should be (entries counted from its end record).
"""

import argparse
import io
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench._databases import run_per_database, wipe
from bench._memory import proc_status_mb, reset_peak_rss, traced_mb

MB = 1024 * 1024
CHUNK = 64 * 1024
PG_NAME = "chengxin_summaries_bench"
DOCX_HEAD = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3400, help="units with a summary report (default 3400)")
    parser.add_argument("--size-kb", type=int, default=100, help="size of each summary report in KB (default 100)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each (default 2)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database to use (default {PG_NAME})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    passed = ["--units", str(args.units), "--size-kb", str(args.size_kb), "--rounds", str(args.rounds)]
    passed += ["--seed", str(args.seed)]
    return run_per_database(args, module="bench.summaries_bench", slug="summaries", passed=passed, report=_report)


def _report(name: str, result: dict) -> bool:
    base, view = result["baseline"], result["view"]
    print(
        f"{name}: {result['units']} units with a summary of {result['size_kb']} KB "
        f"({result['data_mb']:.0f} MB of files), zip of {view['bytes'] / MB:.0f} MB, {result['entries']} entries"
    )
    print(f"| {'':<32} | seconds | MB/s  | ratio  | peak RSS | Python peak |")
    print(f"|{'-' * 34}|---------|-------|--------|----------|-------------|")
    for label, row in (("bare zipfile to a sink", base), ("`summaries_zip` view, streamed", view)):
        ratio = row["seconds"] / base["seconds"]
        print(
            f"| {label:<32} | {row['seconds']:7.2f} | {row['bytes'] / MB / row['seconds']:5.0f} | {ratio:5.2f}× "
            f"| {row['peak_rss_mb']:5.0f} MB | {row['tracemalloc_mb']:8.1f} MB |"
        )
    print(
        f"  process resident before the runs: {result['rss_before_mb']:.0f} MB; query count of the view: "
        f"{result['queries']}"
    )
    return result["zip_ok"]


# --- the child ----------------------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """An unseekable output that only counts what is written (zipfile writes data descriptors then)."""

    def __init__(self):
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.count += len(data)
        return len(data)


def _child(args) -> int:
    media = Path(tempfile.mkdtemp(prefix="chengxin-summaries-bench-media-"))
    os.environ["CHENGXIN_MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    os.environ["CHENGXIN_2FA_REQUIRED"] = "1"
    import django

    django.setup()
    try:
        return _measure(args, media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _build(args, media: Path) -> tuple[list[Path], object]:
    """The data set: returns the stored files (in the zip's order) and the national reviewer."""
    import random
    import secrets

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chengxin.campaigns.models import Participant
    from chengxin.campaigns.services import campaign_load
    from chengxin.reporting.models import Report, Status, SummaryFile
    from chengxin.units.models import Role, Unit, UnitKind, User

    print(f"{connection.vendor}: building {args.units} units × {args.size_kb} KB …", flush=True)
    started = time.perf_counter()
    wipe()
    call_command("migrate", verbosity=0)
    campaign = campaign_load(year=2020)
    with transaction.atomic():
        reviewer = User(username="bench-reviewer", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_REVIEWER)
        reviewer.set_password(secrets.token_urlsafe(24))
        reviewer.password_changed_at = timezone.now()
        reviewer.save()
        TOTPDevice.objects.create(user=reviewer, name="bench", confirmed=True)
    have = Participant.objects.filter(campaign=campaign, unit__parent=None).count()
    with transaction.atomic():
        extra = [
            Unit(
                code=f"9{i:05d}",
                name=f"合成单位{i:04d}商务局",
                short_name=f"合成{i:04d}",
                kind=UnitKind.CITY,
                sort_order=10_000 + i,
            )
            for i in range(max(0, args.units - have))
        ]
        Unit.objects.bulk_create(extra, batch_size=500)
        Participant.objects.bulk_create(
            [
                Participant(campaign=campaign, unit=u, fills_statistics=True)
                for u in Unit.objects.filter(code__in=[u.code for u in extra])
            ],
            batch_size=500,
        )
        participants = list(
            Participant.objects.filter(campaign=campaign, unit__parent=None)
            .order_by("unit__sort_order", "unit__code")
            .select_related("unit")[: args.units]
        )
        now = timezone.now()
        Report.objects.bulk_create(
            [
                Report(
                    campaign=campaign, unit=p.unit, status=Status.SUBMITTED, submitted_at=now, first_submitted_at=now
                )
                for p in participants
            ],
            batch_size=500,
        )
        reports = {r.unit_id: r for r in Report.objects.filter(campaign=campaign)}
        rng = random.Random(args.seed)
        folder = media / "summaries" / "2020"
        folder.mkdir(parents=True, exist_ok=True)
        size = args.size_kb * 1024
        files, rows = [], []
        for p in participants:
            path = folder / f"{p.unit.code}.docx"
            path.write_bytes(DOCX_HEAD + rng.randbytes(size - len(DOCX_HEAD)))
            files.append(path)
            rows.append(
                SummaryFile(
                    report=reports[p.unit_id],
                    file=f"summaries/2020/{path.name}",
                    original_name="总结.docx",
                    kind="docx",
                    size=size,
                    sha256="0" * 64,
                    uploaded_by=reviewer,
                )
            )
        SummaryFile.objects.bulk_create(rows, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: built in {time.perf_counter() - started:.1f} s", flush=True)
    return files, reviewer


def _baseline(files: list[Path]) -> int:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for path in files:
            with path.open("rb") as source, archive.open(f"{path.stem}-总结报告.docx", "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
    return sink.count


def _view(client, url: str) -> tuple[int, int]:
    """Bytes of the zip and its entry count (from the end record: the tail is all that is kept)."""
    response = client.get(url)
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"GET {url} answered {response.status_code}, not a streamed zip")
    count, tail = 0, b""
    for chunk in response.streaming_content:
        count += len(chunk)
        tail = (tail + chunk)[-64:]
    end = tail.rfind(b"PK\x05\x06")
    entries = struct.unpack("<H", tail[end + 10 : end + 12])[0] if end >= 0 else -1
    return count, entries


def _timed(run) -> tuple[float, float, object]:
    reset_peak_rss()
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, proc_status_mb("VmHWM"), value


def _measure(args, media: Path) -> int:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    files, reviewer = _build(args, media)
    client = Client()
    client.force_login(reviewer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=reviewer).persistent_id
    session.save()
    url = reverse("reporting:summaries_zip", kwargs={"year": 2020})
    rss_before = proc_status_mb("VmRSS")
    base = {"seconds": float("inf"), "peak_rss_mb": 0.0}
    view = {"seconds": float("inf"), "peak_rss_mb": 0.0}
    entries = -1
    for round_ in range(args.rounds):
        runs = (("baseline", base, lambda: _baseline(files)), ("view", view, lambda: _view(client, url)))
        for name, row, run in runs:
            seconds, peak, value = _timed(run)
            if name == "view":
                value, entries = value
            row["seconds"] = min(row["seconds"], seconds)
            row["peak_rss_mb"] = max(row["peak_rss_mb"], peak)
            row["bytes"] = value
            print(f"  round {round_ + 1}: {name} {seconds:.2f} s, peak RSS {peak:.0f} MB", flush=True)
    base["tracemalloc_mb"] = traced_mb(lambda: _baseline(files))
    view["tracemalloc_mb"] = traced_mb(lambda: _view(client, url))
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        _view(client, url)
    result = {
        "units": len(files),
        "size_kb": args.size_kb,
        "data_mb": sum(p.stat().st_size for p in files) / MB,
        "entries": entries,
        "zip_ok": entries == len(files) + 1,  # every summary and 目录.csv
        "baseline": base,
        "view": view,
        "rss_before_mb": rss_before,
        "queries": len(queries),
    }
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
