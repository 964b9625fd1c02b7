"""The deadline rush (issues 6 and 11): `--units` units submit their reports through the JSON API within a few
minutes, from `--clients` concurrent clients, against
- one waitress process (as `chengxin serve` runs, 8 threads) on SQLite and on PostgreSQL, and
- the production shape (bench/_stack.py): nginx with TLS → one gunicorn instance of 1, 2 and 4 worker processes
  (`--stack`) → PostgreSQL and Redis.
Figures: requests per second and p99 of the API, as a ratio to a bare Django view with no middleware writing one
row (`POST /bench/one-row/`, bench/rush_urls.py, served bare by bench/wsgi.py) on the same server in the same run;
the app processes' memory at rest and after the rush; on PostgreSQL, how many sessions waited for a lock, and on the
audit chain's head row, during the rush. Then every acknowledged submission is checked in the database (stored
exactly once, nothing half-written) and the national totals the API gives are checked against what was sent.

Run from the project root:

    .venv/bin/python -m bench.rush_bench                                  # 3,400 units, 32 clients, everything
    .venv/bin/python -m bench.rush_bench --units 300 --databases sqlite --stack none   # a quick look
    .venv/bin/python -m bench.rush_bench --databases none --stack 1,2,4   # the production shape only

PostgreSQL is the server of DATABASE_URL (or postgres://postgres@127.0.0.1:5432/ when it is unset), in a
database of its own, `test_chengxin_rush`, created afresh and dropped at the end; SQLite is a file in a temporary
CHENGXIN_VAR_DIR. The same module is the set-up and the state dump the fault tests
(chengxin/core/tests/test_rush_faults.py) use.
"""

import argparse
import http.client
import io
import json
import os
import queue
import ssl
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

YEAR = 2020
UNIT_PREFIX = "R"  # bench units: R00001 … (no real unit code starts with R)
BENCH_TABLE = "bench_one_row"
TARGET_RATIO = 0.3
STEPS = ("get", "put", "summary", "submit")  # the requests of one unit's submission, in order
PG_NAME = "test_chengxin_rush"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"

# A complete, rule-abiding statistics table (the 2020 form's 13 figures); unit i sends the numbers times
# 1 + i % 9, so that a value stored twice or lost shows in the totals.
BASE_FIGURES: dict[str, int | str] = {
    "meeting_sessions": 12,
    "meeting_attendance": 3400,
    "material_methods": "展板、手册",
    "material_copies": 5000,
    "print_news": 8,
    "tv_news": 3,
    "radio_broadcasts": 2,
    "web_news": 40,
    "videos": 6,
    "live_sessions": 3,
    "live_viewers": 12000,
    "people_reached": 50000,
    "consultations": 860,
}


def unit_code(i: int) -> str:
    return f"{UNIT_PREFIX}{i:05d}"


def unit_figures(i: int) -> dict[str, int | str]:
    """What unit number `i` (1-based) sends."""
    factor = 1 + i % 9
    return {k: v * factor if isinstance(v, int) else v for k, v in BASE_FIGURES.items()}


