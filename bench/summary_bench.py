"""Drafting the national summary (issue 15): `publications.services.summary_document` for the latest campaign of
3,400 units × 10 years, against the bare libraries doing the same work in the same run, with its peak memory.

    .venv/bin/python -m bench.summary_bench                  # 3,400 units × 10 campaigns (SQLite; PostgreSQL too)
    .venv/bin/python -m bench.summary_bench --units 200 --years 2   # a quick look
    .venv/bin/python -m bench.summary_bench --profile        # and one drafting under cProfile

One child process per database (bench/_databases.py: SQLite under the temporary folder, `chengxin-summary-doc-
bench-sqlite/`; PostgreSQL in `chengxin_summary_doc_bench` on the server of DATABASE_URL, never `test` or
`test_chengxin`). The data set is the dashboard bench's (`dashboard_bench._build_or_reuse`: `chengxin demo-data`,
3,400 units, one campaign a year ending 2020, 13 figures, the history), built once and reused, with two changes
made by this bench: every unit's report in every campaign is in the summary's scope "submitted" (the demo's status
mix without its not-started, draft and returned reports: `--status-mix demo` keeps them), and each report of the
latest campaign has its summary report's text as the full-text search extracted it (a `TextDocument` row of
`--summary-chars` characters, no file), for the highlights' excerpts.

Measured, `--runs` times each, alternating: `summary_document(campaign=<latest>, scope="submitted")` with the
cache emptied first (the roll-ups are cached under the campaign's data stamp; a drafting after any change finds
them gone), and the baselines: (a) the one raw SQL GROUP BY of the national totals (`dashboard_bench`'s), (b) bare
python-docx writing the produced document's paragraphs, tables (same rows, columns and cell texts) and pictures,
with no styles (read back from the produced .docx), (c) bare matplotlib drawing as many charts as the document
holds, of the same pixel size, each ten labelled bars in the same Chinese font. Printed: medians, the ratio
summary / (a + b + c), the drafting's steps, its queries, the document's size and contents, the Python peak
(tracemalloc, one more run each) and the resident set's peak growth during the drafting (VmHWM restarted through
/proc/self/clear_refs). Figures are printed, never asserted; the exit status is 1 only if a child failed.
"""

import argparse
import io
import itertools
import json
import os
import statistics
import struct
import sys
import time
from types import SimpleNamespace

from bench._databases import ROOT, run_per_database
from bench._memory import proc_status_mb, reset_peak_rss, traced_mb

PG_NAME = "chengxin_summary_doc_bench"
LAST_YEAR = 2020
SCOPE = "submitted"
BARS = 10  # bars of each bare chart (a ranking's TOP)
TEXT_POOL = 64  # distinct summary texts, shared round-robin by the units
STEPS = ("opening, 一 participation", "二 totals", "三 reach (rankings, media, charts)", "四–六 highlights")
STEPS += ("附表 appendix", "save (python-docx)")
BENCH_KEY = "summary_bench v1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3400, help="units in all (default 3400)")
    parser.add_argument("--years", type=int, default=10, help=f"campaigns, the last in {LAST_YEAR} (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3; medians)")
    parser.add_argument("--summary-chars", type=int, default=8000, help="characters of each summary text")
    parser.add_argument("--status-mix", choices=["submitted", "demo"], default="submitted")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--profile", action="store_true", help="one more drafting under cProfile")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again even if it is there")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database to use (default {PG_NAME})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.years <= 30 or args.runs < 1:
        parser.error("--years must be 1 to 30 and --runs at least 1")
    if args.child:
        return _child(args)
    passed = ["--units", str(args.units), "--years", str(args.years), "--runs", str(args.runs)]
    passed += ["--summary-chars", str(args.summary_chars), "--status-mix", args.status_mix, "--seed", str(args.seed)]
    passed += ["--profile"] * args.profile + ["--rebuild"] * args.rebuild
    return run_per_database(args, module="bench.summary_bench", slug="summary-doc", passed=passed, report=_report)


# --- the parent: the figures ----------------------------------------------------------------------------------


