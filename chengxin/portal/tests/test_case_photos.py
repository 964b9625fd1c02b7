"""A case's photos (issue 15): its own unit's editors add and remove them while the case is a draft or was not
accepted, checked by content as activity photos are; the public sees them once the case is published, before
that only the unit and the ministry do."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chengxin.core.errors import DomainError
from chengxin.portal.models import MAX_CASE_PHOTOS, Case, CasePhoto
from chengxin.portal.services import case_photo_add, case_photo_remove, case_publish, case_save

pytestmark = pytest.mark.django_db


def _image(fmt: str, size=(64, 48), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


JPEG = _image("JPEG")
PNG = _image("PNG", color=(30, 30, 200))


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _case(user, *, submit=False, title="百年老字号坚持明码标价") -> Case:
    return case_save(
        acting_user=user,
        submit=submit,
        kind="star",
        domain="commerce",
        title=title,
        summary="一家老店三十年无投诉。",
        body="第一段。",
        case_date=dt.date(2020, 10, 15),
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "case-photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _add_url(case) -> str:
    return reverse("portal:case_photo_add", kwargs={"pk": case.pk})


def _photo_url(photo) -> str:
    return reverse("portal:case_photo", kwargs={"pk": photo.case_id, "photo_pk": photo.pk})


def _remove_url(photo) -> str:
    return reverse("portal:case_photo_remove", kwargs={"pk": photo.case_id, "photo_pk": photo.pk})


def test_a_jpeg_and_a_png_are_accepted_and_shown_on_the_published_case_page(client, alice, carol):
    case = _case(alice)
    client.force_login(alice)
    response = client.post(_add_url(case), {"photo": _upload("启动仪式.jpg", JPEG), "caption": " 启动仪式现场 "})
    assert response.status_code == 302 and response["Location"].endswith("#photos")
    assert client.post(_add_url(case), {"photo": _upload("门店.png", PNG)}).status_code == 302

    first, second = case.photos.all()
    assert (first.position, first.caption, first.kind) == (0, "启动仪式现场", "jpeg")
    assert (second.position, second.caption, second.kind) == (1, "", "png")
    year = f"{dt.date.today():%Y}"
    assert first.file.name.startswith(f"case-photos/{year}/") and "启动仪式" not in first.file.name
    with first.file.open("rb") as f:
        assert f.read() == JPEG
    edit = client.get(reverse("portal:case_edit", kwargs={"pk": case.pk})).content.decode()
    assert _photo_url(first) in edit and _remove_url(first) in edit and "data-confirm" in edit

    case_publish(case=_case_submitted(case, alice), acting_user=carol)
    client.logout()
    page = client.get(reverse("portal:case", kwargs={"pk": case.pk})).content.decode()
    assert f'src="{_photo_url(first)}" alt="启动仪式现场"' in page
    assert "<figcaption>启动仪式现场</figcaption>" in page
    assert f'src="{_photo_url(second)}" alt="百年老字号坚持明码标价"' in page  # no caption: the case's title
    assert page.index(_photo_url(first)) < page.index(_photo_url(second))

    shown = client.get(_photo_url(first))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff" and shown["Cache-Control"] == "public, max-age=60"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == JPEG
    png = client.get(_photo_url(second))
    assert png["Content-Type"] == "image/png" and b"".join(png.streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("现场.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "不是 JPEG 或 PNG"),
        ("现场.jpg", PNG, "内容是 PNG 图片"),
        ("现场.jpg", JPEG + b"\x00" * (10 * 1024 * 1024), "照片过大"),
        ("现场.gif", JPEG, "照片只接受 jpg、jpeg 或 png 格式"),
    ],
    ids=["not-an-image", "png-named-jpg", "oversized", "gif"],
)
def test_a_file_that_is_not_an_acceptable_photo_is_refused_and_nothing_is_saved(client, alice, name, content, says):
    case = _case(alice)
    client.force_login(alice)
    response = client.post(_add_url(case), {"photo": _upload(name, content), "caption": "说明"})
    page = response.content.decode()
    assert response.status_code == 422
    assert says in page and "<li>照片：" in page  # the refusal names the field
    assert 'value="说明"' in page  # the caption typed is kept
    assert not CasePhoto.objects.exists() and _stored_files() == []


def test_a_seventh_photo_is_refused(client, alice):
    case = _case(alice)
    for n in range(MAX_CASE_PHOTOS):
        case_photo_add(case=case, uploaded_file=_upload(f"{n}.jpg", JPEG), acting_user=alice)
    client.force_login(alice)
    response = client.post(_add_url(case), {"photo": _upload("7.jpg", JPEG)})
    assert response.status_code == 422
    assert "照片：每个案例最多 6 张" in response.content.decode()
    assert case.photos.count() == MAX_CASE_PHOTOS and len(_stored_files()) == MAX_CASE_PHOTOS
    assert [p.position for p in case.photos.all()] == list(range(MAX_CASE_PHOTOS))


def test_a_too_long_caption_is_refused_naming_the_caption(alice):
    case = _case(alice)
    with pytest.raises(DomainError) as refused:
        case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), caption="长" * 101, acting_user=alice)
    assert [e.field for e in refused.value.errors] == ["caption"] and "照片说明" in refused.value.message
    assert not CasePhoto.objects.exists() and _stored_files() == []


def test_another_units_editor_gets_404_and_nothing_changes(client, alice, bob):
    case = _case(alice)
    photo = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), acting_user=alice)
    client.force_login(bob)
    assert client.post(_add_url(case), {"photo": _upload("b.jpg", JPEG)}).status_code == 404
    assert client.post(_remove_url(photo)).status_code == 404
    assert client.get(_photo_url(photo)).status_code == 404
    with pytest.raises(DomainError) as refused:
        case_photo_remove(photo=photo, acting_user=bob)
    assert refused.value.status == 404
    assert list(CasePhoto.objects.values_list("pk", flat=True)) == [photo.pk] and len(_stored_files()) == 1


def test_ministry_staff_see_the_photos_but_do_not_change_them(client, alice, carol):
    case = _case(alice)
    photo = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), acting_user=alice)
    client.force_login(carol)
    shown = client.get(_photo_url(photo))
    assert shown.status_code == 200 and shown["Cache-Control"] == "private, no-store"
    b"".join(shown.streaming_content)
    assert client.post(_add_url(case), {"photo": _upload("b.jpg", JPEG)}).status_code == 404
    assert client.post(_remove_url(photo)).status_code == 404
    assert CasePhoto.objects.count() == 1


def test_an_unpublished_cases_photo_is_404_for_anonymous(client, alice):
    case = _case(alice)
    photo = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), acting_user=alice)
    assert client.get(_photo_url(photo)).status_code == 404
    client.force_login(alice)
    shown = client.get(_photo_url(photo))
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == JPEG
    # Another case's number with this photo's: 404, not the photo.
    other = _case(alice, title="另一个案例")
    url = reverse("portal:case_photo", kwargs={"pk": other.pk, "photo_pk": photo.pk})
    assert client.get(url).status_code == 404


def test_removal_deletes_the_row_and_the_stored_file(client, alice, django_capture_on_commit_callbacks):
    case = _case(alice)
    first = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), acting_user=alice)
    second = case_photo_add(case=case, uploaded_file=_upload("b.png", PNG), acting_user=alice)
    stored = Path(first.file.path)
    assert stored.exists()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remove_url(first))
    assert response.status_code == 302
    assert list(case.photos.all()) == [second] and not stored.exists() and len(_stored_files()) == 1
    third = case_photo_add(case=case, uploaded_file=_upload("c.jpg", JPEG), acting_user=alice)
    assert [p.pk for p in case.photos.all()] == [second.pk, third.pk]  # a new one goes last


def test_a_submitted_or_published_cases_photos_cannot_change(client, alice, carol):
    case = _case(alice)
    photo = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), acting_user=alice)
    case = _case_submitted(case, alice)
    client.force_login(alice)
    response = client.post(_add_url(case), {"photo": _upload("b.jpg", JPEG)})
    assert response.status_code == 409 and "不能修改照片" in response.content.decode()
    assert client.post(_remove_url(photo)).status_code == 409
    case_publish(case=case, acting_user=carol)
    with pytest.raises(DomainError):
        case_photo_remove(photo=photo, acting_user=alice)
    assert CasePhoto.objects.count() == 1 and len(_stored_files()) == 1


def _case_submitted(case, user) -> Case:
    return case_save(
        acting_user=user,
        case=case,
        submit=True,
        kind=case.kind,
        domain=case.domain,
        title=case.title,
        summary=case.summary,
        body=case.body,
        case_date=case.case_date,
    )


def test_the_moderation_page_shows_a_submitted_cases_photos(client, alice, carol):
    case = _case(alice)
    photo = case_photo_add(case=case, uploaded_file=_upload("a.jpg", JPEG), caption="门店", acting_user=alice)
    _case_submitted(case, alice)
    client.force_login(carol)
    page = client.get(reverse("portal:case_moderate")).content.decode()
    assert "照片 1 张" in page and f'src="{_photo_url(photo)}" alt="门店"' in page
    preview = client.get(reverse("portal:case", kwargs={"pk": case.pk})).content.decode()
    assert _photo_url(photo) in preview and "<figcaption>门店</figcaption>" in preview
