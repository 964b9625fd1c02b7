"""`chengxin serve` as a person runs it (its own process, SQLite file, the demo accounts): an import runs in the
server's background worker threads, and the browser shows its progress until the preview is there."""

import os
import socket
import subprocess
import sys
import time

import pytest

from chengxin.units.demo import DEMO_PASSWORD
from chengxin.workbooks.tests.builders import attachment, to_bytes

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(CHENGXIN_VAR_DIR=str(tmp_path / "var"), CHENGXIN_ENV="development", CHENGXIN_2FA_REQUIRED="0")
    process = subprocess.Popen(
        [sys.executable, "-m", "chengxin", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"chengxin serve exited: {process.stdout.read()}")
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chengxin serve did not start within 90 s")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def test_an_import_runs_in_the_servers_background_workers(server, browser, tmp_path):
    from playwright.sync_api import expect

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/accounts/login/")
    page.get_by_label("用户名").fill("guangdong")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")

    workbook = tmp_path / "广东省统计表.xlsx"
    workbook.write_bytes(to_bytes(attachment()))
    page.goto(server + "/campaigns/2020/import/")
    page.locator("#files").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并预览").click()
    # The upload answers at once with the job page; the worker finishes it and the page shows the preview.
    assert "/import/jobs/" in page.url
    expect(page.locator(".import-file")).to_contain_text("可以导入", timeout=30_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="确认导入 1 个文件").click()
    expect(page.locator(".messages")).to_contain_text("已导入草稿（广东省）", timeout=30_000)
    page.get_by_role("link", name="返回本单位填报页面").click()
    expect(page.locator("#f_live_viewers")).to_have_value("12,000")
    assert errors == []
    context.close()