def _report(name: str, result: dict) -> bool:
    doc, runs = result["document"], result["runs"]
    statuses = ", ".join(f"{s} {n:,}" for s, n in result["statuses"].items())
    print(
        f"\n{name}: {result['units']:,} units, campaigns {result['years']}, {result['reports']:,} reports, "
        f"{result['values']:,} figure values, {result['events']:,} history rows"
    )
    print(
        f"  campaign {result['year']} ({result['participants']:,} units expected): {statuses}; "
        f"{result['texts']:,} summary texts of {result['summary_chars']:,} characters "
        f"({result['excerpted']} excerpted: the units reporting to the ministry)"
    )
    print(
        f"  document: {doc['bytes'] / 1024:,.0f} KB, {doc['paragraphs']} paragraphs, {doc['tables']} tables "
        f"({doc['rows']} rows, {doc['cells']:,} cells), {doc['images']} charts, {doc['sections']} sections; "
        f"{result['queries']} SQL queries"
    )
    base = runs["raw_sql"]["median"] + runs["bare_docx"]["median"] + runs["bare_charts"]["median"]
    rows = (
        ("summary_document, cache emptied", runs["summary"], result["summary_mem"]),
        ("summary_document, cache warm", runs["summary_warm"], None),
        ("(a) raw SQL GROUP BY (totals)", runs["raw_sql"], result["raw_sql_mem"]),
        ("(b) bare python-docx, same content", runs["bare_docx"], result["bare_docx_mem"]),
        (f"(c) bare matplotlib, {doc['images']} charts", runs["bare_charts"], result["bare_charts_mem"]),
    )
    print(f"  | {'':<36} | median s | runs (s)             | ratio to a+b+c | Python peak | RSS peak growth |")
    print(f"  |{'-' * 38}|----------|----------------------|----------------|-------------|-----------------|")
    for label, row, mem in rows:
        spread = " ".join(f"{s:.3f}" for s in row["all"])
        python_peak = f"{mem['tracemalloc_mb']:8.1f} MB" if mem else ""
        growth = f"{mem['rss_growth_mb']:+8.1f} MB" if mem else ""
        print(
            f"  | {label:<36} | {row['median']:8.3f} | {spread:<20} | {row['median'] / base:13.2f}× "
            f"| {python_peak:>11} | {growth:>15} |"
        )
    print(f"  | {'a + b + c':<36} | {base:8.3f} | {'':<20} | {1:13.2f}× | {'':>11} | {'':>15} |")
    print(f"  summary / (a + b + c) = {runs['summary']['median'] / base:.2f}×")
    first = result["first"]
    grown = first["peak_mb"] - first["rss_before_mb"]
    print(
        f"  first drafting in the fresh process (imports, fonts): {first['seconds']:.2f} s, resident "
        f"{first['rss_before_mb']:.0f} MB → peak {first['peak_mb']:.0f} MB ({grown:+.0f} MB)"
    )
    steps = "; ".join(f"{label} {seconds:.3f}" for label, seconds in result["steps"].items())
    print(f"  steps of the drafting (median s, cache emptied): {steps}")
    for line in result.get("profile", []):
        print(f"  {line}")
    return True


# --- the child: build or reuse, then measure --------------------------------------------------------------------


