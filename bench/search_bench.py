"""The full-text search of summary reports (issue 14): reading and indexing every unit's summary against the bare
libraries reading the same files, and searching the index against the bare LIKE scan it replaces, in the same
run, on each database.

    .venv/bin/python -m bench.search_bench        # 3,400 units × 8,000 characters (PostgreSQL too with DATABASE_URL)
    .venv/bin/python -m bench.search_bench --units 300 --chars 2000   # a quick look

One child process per database (bench/_databases.py). The child builds its data set from scratch: the 2020
campaign as loaded from the notice, synthetic units up to `--units`, each with a report and a summary report in
a temporary MEDIA_ROOT (removed at the end): a .docx written by python-docx holding about `--chars` Chinese
characters, every 10th one a PDF instead (one page, a line per paragraph, the CID font and ToUnicode map of
chengxin/textsearch/tests/documents.py). The text is sentences of common campaign words drawn with a seeded
random (Zipf-like weights), so the bigrams vary; about 1 % of the documents hold a rare phrase (RARE), one of
them across the end of the first indexed chunk. The SummaryFile rows are made by bulk_create, so no signal
indexes them while the data set is built.

Measured:
- extraction and indexing: `textsearch.services.index_all(year=2020)` (reads every file, writes the texts and
  their chunks of terms into the full-text index) against the baseline, python-docx's paragraphs and pypdf's
  extract_text over the same files with no database. Seconds, documents/s, the peak resident set of the process
  during the run (VmHWM restarted through /proc/self/clear_refs) and, in one more run each under tracemalloc,
  the Python peak (index_all's second run re-indexes what the first wrote). The resident set is also sampled
  along index_all's run (does it grow with the units?).
- search: the median of `--searches` runs of `search(Query(q), Filters(year=2020))` evaluated to a list (the
  documents with their texts), its ids only, and the first page as the search page takes it (a count and 20
  rows), each against the bare scan it replaces, `SELECT id FROM textsearch_textdocument WHERE text LIKE %s`
  (one LIKE per word), interleaved run by run, after a warm-up; for the rare phrase and for a common two-word
  query. A side that has taken more than `--search-seconds` in all, its warm-up too, stops after its first
  timed run (the runs are printed); a statement the server cancels (it may be shared) leaves its figures out.
  On PostgreSQL the chunks are VACUUM ANALYZEd first, as autovacuum would soon after the indexing.
- the index's size: chunk rows; on PostgreSQL pg_total_relation_size of the chunks (with their indexes), on
  SQLite the database file (and per table, when SQLite has the dbstat table).

Figures are printed, never asserted. The exit status is 1 only if an answer is wrong (or was not had: a search
the server cancelled): the rare phrase must be found in exactly the documents that hold it (as generated, and as
the LIKE scan and the bare libraries see it), the common query in exactly the documents the LIKE scan finds, and
every document read.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench._databases import run_per_database, wipe
from bench._memory import proc_status_mb, reset_peak_rss, traced_mb

MB = 1024 * 1024
PG_NAME = "chengxin_search_bench"
YEAR = 2020
RARE = "琥珀蜻蜓标本馆"  # 琥珀蜻蜓 are in no word of VOCABULARY: the phrase is only where it is put in
COMMON = "诚信 消费"
QUERIES = (("rare phrase", RARE), ("common two words", COMMON))
PDF_EVERY = 10  # every 10th unit's summary is a PDF
PAGE = 20  # textsearch.views.PER_PAGE
# Words of the campaign's reports, the most frequent first (drawn with weights 1 / rank ** 0.8).
_WORDS = """
诚信 消费 活动 开展 企业 宣传 商务 市场 服务 经营者 放心 兴商 信用 建设 组织 社区 消费者 质量 主题 部门 监管 品牌 商户
承诺 守信 讲座 培训 示范 街区 体系 社会 公众 老字号 宣传月 联合 平台 网络 电商 直播 展销 农村 城市 乡镇 县域 行业协会
商会 标准 规范 价格 计量 食品安全 投诉 举报 维权 热线 满意度 调查 发放 资料 海报 横幅 展板 媒体 报道 新闻 发布会 电视
广播 微信 公众号 微博 短视频 疫情 防控 复工复产 促消费 扶贫 乡村振兴 商业 零售 餐饮 住宿 家政 美容 汽车 家电 家居 超市
商场 步行街 夜间经济 个体工商户 小微企业 龙头企业 诚信经营 明码标价 无理由退货 先行赔付 红黑榜 失信惩戒 守信激励
信用承诺 信用修复 公示 评选 表彰 典型 案例 经验 做法 成效 亮点 问题 不足 下一步 计划 工作 领导 小组 方案 实施 落实
推进 部署 督查 检查 考核 总结 报送 统计 数据 人次 场次 覆盖 参与 受益 群众 居民 学生 学校 进校园 进社区 进企业 进市场
进农村 志愿者 倡议书 签名 知识竞赛 文艺演出 咨询 义诊 现场 线上 线下 融合 创新 长效机制 常态化 制度 政策 文件 通知
意见
"""
VOCABULARY = _WORDS.split()
WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(VOCABULARY))]
MEASURES = ("个", "场", "次", "家", "人次", "份", "万元")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3400, help="units with a summary report (default 3400)")
    parser.add_argument("--chars", type=int, default=8000, help="characters of each summary (default 8000)")
    parser.add_argument("--searches", type=int, default=15, help="timed runs of each search (default 15)")
    parser.add_argument(
        "--search-seconds",
        type=float,
        default=60,
        help="a search that has taken longer in all (its warm-up too) stops after one timed run (default 60)",
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database to use (default {PG_NAME})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.units < 1 or args.chars < 100 or args.searches < 1:
        parser.error("--units and --searches must be at least 1, --chars at least 100")
    if args.child:
        return _child(args)
    passed = ["--units", str(args.units), "--chars", str(args.chars), "--searches", str(args.searches)]
    passed += ["--search-seconds", str(args.search_seconds), "--seed", str(args.seed)]
    return run_per_database(args, module="bench.search_bench", slug="search", passed=passed, report=_report)


def _report(name: str, result: dict) -> bool:
    base, index = result["baseline"], result["index_all"]
    print(
        f"{name}: {result['units']} units, {result['docx']} docx + {result['pdf']} pdf "
        f"({result['files_mb']:.1f} MB of files), {result['text_chars'] / 1e6:.1f} M characters read "
        f"({result['text_chars'] // result['units']:,} a document)"
    )
    print(f"| {'extraction and indexing':<34} | seconds | docs/s | ratio  | peak RSS (growth) | Python peak |")
    print(f"|{'-' * 36}|---------|--------|--------|-------------------|-------------|")
    rows = (("bare python-docx / pypdf, no DB", base), ("index_all(year=2020)", index))
    for label, row in rows:
        print(
            f"| {label:<34} | {row['seconds']:7.2f} | {result['units'] / row['seconds']:6.0f} "
            f"| {row['seconds'] / base['seconds']:5.2f}× | {row['peak_rss_mb']:5.0f} MB ({row['growth_mb']:+5.0f} MB) "
            f"| {row['tracemalloc_mb']:8.1f} MB |"
        )
    samples = ", ".join(f"{done}: {mb:.0f}" for done, mb in index["rss_samples"])
    before = result["rss_before_mb"]
    print(f"  resident (MB) after N documents of index_all's run: {samples}; before the runs {before:.0f}")
    print(f"  index_all counts: {index['counts']}")
    size = result["size"]
    print(
        f"  index: {size['chunks']:,} chunk rows for {size['documents']:,} documents; text stored "
        f"{size['text_mb']:.1f} MB (UTF-8); {size['summary']}"
    )
    print(f"| {'search (year 2020), median of the runs':<42} | runs | found |       ms |   ratio |")
    print(f"|{'-' * 44}|------|-------|----------|---------|")
    for query in result["queries"]:
        like = query["like_ms"]
        lines = [
            (f"bare LIKE scan {query['typed']!r}", "like", query["like_found"]),
            ("  search → list (rows and texts)", "list", query["found"]),
            ("  search → ids only", "ids", query["found"]),
            (f"  first page (count + {PAGE} rows)", "page", query["found"]),
        ]
        for label, key, found in lines:
            ms, runs = query[f"{key}_ms"], query[f"{key}_runs"]
            shown = f"{ms:8.1f}" if ms is not None else f"{'—':>8}"
            ratio = f"{ms / like:6.2f}×" if ms is not None and like else f"{'—':>7}"
            print(f"| {_pad(label, 42)} | {runs:4} | {found if found is not None else '—':>5} | {shown} | {ratio} |")
        if query["cancelled"]:
            print(f"  cancelled by the server (shared): {', '.join(query['cancelled'])} of {query['typed']!r}")
    check = result["check"]
    cancelled = any(query["cancelled"] for query in result["queries"])
    verdict = "correct" if check["ok"] else "INCOMPLETE (cancelled)" if cancelled else "WRONG"
    print(
        f"  check: {RARE!r} found by search in {check['rare_found']} documents; it is in {check['rare_generated']} "
        f"as generated, {check['rare_like']} by LIKE, {check['rare_bare']} by the bare libraries; "
        f"{COMMON!r}: search {check['common_found']}, LIKE {check['common_like']}; not read: {check['not_done']}"
        f" → {verdict}"
    )
    return check["ok"]


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` columns on a terminal (a Chinese character takes two)."""
    import unicodedata

    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


