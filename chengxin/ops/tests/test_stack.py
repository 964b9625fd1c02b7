"""The production shape, end to end (issue 11): nginx with TLS, running deploy/nginx/chengxin.conf as the README
renders it → two gunicorn instances (deploy/gunicorn.conf.py) of two workers each, each instance with a
CHENGXIN_VAR_DIR of its own as if on its own machine → PostgreSQL and Redis; one task worker (`chengxin run_huey`).
Production mode: HTTPS only, two-factor sign-in, CHENGXIN_TRUSTED_PROXY_COUNT=1. Clients: `requests` from two
loopback source addresses, Playwright's Chromium, and the rush benchmark's API client.

It needs nginx, PostgreSQL (DATABASE_URL, as in the PostgreSQL run of `make test`) and Redis
(CHENGXIN_TEST_REDIS_URL, default redis://127.0.0.1:6379/14, flushed at the start): without them it is skipped with
a line that says so, except under CI=true, where it fails. The tests run in file order; the last one kills an app
instance.
"""

import json
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import rush_bench as rb
from bench._server import drop_pg_database, fresh_pg_database
from bench._stack import Stack, missing, redis_answers
from chengxin.conftest import PASSWORD, VALID_FIGURES, VALID_VALUES, make_docx, shot, totp_code

REDIS_URL = os.environ.get("CHENGXIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")  # the database number is ours
METRICS = "stack-metrics-token-0123456789"
RUSH_UNITS = 120
ACCOUNTS = """
from django.utils import timezone
from chengxin.units.models import Role, Unit, User
for username, code, role in [
    ("gd-reporter", "440000", Role.UNIT_REPORTER),
    ("bj-reporter", "110000", Role.UNIT_REPORTER),
    ("mofcom-reviewer", "MOFCOM", Role.NATIONAL_REVIEWER),
    ("mofcom-admin", "MOFCOM", Role.NATIONAL_ADMIN),
]:
    user = User(username=username, unit=Unit.objects.get(code=code), role=role, password_changed_at=timezone.now())
    user.set_password(%r)
    user.save()
"""


