"""A real client: a Python package generated from /api/v1/openapi.json by openapi-python-client drives a reporter's
whole loop against the running server (read, save the figures, upload the summary report, submit), and what it
parses as typed results is what the database holds.

The generator runs once per module, offline: from the document the server serves, with its post hooks (ruff)
off, and with every proxy variable pointing nowhere, so that any attempt to reach the network would fail.
"""

import datetime as dt
import importlib
import io
import json
import os
import subprocess
import sys
import time
import uuid
from http import HTTPStatus

import pytest
from django.test import Client

from chengxin.api.tests.conftest import API, token_of
from chengxin.conftest import VALID_FIGURES, VALID_VALUES, make_docx
from chengxin.reporting.models import Report, Status
from chengxin.reporting.selectors import report_values, summary_uploaded
from chengxin.statform.selectors import form_definition

PACKAGE = "chengxin_api_client"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers there


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The generated package, imported: (package, its OpenAPI document, seconds the generator took)."""
    with django_db_blocker.unblock():
        document = Client().get(API + "/openapi.json").json()
    folder = tmp_path_factory.mktemp("generated-client")
    (folder / "openapi.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (folder / "config.yaml").write_text(
        f"post_hooks: []\nproject_name_override: chengxin-api-client\npackage_name_override: {PACKAGE}\n",
        encoding="utf-8",
    )
    offline = {
        **os.environ,
        **{name: NOWHERE for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")},
        "NO_PROXY": "",
        "no_proxy": "",
    }
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json"]
    options = ["--config", "config.yaml", "--meta", "none", "--output-path", PACKAGE, "--fail-on-warning"]
    started = time.monotonic()
    run = subprocess.run(
        [*command, *options],
        cwd=folder,
        env=offline,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr

    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), document, seconds
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _operation(tag: str, name: str):
    """One operation's module of the generated package (grouped by the document's tags, which are Chinese)."""
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_drives_a_reporters_loop_against_the_server(generated, live_server, alice):
    started = time.monotonic()
    package, document, generator_seconds = generated
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    report_detail = _operation("报送", "report_detail")
    report_update = _operation("报送", "report_update")
    report_upload_summary = _operation("报送", "report_upload_summary")
    report_submit = _operation("报送", "report_submit")

    client = package.AuthenticatedClient(
        base_url=live_server.url,
        token=token_of(alice),
        raise_on_unexpected_status=True,  # a status the document does not list is an error
        httpx_args={"trust_env": False},  # straight to the live server, whatever proxy the machine has
        timeout=None,
    )
    with client:
        served = client.get_httpx_client().get("/api/v1/openapi.json")
        assert served.json() == document  # the client was generated from what the server serves

        report = report_detail.sync(year=2020, unit_code="440000", client=client)
        assert isinstance(report, models.ReportOut)
        assert (report.unit, report.status, report.version, report.submitted_at) == ("440000", "not_started", 0, None)

        saved = report_update.sync(
            year=2020,
            unit_code="440000",
            client=client,
            body=models.ReportUpdateIn(
                version=report.version, values=models.ReportUpdateInValues.from_dict(VALID_FIGURES)
            ),
        )
        assert isinstance(saved, models.ReportOut), saved
        assert saved.status == "draft"
        assert saved.version > report.version
        assert saved.values.to_dict() == VALID_VALUES
        assert saved.findings == []

        uploaded = report_upload_summary.sync(
            year=2020,
            unit_code="440000",
            client=client,
            body=models.ReportUploadSummaryFileParams(
                file=types.File(payload=io.BytesIO(make_docx()), file_name="广东省总结报告.docx")
            ),
            idempotency_key=str(uuid.uuid4()),
        )
        assert isinstance(uploaded, models.ReportOut), uploaded
        assert uploaded.summary is True

        key = str(uuid.uuid4())
        body = models.ReportSubmitIn(version=uploaded.version)
        answer = report_submit.sync_detailed(
            year=2020, unit_code="440000", client=client, body=body, idempotency_key=key
        )
        assert answer.status_code == HTTPStatus.OK
        assert "Idempotent-Replayed" not in answer.headers
        submitted = answer.parsed
        assert isinstance(submitted, models.ReportOut), submitted
        assert submitted.status == "submitted"
        assert submitted.late is True  # today is long after the 2020 deadline
        assert isinstance(submitted.submitted_at, dt.datetime)
        assert submitted.submitted_at.tzinfo is not None
        assert submitted.values.to_dict() == VALID_VALUES

        # a retry with the same key (as after a dropped connection) gets the same answer, and submits nothing again
        again = report_submit.sync_detailed(
            year=2020, unit_code="440000", client=client, body=body, idempotency_key=key
        )
        assert again.status_code == HTTPStatus.OK
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.parsed.to_dict() == submitted.to_dict()

    stored = Report.objects.get(campaign__year=2020, unit__code="440000")
    assert stored.status == Status.SUBMITTED
    assert stored.version == submitted.version
    assert stored.submitted_at == submitted.submitted_at
    assert report_values(stored, form_definition(stored.campaign)) == VALID_VALUES
    assert summary_uploaded(stored)

    seconds = time.monotonic() - started
    print(f"\ngenerated client: generator {generator_seconds:.1f} s, the reporter's loop {seconds:.1f} s")