# --- the child ----------------------------------------------------------------------------------------------


def _timed(run) -> tuple[float, float, float, object]:
    """Seconds, the peak resident set during `run` and that peak over the resident set at its start (MB), and
    what `run` returned."""
    reset_peak_rss()
    start_rss = proc_status_mb("VmRSS")
    started = time.perf_counter()
    value = run()
    seconds, peak = time.perf_counter() - started, proc_status_mb("VmHWM")
    return seconds, peak, peak - start_rss, value


def _child(args) -> int:
    media = Path(tempfile.mkdtemp(prefix="chengxin-search-bench-media-"))
    os.environ["CHENGXIN_MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    import django

    django.setup()
    try:
        return _measure(args, media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _sentence(rng) -> str:
    words = rng.choices(VOCABULARY, weights=WEIGHTS, k=rng.randint(3, 9))
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words) + 1), f"{rng.randint(2, 3000)}{rng.choice(MEASURES)}")
    return "".join(words) + rng.choice("，，，。")


def _paragraphs(rng, chars: int, rare_at: int | None) -> list[str]:
    """About `chars` characters of text as paragraphs (joined by newlines, as extraction returns them), with
    RARE put in at the offset `rare_at` of that text (moved off a line break) when it is not None."""
    paragraphs, size = [], 0
    while size < chars:
        paragraph = ""
        target = rng.randint(120, 320)
        while len(paragraph) < target:
            paragraph += _sentence(rng)
        paragraph = paragraph[:-1] + "。"
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    if rare_at is None:
        return paragraphs
    text = "\n".join(paragraphs)
    at = max(1, min(rare_at, len(text) - 1))
    while text[at - 1] == "\n" or text[at] == "\n":
        at += 1
    return (text[:at] + RARE + text[at:]).split("\n")


