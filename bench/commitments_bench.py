"""Benchmark of the public commitment search (issues 5 and 12): look-ups by credit code, by name prefix and by a part
of the name (through the trigram index), through the
product's selector and through the public search page, each against the bare indexed SQL SELECT that returns the
same rows on the same database in the same run.

Run from the project root:

    .venv/bin/python -m bench.commitments_bench                    # 10,000,000 commitments (a long first load)
    .venv/bin/python -m bench.commitments_bench --rows 200000      # a quick look
    .venv/bin/python -m bench.commitments_bench --backend sqlite --rows 1000000 --requests 500

The data set (valid generated codes with their check characters, Chinese-looking names such as
广州华泰商贸有限公司, 95% published, 2% withdrawn, the rest pending or rejected) is loaded once and reused while
a marker table says it holds the same number of rows and generator version. SQLite: a file under the system's
temporary folder, loaded with executemany in large transactions (journal and sync off during the load).
PostgreSQL (when DATABASE_URL points at it): the separate database `bench_commitments` on that server (created if
missing; `test`, `test_chengxin` and `postgres` are refused), loaded with COPY. The table's indexes are dropped
before the load and created again after it (the exact definitions the migrations made), then ANALYZE.

Each database is measured in a process of its own, DEBUG off. Per look-up kind, `--requests` rounds alternate the
selector (the page's query: `commitment_search(...)[:20]`), the page (`GET /commitments/2020/?q=…` through Django's
test client, in-process: the server's time without a network) and the bare SQL, each with a random existing code
or prefix. It prints the median and p99 of each and the ratios; targets: ≤ 2× the bare SQL, and p99 ≤ 20 ms by
code. Exit status 1 when one is missed. See bench/README.md.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time

from bench._databases import run_per_database

PG_NAME = "bench_commitments"
YEAR = 2020
TARGET_RATIO = 2.0
TARGET_P99_MS = 20.0
GENERATOR = "v1"
BATCH = 100_000

# --- generated data: row i is always the same, so look-ups need no sampling query ---------------------------

CITIES = [
    "北京",
    "天津",
    "石家庄",
    "太原",
    "呼和浩特",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "上海",
    "南京",
    "苏州",
    "无锡",
    "杭州",
    "宁波",
    "温州",
    "合肥",
    "福州",
    "厦门",
    "南昌",
    "济南",
    "青岛",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "南宁",
    "海口",
    "重庆",
    "成都",
    "贵阳",
    "昆明",
    "拉萨",
    "西安",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
]
REGIONS = [
    "110105", "120101", "130102", "140105", "150102", "210102", "210202", "220102", "230102", "310115",
    "320102", "320505", "320213", "330106", "330203", "330302", "340104", "350102", "350203", "360102",
    "370102", "370202", "410105", "420106", "430102", "440106", "440305", "441900", "440604", "450102",
    "460106", "500103", "510104", "520102", "530102", "540102", "610113", "620102", "630102", "640104",
    "650102",
]  # fmt: skip
WORDS1 = [
    "华泰",
    "恒通",
    "鑫源",
    "盛达",
    "宏远",
    "金辉",
    "永昌",
    "瑞丰",
    "安康",
    "德信",
    "天成",
    "广汇",
    "新世纪",
    "同仁",
    "嘉禾",
    "福兴",
    "汇丰",
    "中联",
    "正大",
    "立信",
]
WORDS2 = [
    "商贸",
    "食品",
    "百货",
    "超市",
    "物流",
    "家政",
    "餐饮",
    "电器",
    "药房",
    "服饰",
    "旅游",
    "建材",
    "汽车",
    "科技",
    "文化",
    "酒店",
    "茶叶",
    "粮油",
    "医药",
    "五金",
]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "连锁有限公司", "集团有限公司", "商行", "经营部"]
INDUSTRIES = ["retail", "catering", "manufacturing", "transport", "housekeeping", "culture_tourism", "ecommerce"]
SCRAMBLE = 1_000_003  # prime, coprime with 31**8: i → i * SCRAMBLE mod 31**8 is a bijection


def _code(i: int) -> str:
    from chengxin.commitments.uscc import ALPHABET, check_character, org_check_character

    n = (i * SCRAMBLE) % 31**8
    body = []
    for _ in range(8):
        n, r = divmod(n, 31)
        body.append(ALPHABET[r])
    org = "".join(body)
    first17 = "91" + REGIONS[i % len(REGIONS)] + org + org_check_character(org)
    return first17 + check_character(first17)


def _name(i: int) -> str:
    city = CITIES[i % len(CITIES)]
    a = (i // 7) % len(WORDS1)
    b = (i // 131) % len(WORDS2)
    c = (i // 3) % len(WORDS1)
    return city + WORDS1[a] + WORDS2[b] + WORDS1[c] + SUFFIXES[i % len(SUFFIXES)]


def _status(i: int) -> str:
    r = (i * 7919) % 100
    return "withdrawn" if r < 2 else "pending" if r < 4 else "rejected" if r < 5 else "published"


# --- the parent: one child process per database -------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="commitments (default 10,000,000)")
    parser.add_argument("--requests", type=int, default=300, help="timed look-ups per kind (default 300)")
    parser.add_argument("--prefix-chars", type=int, default=6, help="characters of a name typed as prefix (6)")
    parser.add_argument("--rebuild", action="store_true", help="load the data set again even if it is there")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database to use (default {PG_NAME})")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1000 or args.requests < 1:
        parser.error("--rows must be at least 1000 and --requests at least 1")
    if args.child:
        return _child(args)
    return run_per_database(
        args, module="bench.commitments_bench", slug="commitments", passed=_passed(args), report=_print_table
    )


def _passed(args) -> list[str]:
    passed = ["--rows", str(args.rows), "--requests", str(args.requests), "--seed", str(args.seed)]
    passed += ["--prefix-chars", str(args.prefix_chars)]
    return passed + (["--rebuild"] if args.rebuild else [])


def _print_table(name: str, result: dict) -> bool:
    print(
        f"\n{name}: {result['rows']:,} commitments ({result['load']}); {result['requests']} look-ups of each kind, "
        f"random existing codes / {result['prefix_chars']}-character name prefixes"
    )
    head = f"{'look-up':<26} {'median':>9} {'p99':>9} {'bare SQL':>9} {'bare p99':>9} {'ratio':>7}  target"
    print(head)
    print("-" * (len(head) + 20))
    ok = True
    for row in result["rows_measured"]:
        ratio = row["median_ms"] / row["raw_median_ms"]
        by_code = row["kind"] == "code"
        met = ratio <= TARGET_RATIO and (not by_code or row["p99_ms"] <= TARGET_P99_MS)
        ok = ok and met
        target = f"≤{TARGET_RATIO:g}×" + (f", p99 ≤{TARGET_P99_MS:g}ms" if by_code else "")
        print(
            f"{row['label']:<26} {row['median_ms']:>7.3f}ms {row['p99_ms']:>7.3f}ms {row['raw_median_ms']:>7.3f}ms "
            f"{row['raw_p99_ms']:>7.3f}ms {ratio:>6.1f}×  {'met' if met else 'MISSED'} ({target})"
        )
    for line in result.get("notes", []):
        print(line)
    return ok


# --- the child: load or reuse the data set, then measure ----------------------------------------------------


def _child(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    campaign = _campaign()
    load = _load_or_reuse(args, campaign.pk)
    print(f"{connection.vendor}: measuring {args.requests} look-ups of each kind", flush=True)
    result = {
        "rows": args.rows,
        "load": load,
        "requests": args.requests,
        "prefix_chars": args.prefix_chars,
        "rows_measured": _measure(args, campaign),
        "notes": [],
    }
    print("RESULT " + json.dumps(result))
    return 0


def _campaign():
    from chengxin.campaigns.models import Campaign
    from chengxin.campaigns.services import campaign_load

    return Campaign.objects.filter(year=YEAR).first() or campaign_load(year=YEAR)


def _data_key(args) -> str:
    return f"rows={args.rows};generator={GENERATOR}"


def _marker() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if "bench_marker" not in connection.introspection.table_names(cursor):
            return None
        cursor.execute("SELECT data_key FROM bench_marker")
        row = cursor.fetchone()
    return row[0] if row else None


def _table() -> str:
    from chengxin.commitments.models import Commitment

    return Commitment._meta.db_table


def _index_definitions() -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index of the table but its primary key, as the database has it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE contype = 'p')",
                [_table()],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [_table()],
            )
        return list(cursor.fetchall())


def _load_or_reuse(args, campaign_id: int) -> str:
    from django.db import connection

    key = _data_key(args)
    if not args.rebuild and _marker() == key:
        print(f"{connection.vendor}: reusing the loaded data set ({key})", flush=True)
        return "reused"
    table = _table()
    indexes = _index_definitions()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_marker")
        cursor.execute(f"DELETE FROM {table}")
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    print(f"{connection.vendor}: loading {args.rows:,} commitments", flush=True)
    if connection.vendor == "postgresql":
        _load_postgresql(args.rows, campaign_id)
    else:
        _load_sqlite(args.rows, campaign_id)
    loaded = time.perf_counter() - started
    print(f"{connection.vendor}: loaded in {loaded:.0f} s; building {len(indexes)} indexes", flush=True)
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute(f"ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")
        cursor.execute("CREATE TABLE bench_marker (data_key varchar(200) NOT NULL)")
        cursor.execute("INSERT INTO bench_marker (data_key) VALUES (%s)", [key])
    total = time.perf_counter() - started
    print(f"{connection.vendor}: indexes built in {total - loaded:.0f} s", flush=True)
    return f"loaded in {loaded:.0f} s + indexes {total - loaded:.0f} s"


COLUMNS = (
    "campaign_id, name, name_key, uscc, region_code, industry, contact_name, contact_phone, signed_at, status, "
    "reject_reason, withdraw_reason, withdrawn_at, moderated_at"
)


def _rows(start: int, stop: int, campaign_id: int):
    import datetime as dt

    base = dt.datetime(2020, 10, 1, tzinfo=dt.UTC)
    for i in range(start, stop):
        name = _name(i)
        status = _status(i)
        signed = base + dt.timedelta(seconds=(i * 37) % (30 * 86400))
        withdrawn = signed + dt.timedelta(days=20) if status == "withdrawn" else None
        moderated = signed + dt.timedelta(days=1) if status != "pending" else None
        yield (
            campaign_id,
            name,
            name,  # the generated names hold no spaces or full-width characters: name_key == name
            _code(i),
            REGIONS[i % len(REGIONS)],
            INDUSTRIES[i % len(INDUSTRIES)],
            "联系人",
            f"138{i % 100_000_000:08d}",
            signed,
            status,
            "名称与执照不符" if status == "rejected" else "",
            "企业申请撤回" if status == "withdrawn" else "",
            withdrawn,
            moderated,
        )


def _load_sqlite(count: int, campaign_id: int) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection: executemany without Django's per-row overhead
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-500000")
    placeholders = ", ".join("?" * len(COLUMNS.split(",")))
    sql = f"INSERT INTO {_table()} ({COLUMNS}) VALUES ({placeholders})"
    for start in range(0, count, BATCH):
        rows = [
            (*row[:8], row[8].isoformat(" "), *row[9:12], *(v.isoformat(" ") if v else None for v in row[12:]))
            for row in _rows(start, min(count, start + BATCH), campaign_id)
        ]
        raw.execute("BEGIN")
        raw.executemany(sql, rows)
        raw.execute("COMMIT")
        _progress(start + len(rows), count)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")


def _load_postgresql(count: int, campaign_id: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        pg = cursor.cursor  # the psycopg cursor under Django's wrapper
        with pg.copy(f"COPY {_table()} ({COLUMNS}) FROM STDIN") as copy:
            for start in range(0, count, BATCH):
                lines = []
                for row in _rows(start, min(count, start + BATCH), campaign_id):
                    lines.append("\t".join("\\N" if v is None else str(v) for v in row))
                copy.write("\n".join(lines) + "\n")
                _progress(min(count, start + BATCH), count)


def _progress(done: int, count: int) -> None:
    if done % 1_000_000 == 0 or done == count:
        print(f"  {done:,} / {count:,}", flush=True)


# --- timing -------------------------------------------------------------------------------------------------

PUBLIC = "status IN ('published', 'withdrawn')"  # the product's PUBLIC_STATUSES, fixed values
SELECT = "SELECT id, name, uscc, region_code, industry, signed_at, status, withdrawn_at FROM {table} "
RAW_SQL = {
    "code": SELECT + "WHERE campaign_id = %s AND uscc = %s AND " + PUBLIC + " ORDER BY id LIMIT 20",
    "prefix": SELECT
    + "WHERE campaign_id = %s AND name_key >= %s AND name_key < %s AND "
    + PUBLIC
    + " ORDER BY name_key, id LIMIT 20",
    # "name contains", through the same trigram index the product's migration 0003 makes: pg_trgm on PostgreSQL,
    # the FTS5 trigram table on SQLite.
    "contains-postgresql": SELECT
    + "WHERE campaign_id = %s AND name_key LIKE %s AND "
    + PUBLIC
    + " ORDER BY name_key, id LIMIT 20",
    "contains-sqlite": SELECT
    + "WHERE campaign_id = %s AND id IN (SELECT rowid FROM commitments_name_fts WHERE commitments_name_fts MATCH %s)"
    + " AND "
    + PUBLIC
    + " ORDER BY name_key, id LIMIT 20",
}


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _raw(kind: str, campaign_id: int, value: str) -> list[tuple]:
    from django.db import connection

    from chengxin.commitments.selectors import TOP

    if kind == "code":
        params = [campaign_id, value]
    elif kind == "contains":
        kind = f"contains-{connection.vendor}"
        params = [campaign_id, f"%{value}%" if connection.vendor == "postgresql" else f'"{value}"']
    else:
        params = [campaign_id, value, value + TOP]
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL[kind].format(table=_table()), params)
        return cursor.fetchall()


def _measure(args, campaign) -> list[dict]:
    from django.test import Client
    from django.urls import reverse

    from chengxin.commitments.selectors import commitment_search

    rng = random.Random(args.seed)
    client = Client()
    url = reverse("commitments:search", args=[YEAR])
    kinds = [
        ("code", lambda i: _code(i), {}),
        ("prefix", lambda i: _name(i)[: args.prefix_chars], {"match": "prefix"}),
        # four characters from inside a name (after the city): what "contains" is for
        ("contains", lambda i: _name(i)[len(CITIES[i % len(CITIES)]) : len(CITIES[i % len(CITIES)]) + 4], {}),
    ]
    measured = []
    for kind, value_of, extra in kinds:
        # Warm-up, and a check that the selector returns exactly the bare SQL's rows.
        for _ in range(20):
            value = value_of(rng.randrange(args.rows))
            raw_ids = [row[0] for row in _raw(kind, campaign.pk, value)]
            product_ids = [c.pk for c in commitment_search(campaign=campaign, q=value, **extra)[:20]]
            if raw_ids != product_ids:
                raise SystemExit(f"{kind} {value}: the selector and the bare SQL disagree: {product_ids} {raw_ids}")
            response = client.get(url, {"q": value, **extra})
            if response.status_code != 200:
                raise SystemExit(f"{url}?q={value} answered {response.status_code}")
        selector_ms, page_ms, raw_ms = [], [], []
        found = 0
        for _ in range(args.requests):
            value = value_of(rng.randrange(args.rows))
            started = time.perf_counter()
            rows = _raw(kind, campaign.pk, value)
            raw_ms.append((time.perf_counter() - started) * 1000)
            found += bool(rows)
            started = time.perf_counter()
            list(commitment_search(campaign=campaign, q=value, **extra)[:20])
            selector_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get(url, {"q": value, **extra})
            page_ms.append((time.perf_counter() - started) * 1000)
        raw = {"raw_median_ms": statistics.median(raw_ms), "raw_p99_ms": _p99(raw_ms)}
        label = {"code": "code", "contains": "name contains (4 chars)"}.get(
            kind, f"name prefix ({args.prefix_chars} chars)"
        )
        for how, samples in (("selector", selector_ms), ("page", page_ms)):
            measured.append(
                {
                    "kind": kind,
                    "label": f"{label}, {how}",
                    "median_ms": statistics.median(samples),
                    "p99_ms": _p99(samples),
                    **raw,
                    "found": found,
                }
            )
        print(f"{kind}: {found} of {args.requests} look-ups found a public row", flush=True)
    return measured


if __name__ == "__main__":
    sys.exit(main())