def summary_docx(text: str) -> bytes:
    """A minimal, structurally real .docx (what the upload check accepts as a Word document)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return buffer.getvalue()


# --- in the server's environment (Django): set-up and state dump ---------------------------------------------


def _django() -> None:
    import django

    django.setup()


def setup(units: int, out: Path, *, summaries: bool) -> None:
    """Fill an empty database for the rush: migrate, the 2020 campaign, `units` bench units reporting directly to
    the ministry (so every one of them counts in the national totals of submitted reports: a city's figures count
    nationally only once its province accepts them), each with one reporter account and one API token, and the
    bench's one-row table, and a national reviewer with a token (for the totals). With `summaries`, each unit's
    summary report is uploaded here through the service, so that the rush is only GET + PUT values + POST submit.
    Writes {"year", "national_token", "units": [{"code", "token"}]} to `out`."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from chengxin.campaigns.models import Campaign, Participant
    from chengxin.campaigns.services import campaign_load
    from chengxin.units.models import Role, Unit, UnitKind, User

    call_command("migrate", interactive=False, verbosity=0)
    campaign = Campaign.objects.filter(year=YEAR).first() or campaign_load(year=YEAR)
    if Unit.objects.filter(code__startswith=UNIT_PREFIX).exists():
        raise SystemExit("the database already holds bench units: the set-up needs a fresh database")
    with connection.cursor() as cursor:
        key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BENCH_TABLE} (id {key}, body TEXT NOT NULL)")
    now = timezone.now()
    codes = [unit_code(i) for i in range(1, units + 1)]
    with transaction.atomic():
        Unit.objects.bulk_create(
            [
                Unit(
                    code=code,
                    name=f"压测单位{code}",
                    short_name=f"压测{code}",
                    full_name=f"压测单位{code}商务主管部门（压测数据）",
                    kind=UnitKind.PROVINCE,
                    sort_order=10_000 + n,
                )
                for n, code in enumerate(codes)
            ],
            batch_size=1000,
        )
        by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        Participant.objects.bulk_create(
            [Participant(campaign=campaign, unit=by_code[c], fills_statistics=True) for c in codes], batch_size=1000
        )
        # No password (tokens are the API's credentials): no hashing cost in the set-up.
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    username=f"rush-{c.lower()}",
                    unit=by_code[c],
                    role=Role.UNIT_REPORTER,
                    password=unusable,
                    password_changed_at=now,
                )
                for c in codes
            ],
            batch_size=1000,
        )
    users = {u.unit.code: u for u in User.objects.filter(username__startswith="rush-").select_related("unit")}
    from chengxin.api.services import token_create

    tokens = {}
    for code in codes:
        _api_token, tokens[code] = token_create(user=users[code], name="bench", acting_user=users[code])
    if summaries:
        from chengxin.reporting.services import report_get_or_start, report_upload_summary

        for code in codes:
            upload = SimpleUploadedFile(f"{code}总结报告.docx", summary_docx(f"{code} 2020年活动总结"))
            report = report_get_or_start(campaign=campaign, unit=by_code[code])
            report_upload_summary(report=report, uploaded_file=upload, acting_user=users[code])
    # The national totals are for the ministry's eyes only: a national reviewer reads them.
    reviewer = User.objects.create(
        username="rush-reviewer",
        unit=Unit.objects.get(code="MOFCOM"),
        role=Role.NATIONAL_REVIEWER,
        password=unusable,
        password_changed_at=now,
    )
    _api_token, national = token_create(user=reviewer, name="bench", acting_user=reviewer)
    units_out = [{"code": c, "token": tokens[c]} for c in codes]
    out.write_text(json.dumps({"year": YEAR, "national_token": national, "units": units_out}))


def dump(out: Path) -> None:
    """Write the state of every bench unit's report to `out` as JSON: status, version, submitted_at, stored
    values, history events by action, summary files (each checked on disk against its recorded size and sha256),
    the database's own sums of the submitted number figures, the rows of the bench table, and how many uploaded
    files no row refers to."""
    _django()
    import hashlib

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Sum

    from chengxin.campaigns.models import Campaign
    from chengxin.reporting.models import FigureValue, Report, ReportEvent, Status, SummaryFile

    campaign = Campaign.objects.get(year=YEAR)
    reports = Report.objects.filter(campaign=campaign, unit__code__startswith=UNIT_PREFIX)
    state: dict[str, dict] = {}
    for code, status, version, submitted_at in reports.values_list("unit__code", "status", "version", "submitted_at"):
        state[code] = {
            "status": status,
            "version": version,
            "submitted_at": submitted_at.isoformat() if submitted_at else None,
            "values": {},
            "events": {},
            "summaries": [],
        }
    values = FigureValue.objects.filter(report__in=reports).values_list(
        "report__unit__code", "figure__code", "figure__kind", "number", "text"
    )
    for code, figure, kind, number, text in values:
        state[code]["values"][figure] = number if kind == "number" else text
    events = (
        ReportEvent.objects.filter(report__in=reports).values("report__unit__code", "action").annotate(n=Count("id"))
    )
    for row in events:
        state[row["report__unit__code"]]["events"][row["action"]] = row["n"]
    for summary in SummaryFile.objects.filter(report__in=reports).select_related("report__unit"):
        try:
            with summary.file.open("rb") as f:
                content = f.read()
            intact = len(content) == summary.size and hashlib.sha256(content).hexdigest() == summary.sha256
        except OSError:
            intact = False
        state[summary.report.unit.code]["summaries"].append({"size": summary.size, "intact": intact})
    sums = (
        FigureValue.objects.filter(
            report__campaign=campaign, report__status__in=[Status.SUBMITTED, Status.ACCEPTED], figure__kind="number"
        )
        .values("figure__code")
        .annotate(s=Sum("number"))
        .values_list("figure__code", "s")
        .order_by()
    )
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"SELECT COUNT(*) FROM {BENCH_TABLE}")
            bare_rows = cursor.fetchone()[0]
        except Exception:
            bare_rows = None
    db_totals = {code: int(total) for code, total in sums}  # PostgreSQL sums bigints as numeric
    # Uploaded files no row refers to: what an upload interrupted before its commit leaves behind (harmless,
    # never shown to anyone; counted so that the fault test can report it).
    media = Path(settings.MEDIA_ROOT)
    referenced = {Path(name).as_posix() for name in SummaryFile.objects.values_list("file", flat=True)}
    stored = {p.relative_to(media).as_posix() for p in (media / "summaries").rglob("*") if p.is_file()}
    out.write_text(
        json.dumps(
            {
                "reports": state,
                "db_totals": db_totals,
                "bare_rows": bare_rows,
                "orphan_files": len(stored - referenced),
            }
        )
    )


