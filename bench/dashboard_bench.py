"""Benchmark of the dashboard (issue 4): the national page, a province's drill-down and the map data, each against
the one raw SQL GROUP BY that computes the same numbers on the same database in the same run.

Run from the project root:

    .venv/bin/python -m bench.dashboard_bench [--units 3400] [--years 2011-2020] [--requests 30] [--rebuild]

The data set is `chengxin demo-data` (3,400 units × 10 campaigns × 13 figures, with their history), built once
and reused while the same size, seed and demo-data code are asked for (a marker table in the database says what
it holds). On SQLite it lives in a file under the system's temporary folder; when DATABASE_URL points to
PostgreSQL, in a separate database on that server (`bench_chengxin`, created if missing; never `test` or
`test_chengxin`). Each database is measured in a process of its own, with DEBUG off, through Django's test
client (in-process: the server's time without a network). Each page is timed as it is normally served (the
roll-ups cached under a stamp of the campaign's data) and cold (cache emptied first, as for the first request
after a report changed); the targets are judged on the former, signed in as a national reviewer, and as the
reporter of 广东省 for the drill-down. Two-factor sign-in is required as in production (CHENGXIN_2FA_REQUIRED=1 in
the child) and each account's session is a verified one (an authenticator and django-otp's session key, what a
correct code leaves behind); the accounts' passwords are current (`password_changed_at` set), so no page redirects.

Every answer is checked: a page that answers anything but 200 (a redirect to the password change or the code
page, a 403, a 500), or a URL name that does not resolve, stops the bench with what happened and exit status 1.
See bench/README.md.
"""

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import time

from bench._databases import ROOT, run_per_database, wipe

PG_NAME = "bench_chengxin"
TARGET_RATIO = 2.0
TARGET_P95_MS = 150.0
YEAR = 2020
PROVINCE = "440000"
FIGURE = "people_reached"
SCOPE = "submitted"  # the dashboard's default scope (analytics.dashboard.DEFAULT_SCOPE)

# (label, URL name, args, query string, who asks, the raw SQL it is compared with). Each must resolve and answer
# 200 to its account, or the bench stops (exit status 1).
PAGES = [
    ("national page", "analytics:dashboard", [YEAR], "", "reviewer", "national"),
    ("province drill-down", "analytics:dashboard_unit", [YEAR, PROVINCE], "", "province", "drill_down"),
    ("map data", "analytics:map_data", [YEAR], f"figure={FIGURE}", "reviewer", "map"),
]


# --- the parent: one child process per database -------------------------------------------------------------