def _child(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    # The bench empties the cache before each drafting: never a shared Redis, always this process's own memory.
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection

    data = _build_or_reuse(args)
    print(f"{connection.vendor}: measuring {args.runs} runs of each", flush=True)
    result = {**data, **_measure(args)}
    print("RESULT " + json.dumps(result))
    return 0


def _years(args) -> str:
    return f"{LAST_YEAR - args.years + 1}-{LAST_YEAR}"


def _status_mixes(args):
    """The demo's status mixes patched so that every report is in the summary's scope, keeping its share of
    accepted ones (no patch with --status-mix demo)."""
    import contextlib
    from unittest import mock

    from chengxin.reporting.models import Status
    from chengxin.site import demo_data

    if args.status_mix == "demo":
        return contextlib.nullcontext()
    newest = tuple((s, w) for s, w in demo_data.STATUS_MIX_NEWEST if s in (Status.SUBMITTED, Status.ACCEPTED))
    past = tuple((s, w) for s, w in demo_data.STATUS_MIX_PAST if s in (Status.SUBMITTED, Status.ACCEPTED))
    return mock.patch.multiple(demo_data, STATUS_MIX_NEWEST=newest, STATUS_MIX_PAST=past)


def _bench_key(args) -> str:
    return f"{BENCH_KEY};mix={args.status_mix};chars={args.summary_chars};seed={args.seed}"


def _bench_marker() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if "bench_summary_marker" not in connection.introspection.table_names(cursor):
            return None
        cursor.execute("SELECT data_key FROM bench_summary_marker")
        row = cursor.fetchone()
    return row[0] if row else None


def _build_or_reuse(args) -> dict:
    """The dashboard bench's data set (built with the status mix asked for), plus the summaries' texts."""
    from bench.dashboard_bench import _build_or_reuse as dashboard_data

    key = _bench_key(args)
    # What this bench adds is not in the dashboard bench's marker: a data set built otherwise is built again.
    rebuild = args.rebuild or _bench_marker() != key
    with _status_mixes(args):
        data = dashboard_data(SimpleNamespace(units=args.units, years=_years(args), seed=args.seed, rebuild=rebuild))
    if _bench_marker() != key:
        _summary_texts(args)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_summary_marker")
            cursor.execute("CREATE TABLE bench_summary_marker (data_key varchar(200) NOT NULL)")
            cursor.execute("INSERT INTO bench_summary_marker (data_key) VALUES (%s)", [key])
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    return data


def _summary_texts(args) -> None:
    """Each report of the latest campaign gets its summary report's text as textsearch extracted it (one
    TextDocument row, no file, no chunks: the excerpts read the text only)."""
    import random

    from django.db import connection, transaction

    from bench.search_bench import _paragraphs
    from chengxin.reporting.models import Report
    from chengxin.textsearch.models import Extraction, Kind, TextDocument

    rng = random.Random(args.seed)
    pool = ["\n".join(_paragraphs(rng, args.summary_chars, None)) for _ in range(TEXT_POOL)]
    reports = Report.objects.filter(campaign__year=LAST_YEAR).order_by("pk").values_list("pk", "unit_id")
    with transaction.atomic():
        TextDocument.objects.filter(kind=Kind.SUMMARY, year=LAST_YEAR).delete()
        TextDocument.objects.bulk_create(
            [
                TextDocument(
                    kind=Kind.SUMMARY,
                    object_id=pk,
                    year=LAST_YEAR,
                    unit_id=unit_id,
                    title="活动总结",
                    source_file=f"summaries/{LAST_YEAR}/{pk}.docx",
                    source_kind="docx",
                    text=pool[i % TEXT_POOL],
                    extraction=Extraction.DONE,
                )
                for i, (pk, unit_id) in enumerate(reports)
            ],
            batch_size=500,
        )
    print(f"{connection.vendor}: {len(reports):,} summary texts written", flush=True)


# --- what is measured ---------------------------------------------------------------------------------------------


def _drafting(campaign, steps: list | None = None) -> bytes:
    """One drafting with the cache emptied first; the seconds of each step appended to `steps`."""
    from django.core.cache import cache

    from chengxin.publications.services import summary_document

    cache.clear()
    marks = [time.perf_counter()]
    data = summary_document(campaign=campaign, scope=SCOPE, progress=lambda _done: marks.append(time.perf_counter()))
    marks.append(time.perf_counter())
    if steps is not None:
        steps.append([b - a for a, b in itertools.pairwise(marks)])
    return data


def _warm_drafting(campaign) -> bytes:
    from chengxin.publications.services import summary_document

    return summary_document(campaign=campaign, scope=SCOPE)


def _document_plan(data: bytes) -> dict:
    """What the produced document holds, read back with python-docx: its blocks in order (paragraph texts, tables'
    cell texts, pictures' PNG bytes) and counts."""
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    blocks, counts = [], {"paragraphs": 0, "tables": 0, "rows": 0, "cells": 0, "images": 0}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            cells = [[cell.text for cell in row.cells] for row in block.rows]
            blocks.append(("table", cells))
            counts["tables"] += 1
            counts["rows"] += len(cells)
            counts["cells"] += sum(len(r) for r in cells)
            continue
        counts["paragraphs"] += 1
        embedded = block._p.xpath(".//a:blip/@r:embed")
        if embedded:
            blocks.append(("picture", [document.part.related_parts[r].blob for r in embedded]))
            counts["images"] += len(embedded)
        else:
            blocks.append(("paragraph", block.text))
    return {"blocks": blocks, "sections": len(document.sections), **counts, "bytes": len(data)}


def _check_document(plan: dict, campaign, *, with_charts: bool) -> None:
    """Fail loudly, not time a wrong answer: the drafted document must be the campaign's summary with its tables
    and (with a Chinese font) its charts."""
    texts = [content for kind, content in plan["blocks"] if kind == "paragraph"]
    problems = []
    if not texts or texts[0] != f"{campaign.title}总结":
        problems.append(f"the first paragraph is {texts[:1]!r}, not the summary's title")
    if plan["tables"] < 5:
        problems.append(f"{plan['tables']} tables (participation, totals, rankings, plan, appendix expected)")
    if with_charts and plan["images"] == 0:
        problems.append("no chart although a Chinese font is installed")
    if problems:
        raise SystemExit("summary_bench: the drafted document is wrong: " + "; ".join(problems))


def _bare_docx(plan: dict) -> int:
    """Bare python-docx writing the same paragraphs, tables and pictures (default template, no styles)."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    for kind, content in plan["blocks"]:
        if kind == "paragraph":
            document.add_paragraph(content)
        elif kind == "picture":
            run = document.add_paragraph().add_run()
            for png in content:
                run.add_picture(io.BytesIO(png), width=Cm(15))
        else:
            table = document.add_table(rows=len(content), cols=max(len(r) for r in content))
            for row, texts in zip(table.rows, content, strict=True):
                for cell, text in zip(row.cells, texts, strict=False):
                    cell.text = text
    for _ in range(plan["sections"] - 1):
        document.add_section()
    buffer = io.BytesIO()
    document.save(buffer)
    return len(buffer.getvalue())


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _bare_charts(sizes: list[tuple[int, int]], family: str | None) -> int:
    """Bare matplotlib (Agg, no layout engine, no styling): one chart of each size, ten bars with Chinese labels
    and value labels, in the documents' font, saved as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from chengxin.publications.charts import DPI

    font = FontProperties(family=family, size=9) if family else FontProperties(size=9)
    written = 0
    for i, (width, height) in enumerate(sizes):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        values = [1_000 * (BARS - k) + 37 * i for k in range(BARS)]
        bars = ax.barh(range(BARS), values)
        ax.set_yticks(range(BARS), [f"演示省第{k:02d}地市" for k in range(BARS)], fontproperties=font)
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontproperties=font)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        written += len(buffer.getvalue())
    return written