# --- the load client (standard library only) -----------------------------------------------------------------


class GaveUp(Exception):
    """A request kept failing (no connection, or 5xx) until the client's deadline."""


class Unexpected(Exception):
    """The server answered something a correct server never answers to this client."""


@dataclass
class Target:
    """Where a client sends its requests; the port may change while the clients run (a restarted server). With
    `tls`, HTTPS trusting that context (the production stack's nginx, bench/_stack.py)."""

    port: int
    host: str = "127.0.0.1"
    abandoned: bool = False  # set to make every client give up at once (a test that failed half-way)
    tls: ssl.SSLContext | None = None

    def connect(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return http.client.HTTPSConnection(self.host, self.port, timeout=60, context=self.tls)
        return http.client.HTTPConnection(self.host, self.port, timeout=60)


@dataclass
class Attempt:
    """One HTTP request: its kind ("get", "put", "summary", "submit", "bare", "totals"), status (0 when the
    connection failed), latency in seconds and when it ended (time.monotonic())."""

    kind: str
    status: int
    seconds: float
    ended: float


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Client:
    """One keep-alive connection (http.client) to `target`, used by one thread. A request that fails to connect
    or gets a 5xx is sent again as it was (same Idempotency-Key) until `patience` seconds have passed."""

    target: Target
    patience: float = 120.0
    attempts: list[Attempt] = field(default_factory=list)
    conn: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> Response:
        deadline = time.monotonic() + self.patience
        pause = 0.05
        while True:
            if self.target.abandoned:
                raise GaveUp(f"{method} {path}: abandoned")
            start = time.monotonic()
            try:
                if self.conn is None or self.conn.port != self.target.port:
                    self.close()
                    self.conn = self.target.connect()
                self.conn.request(method, path, body=body, headers=headers or {})
                raw = self.conn.getresponse()
                answer = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
                if raw.will_close:
                    self.close()
            except (OSError, http.client.HTTPException):
                answer = None
                self.close()
            ended = time.monotonic()
            self.attempts.append(Attempt(kind, answer.status if answer else 0, ended - start, ended))
            if answer is not None and answer.status < 500:
                return answer
            if ended >= deadline:
                what = f"HTTP {answer.status}" if answer else "no connection"
                raise GaveUp(f"{method} {path}: {what} for {self.patience:g} s")
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def _json_body(data) -> tuple[bytes, dict[str, str]]:
    return json.dumps(data).encode(), {"Content-Type": "application/json"}


def _multipart(field_name: str, filename: str, content: bytes) -> tuple[bytes, dict[str, str]]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
        "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n\r\n"
    ).encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _expect(response: Response, what: str, *ok: int) -> Response:
    if response.status not in ok:
        raise Unexpected(f"{what}: HTTP {response.status} {response.body[:300].decode(errors='replace')}")
    return response


def _same_values(stored: dict, sent: dict) -> bool:
    return {k: str(v) for k, v in (stored or {}).items() if v not in (None, "")} == {k: str(v) for k, v in sent.items()}


def report_path(year: int, code: str, tail: str = "") -> str:
    return f"/api/v1/campaigns/{year}/reports/{code}{tail}"


