"""Benchmark of the public pages (issue 5): requests per second and p99 of the campaign page and of the commitment
search, as a ratio to a bare Django view answering a constant, on the same server in the same run.

Run from the project root:

    .venv/bin/python -m bench.portal_bench [--clients 8] [--seconds 10] [--activities 300] [--commitments 2000]

The server is the real product as `chengxin serve` runs it (waitress, 8 threads, the product's middleware and
settings, SQLite in a temporary CHENGXIN_VAR_DIR, the local-memory cache), in a child process, with DEBUG off and
one extra route `__bench/constant/` (bench/portal_urls.py). The child first loads the 2020 campaign, publishes
`--activities` activities spread over the provinces and the national totals of one accepted report, and signs
and publishes `--commitments` commitments. The load generator is `--clients` client processes, each with one
keep-alive connection (http.client), hammering one URL for `--seconds`; the URLs are measured one after the other,
each after a short warm-up. The target is a ratio ≥ 0.5 for each page. The exit status is 1 when a target is
missed.
"""

import argparse
import http.client
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2020
TARGET_RATIO = 0.5


# --- the server (child process) ------------------------------------------------------------------------------


def _uscc(i: int) -> str:
    from chengxin.commitments.uscc import check_character, org_check_character

    org = f"{i:08d}"
    first17 = "91440300" + org + org_check_character(org)
    return first17 + check_character(first17)


def _seed(activities: int, commitments: int) -> str:
    """Fill the empty database; return a code the commitment search will find."""
    import datetime as dt

    from django.utils import timezone

    from chengxin.activities.models import Activity
    from chengxin.campaigns.models import Campaign
    from chengxin.campaigns.services import campaign_load, campaign_publish_totals
    from chengxin.commitments.models import Industry
    from chengxin.commitments.services import commitment_publish, commitment_sign
    from chengxin.conftest import figures_times, submitted_report  # needs the test extras (pytest, factory_boy)
    from chengxin.reporting.services import report_accept
    from chengxin.units.models import Role, Unit, User

    campaign = Campaign.objects.filter(year=YEAR).first() or campaign_load(year=YEAR)
    mofcom = Unit.objects.get(code="MOFCOM")
    admin = User.objects.create(username="bench-admin", unit=mofcom, role=Role.NATIONAL_ADMIN)
    reporter = User.objects.create(
        username="bench-reporter", unit=Unit.objects.get(code="440000"), role=Role.UNIT_REPORTER
    )
    report = submitted_report(campaign, reporter.unit, reporter, figures_times(7))
    report_accept(report=report, acting_user=admin)
    campaign_publish_totals(campaign=campaign, acting_user=admin)

    provinces = list(Unit.objects.filter(kind="province").exclude(region_code="").order_by("code"))
    plan = list(campaign.plan_activities.all())
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            campaign=campaign,
            unit=provinces[i % len(provinces)],
            title=f"诚信兴商主题宣传活动（第{i + 1}场）",
            plan_activity=plan[i % len(plan)] if i % 3 else None,
            start_date=dt.date(2020, 10, 1 + i % 28),
            end_date=dt.date(2020, 10, 1 + i % 28),
            region_code=provinces[i % len(provinces)].region_code,
            mode="online",
            status="published",
            published_at=now,
            created_by=reporter,
        )
        for i in range(activities)
    )
    code = ""
    for i in range(commitments):
        code = _uscc(100000 + i)
        commitment = commitment_sign(
            campaign=campaign,
            name=f"深圳市诚信商贸有限公司第{i}分公司",
            uscc=code,
            region_code="440300",
            industry=Industry.values[0],
            contact_name="张三",
            contact_phone="13800000000",
        )
        commitment_publish(commitment=commitment, acting_user=admin)
    return code


def serve(port: int, activities: int, commitments: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengxin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench.portal_urls"
    call_command("migrate", interactive=False, verbosity=0)
    code = _seed(activities, commitments)
    print(f"CODE {code}", flush=True)
    call_command("serve", host="127.0.0.1", port=port, threads=8)


# --- the load generator (parent) ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _client(args) -> list[float]:
    """One keep-alive connection asking for `path` until `until`; the latency of each request in seconds."""
    port, path, until = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    while True:
        start = time.monotonic()
        if start >= until:
            break
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        latencies.append(time.monotonic() - start)
    conn.close()
    return latencies


def measure(pool, port: int, path: str, clients: int, seconds: float) -> tuple[float, float]:
    """(requests per second, p99 in ms) of `clients` concurrent clients on `path` for `seconds`."""
    warm = time.monotonic() + 1.0
    pool.map(_client, [(port, path, warm) for _ in range(clients)])
    start = time.monotonic()
    runs = pool.map(_client, [(port, path, start + seconds) for _ in range(clients)])
    elapsed = time.monotonic() - start
    latencies = sorted(x for run in runs for x in run)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    return len(latencies) / elapsed, p99 * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--commitments", type=int, default=2000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: run the server on this port
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.activities, args.commitments)
        return 0

    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="chengxin-portal-bench-") as var:
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        }
        env.update(CHENGXIN_VAR_DIR=var, CHENGXIN_ENV="development", CHENGXIN_DEMO_ACCOUNTS="0", PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "bench.portal_bench", "--serve", str(port)]
        command += ["--activities", str(args.activities), "--commitments", str(args.commitments)]
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            code = ""
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                line = server.stdout.readline()
                if not line and server.poll() is not None:
                    print("the server stopped before serving", file=sys.stderr)
                    return 1
                if line.startswith("CODE "):
                    code = line.split()[1]
                if "http://" in line:
                    break
            time.sleep(0.5)
            print(f"server: chengxin serve (waitress, 8 threads) on port {port}, SQLite, local-memory cache")
            print(
                f"load: {args.clients} client processes, keep-alive, {args.seconds:g} s per URL, {os.cpu_count()} CPUs"
            )
            urls = [("bare Django view (constant)", "/__bench/constant/"), ("campaign page", f"/public/{YEAR}/")]
            search = f"/commitments/{YEAR}/?q={code}"
            urls.append(("commitment search by code", search))
            results = []
            with multiprocessing.Pool(args.clients) as pool:
                for label, path in urls:
                    try:
                        rps, p99 = measure(pool, port, path, args.clients, args.seconds)
                    except RuntimeError as exc:
                        print(f"{label}: skipped ({exc})")
                        continue
                    results.append((label, path, rps, p99))
            baseline = results[0][2]
            print()
            print("| page | URL | requests/s | p99 ms | ratio to constant | target |")
            print("|---|---|---|---|---|---|")
            failed = False
            for i, (label, path, rps, p99) in enumerate(results):
                ratio = rps / baseline
                target = "" if i == 0 else f"≥ {TARGET_RATIO}"
                if i and ratio < TARGET_RATIO:
                    failed = True
                print(f"| {label} | `{path}` | {rps:,.0f} | {p99:.1f} | {ratio:.2f} | {target} |")
            return 1 if failed else 0
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main())
