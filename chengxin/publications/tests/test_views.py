"""The ministry's summary page: drafting in the background with a progress bar, the download, drafting again."""

import io

import docx
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from chengxin.conftest import VALID_FIGURES, submitted_report
from chengxin.publications.models import DocumentJob
from chengxin.publications.services import summary_job_start

pytestmark = pytest.mark.django_db
PAGE = reverse("publications:summary", kwargs={"year": 2020})


def _draft(client, capture, scope: str = "accepted") -> DocumentJob:
    with capture(execute=True):  # the worker runs the task once the job row is committed
        response = client.post(PAGE, {"scope": scope})
    assert response.status_code == 302
    job = DocumentJob.objects.get(pk=response.url.split("job=")[1])
    assert response.url == f"{PAGE}?job={job.pk}"
    return job


def test_the_ministry_drafts_the_summary_and_downloads_it(
    client, campaign, alice, carol, django_capture_on_commit_callbacks
):
    submitted_report(campaign, alice.unit, alice, VALID_FIGURES)
    client.force_login(carol)
    page = client.get(PAGE).content.decode()
    assert "起草全国活动总结" in page and "尚未起草" in page

    job = _draft(client, django_capture_on_commit_callbacks, "submitted")
    assert (job.state, job.done, job.percent, job.created_by) == ("done", job.total, 100, carol)
    page = client.get(f"{PAGE}?job={job.pk}").content.decode()
    download = reverse("publications:download", kwargs={"year": 2020, "job_id": job.pk, "fmt": "docx"})
    assert "已起草完成" in page and download in page and "已报送和已审核" in page

    response = client.get(download)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert document.paragraphs[0].text == "2020年“诚信兴商宣传月”活动总结"
    assert any("纳入全国汇总的统计表共1份" in p.text for p in document.paragraphs)


def test_drafting_again_replaces_the_document_of_that_scope(
    client, campaign, carol, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    first = _draft(client, django_capture_on_commit_callbacks)
    other_scope = _draft(client, django_capture_on_commit_callbacks, "submitted")
    second = _draft(client, django_capture_on_commit_callbacks)
    assert not DocumentJob.objects.filter(pk=first.pk).exists() and not default_storage.exists(first.file)
    assert default_storage.exists(second.file) and default_storage.exists(other_scope.file)
    old = reverse("publications:download", kwargs={"year": 2020, "job_id": first.pk, "fmt": "docx"})
    assert client.get(old).status_code == 404


def test_the_progress_is_polled_until_the_document_is_ready(client, campaign, carol):
    job = summary_job_start(campaign=campaign, scope="accepted", acting_user=carol)  # queued: the commit never comes
    client.force_login(carol)
    polled = client.get(f"{PAGE}?job={job.pk}", headers={"HX-Request": "true"})
    assert polled.status_code == 200
    text = polled.content.decode()
    assert "正在生成：报送情况（已完成 0 / 7 步）" in text and 'hx-trigger="every 1s"' in text
    DocumentJob.objects.filter(pk=job.pk).update(state=DocumentJob.State.DONE)
    finished = client.get(f"{PAGE}?job={job.pk}", headers={"HX-Request": "true"})
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    assert client.get(f"{PAGE}?job=not-a-job").status_code == 200  # a bad id is no job, not an error


def test_a_failed_drafting_says_so(client, campaign, carol, django_capture_on_commit_callbacks, monkeypatch):
    from chengxin.publications import services

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "summary_document", broken)
    client.force_login(carol)
    job = _draft(client, django_capture_on_commit_callbacks)  # the worker logs the error and goes on
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "disk full")
    assert "起草时出错" in client.get(f"{PAGE}?job={job.pk}").content.decode()


def test_only_the_ministry_drafts_or_downloads(client, campaign, bob, carol, django_capture_on_commit_callbacks):
    client.force_login(carol)
    job = _draft(client, django_capture_on_commit_callbacks)
    download = reverse("publications:download", kwargs={"year": 2020, "job_id": job.pk, "fmt": "docx"})
    client.force_login(bob)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"scope": "accepted"}).status_code == 404
    assert client.get(download).status_code == 404
    assert DocumentJob.objects.count() == 1
    client.force_login(carol)
    assert client.post(PAGE, {"scope": "everything"}).status_code == 422