def prepare_unit(client: Client, year: int, code: str, token: str, values: dict, run: str, *, upload: bool) -> None:
    """What a unit does before submitting: read its report (for the version), save its figures, and (with
    `upload`) upload its summary report. A save refused as stale (409) after a retry is accepted when the report
    already holds exactly these figures: the first attempt was stored and only its answer was lost."""
    got = _expect(client.request("get", "GET", report_path(year, code), headers=_auth(token)), f"GET {code}", 200)
    report = got.json()
    if report["status"] != "submitted":
        body, headers = _json_body({"version": report["version"], "values": values})
        put = client.request(
            "put",
            "PUT",
            report_path(year, code),
            body=body,
            headers=_auth(token, **headers, **{"Idempotency-Key": f"{run}-{code}-put"}),
        )
        if put.status == 409:
            again = client.request("get", "GET", report_path(year, code), headers=_auth(token)).json()
            if not _same_values(again.get("values"), values):
                raise Unexpected(f"PUT {code}: 409 and the stored figures are not the ones sent")
        else:
            _expect(put, f"PUT {code}", 200)
    if upload:
        body, headers = _multipart("file", f"{code}总结报告.docx", summary_docx(f"{code} 2020年活动总结"))
        headers = _auth(token, **headers, **{"Idempotency-Key": f"{run}-{code}-summary"})
        path = report_path(year, code, "/summary")
        _expect(client.request("summary", "POST", path, body=body, headers=headers), f"summary {code}", 200, 201)


def submit_unit(client: Client, year: int, code: str, token: str, key: str) -> Response:
    """POST submit with `key` (retried as it is on a lost connection or a 5xx); the server's last answer."""
    body, headers = _json_body({"version": None})
    headers = _auth(token, **headers, **{"Idempotency-Key": key})
    return client.request("submit", "POST", report_path(year, code, "/submit"), body=body, headers=headers)


@dataclass
class UnitOutcome:
    code: str
    acknowledged: bool = False  # the submission got a 2xx
    submitted_at: str | None = None
    error: str = ""


def rush(
    target: Target,
    units: list[dict],
    *,
    year: int,
    clients: int,
    upload: bool,
    run: str | None = None,
    patience: float = 120.0,
    on_ack: Callable[[int], None] | None = None,
) -> tuple[dict[str, UnitOutcome], list[Attempt], float]:
    """Every unit (dicts with "code", "token", "values") prepares and submits, `clients` at a time, each client
    thread taking the next unit; returns the outcome per unit, every request made, and the wall time.
    `on_ack(n)` is called after the n-th acknowledged submission (from a client thread)."""
    run = run or uuid.uuid4().hex[:12]
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for unit in units:
        todo.put(unit)
    outcomes: dict[str, UnitOutcome] = {}
    lock = threading.Lock()
    acks = [0]

    def work() -> list[Attempt]:
        client = Client(target, patience=patience)
        try:
            while True:
                try:
                    unit = todo.get_nowait()
                except queue.Empty:
                    return client.attempts
                code, token = unit["code"], unit["token"]
                outcome = UnitOutcome(code)
                try:
                    prepare_unit(client, year, code, token, unit["values"], run, upload=upload)
                    answer = submit_unit(client, year, code, token, f"{run}-{code}-submit")
                    _expect(answer, f"submit {code}", 200)
                    outcome.acknowledged = True
                    outcome.submitted_at = answer.json().get("submitted_at")
                except (GaveUp, Unexpected, ValueError, KeyError) as exc:
                    outcome.error = str(exc)
                with lock:
                    outcomes[code] = outcome
                    if outcome.acknowledged:
                        acks[0] += 1
                        n = acks[0]
                if outcome.acknowledged and on_ack is not None:
                    on_ack(n)
        finally:
            client.close()

    start = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        runs = list(pool.map(lambda _: work(), range(clients)))
    elapsed = time.monotonic() - start
    return outcomes, [a for run_ in runs for a in run_], elapsed


def hammer_bare(target: Target, *, requests: int, clients: int) -> tuple[list[Attempt], float, int]:
    """`requests` POSTs to the bare one-row view, `clients` at a time; every request made, the wall time and how
    many were acknowledged (201)."""
    counter = iter(range(requests))
    lock = threading.Lock()

    def work() -> tuple[list[Attempt], int]:
        client = Client(target)
        acked = 0
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return client.attempts, acked
                body, headers = _json_body({"n": n, "at": time.time()})
                answer = client.request("bare", "POST", "/bench/one-row/", body=body, headers=headers)
                _expect(answer, "bare view", 201)
                acked += 1
        finally:
            client.close()

    start = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        runs = list(pool.map(lambda _: work(), range(clients)))
    elapsed = time.monotonic() - start
    return [a for r in runs for a in r[0]], elapsed, sum(r[1] for r in runs)