def _docx_bytes(paragraphs: list[str]) -> bytes:
    from chengxin.textsearch.tests.documents import docx_bytes

    return docx_bytes(*paragraphs)


def _pdf_bytes(paragraphs: list[str]) -> bytes:
    from chengxin.textsearch.tests.documents import pdf_bytes

    return pdf_bytes(*paragraphs)  # one line per paragraph: a phrase is never cut by a line break


def _build(args, media: Path) -> tuple[list[tuple[Path, str]], int]:
    """The data set: returns the stored files with their kinds and how many of them hold RARE."""
    import random
    import secrets

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from chengxin.campaigns.models import Participant
    from chengxin.campaigns.services import campaign_load
    from chengxin.reporting.models import Report, Status, SummaryFile
    from chengxin.textsearch.models import TextDocument
    from chengxin.textsearch.services import CHUNK_CHARS, OVERLAP
    from chengxin.units.models import Role, Unit, UnitKind, User

    print(f"{connection.vendor}: building {args.units} units × {args.chars} characters …", flush=True)
    started = time.perf_counter()
    wipe()
    call_command("migrate", verbosity=0)
    campaign = campaign_load(year=YEAR)
    with transaction.atomic():
        uploader = User(username="bench-uploader", unit=Unit.objects.get(code="MOFCOM"), role=Role.NATIONAL_REVIEWER)
        uploader.set_password(secrets.token_urlsafe(24))
        uploader.password_changed_at = timezone.now()
        uploader.save()
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
        folder = media / "summaries" / str(YEAR)
        folder.mkdir(parents=True, exist_ok=True)
        files, rows, rare = [], [], 0
        across_chunks = False  # one docx holds RARE across the end of its first chunk (the overlap must find it)
        for i, p in enumerate(participants):
            kind = "pdf" if i % PDF_EVERY == 0 else "docx"
            rare_at = None
            if i % 200 in (30, 137):  # 1 %, half of them PDFs
                rare_at = rng.randrange(args.chars)
                if kind == "docx" and not across_chunks and args.chars > CHUNK_CHARS + OVERLAP + 100:
                    rare_at, across_chunks = CHUNK_CHARS + OVERLAP - 3, True
            paragraphs = _paragraphs(rng, args.chars, rare_at)
            rare += any(RARE in paragraph for paragraph in paragraphs)
            content = _docx_bytes(paragraphs) if kind == "docx" else _pdf_bytes(paragraphs)
            path = folder / f"{p.unit.code}.{kind}"
            path.write_bytes(content)
            files.append((path, kind))
            rows.append(
                SummaryFile(
                    report=reports[p.unit_id],
                    file=f"summaries/{YEAR}/{path.name}",
                    original_name=f"总结报告.{kind}",
                    kind=kind,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    uploaded_by=uploader,
                )
            )
        SummaryFile.objects.bulk_create(rows, batch_size=500)  # no post_save: nothing is indexed yet
    if TextDocument.objects.exists():
        raise SystemExit("the build indexed documents already: the measured run would not start from empty")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: built in {time.perf_counter() - started:.1f} s", flush=True)
    return files, rare


