"""Excel on the web: the unit's template, and import with a preview before anything is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_values
from chengxin.workbooks.tests.builders import EXPECTED, FILLED, attachment, to_bytes

pytestmark = pytest.mark.django_db

IMPORT = reverse("workbooks:import", kwargs={"year": 2020})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def test_the_template_download_is_the_units_own(client, bob):
    import io

    from openpyxl import load_workbook

    client.force_login(bob)
    response = client.get(reverse("workbooks:template", kwargs={"year": 2020, "unit_code": "110000"}))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("北京市" in t and "110000" in t for t in texts)


def _post_and_run(client, django_capture_on_commit_callbacks, url, data):
    """POST, run the background task it queues (as the worker would, after the commit), follow to the job."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]), response["Location"]


def test_preview_then_confirm_saves_the_draft(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    files = {"files": [_upload("广东.xlsx", to_bytes(attachment()))]}
    preview, job_url = _post_and_run(client, django_capture_on_commit_callbacks, IMPORT, files)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "可以导入" in page and "尚未保存任何数据" in page
    assert Report.objects.count() == 0  # nothing saved by the preview
    poll = client.get(job_url, HTTP_HX_REQUEST="true")  # the progress bar's next poll reloads the page
    assert poll.status_code == 204 and poll["HX-Refresh"] == "true"
    done, _ = _post_and_run(client, django_capture_on_commit_callbacks, job_url, {})
    assert "已导入草稿（广东省）" in done.content.decode()
    assert report_values(Report.objects.get(unit__code="440000")) == EXPECTED
    again = client.post(job_url, follow=True)  # a preview is imported once
    assert "预览已过期" in again.content.decode()


def test_the_preview_shows_thousands_separated_numbers(client, campaign, alice, django_capture_on_commit_callbacks):
    from chengxin.conftest import figures_times
    from chengxin.reporting import services

    # A draft already there (consultations 860 × 3 = 2580), so that the current column has numbers too.
    report = services.report_get_or_start(campaign=campaign, unit=alice.unit)
    services.report_save_draft(report=report, raw_values=figures_times(3), version=report.version, acting_user=alice)
    client.force_login(alice)
    filled = dict(FILLED, **{"接受咨询服务总量（人次）": 15000})
    files = {"files": [_upload("广东.xlsx", to_bytes(attachment(filled)))]}
    preview, _ = _post_and_run(client, django_capture_on_commit_callbacks, IMPORT, files)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "15,000" in page and "15000" not in page  # the imported figure
    assert "2,580" in page and "2580" not in page  # the current one
    assert "50,000" in page and "12,000" in page and "3,400" in page  # 5万, 1.2万, 3400人次
    assert "展板、手册" in page  # a text figure as it is


def test_the_job_page_shows_progress_until_the_worker_is_done(client, alice):
    client.force_login(alice)
    response = client.post(IMPORT, {"files": [_upload("广东.xlsx", to_bytes(attachment()))]})  # not run yet
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "已完成 0 / 1 个文件" in page
    poll = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in poll.content.decode()


def test_a_job_is_only_its_creators(client, alice, bob):
    client.force_login(alice)
    response = client.post(IMPORT, {"files": [_upload("广东.xlsx", to_bytes(attachment()))]})
    client.force_login(bob)
    assert client.get(response["Location"]).status_code == 404


def test_a_file_with_one_error_names_the_cell_and_is_not_offered(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    bad = to_bytes(attachment(dict(FILLED, **{"电视新闻（条）": "三条"})))
    response, _ = _post_and_run(
        client, django_capture_on_commit_callbacks, IMPORT, {"files": [_upload("广东.xlsx", bad)]}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "广东.xlsx!Sheet1!D7" in page
    assert "确认导入" not in page


def test_a_reviewer_cannot_import(client, carol):
    client.force_login(carol)
    assert client.get(IMPORT).status_code == 404


def test_no_file_is_a_clear_refusal(client, alice):
    client.force_login(alice)
    response = client.post(IMPORT, {"action": "preview"})
    assert response.status_code == 422
    assert "请选择要导入的 Excel 文件" in response.content.decode()


def test_unconfirmed_uploads_older_than_a_day_are_removed(settings):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from chengxin.workbooks.jobs import staging_save, staging_sweep

    old = [staging_save("old", i, ContentFile(b"x")) for i in range(2)]
    fresh = staging_save("fresh", 0, ContentFile(b"x"))
    two_days_ago = time.time() - 48 * 3600
    for name in old:
        os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    assert staging_sweep() == 1  # one upload of two files
    assert not any(default_storage.exists(name) for name in old)
    assert default_storage.exists(fresh)


def test_the_sweep_runs_once_an_hour_however_many_workers_run_it(settings):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from chengxin.core.models import PeriodicRun
    from chengxin.workbooks.jobs import staging_save
    from chengxin.workbooks.tasks import staging_sweep_hourly

    staging_sweep_hourly.call_local()  # the first worker to reach the hour claims it
    name = staging_save("late", 0, ContentFile(b"x"))
    two_days_ago = time.time() - 48 * 3600
    os.utime(default_storage.path(name), (two_days_ago, two_days_ago))
    staging_sweep_hourly.call_local()  # a second worker in the same hour skips it
    assert default_storage.exists(name)
    assert PeriodicRun.objects.filter(task="workbooks.staging_sweep").count() == 1