def api_totals(target: Target, year: int, token: str) -> dict[str, int]:
    """The national totals of submitted reports the API gives, number figures only, by figure code."""
    client = Client(target, patience=30)
    try:
        path = f"/api/v1/campaigns/{year}/totals?status=submitted"
        data = _expect(client.request("totals", "GET", path, headers=_auth(token)), "totals", 200).json()
    finally:
        client.close()
    if isinstance(data, dict) and isinstance(data.get("totals"), dict):
        data = data["totals"]
    if isinstance(data, list):  # [{"code": …, "value": …}, …]
        data = {row.get("code"): row.get("value", row.get("total")) for row in data}
    return {k: int(v) for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)}


# --- checks ------------------------------------------------------------------------------------------------


def sent_totals(units: Iterable[dict]) -> dict[str, int]:
    """The sums of the number figures the given units sent."""
    total: Counter[str] = Counter()
    for unit in units:
        total.update({k: v for k, v in unit["values"].items() if isinstance(v, int)})
    return dict(total)


def check_state(units: list[dict], outcomes: dict[str, UnitOutcome], state: dict, *, all_submitted: bool) -> list[str]:
    """Problems in the stored state (the dump's "reports"), in words; empty when all is well:

    - every acknowledged unit is submitted, with exactly one submit event, at the submitted_at it was told;
    - nothing is half-written: a report holds either no figures or exactly the complete table sent, a submitted
      one holds the table and its summary report, every stored summary file is on disk whole, and no step was
      stored twice (at most one save with changes, at most one upload, at most one submission);
    - with `all_submitted`, every unit ended submitted (the clients retried until the server took it)."""
    problems = []
    for unit in units:
        code = unit["code"]
        report = state.get(code)
        outcome = outcomes.get(code, UnitOutcome(code))
        if report is None:
            if outcome.acknowledged or all_submitted:
                problems.append(f"{code}: no report stored")
            continue
        events, values = report["events"], report["values"]
        submitted = report["status"] == "submitted"
        if outcome.acknowledged:
            if not submitted:
                problems.append(f"{code}: acknowledged but {report['status']}")
            elif outcome.submitted_at and outcome.submitted_at != report["submitted_at"]:
                # Both are ISO 8601; compare as instants (the API may render another offset).
                import datetime as dt

                told = dt.datetime.fromisoformat(outcome.submitted_at.replace("Z", "+00:00"))
                if told != dt.datetime.fromisoformat(report["submitted_at"]):
                    problems.append(
                        f"{code}: told submitted at {outcome.submitted_at}, stored {report['submitted_at']}"
                    )
        elif all_submitted:
            problems.append(f"{code}: not acknowledged ({outcome.error or 'no answer'}), {report['status']}")
        if values and not _same_values(values, unit["values"]):
            problems.append(f"{code}: stored figures are neither empty nor the table sent: {values}")
        if submitted and not values:
            problems.append(f"{code}: submitted without its figures")
        if submitted and not report["summaries"]:
            problems.append(f"{code}: submitted without a summary report")
        if events.get("submit", 0) != (1 if submitted else 0):
            problems.append(f"{code}: {events.get('submit', 0)} submit events, status {report['status']}")
        if events.get("save_draft", 0) > 1:
            problems.append(f"{code}: the figures were saved {events['save_draft']} times")
        uploads = len(report["summaries"])
        if uploads > 1 or events.get("upload_summary", 0) != uploads:
            problems.append(f"{code}: {uploads} summary files, {events.get('upload_summary', 0)} upload events")
        if any(not s["intact"] for s in report["summaries"]):
            problems.append(f"{code}: a summary file is missing or differs from its recorded size / sha256")
    return problems


def run_dump(env: dict[str, str], folder: Path) -> dict:
    """The state dump of the database of `env` (see `dump`), taken in a child process."""
    from bench._server import run_python

    out = folder / f"state-{uuid.uuid4().hex[:8]}.json"
    run_python(env, "-m", "bench.rush_bench", "_dump", "--out", str(out))
    return json.loads(out.read_text())