def _skip_or_fail(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the production stack cannot run under CI: {reason}")
    pytest.skip(f"production stack test skipped: {reason}")


def _flush_redis(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    with socket.create_connection((parts.hostname, parts.port or 6379), timeout=5) as s:
        s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        s.recv(64)


def _stack(tmp_path_factory, name: str, redis_db: int, **shape):
    """Build, start and finally remove a stack on a PostgreSQL database and a Redis database of its own."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        pytest.skip("production stack test skipped: it runs on PostgreSQL (the DATABASE_URL run of `make test`)")
    redis_url = REDIS_URL.rsplit("/", 1)[0] + f"/{redis_db}"
    reason = missing() or ("" if redis_answers(redis_url) else f"no Redis answers at {redis_url}")
    if reason:
        _skip_or_fail(reason)
    url = fresh_pg_database(database_url, f"test_chengxin_{name}")
    _flush_redis(redis_url)
    root = tmp_path_factory.mktemp(name)
    built = Stack(root, database_url=url, redis_url=redis_url, **shape)
    try:
        built.prepare()
        built.chengxin("shell", "-c", ACCOUNTS % PASSWORD)
        yield built
    finally:
        built.stop()
        drop_pg_database(url)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Two gunicorn instances of two workers each, one task worker, nginx: the production shape."""
    for built in _stack(
        tmp_path_factory, "stack", 14, apps=2, workers=2, extra_env={"CHENGXIN_METRICS_TOKEN": METRICS}
    ):
        built.rush_units = rb.run_setup(built.env("admin"), built.root, RUSH_UNITS, summaries=False)
        with built:
            yield built


@pytest.fixture(scope="module")
def waitress_stack(tmp_path_factory):
    """`chengxin serve` (waitress) behind the same nginx: the other server the README names."""
    for built in _stack(tmp_path_factory, "stack_waitress", 13, server="waitress", apps=1, task_worker=False):
        with built:
            yield built


def _query(stack: Stack, code: str):
    """Run `code` (which sets `result`) in a `chengxin shell` of the stack; `result` as JSON."""
    out = stack.chengxin("shell", "-c", code + "\nimport json; print('RESULT' + json.dumps(result))")
    return json.loads(out.rsplit("RESULT", 1)[1])


# --- clients ------------------------------------------------------------------------------------------------


def _session(stack: Stack, source: str = "127.0.0.1"):
    """A `requests` session trusting the stack's certificate, connecting from the loopback address `source`."""
    import requests
    from requests.adapters import HTTPAdapter

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (source, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.trust_env = False  # no CA bundle or proxy from the environment: this stack's certificate only
    session.verify = str(stack.cert)
    session.mount("https://", FromAddress())
    session.mount("http://", FromAddress())
    return session


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post_form(session, stack: Stack, path: str, data: dict, **kwargs):
    page = session.get(stack.url(path))
    return session.post(
        stack.url(path),
        data={**data, "csrfmiddlewaretoken": _csrf(page.text)},
        headers={"Origin": stack.origin, "Referer": stack.url(path)},
        **kwargs,
    )


def _sign_in(session, stack: Stack, username: str, password: str = PASSWORD):
    return _post_form(session, stack, "/accounts/login/", {"username": username, "password": password})


# Per (stack, account): the authenticator secret from its enrolment page, and the last 30-second step whose code
# it used (a code works once).
_secrets: dict[tuple[str, str], str] = {}
_last_step: dict[tuple[str, str], int] = {}


def _code(account: tuple[str, str]) -> str:
    """A code the account has not used yet: this step's, or the next one's (django-otp allows one step of drift);
    waits for the clock when both were used."""
    step = max(int(time.time() // 30), _last_step.get(account, -1) + 1)
    while step > int(time.time() // 30) + 1:
        time.sleep(1)
    _last_step[account] = step
    return totp_code(_secrets[account], steps_ahead=step - int(time.time() // 30))


def _second_factor(session, stack: Stack, response, username: str):
    """Give the second factor on the page the sign-in led to: enrolment the first time (the code computed from the
    secret shown there), the code page afterwards."""
    account = (str(stack.root), username)
    if "/accounts/2fa/setup/" in response.url:
        _secrets[account] = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', response.text).group(1)
    else:
        assert "/accounts/2fa/verify/" in response.url, response.url
    done = session.post(
        response.url,
        data={"token": _code(account), "csrfmiddlewaretoken": _csrf(response.text)},
        headers={"Origin": stack.origin, "Referer": response.url},
    )
    if "请保存您的恢复码" in done.text:  # after enrolment: the recovery codes, then on
        onward = re.search(r'<a href="([^"]+)">我已保存，继续</a>', done.text).group(1)
        done = session.get(stack.url(onward))
    assert done.status_code == 200 and "/accounts/2fa/" not in done.url, done.text[:500]
    return done


def _signed_in(stack: Stack, username: str, source: str = "127.0.0.1"):
    """A session of `username`, signed in with password and code; and the page it landed on."""
    session = _session(stack, source)
    return session, _second_factor(session, stack, _sign_in(session, stack, username), username)


# --- the tests ------------------------------------------------------------------------------------------------


@pytest.fixture(params=["gunicorn", "waitress"])
def any_stack(request):
    """Each server the README names, behind the same nginx."""
    return request.getfixturevalue("stack" if request.param == "gunicorn" else "waitress_stack")


def test_signing_in_behind_the_proxy_has_no_redirect_loop_no_csrf_refusal_and_secure_cookies(any_stack):
    stack = any_stack
    session = _session(stack)
    response = _sign_in(session, stack, "bj-reporter")
    assert response.status_code == 200 and len(response.history) <= 2, [r.url for r in response.history]
    done = _second_factor(session, stack, response, "bj-reporter")
    assert done.url == stack.url("/campaigns/2020/report/110000/")
    for answer in [*response.history, response, *done.history, done]:
        assert answer.url.startswith("https://")
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert answer.status_code not in (403, 500)
    cookies = {cookie.name: cookie for cookie in session.cookies}
    assert cookies["sessionid"].secure and cookies["csrftoken"].secure
    assert cookies["sessionid"].has_nonstandard_attr("HttpOnly")


def test_plain_http_is_sent_to_https(stack):
    session = _session(stack)
    response = session.get(f"http://127.0.0.1:{stack.http_port}/accounts/login/?next=/x", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == stack.url("/accounts/login/?next=/x")


def test_static_files_come_from_nginx_hashed_compressed_and_kept_a_year(stack):
    session = _session(stack)
    page = session.get(stack.url("/accounts/login/")).text
    css = re.search(r'href="(/static/chengxin/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1)
    response = session.get(stack.url(css), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Server"].startswith("nginx")
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    echarts = session.get(stack.url("/static/vendor/echarts.min.js"), headers={"Accept-Encoding": "gzip"}, stream=True)
    assert echarts.headers["Content-Encoding"] == "gzip"
    assert int(echarts.headers["Content-Length"]) < 400_000  # about 1 MB uncompressed
    assert "X-Request-ID" not in response.headers  # no app process was involved


def test_five_wrong_passwords_lock_that_client_only_and_the_audit_names_each_client(any_stack):
    stack = any_stack
    attacker, colleague = _session(stack, "127.0.0.2"), _session(stack, "127.0.0.3")
    attacker.headers["X-Forwarded-For"] = "10.9.9.9"  # forged: must change nothing
    answers = [_sign_in(attacker, stack, "gd-reporter", "Wrong-Horse-2020").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = _sign_in(attacker, stack, "gd-reporter")
    assert locked.status_code == 429 and "锁定" in locked.text
    response = _sign_in(colleague, stack, "gd-reporter")
    assert response.status_code == 200 and "/accounts/2fa/setup/" in response.url
    rows = _query(
        stack,
        "from chengxin.audit.models import AuditEvent\n"
        "result = list(AuditEvent.objects.filter(actor_name__in=['gd-reporter', 'anonymous'], "
        "action__in=['login', 'login_failed']).values_list('action', 'ip'))",
    )
    assert ["login_failed", "127.0.0.2"] in rows
    assert ["login", "127.0.0.3"] in rows
    assert {ip for _action, ip in rows} <= {"127.0.0.2", "127.0.0.3"}  # never the proxy, never the forged one
    locks = _query(
        stack,
        "from axes.models import AccessAttempt\n"
        "result = list(AccessAttempt.objects.values_list('ip_address', 'failures_since_start'))",
    )
    assert [ip for ip, _failures in locks] == ["127.0.0.2"]


def test_the_reporting_loop_in_chromium_through_nginx(stack, browser):
    from playwright.sync_api import expect

    failed = []

    def context():
        ctx = browser.new_context(locale="zh-CN", ignore_https_errors=True, viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and failed.append(f"console: {m.text}"))
        return ctx, page

    def sign_in(page, username):
        page.goto(stack.url("/accounts/login/"))
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/accounts/2fa/setup/"))
        secret = page.locator("#totp-secret").inner_text()
        page.locator("#id_token").fill(totp_code(secret))
        page.get_by_role("button", name="完成绑定").click()
        page.get_by_role("link", name="我已保存，继续").click()
        page.wait_for_load_state("load")

    def confirmed(page, name):
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=True).click()

    reporter_ctx, reporter = context()
    reviewer_ctx, reviewer = context()
    try:
        sign_in(reporter, "gd-reporter")  # from 127.0.0.1: the lock of the test before is 127.0.0.2's only
        expect(reporter).to_have_url(stack.url("/campaigns/2020/report/440000/"))
        for code, value in VALID_FIGURES.items():
            reporter.locator(f"#f_{code}").fill(value)
        reporter.get_by_role("button", name="保存草稿").click()
        reporter.wait_for_load_state("load")
        expect(reporter.locator(".messages")).to_contain_text("草稿已保存")
        docx = Path(stack.root) / "广东省总结.docx"
        docx.write_bytes(make_docx())
        reporter.set_input_files("#summary-file", str(docx))
        reporter.locator("#summary").get_by_role("button", name="上传").click()
        reporter.wait_for_load_state("load")
        confirmed(reporter, "报送")
        expect(reporter.locator(".subtitle")).to_contain_text("已报送")
        shot(reporter, "stack-01-submitted")

        sign_in(reviewer, "mofcom-reviewer")
        reviewer.goto(stack.url("/campaigns/2020/review/440000/"))
        reviewer.locator("#reason").fill("请核对电视新闻条数")
        confirmed(reviewer, "退回修改")
        expect(reviewer.locator(".subtitle")).to_contain_text("已退回")

        reporter.reload()
        expect(reporter.get_by_role("alert")).to_contain_text("请核对电视新闻条数")
        reporter.locator("#f_tv_news").fill("4")
        confirmed(reporter, "报送")
        expect(reporter.locator(".subtitle")).to_contain_text("已报送")

        reviewer.reload()
        confirmed(reviewer, "审核通过")
        expect(reviewer.locator(".subtitle")).to_contain_text("已审核")
        shot(reviewer, "stack-02-accepted")
    finally:
        reporter_ctx.close()
        reviewer_ctx.close()
    assert failed == []
    status = _query(
        stack,
        "from chengxin.reporting.models import Report\nresult = Report.objects.get(unit__code='440000').status",
    )
    assert status == "accepted"


def test_an_import_uploaded_to_one_app_instance_is_read_by_the_worker_and_previewed_by_the_other(stack):
    """Straight to each instance's port, with the headers nginx would add: which instance answers is the test's
    choice. Neither runs a task worker: only the separate `run_huey` process can read the file, from the shared
    storage; the preview page is then served by the other instance, on its own machine as far as it knows."""
    from chengxin.workbooks.tests.builders import attachment, to_bytes

    session, _entry = _signed_in(stack, "bj-reporter")
    app1, app2 = (f"http://127.0.0.1:{port}" for port in stack.app_ports)
    proxied = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Host": f"127.0.0.1:{stack.https_port}",
        # The cookies are Secure: sent by hand over this plain-HTTP hop, as nginx passes them on.
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
    }
    page = session.get(app1 + "/campaigns/2020/import/", headers=proxied)
    assert page.status_code == 200, page.text[:300]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    posted = session.post(
        app1 + "/campaigns/2020/import/",
        data={"csrfmiddlewaretoken": _csrf(page.text)},
        files={"files": ("北京.xlsx", to_bytes(attachment(unit="北京市商务局")), xlsx)},
        headers={**proxied, "Origin": stack.origin, "Referer": stack.url("/campaigns/2020/import/")},
        allow_redirects=False,
    )
    assert posted.status_code == 302, posted.text[:500]
    job = posted.headers["Location"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        preview = session.get(app2 + job, headers=proxied)
        if "可以导入" in preview.text:
            break
        time.sleep(0.3)
    assert "可以导入" in preview.text and "尚未保存任何数据" in preview.text
    staged = list((Path(stack.root) / "shared-files" / "imports").iterdir())
    assert len(staged) == 1  # in the storage every process shares, not in an app's own folder
    assert not any((Path(stack.root) / f"var-app{i}" / "files").exists() for i in (1, 2))


def test_a_30_mb_summary_is_refused_with_a_chinese_message_and_memory_stays_flat(stack):
    session, entry = _signed_in(stack, "bj-reporter")
    before = sum(sum(app.values()) for app in stack.app_memory_kib())
    refused = session.post(
        stack.url("/campaigns/2020/report/110000/summary/"),
        data={"csrfmiddlewaretoken": _csrf(entry.text)},
        files={"summary": ("总结.pdf", b"%PDF-1.4\n" + b"\0" * (30 * 1024 * 1024), "application/pdf")},
        headers={"Origin": stack.origin, "Referer": entry.url},
    )
    after = sum(sum(app.values()) for app in stack.app_memory_kib())
    assert refused.status_code == 413
    assert "提交的内容过大（30 MB）" in refused.text and "未保存任何内容" in refused.text
    assert after - before < 10 * 1024, f"the app processes grew by {(after - before) / 1024:.1f} MB"
    stored = _query(
        stack,
        "from chengxin.reporting.models import SummaryFile\n"
        "result = SummaryFile.objects.filter(report__unit__code='110000').count()",
    )
    assert stored == 0


def test_health_and_metrics(stack):
    session = _session(stack)
    health = session.get(stack.url("/healthz")).json()
    assert health["status"] == "ok" and health["checks"] == {"database": "ok", "cache": "ok", "tasks": "ok"}
    assert health["worker_seen_seconds_ago"] is None or health["worker_seen_seconds_ago"] < 120
    assert session.get(stack.url("/metrics"), headers={"Authorization": f"Bearer {METRICS}"}).status_code == 404
    # Prometheus scrapes an app instance directly; one scrape sums the instance's worker processes.
    app = f"http://127.0.0.1:{stack.app_ports[1]}/metrics"
    assert session.get(app).status_code == 404
    text = session.get(app, headers={"Authorization": f"Bearer {METRICS}"}).text
    counts = [
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("chengxin_http_requests_total{") and 'route="accounts/login/"' in line
    ]
    assert sum(counts) >= 2  # the sign-ins of the tests before, on whichever worker they landed


def test_killing_one_app_instance_loses_no_acknowledged_submission(stack):
    prepared = stack.rush_units
    target = rb.Target(stack.https_port, tls=stack.ssl_context())
    third = threading.Event()

    def on_ack(n: int) -> None:
        if n >= len(prepared.units) // 3:
            third.set()

    pool = ThreadPoolExecutor(1)
    try:
        rushing = pool.submit(
            rb.rush, target, prepared.units, year=rb.YEAR, clients=8, upload=True, patience=90, on_ack=on_ack
        )
        assert third.wait(120), "a third of the units should be acknowledged within two minutes"
        stack.app_children[0].kill()  # the first app machine is gone: master and workers
        killed_at = time.monotonic()
        outcomes, attempts, _elapsed = rushing.result(timeout=300)
    except BaseException:
        target.abandoned = True
        raise
    finally:
        pool.shutdown(wait=True)
    assert not stack.app_children[0].running
    assert all(o.acknowledged for o in outcomes.values())
    assert any(a.kind == "submit" and a.status == 200 and a.ended > killed_at for a in attempts)
    assert {a.status for a in attempts if a.status >= 500} <= {502}  # only while nginx noticed the loss
    state = rb.run_dump(stack.env("admin"), Path(stack.root))
    # Each unit's report: stored once, with what it sent, submitted once.
    assert rb.check_state(prepared.units, outcomes, state["reports"], all_submitted=True) == []
    # The national sums: the rush's units plus 广东省's report accepted in the browser test.
    sent = rb.sent_totals(prepared.units)
    guangdong = dict(VALID_VALUES, tv_news=4)
    assert state["db_totals"] == {code: sent[code] + guangdong[code] for code in sent}
    assert rb.api_totals(target, rb.YEAR, prepared.national_token) == state["db_totals"]