def _bare_read(files: list[tuple[Path, str]]) -> tuple[int, int]:
    """The baseline: the libraries alone reading every file's text. Characters read, and files holding RARE."""
    import docx
    from pypdf import PdfReader

    chars = rare = 0
    for path, kind in files:
        if kind == "docx":
            text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
        else:
            text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        chars += len(text)
        rare += RARE in text
    return chars, rare


def _index_all(samples: list | None = None) -> dict:
    from chengxin.textsearch.services import index_all

    def progress(kind: str, done: int, total: int) -> None:
        if samples is not None and kind == "summary" and (done in (1, total) or done % max(1, total // 10) == 0):
            samples.append((done, proc_status_mb("VmRSS")))

    return index_all(year=YEAR, progress=progress)


def _sizes() -> dict:
    from django.db import connection

    from chengxin.textsearch.models import TextChunk, TextDocument

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('textsearch_textchunk'), "
                "(SELECT COALESCE(SUM(pg_relation_size(i.indexrelid)), 0) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE i.indrelid = 'textsearch_textchunk'::regclass AND a.amname = 'gin'), "
                "pg_total_relation_size('textsearch_textdocument'), "
                "(SELECT SUM(octet_length(text)) FROM textsearch_textdocument)"
            )
            chunks, gin, documents, text = cursor.fetchone()
            summary = (
                f"textsearch_textchunk with its indexes {chunks / MB:.1f} MB (of which GIN {gin / MB:.1f} MB); "
                f"textsearch_textdocument {documents / MB:.1f} MB"
            )
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("SELECT SUM(LENGTH(CAST(text AS BLOB))) FROM textsearch_textdocument")
            (text,) = cursor.fetchone()
            file_mb = Path(connection.settings_dict["NAME"]).stat().st_size / MB
            summary = f"database file {file_mb:.1f} MB"
            try:
                cursor.execute(
                    "SELECT CASE WHEN name LIKE 'textsearch_fts%' THEN 'FTS5 index' "
                    "WHEN name LIKE '%textchunk%' THEN 'chunks' WHEN name LIKE '%textdocument%' THEN 'documents' "
                    "ELSE 'the rest' END AS part, SUM(pgsize) FROM dbstat GROUP BY part ORDER BY part"
                )
                summary += " (" + ", ".join(f"{part} {size / MB:.1f} MB" for part, size in cursor.fetchall()) + ")"
            except Exception:  # SQLite built without the dbstat table
                pass
    return {
        "chunks": TextChunk.objects.count(),
        "documents": TextDocument.objects.count(),
        "text_mb": (text or 0) / MB,
        "summary": summary,
    }


def _like(typed: str) -> list[int]:
    from django.db import connection

    words = typed.split()
    sql = "SELECT id FROM textsearch_textdocument WHERE " + " AND ".join(["text LIKE %s"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"%{word}%" for word in words])
        return [row[0] for row in cursor.fetchall()]


def _search_runs(typed: str, runs: int, budget: float) -> dict:
    """Each side's warm-up (its answer is checked), then up to `runs` timed runs interleaved with the other sides';
    a side stops once it has a timed run and has taken more than `budget` seconds, warm-up included. A statement
    the (shared) server cancels ends its side, whose figures are then missing (None)."""
    from django.db import OperationalError

    from chengxin.textsearch.selectors import Filters, search
    from chengxin.textsearch.terms import Query

    def as_list():
        return list(search(Query(typed), Filters(year=YEAR)))

    def ids():
        return list(search(Query(typed), Filters(year=YEAR)).values_list("pk", flat=True))

    def page():
        documents = search(Query(typed), Filters(year=YEAR))
        return documents.count(), list(documents[:PAGE])

    sides = {"like": lambda: _like(typed), "list": as_list, "ids": ids, "page": page}
    answers: dict = {}
    times: dict[str, list[float]] = {name: [] for name in sides}
    spent = dict.fromkeys(sides, 0.0)
    cancelled: set[str] = set()

    def attempt(name: str):
        started = time.perf_counter()
        try:
            value = sides[name]()
        except OperationalError as error:
            print(f"  {typed!r}, {name}: {str(error).strip()}: no more runs of it", flush=True)
            cancelled.add(name)
            return None
        seconds = time.perf_counter() - started
        spent[name] += seconds
        return value, seconds

    for name in sides:
        if (done := attempt(name)) is not None:
            answers[name] = done[0]
    for _ in range(runs):
        for name in sides:
            if name in cancelled or (times[name] and spent[name] > budget):
                continue
            if (done := attempt(name)) is not None:
                times[name].append(done[1])
    medians = {name: statistics.median(samples) * 1000 if samples else None for name, samples in times.items()}
    print(
        f"  {typed!r}: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in medians.items() if ms is not None),
        flush=True,
    )
    found = answers.get("list")
    found_ids = sorted(d.pk for d in found) if found is not None else None
    return {
        "typed": typed,
        "found": len(found) if found is not None else None,
        "found_ids": found_ids,
        "like_found": len(answers["like"]) if "like" in answers else None,
        "like_ids": sorted(answers["like"]) if "like" in answers else None,
        "ids_agree": found_ids is not None
        and ("ids" not in answers or sorted(answers["ids"]) == found_ids)
        and ("page" not in answers or answers["page"][0] == len(found_ids)),
        "cancelled": sorted(cancelled),
        **{f"{name}_ms": ms for name, ms in medians.items()},
        **{f"{name}_runs": len(samples) for name, samples in times.items()},
    }


def _measure(args, media: Path) -> int:
    from django.db import connection

    from chengxin.textsearch.models import Extraction, TextDocument

    files, rare_generated = _build(args, media)
    rss_before = proc_status_mb("VmRSS")
    base: dict = {}
    index: dict = {"rss_samples": []}
    print(f"{connection.vendor}: reading {len(files)} files with the bare libraries …", flush=True)
    base["seconds"], base["peak_rss_mb"], base["growth_mb"], (chars, rare_bare) = _timed(lambda: _bare_read(files))
    print(f"  {base['seconds']:.2f} s, peak RSS {base['peak_rss_mb']:.0f} MB", flush=True)
    print(f"{connection.vendor}: index_all (an empty index) …", flush=True)
    index["seconds"], index["peak_rss_mb"], index["growth_mb"], index["counts"] = _timed(
        lambda: _index_all(index["rss_samples"])
    )
    print(f"  {index['seconds']:.2f} s, peak RSS {index['peak_rss_mb']:.0f} MB", flush=True)
    size = _sizes()
    not_done = TextDocument.objects.exclude(extraction=Extraction.DONE).count()
    text_chars = sum(len(t) for t in TextDocument.objects.values_list("text", flat=True).iterator())
    print(f"{connection.vendor}: the same again under tracemalloc (index_all re-indexes) …", flush=True)
    base["tracemalloc_mb"] = traced_mb(lambda: _bare_read(files))
    index["tracemalloc_mb"] = traced_mb(_index_all)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after: the GIN index's pending list merged
            cursor.execute("VACUUM ANALYZE textsearch_textchunk")
            cursor.execute("VACUUM ANALYZE textsearch_textdocument")
    print(f"{connection.vendor}: searching, up to {args.searches} runs each …", flush=True)
    queries = [_search_runs(typed, args.searches, args.search_seconds) for _label, typed in QUERIES]
    rare, common = queries
    check = {
        "rare_found": rare["found"],
        "rare_generated": rare_generated,
        "rare_like": rare["like_found"],
        "rare_bare": rare_bare,
        "common_found": common["found"],
        "common_like": common["like_found"],
        "not_done": not_done,
    }
    check["ok"] = (
        rare["found"] == rare_generated == rare["like_found"] == rare_bare
        and rare["found_ids"] == rare["like_ids"]
        and common["found_ids"] is not None
        and common["found_ids"] == common["like_ids"]
        and all(q["ids_agree"] for q in queries)
        and not_done == 0
        and rare_generated > 0
    )
    for query in queries:
        del query["found_ids"], query["like_ids"]
    result = {
        "units": len(files),
        "docx": sum(kind == "docx" for _path, kind in files),
        "pdf": sum(kind == "pdf" for _path, kind in files),
        "files_mb": sum(path.stat().st_size for path, _kind in files) / MB,
        "text_chars": text_chars,
        "bare_chars": chars,
        "rss_before_mb": rss_before,
        "baseline": base,
        "index_all": index,
        "size": size,
        "queries": queries,
        "check": check,
    }
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