@dataclass
class Prepared:
    """What the set-up made: each unit as {"code", "token", "values" (what it will send)}, and a national
    reviewer's token (the totals are the ministry's)."""

    units: list[dict]
    national_token: str


def run_setup(env: dict[str, str], folder: Path, units: int, *, summaries: bool) -> Prepared:
    """Set the database of `env` up for `units` units (see `setup`) in a child process."""
    from bench._server import run_python

    out = folder / "units.json"
    args = ["-m", "bench.rush_bench", "_setup", "--units", str(units), "--out", str(out)]
    run_python(env, *args, *(["--summaries"] if summaries else []))
    data = json.loads(out.read_text())
    prepared = [{**u, "values": unit_figures(i)} for i, u in enumerate(data["units"], start=1)]
    return Prepared(prepared, data["national_token"])


# --- the benchmark -------------------------------------------------------------------------------------------


def figures(attempts: list[Attempt], elapsed: float) -> dict:
    latencies = sorted(a.seconds for a in attempts)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")

    return {
        "requests": len(attempts),
        "seconds": elapsed,
        "rps": len(attempts) / elapsed if elapsed else 0.0,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "5xx": sum(1 for a in attempts if a.status >= 500),
        "conn": sum(1 for a in attempts if a.status == 0),
    }