def _raw_sql(campaign_id: int):
    from bench.dashboard_bench import _raw, _run_raw

    sql, params = _raw("national", campaign_id, 0)
    return lambda: _run_raw(sql, params)


def _timed(run) -> tuple[float, float, float]:
    """Seconds of `run()`, the resident set at its start and its peak during it (MB)."""
    reset_peak_rss()
    before = proc_status_mb("VmRSS")
    started = time.perf_counter()
    run()
    return time.perf_counter() - started, before, proc_status_mb("VmHWM")


def _profile(campaign) -> list[str]:
    """One drafting under cProfile: the chengxin functions by cumulative time, then the rest by own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(_drafting, campaign)
    stats = pstats.Stats(profiler).stats
    own = str(ROOT / "chengxin") + os.sep
    rows = sorted(stats.items(), key=lambda item: -item[1][3])
    lines = ["cProfile, one drafting (cache emptied): chengxin code by cumulative time"]
    lines.append(f"  {'ncalls':>8} {'tottime':>8} {'cumtime':>8}  function")
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in [r for r in rows if r[0][0].startswith(own)][
        :12
    ]:
        lines.append(f"  {calls:>8} {tottime:8.3f} {cumtime:8.3f}  {path[len(str(ROOT)) + 1 :]}:{line}({name})")
    lines.append("libraries by own time")
    for (path, line, name), (_cc, calls, tottime, cumtime, _callers) in sorted(
        ((k, v) for k, v in stats.items() if not k[0].startswith(own)), key=lambda item: -item[1][2]
    )[:12]:
        where = path.split("site-packages/")[-1] if "site-packages/" in path else path
        lines.append(f"  {calls:>8} {tottime:8.3f} {cumtime:8.3f}  {where}:{line}({name})")
    return lines


def _measure(args) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from chengxin.campaigns.models import Campaign, Participant
    from chengxin.publications import charts, selectors
    from chengxin.reporting.models import Report
    from chengxin.textsearch.models import Extraction, Kind, TextDocument

    campaign = Campaign.objects.get(year=LAST_YEAR)
    statuses = dict(Report.objects.filter(campaign=campaign).order_by().values_list("status").annotate(n=Count("pk")))
    # The first drafting of the process: imports, matplotlib's font list, the Chinese font.
    seconds, before, peak = _timed(lambda: _drafting(campaign))
    first = {"seconds": seconds, "rss_before_mb": before, "peak_mb": peak}
    data = _drafting(campaign)
    plan = _document_plan(data)
    _check_document(plan, campaign, with_charts=charts.cjk_font() is not None)
    sizes = [_png_size(png) for kind, content in plan["blocks"] if kind == "picture" for png in content]
    family = charts.cjk_font()
    raw = _raw_sql(campaign.pk)
    steps: list[list[float]] = []
    sides = {
        "summary": lambda: _drafting(campaign, steps),
        "summary_warm": lambda: _warm_drafting(campaign),
        "raw_sql": raw,
        "bare_docx": lambda: _bare_docx(plan),
        "bare_charts": lambda: _bare_charts(sizes, family),
    }
    raw()
    _bare_docx(plan)
    _bare_charts(sizes, family)  # warm-ups
    times: dict[str, list[float]] = {name: [] for name in sides}
    growth: dict[str, float] = dict.fromkeys(sides, float("-inf"))
    for round_ in range(args.runs):  # alternating, so that every side sees the same machine
        for name, run in sides.items():
            seconds, before, peak = _timed(run)
            times[name].append(seconds)
            growth[name] = max(growth[name], peak - before)
        print(
            f"  run {round_ + 1}: " + ", ".join(f"{name} {times[name][-1]:.3f} s" for name in sides),
            flush=True,
        )
    memory = {}
    for name in ("summary", "raw_sql", "bare_docx", "bare_charts"):
        memory[name] = {"tracemalloc_mb": traced_mb(sides[name]), "rss_growth_mb": growth[name]}
    with CaptureQueriesContext(connection) as captured:
        _drafting(campaign)
    excerpted = len(selectors.excerpts(campaign, SCOPE))
    result = {
        "year": campaign.year,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "participants": Participant.objects.filter(campaign=campaign, fills_statistics=True).count(),
        "texts": TextDocument.objects.filter(year=LAST_YEAR, kind=Kind.SUMMARY, extraction=Extraction.DONE).count(),
        "summary_chars": args.summary_chars,
        "excerpted": excerpted,
        "document": {k: v for k, v in plan.items() if k != "blocks"},
        "queries": len(captured),
        "runs": {name: {"median": statistics.median(t), "all": t} for name, t in times.items()},
        "summary_mem": memory["summary"],
        "raw_sql_mem": memory["raw_sql"],
        "bare_docx_mem": memory["bare_docx"],
        "bare_charts_mem": memory["bare_charts"],
        "first": first,
        "steps": {label: statistics.median(run[i] for run in steps) for i, label in enumerate(STEPS)},
    }
    if args.profile:
        result["profile"] = _profile(campaign)
    return result


if __name__ == "__main__":
    sys.exit(main())