def _print_table(name: str, result: dict) -> bool:
    """Print one database's figures; True when every measured page meets its targets."""
    print(
        f"\n{name}: {result['units']} units, campaigns {result['years']}, {result['reports']:,} reports, "
        f"{result['values']:,} figure values, {result['events']:,} history rows; {result['requests']} requests each"
    )
    head = f"{'page':<20} {'queries':>7} {'median':>9} {'p95':>9} {'raw SQL':>9} {'raw p95':>9} {'ratio':>7}"
    head += f" {'target':>18}"
    print(head)
    print("-" * len(head))
    ok = bool(result["pages"])
    for row in result["pages"]:
        ratio = row["median_ms"] / row["raw_median_ms"]
        met = ratio <= TARGET_RATIO and row["p95_ms"] <= TARGET_P95_MS
        ok = ok and met
        print(
            f"{row['label']:<20} {row['queries']:>7} {row['median_ms']:>7.1f}ms {row['p95_ms']:>7.1f}ms "
            f"{row['raw_median_ms']:>7.1f}ms {row['raw_p95_ms']:>7.1f}ms {ratio:>6.1f}× "
            f"{'met' if met else 'MISSED':>6} (≤{TARGET_RATIO:g}×, ≤{TARGET_P95_MS:g}ms)"
        )
        cold = row["cold_median_ms"] / row["raw_median_ms"]
        print(
            f"{'  cold cache':<20} {'':>7} {row['cold_median_ms']:>7.1f}ms {row['cold_p95_ms']:>7.1f}ms "
            f"{'':>9} {'':>9} {cold:>6.1f}×  (first request after a change; not judged)"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3400, help="units in all (default 3400)")
    parser.add_argument("--years", default="2011-2020", help="campaigns (default 2011-2020)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page, after a warm-up")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again even if it is there")
    parser.add_argument("--backend", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument("--pg-name", default=PG_NAME, help=f"PostgreSQL database to use (default {PG_NAME})")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.child:
        return _child(args)
    return run_per_database(
        args, module="bench.dashboard_bench", slug="dashboard", passed=_passed(args), report=_report
    )


def _report(name: str, result: dict) -> bool:
    """The table printed; met when every page meets its targets and its numbers equal the raw SQL's."""
    return _print_table(name, result) and result["numbers_agree"]


def _passed(args) -> list[str]:
    passed = ["--units", str(args.units), "--years", args.years, "--seed", str(args.seed)]
    passed += ["--requests", str(args.requests)]
    return passed + (["--rebuild"] if args.rebuild else [])


# --- the child: build or reuse the data set, then measure ---------------------------------------------------


class Unexpected(Exception):
    """A page answered something else than the page (a redirect, a refusal, an error): no figure is meaningful."""


def _child(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    # As in production: every account must give its second factor (its session below is a verified one).
    os.environ["CHENGXIN_2FA_REQUIRED"] = "1"
    import django

    django.setup()
    from django.db import connection

    data = _build_or_reuse(args)
    campaign_id = _campaign_id()
    result = {**data, "requests": args.requests, "pages": [], "numbers_agree": True}
    print(f"{connection.vendor}: measuring {len(PAGES)} pages × {args.requests} requests", flush=True)
    users = _users()
    try:
        for label, name, url_args, query, who, baseline in PAGES:
            row = _measure(label, name, url_args, users[who], baseline, campaign_id, args.requests, query=query)
            result["pages"].append(row)
            if row.get("agree") is False:
                result["numbers_agree"] = False
    except Unexpected as exc:
        print(f"{connection.vendor}: FAILED, {exc}", flush=True)
        print(f"{connection.vendor}: the bench stops: figures of pages that did not answer are meaningless", flush=True)
        return 1
    print("RESULT " + json.dumps(result))
    return 0


def _data_key(args) -> str:
    source = (ROOT / "chengxin" / "site" / "demo_data.py").read_bytes()
    return f"units={args.units};years={args.years};seed={args.seed};demo_data={hashlib.sha256(source).hexdigest()[:12]}"


def _marker() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        if "bench_marker" not in connection.introspection.table_names(cursor):
            return None
        cursor.execute("SELECT data_key FROM bench_marker")
        row = cursor.fetchone()
    return row[0] if row else None


def _build_or_reuse(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from chengxin.reporting.models import FigureValue, Report, ReportEvent
    from chengxin.site.demo_data import demo_data_create, parse_years
    from chengxin.units.models import Unit

    key = _data_key(args)
    if args.rebuild or _marker() != key:
        print(f"{connection.vendor}: building the data set ({args.units} units, {args.years}) …", flush=True)
        wipe()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        demo_data_create(years=parse_years(args.years), units=args.units, seed=args.seed, progress=_quiet_progress)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_marker (data_key varchar(200) NOT NULL)")
            cursor.execute("INSERT INTO bench_marker (data_key) VALUES (%s)", [key])
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        print(f"{connection.vendor}: built in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        call_command("migrate", verbosity=0)
        print(f"{connection.vendor}: reusing the data set ({key})", flush=True)
    return {
        "units": Unit.objects.count(),
        "years": args.years,
        "reports": Report.objects.count(),
        "values": FigureValue.objects.count(),
        "events": ReportEvent.objects.count(),
    }


def _quiet_progress(message: str) -> None:
    print(f"  {message}", flush=True)


def _campaign_id() -> int:
    from chengxin.campaigns.models import Campaign

    return Campaign.objects.get(year=YEAR).pk


def _users() -> dict:
    """A national reviewer and the reporter of the province drilled into, set up as real accounts in use are: a
    password (random, unused: they are signed in directly), changed now (so that no forced change redirects them)
    and a confirmed authenticator each (their sessions are verified, see _sign_in)."""
    import secrets

    from django.db import transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from chengxin.units.models import Role, Unit, User

    accounts = {
        "reviewer": ("bench-reviewer", "MOFCOM", Role.NATIONAL_REVIEWER),
        "province": ("bench-province", PROVINCE, Role.UNIT_REPORTER),
    }
    users = {}
    with transaction.atomic():
        for who, (username, code, role) in accounts.items():
            user, _created = User.objects.get_or_create(
                username=username, defaults={"unit": Unit.objects.get(code=code), "role": role}
            )
            # A data set built by an earlier version of the bench holds these accounts without a password date.
            user.set_password(secrets.token_urlsafe(24))
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password", "password_changed_at"])
            if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            users[who] = user
    return users


def _sign_in(client, user) -> None:
    """Sign `client` in as `user` with a session that passed the second factor: force_login and django-otp's
    session key, what a correct code leaves in the session (chengxin.conftest.verified_login does the same)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).first().persistent_id
    session.save()


def _checked(label: str, url: str, response, baseline: str):
    """`response` if it is the page (200, and JSON for the map data); raises Unexpected, saying what came, if not."""
    status = response.status_code
    kind = response.get("Content-Type", "")
    wanted = "application/json" if baseline == "map" else "text/html"
    if status == 200 and kind.startswith(wanted):
        return response
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    body = b"" if getattr(response, "streaming", False) else response.content[:300]
    raise Unexpected(
        f"{label}: GET {url} answered HTTP {status}{where} ({kind or 'no Content-Type'}), expected 200 {wanted}: "
        f"{body.decode(errors='replace')!r}"
    )


# --- the raw SQL: one GROUP BY computing the same numbers as each page --------------------------------------


def _tables() -> dict[str, str]:
    from chengxin.campaigns.models import Participant
    from chengxin.reporting.models import FigureValue, Report
    from chengxin.statform.models import Figure
    from chengxin.units.models import Unit

    models = {"fv": FigureValue, "report": Report, "figure": Figure, "unit": Unit, "participant": Participant}
    return {key: model._meta.db_table for key, model in models.items()}


# The counting rule of analytics.selectors.rollup: a unit reporting to the ministry counts when its status is in
# the scope; a sub-unit counts toward its parent when it is accepted and its parent counts (two levels).
_FROM = """
FROM {fv} v
JOIN {report} r ON r.id = v.report_id
JOIN {figure} f ON f.id = v.figure_id
JOIN {unit} u ON u.id = r.unit_id
JOIN {participant} p ON p.campaign_id = r.campaign_id AND p.unit_id = r.unit_id AND p.fills_statistics = %s
LEFT JOIN {unit} pu ON pu.id = u.parent_id
LEFT JOIN {report} pr ON pr.campaign_id = r.campaign_id AND pr.unit_id = u.parent_id
LEFT JOIN {report} gr ON gr.campaign_id = r.campaign_id AND gr.unit_id = pu.parent_id
WHERE r.campaign_id = %s AND f.kind = 'number'
"""
_NATIONAL_RULE = """
AND ((u.parent_id IS NULL AND r.status IN ({scope}))
  OR (pu.id IS NOT NULL AND pu.parent_id IS NULL AND r.status = 'accepted' AND pr.status IN ({scope}))
  OR (pu.parent_id IS NOT NULL AND r.status = 'accepted' AND pr.status = 'accepted' AND gr.status IN ({scope})))
"""
RAW_SQL = {
    # National totals per figure.
    "national": "SELECT f.code, SUM(v.number)" + _FROM + _NATIONAL_RULE + "GROUP BY f.code",
    # Each province's (each head's) roll-up of one figure.
    "map": "SELECT COALESCE(pu.parent_id, u.parent_id, u.id), SUM(v.number)"
    + _FROM
    + "AND f.code = %s"
    + _NATIONAL_RULE
    + "GROUP BY COALESCE(pu.parent_id, u.parent_id, u.id)",
    # Each direct sub-unit's roll-up under the province, per figure.
    "drill_down": "SELECT CASE WHEN u.parent_id = %s THEN u.id ELSE u.parent_id END, f.code, SUM(v.number)"
    + _FROM
    + "AND ((u.parent_id = %s AND r.status IN ({scope})) "
    + "OR (pu.parent_id = %s AND r.status = 'accepted' AND pr.status IN ({scope}))) "
    + "GROUP BY CASE WHEN u.parent_id = %s THEN u.id ELSE u.parent_id END, f.code",
}


def _raw(baseline: str, campaign_id: int, province_id: int):
    """The SQL text and parameters of one baseline."""
    from chengxin.analytics.selectors import TOTAL_SCOPES

    statuses = [str(s) for s in TOTAL_SCOPES[SCOPE]]
    scope = ", ".join(f"'{s}'" for s in statuses)  # fixed, known values
    sql = RAW_SQL[baseline].format(scope=scope, **_tables())
    if baseline == "national":
        params = [True, campaign_id]
    elif baseline == "map":
        params = [True, campaign_id, FIGURE]
    else:
        params = [province_id, True, campaign_id, province_id, province_id, province_id]
    return sql, params


def _run_raw(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _expected(baseline: str, rows: list[tuple], campaign, province) -> tuple[dict, dict]:
    """The raw SQL's numbers and the product's own selectors' numbers, in the same shape, to compare."""
    from chengxin.analytics.selectors import rollup, totals
    from chengxin.units.models import Unit, UnitKind

    if baseline == "national":
        raw = {code: int(s) for code, s in rows}
        product = {k: v for k, v in totals(campaign, SCOPE).items() if isinstance(v, int) and v}
        return {k: v for k, v in raw.items() if v}, product
    if baseline == "map":
        raw = {head: int(s) for head, s in rows}
        provinces = Unit.objects.filter(parent__isnull=True, kind=UnitKind.PROVINCE).exclude(region_code="")
        values = rollup(campaign, scope=SCOPE)
        return (
            {u.pk: raw.get(u.pk, 0) for u in provinces},
            {u.pk: values.get(u.pk, {}).get(FIGURE, 0) for u in provinces},
        )
    raw: dict = {}
    for head, code, s in rows:
        raw.setdefault(head, {})[code] = int(s)
    return raw, rollup(campaign, scope=SCOPE, under=province)


def _page_numbers(baseline: str, response) -> dict | None:
    """The map's values as the page sent them, by unit id (the other pages are HTML: compared via selectors)."""
    if baseline != "map":
        return None
    from chengxin.units.models import Unit

    ids = dict(Unit.objects.values_list("code", "pk"))
    return {ids[item["code"]]: item["value"] for item in response.json()}


# --- timing -------------------------------------------------------------------------------------------------


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _measure(label, name, url_args, user, baseline, campaign_id, requests: int, *, query: str = "") -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from chengxin.campaigns.models import Campaign
    from chengxin.units.models import Unit

    try:
        url = reverse(name, args=url_args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        raise Unexpected(f"{label}: no URL named {name!r} with arguments {url_args}") from None
    client = Client()
    _sign_in(client, user)
    province = Unit.objects.get(code=PROVINCE)
    sql, params = _raw(baseline, campaign_id, province.pk)
    for _ in range(3):  # warm-up: caches, the first connection, imported templates
        _checked(label, url, client.get(url), baseline)
        rows = _run_raw(sql, params)
    with CaptureQueriesContext(connection) as captured:
        response = _checked(label, url, client.get(url), baseline)
    queries = len(captured)  # now: the log is emptied by the next request
    raw_numbers, product_numbers = _expected(baseline, rows, Campaign.objects.get(pk=campaign_id), province)
    page_numbers = _page_numbers(baseline, response)
    agree = raw_numbers == product_numbers and (page_numbers is None or page_numbers == raw_numbers)
    if not agree:
        print(f"{label}: the raw SQL and the product disagree:\n  raw {raw_numbers}\n  product {product_numbers}")
    from django.core.cache import cache

    page_ms, cold_ms, raw_ms = [], [], []
    for _ in range(requests):  # alternating, so that all see the same machine
        started = time.perf_counter()
        served = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        _checked(label, url, served, baseline)  # after the clock: the check is the bench's time, not the page's
        # Cold: the first request after a report changed, when the cached roll-ups must be computed again.
        cache.clear()
        started = time.perf_counter()
        served = client.get(url)
        cold_ms.append((time.perf_counter() - started) * 1000)
        _checked(label, url, served, baseline)
        started = time.perf_counter()
        _run_raw(sql, params)
        raw_ms.append((time.perf_counter() - started) * 1000)
    print(f"{label}: {url} ({len(response.content):,} bytes, {queries} queries)", flush=True)
    return {
        "label": label,
        "url": url,
        "queries": queries,
        "median_ms": statistics.median(page_ms),
        "p95_ms": _p95(page_ms),
        "cold_median_ms": statistics.median(cold_ms),
        "cold_p95_ms": _p95(cold_ms),
        "raw_median_ms": statistics.median(raw_ms),
        "raw_p95_ms": _p95(raw_ms),
        "agree": agree,
    }


if __name__ == "__main__":
    sys.exit(main())