class LockSampler:
    """Samples PostgreSQL's pg_stat_activity every 20 ms while the rush runs: how many of the bench database's
    sessions are running a statement, how many of them wait for a lock, and how many of those wait on the audit
    chain's head row (the one row every audited write locks). If audited writes queued on that row, the waiters
    would be a large share of the active sessions."""

    QUERY = """
        SELECT count(*) FILTER (WHERE state = 'active'),
               count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'),
               count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'
                                AND query ILIKE '%%audit_auditchainhead%%')
        FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()
    """

    def __init__(self, database_url: str):
        self.url, self.name = database_url, urlsplit(database_url).path.lstrip("/")
        self.samples: list[tuple[int, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                self.samples.append(tuple(conn.execute(self.QUERY, [self.name]).fetchone()))

    def __enter__(self) -> "LockSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def summary(self) -> dict:
        n = len(self.samples) or 1
        active = sum(a for a, _w, _c in self.samples) / n
        waiting = sum(w for _a, w, _c in self.samples) / n
        chain = sum(c for _a, _w, c in self.samples) / n
        return {"samples": len(self.samples), "active": active, "waiting": waiting, "chain": chain}


def measure(target: Target, prepared: Prepared, args, *, database_url: str = "") -> dict:
    """Warm up, run the rush, then the bare view as many times as the rush made requests; figures and checks."""
    units = prepared.units
    # Warm-up: imports, connections, caches of both paths, in every server process.
    hammer_bare(target, requests=400, clients=args.clients)
    client = Client(target)
    for unit in units[:40]:
        _expect(client.request("get", "GET", report_path(YEAR, unit["code"]), headers=_auth(unit["token"])), "GET", 200)
    client.close()
    sampler = LockSampler(database_url) if database_url.startswith("postgres") else None
    with sampler or _nothing():
        outcomes, api_attempts, api_elapsed = rush(
            target, units, year=YEAR, clients=args.clients, upload=args.summaries == "api"
        )
    bare_attempts, bare_elapsed, bare_acked = hammer_bare(target, requests=len(api_attempts), clients=args.clients)
    totals = api_totals(target, YEAR, prepared.national_token)
    return {
        "outcomes": outcomes,
        "api_attempts": api_attempts,
        "api_elapsed": api_elapsed,
        "bare_attempts": bare_attempts,
        "bare_elapsed": bare_elapsed,
        "bare_acked": bare_acked + 400,
        "totals": totals,
        "locks": sampler.summary() if sampler else None,
    }


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def judge(units: list[dict], run: dict, state: dict) -> dict:
    """The figures of one measured run and every problem the database shows."""
    outcomes = run["outcomes"]
    problems = check_state(units, outcomes, state["reports"], all_submitted=True)
    acked = [u for u in units if outcomes.get(u["code"], UnitOutcome("")).acknowledged]
    expected = sent_totals(acked)
    if run["totals"] != expected:
        problems.append(f"API totals {run['totals']} differ from the sum of what was sent {expected}")
    if dict(state["db_totals"]) != expected:
        problems.append(f"database sums {state['db_totals']} differ from the sum of what was sent {expected}")
    if state["bare_rows"] != run["bare_acked"]:
        problems.append(f"bench table holds {state['bare_rows']} rows, {run['bare_acked']} were acknowledged")
    attempts, elapsed = run["api_attempts"], run["api_elapsed"]
    return {
        "api": figures(attempts, elapsed),
        "bare": figures(run["bare_attempts"], run["bare_elapsed"]),
        "units": len(units),
        "acknowledged": len(acked),
        "kinds": {k: figures([a for a in attempts if a.kind == k], elapsed) for k in STEPS},
        "locks": run["locks"],
        "problems": problems,
    }


def bench_serve(name: str, database_url: str, args) -> dict:
    """One waitress process (as `chengxin serve` runs: 8 threads) on `database_url` (SQLite when empty)."""
    from bench._server import Server, server_env

    with tempfile.TemporaryDirectory(prefix=f"chengxin-rush-{name.lower()}-") as tmp:
        folder = Path(tmp)
        env = server_env(folder / "var", database_url=database_url, settings="bench.rush_settings")
        started = time.monotonic()
        prepared = run_setup(env, folder, args.units, summaries=args.summaries == "setup")
        print(f"{name}, one waitress process: set-up of {args.units} units in {time.monotonic() - started:.0f} s")
        server = Server(env, folder / "server.log", module="bench.serve_wsgi")
        with server:
            run = measure(Target(server.port), prepared, args, database_url=database_url)
            memory = {"after": {server.process.pid: _rss(server.process.pid)}}
        state = run_dump(env, folder)
    return {**judge(prepared.units, run, state), "memory": memory}


def bench_stack(processes: int, database_url: str, redis_url: str, args) -> dict:
    """The production shape: nginx (TLS) → one gunicorn instance of `processes` workers → PostgreSQL and Redis."""
    from bench._databases import BENCH_RATES
    from bench._stack import Stack

    with tempfile.TemporaryDirectory(prefix=f"chengxin-rush-stack{processes}-") as tmp:
        folder = Path(tmp)
        _flush_redis(redis_url)
        stack = Stack(
            folder,
            database_url=database_url,
            redis_url=redis_url,
            apps=1,
            workers=processes,
            task_worker=False,
            wsgi="bench.wsgi",
            settings="bench.rush_settings",
            access_log=False,
            extra_env=dict(BENCH_RATES),
        )
        started = time.monotonic()
        stack.chengxin("migrate", "--no-input", "-v0")
        stack.chengxin("collectstatic", "--no-input", "-v0")
        prepared = run_setup(stack.env("admin"), folder, args.units, summaries=args.summaries == "setup")
        print(f"nginx + gunicorn × {processes}: set-up of {args.units} units in {time.monotonic() - started:.0f} s")
        with stack:
            target = Target(stack.https_port, tls=stack.ssl_context())
            hammer_bare(target, requests=100, clients=4)
            at_rest = stack.app_memory_kib()[0]
            run = measure(target, prepared, args, database_url=database_url)
            run["bare_acked"] += 100  # the rows of the memory warm-up above
            after = stack.app_memory_kib()[0]
        state = run_dump(stack.env("admin"), folder)
    return {**judge(prepared.units, run, state), "memory": {"rest": at_rest, "after": after}}


def _rss(pid: int) -> int:
    from bench._stack import rss_kib

    return rss_kib(pid)


def _flush_redis(url: str) -> None:
    import socket

    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=5) as s:
        s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        s.recv(64)


def _memory_line(memory: dict) -> str:
    """'master 25 MB; workers 80 / 81 MB (rest) → 95 / 97 MB (after)' from {phase: {pid: KiB}}."""
    parts = []
    for phase, pids in memory.items():
        sizes = sorted(pids.values())
        parts.append(f"{phase}: " + " / ".join(f"{kib / 1024:.0f}" for kib in sizes) + " MB")
    return "; ".join(parts)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_setup", "_dump"):
        parser = argparse.ArgumentParser()
        parser.add_argument("command")
        parser.add_argument("--units", type=int, default=0)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--summaries", action="store_true")
        args = parser.parse_args()
        if args.command == "_setup":
            setup(args.units, args.out, summaries=args.summaries)
        else:
            dump(args.out)
        return 0

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=3400)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="one waitress process on: sqlite, postgresql, both (comma-separated), or none",
    )
    parser.add_argument(
        "--stack",
        default="1,2,4",
        help="the production shape (nginx + gunicorn, PostgreSQL + Redis) with these numbers of app processes; "
        "'none' to skip",
    )
    parser.add_argument("--redis", default=os.environ.get("CHENGXIN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    parser.add_argument(
        "--summaries",
        choices=("api", "setup"),
        default="api",
        help="upload each summary report through the API during the rush (default), or in the set-up",
    )
    args = parser.parse_args()
    from bench._server import drop_pg_database, fresh_pg_database

    base = os.environ.get("DATABASE_URL") or DEFAULT_PG
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_PG
    results: dict[str, dict] = {}
    for name in [d.strip().lower() for d in args.databases.split(",") if d.strip() and d.strip() != "none"]:
        if name == "sqlite":
            results["SQLite, waitress × 1"] = bench_serve("SQLite", "", args)
        elif name in ("postgresql", "postgres", "pg"):
            url = fresh_pg_database(base, PG_NAME)
            try:
                results["PostgreSQL, waitress × 1"] = bench_serve("PostgreSQL", url, args)
            finally:
                drop_pg_database(url)
        else:
            parser.error(f"unknown database {name!r}")
    if args.stack != "none":
        from bench._stack import missing, redis_answers

        reason = missing() or ("" if redis_answers(args.redis) else f"no Redis answers at {args.redis}")
        if reason:
            print(f"The production shape was NOT measured: {reason}")
            return 1
        for processes in [int(n) for n in args.stack.split(",") if n.strip()]:
            url = fresh_pg_database(base, PG_NAME)
            try:
                results[f"PostgreSQL, nginx + gunicorn × {processes}"] = bench_stack(processes, url, args.redis, args)
            finally:
                drop_pg_database(url)

    print()
    steps = "GET + PUT + summary + submit" if args.summaries == "api" else "GET + PUT + submit"
    print(f"{args.units} units, {args.clients} client threads (keep-alive; HTTPS through nginx for the production")
    print(f"shape), {os.cpu_count()} CPUs shared by clients, nginx, the app processes and the database; per unit:")
    print(f"{steps}. Baseline: a bare Django view (no middleware) inserting one row, same server, same run.")
    print()
    print("| shape | run | requests | seconds | requests/s | p50 ms | p99 ms | 5xx | conn. errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for name, r in results.items():
        for label, f in (("bare view (one row)", r["bare"]), ("API rush", r["api"])):
            print(
                f"| {name} | {label} | {f['requests']:,} | {f['seconds']:.1f} | {f['rps']:,.0f} | {f['p50']:.1f} |"
                f" {f['p99']:.1f} | {f['5xx']} | {f['conn']} |"
            )
    print()
    print("API requests by step (all concurrent, same run):")
    print()
    print("| shape | step | requests | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        for step, f in r["kinds"].items():
            if f["requests"]:
                print(f"| {name} | {step} | {f['requests']:,} | {f['p50']:.1f} | {f['p99']:.1f} |")
    print()
    print("| shape | units acknowledged | rps ratio (API / bare) | p99 ratio (bare / API) | target | checks |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        rps_ratio = r["api"]["rps"] / r["bare"]["rps"]
        p99_ratio = r["bare"]["p99"] / r["api"]["p99"]
        met = rps_ratio >= TARGET_RATIO and p99_ratio >= TARGET_RATIO
        checks = "all pass" if not r["problems"] else f"{len(r['problems'])} problems"
        failed |= not met or bool(r["problems"]) or r["api"]["5xx"] > 0 or r["bare"]["5xx"] > 0
        print(
            f"| {name} | {r['acknowledged']:,} / {r['units']:,} | {rps_ratio:.2f} | {p99_ratio:.2f} |"
            f" ≥ {TARGET_RATIO} | {checks} |"
        )
    print()
    print("Memory of the app processes (resident set, MB) and PostgreSQL sessions during the rush (mean of samples):")
    print()
    print("| shape | memory | active sessions | waiting for a lock | of which on the audit chain head |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        locks = r["locks"]
        lock_cells = f"{locks['active']:.2f} | {locks['waiting']:.2f} | {locks['chain']:.2f}" if locks else "— | — | —"
        print(f"| {name} | {_memory_line(r['memory'])} | {lock_cells} |")
    for name, r in results.items():
        for problem in r["problems"][:20]:
            print(f"{name}: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
