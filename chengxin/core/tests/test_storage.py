"""Every file the system keeps goes through Django's file storage (settings.STORAGES["default"]), never a local
path: with an in-memory storage and MEDIA_ROOT pointing at something that cannot be a folder, the summary report,
an activity photo, the logo and a workbook import (staged, read by the worker, previewed, imported) all work, and
nothing lands on disk. A deployment on two machines can then point every process at one shared storage."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chengxin.conftest import make_pdf
from chengxin.reporting.models import Report
from chengxin.reporting.selectors import report_values
from chengxin.workbooks.tests.builders import EXPECTED, attachment, to_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def storage_only(settings, tmp_path):
    """An in-memory storage; MEDIA_ROOT is a plain file, so that writing 'under' it would fail."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    yield
    assert blocker.read_bytes() == b""


def test_a_summary_report_is_stored_and_served_through_the_storage(client, storage_only, alice):
    client.force_login(alice)
    upload = reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"})
    assert client.post(upload, {"summary": SimpleUploadedFile("总结.pdf", make_pdf())}).status_code == 302
    download = client.get(reverse("reporting:download_summary", kwargs={"year": 2020, "unit_code": "440000"}))
    assert b"".join(download.streaming_content) == make_pdf()
    assert default_storage.exists(Report.objects.get().summary_files.get().file.name)


def test_an_activity_photo_and_the_logo_are_stored_through_the_storage(client, storage_only, campaign, alice, dave):
    from chengxin.activities.models import ActivityPhoto
    from chengxin.activities.tests.factories import JPEG, create, upload
    from chengxin.portal.tests.test_logo import PNG

    activity = create(campaign, alice)
    client.force_login(alice)
    photo_url = reverse("activities:photo_add", kwargs={"year": 2020, "pk": activity.pk})
    assert client.post(photo_url, {"photo": upload("现场.jpg", JPEG)}).status_code == 302
    photo = ActivityPhoto.objects.get()
    shown = client.get(reverse("activities:photo", kwargs={"year": 2020, "pk": activity.pk, "photo_pk": photo.pk}))
    assert b"".join(shown.streaming_content) == JPEG

    client.force_login(dave)
    logo = SimpleUploadedFile("logo.png", PNG)
    client.post(reverse("portal:logo_admin", kwargs={"year": 2020}), {"kind": "png", "file": logo})
    served = client.get(reverse("portal:logo_png", kwargs={"year": 2020}))
    assert b"".join(served.streaming_content) == PNG


def test_a_workbook_import_is_staged_read_and_removed_through_the_storage(
    client, storage_only, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    files = {"files": [SimpleUploadedFile("广东.xlsx", to_bytes(attachment()), content_type=XLSX)]}
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the preview after the commit
        posted = client.post(reverse("workbooks:import", kwargs={"year": 2020}), files)
    job_url = posted["Location"]
    assert "可以导入" in client.get(job_url).content.decode()
    assert len(default_storage.listdir("imports")[1]) == 1  # staged in the storage, nowhere else
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job_url)
    assert report_values(Report.objects.get(unit__code="440000")) == EXPECTED
    assert default_storage.listdir("imports")[1] == []  # removed once imported
