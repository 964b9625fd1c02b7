"""Every uploaded or generated file goes out the same safe way: as an attachment (a photo may be shown inline,
under a sandbox policy) named with RFC 5987 `filename*` when the name is Chinese, with nosniff and a
Content-Security-Policy; uploaded files are kept under generated names outside the web root."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chengxin.activities import services as activities
from chengxin.activities.tests import factories
from chengxin.conftest import make_pdf, submitted_report
from chengxin.portal.services import logo_upload
from chengxin.reporting.models import SummaryFile

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + bytes(32)


@pytest.fixture
def files(settings, campaign, alice, carol, dave):
    """A submitted summary, an activity with its plan document and a photo, both logos."""
    settings.CHENGXIN_2FA_REQUIRED = False
    submitted_report(campaign, alice.unit, alice)
    activity = factories.create(campaign, alice, plan_file=factories.upload("广东防疫方案.pdf", make_pdf()))
    photo = activities.activity_add_photo(
        activity=activity, uploaded_file=factories.upload("启动仪式现场.png", factories.PNG), acting_user=alice
    )
    logo_upload(campaign=campaign, kind="svg", content=SVG, acting_user=dave)
    logo_upload(campaign=campaign, kind="png", content=PNG, acting_user=dave)
    return {"activity": activity, "photo": photo}


def _filename(header: str) -> str:
    if found := re.search(r"filename\*=utf-8''([^;\s]+)", header, re.IGNORECASE):
        return unquote(found.group(1))
    return re.search(r'filename="([^"]*)"', header).group(1)


def _check(response, *, disposition: str = "attachment", name_part: str = "") -> None:
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith(disposition + ";"), header
    assert "\n" not in header and "\r" not in header
    if name_part:
        assert re.search(r"filename\*=utf-8''", header, re.IGNORECASE), header  # RFC 5987 for the Chinese name
        assert name_part in _filename(header)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize(
    ("persona", "url", "name_part"),
    [
        ("carol", "/campaigns/2020/report/440000/summary/download/", "总结"),
        ("alice", "/campaigns/2020/report/440000/template.xlsx", "统计表模板"),
        ("carol", "/campaigns/2020/totals/export.xlsx", ""),
        ("carol", "/campaigns/2020/totals/export.csv", "统计数据"),
        ("carol", "/campaigns/2020/dashboard/export.csv", "数据看板"),
        (None, "/public/2020/logo.svg", "活动标识"),
        (None, "/public/2020/logo.png", "活动标识"),
    ],
)
def test_downloads_are_attachments_with_a_safe_name(client, files, request, persona, url, name_part):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    _check(client.get(url), name_part=name_part)


def test_the_plan_document_and_the_photo_go_out_safely(client, files, carol):
    client.force_login(carol)
    activity, photo = files["activity"], files["photo"]
    _check(client.get(f"/campaigns/2020/activities/{activity.pk}/epidemic-plan/"), name_part="广东防疫方案")
    url = f"/campaigns/2020/activities/{activity.pk}/photos/{photo.pk}/"
    shown = client.get(url)
    _check(shown, disposition="inline", name_part="启动仪式现场")
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"
    _check(client.get(url + "?download=1"), name_part="启动仪式现场")


def test_the_svg_logo_cannot_run_anything_even_opened_directly(client, files):
    response = client.get("/public/2020/logo.svg")
    assert response["Content-Type"] == "image/svg+xml"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_uploads_are_stored_under_generated_names_outside_the_web_root(settings, files):
    media = Path(settings.MEDIA_ROOT).resolve()
    static = Path(settings.STATIC_ROOT).resolve()
    assert not media.is_relative_to(static) and not static.is_relative_to(media)
    assert not settings.MEDIA_URL.startswith(settings.STATIC_URL)
    stored = [
        SummaryFile.objects.get().file.name,
        files["activity"].epidemic_plan.name,
        files["photo"].file.name,
    ]
    for name in stored:
        assert re.fullmatch(r"[\w-]+/\d{4}/[0-9a-f]{32}\.(docx|pdf|png)", name), name
        assert (media / name).is_file()


def test_the_media_url_serves_nothing(client, files):
    name = files["photo"].file.name
    assert client.get(f"/_uploads-are-not-served-by-url/{name}").status_code == 404
    assert client.get(f"/static/../files/{name}").status_code == 404


def test_a_refused_upload_through_the_page_stores_nothing(client, settings, alice, campaign):
    settings.CHENGXIN_2FA_REQUIRED = False
    client.force_login(alice)
    broken = factories.upload("总结.docx", b"PK\x03\x04" + bytes(100))
    response = client.post("/campaigns/2020/report/440000/summary/", {"summary": broken}, follow=True)
    assert "文件内容不是 docx、pdf 或 wps 文档" in response.content.decode()  # the entry page's message
    assert not SummaryFile.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.docx"))
    evil = SimpleUploadedFile("照片.png", b"<svg onload=alert(1)>", content_type="image/png")
    activity = factories.create(campaign, alice)
    response = client.post(f"/campaigns/2020/activities/{activity.pk}/photos/", {"photo": evil})
    assert response.status_code in (400, 422)
    assert not activity.photos.exists()
