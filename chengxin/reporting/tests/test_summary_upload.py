"""The summary report (总结报告): accepted by content (docx / pdf / wps), refused with a Chinese message that
names the problem, stored under a generated name, downloaded under the unit's own (sanitised) name."""

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from chengxin.conftest import make_docx, make_pdf
from chengxin.core import uploads
from chengxin.core.errors import DomainError
from chengxin.core.uploads import check_document, safe_filename
from chengxin.reporting import services
from chengxin.reporting.models import Report, ReportEvent, Status, SummaryFile

WPS = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)  # a Compound File Binary header, as WPS writes
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)
MB = 1024 * 1024

ENTRY = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
UPLOAD = reverse("reporting:upload_summary", kwargs={"year": 2020, "unit_code": "440000"})
DOWNLOAD = reverse("reporting:download_summary", kwargs={"year": 2020, "unit_code": "440000"})


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _zip(entries: dict[str, bytes], *, docx_parts: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        if docx_parts:
            with zipfile.ZipFile(io.BytesIO(make_docx())) as real:
                for name in real.namelist():
                    z.writestr(name, real.read(name))
        for name, content in entries.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _encrypted(data: bytes) -> bytes:
    """The zip with the 'encrypted' flag set on every entry, in the local and the central headers."""
    raw = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := raw.find(signature, start)) != -1:
            raw[at + flag_offset] |= 0x01
            start = at + 4
    return bytes(raw)


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    if not os.path.isdir(root):
        return []
    return [os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root) for f in files]


def _disposition_filename(header: str) -> str:
    assert header.startswith("attachment;"), header
    if m := re.search(r"filename\*=utf-8''([^;]+)", header):
        return unquote(m.group(1))
    m = re.search(r'filename="([^"]*)"', header)
    assert m, header
    return m.group(1)


# --- Accepted by content ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("广东省总结报告.docx", make_docx(), "docx"),
        ("广东省总结报告.pdf", make_pdf(), "pdf"),
        ("广东省总结报告.wps", WPS, "wps"),
        ("SUMMARY.PDF", make_pdf(), "pdf"),
    ],
)
def test_documents_accepted_by_their_content(name, content, kind):
    checked = check_document(SimpleUploadedFile(name, content), max_bytes=20 * MB)
    assert (checked.kind, checked.size) == (kind, len(content))


# --- Refused, with a message naming the problem ---------------------------------------------------------------

REFUSALS = [
    # (case, name, content, words of the message)
    ("pdf named docx", "总结.docx", make_pdf(), "文件扩展名为 .docx，但内容是 pdf 格式"),
    ("docx named pdf", "总结.pdf", make_docx(), "文件扩展名为 .pdf，但内容是 docx 格式"),
    ("wps named docx", "总结.docx", WPS, "文件扩展名为 .docx，但内容是 wps 格式"),
    ("exe renamed pdf", "总结.pdf", EXE, "文件内容不是 docx、pdf 或 wps 文档"),
    ("exe", "总结.exe", EXE, "只接受 docx、pdf 或 wps 格式"),
    ("no extension", "总结", make_pdf(), "只接受 docx、pdf 或 wps 格式"),
    ("empty", "总结.pdf", b"", "文件是空的"),
    ("zip, not a docx", "总结.docx", _zip({"readme.txt": b"hello"}, docx_parts=False), "文件内容不是 docx、pdf 或 wps"),
    (
        "xlsx renamed docx",
        "总结.docx",
        _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, docx_parts=False),
        "文件内容不是 docx、pdf 或 wps",
    ),
    ("encrypted entry", "总结.docx", _encrypted(make_docx()), "文件已加密，请去掉密码后再上传"),
    (
        "zip bomb (ratio)",
        "总结.docx",
        _zip({"word/media/padding.bin": bytes(4 * MB)}),
        "文件解压后过大（疑似压缩炸弹），已拒收",
    ),
    (
        "too many entries",
        "总结.docx",
        _zip({f"word/media/{i}.txt": b"x" for i in range(uploads.MAX_ZIP_ENTRIES + 1)}),
        "文件内部条目过多",
    ),
    ("truncated docx", "总结.docx", make_docx()[:40], "文件内容不是 docx、pdf 或 wps"),
]


@pytest.mark.parametrize(("case", "name", "content", "words"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_with_a_message_naming_the_problem(case, name, content, words):
    with pytest.raises(DomainError) as exc:
        check_document(SimpleUploadedFile(name, content), max_bytes=20 * MB)
    assert words in exc.value.message
    assert [e.field for e in exc.value.errors] == ["summary"]


def test_zip_whose_content_would_unpack_beyond_the_size_cap_is_refused(monkeypatch):
    # Incompressible content (ratio about 1) that unpacks to more than the cap: the size cap, not the ratio.
    monkeypatch.setattr(uploads, "MAX_ZIP_UNCOMPRESSED", 64 * 1024)
    data = _zip({"word/media/photo.bin": os.urandom(100 * 1024)})
    with pytest.raises(DomainError) as exc:
        check_document(SimpleUploadedFile("总结.docx", data), max_bytes=20 * MB)
    assert "疑似压缩炸弹" in exc.value.message


def test_missing_file_is_refused():
    with pytest.raises(DomainError) as exc:
        check_document(None, max_bytes=20 * MB)
    assert exc.value.message == "请选择要上传的总结报告文件"


def test_too_large_follows_the_setting(db, settings, campaign, alice, guangdong_report):
    settings.SUMMARY_MAX_BYTES = 1 * MB
    big = make_pdf() + bytes(int(1.5 * MB))
    with pytest.raises(DomainError) as exc:
        services.report_upload_summary(
            report=guangdong_report, uploaded_file=SimpleUploadedFile("总结.pdf", big), acting_user=alice
        )
    assert exc.value.message == "文件过大（1.5 MB），不能超过 1 MB"
    assert not SummaryFile.objects.exists()
    # Just under the limit is fine.
    ok = make_pdf() + bytes(MB - len(make_pdf()))
    services.report_upload_summary(
        report=guangdong_report, uploaded_file=SimpleUploadedFile("总结.pdf", ok), acting_user=alice
    )
    assert SummaryFile.objects.count() == 1


def test_too_large_message_shows_a_size_above_the_limit():
    limit = 1 * MB
    with pytest.raises(DomainError) as exc:
        check_document(SimpleUploadedFile("总结.pdf", make_pdf() + bytes(limit)), max_bytes=limit)
    shown_size, shown_limit = (float(x) for x in re.findall(r"(\d+(?:\.\d+)?) MB", exc.value.message))
    assert shown_size > shown_limit, exc.value.message


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "name", "content", "words"), REFUSALS[:4], ids=[r[0] for r in REFUSALS[:4]])
def test_refused_upload_through_the_page_stores_nothing(client, settings, alice, case, name, content, words):
    client.force_login(alice)
    response = client.post(UPLOAD, {"summary": SimpleUploadedFile(name, content)}, follow=True)
    assert response.redirect_chain[-1][0].endswith(ENTRY + "#summary")
    assert words in response.content.decode()
    assert not SummaryFile.objects.exists()
    assert _stored_files(settings) == []
    assert not Report.objects.filter(unit__code="440000").exclude(status=Status.NOT_STARTED).exists()


# --- Stored under a generated name, downloaded under the original one ------------------------------------------


@pytest.mark.django_db
def test_stored_under_a_generated_name_in_media_root(settings, alice, guangdong_report, docx_upload):
    content = make_docx()
    summary = services.report_upload_summary(report=guangdong_report, uploaded_file=docx_upload, acting_user=alice)
    assert summary.original_name == "广东省总结报告.docx"
    assert re.fullmatch(r"summaries/\d{4}/[0-9a-f]{32}\.docx", summary.file.name), summary.file.name
    assert "广东省" not in summary.file.name
    path = os.path.join(settings.MEDIA_ROOT, summary.file.name)
    with open(path, "rb") as fh:
        assert fh.read() == content
    assert _stored_files(settings) == [summary.file.name]
    assert summary.sha256 == hashlib.sha256(content).hexdigest()
    event = ReportEvent.objects.get(report=summary.report)
    assert event.changes[0]["file"] == "广东省总结报告.docx"


@pytest.mark.django_db
def test_upload_and_download_through_the_pages(client, alice, carol):
    client.force_login(alice)
    response = client.post(UPLOAD, {"summary": SimpleUploadedFile("广东省总结报告.pdf", make_pdf())}, follow=True)
    page = response.content.decode()
    assert "总结报告“广东省总结报告.pdf”已上传" in page
    assert DOWNLOAD in page

    for user in (alice, carol):  # the unit itself and the ministry
        client.force_login(user)
        response = client.get(DOWNLOAD)
        assert response.status_code == 200
        assert _disposition_filename(response["Content-Disposition"]) == "广东省总结报告.pdf"
        assert b"".join(response.streaming_content) == make_pdf()


@pytest.mark.django_db
def test_a_new_upload_replaces_the_old_one_for_download(client, alice):
    client.force_login(alice)
    client.post(UPLOAD, {"summary": SimpleUploadedFile("初稿.pdf", make_pdf())})
    client.post(UPLOAD, {"summary": SimpleUploadedFile("定稿.docx", make_docx("定稿"))})
    response = client.get(DOWNLOAD)
    assert _disposition_filename(response["Content-Disposition"]) == "定稿.docx"
    assert b"".join(response.streaming_content) == make_docx("定稿")
    assert SummaryFile.objects.count() == 2  # the older one stays for the history


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored_name", "downloaded_as"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini.pdf", "win.ini.pdf"),
        ('总结"报告\r\nSet-Cookie: x=1.pdf', "总结_报告__Set-Cookie_ x=1.pdf"),
        ("..", "summary.pdf"),
    ],
)
def test_download_name_is_sanitised(client, alice, guangdong_report, stored_name, downloaded_as):
    summary = services.report_upload_summary(
        report=guangdong_report, uploaded_file=SimpleUploadedFile("x.pdf", make_pdf()), acting_user=alice
    )
    SummaryFile.objects.filter(pk=summary.pk).update(original_name=stored_name)  # e.g. from an old import
    client.force_login(alice)
    response = client.get(DOWNLOAD)
    header = response["Content-Disposition"]
    b"".join(response.streaming_content)
    assert "\r" not in header and "\n" not in header and "Set-Cookie" not in response
    assert _disposition_filename(header) == downloaded_as


# --- safe_filename ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("C:\\Users\\张三\\Desktop\\总结.docx", "总结.docx"),
        ("／etc／passwd.pdf", "_etc_passwd.pdf"),  # full-width solidus, folded by NFKC
        ("a\x00b\x1f.pdf", "a_b_.pdf"),
        ("..", "file"),
        ("", "file"),
        ("   ", "file"),
        ("广东省总结报告.docx", "广东省总结报告.docx"),
    ],
)
def test_safe_filename_examples(name, safe):
    assert safe_filename(name) == safe


def _has_ascii_control(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


@given(st.text(max_size=300))
@example("../../etc/passwd.pdf")
@example("..\\..\\x.pdf")
@example("a/b\\c\x00\r\n.pdf")
@example("／＼")
def test_safe_filename_never_returns_a_path_or_ascii_control_characters(name):
    safe = safe_filename(name, "summary.pdf")
    assert safe
    assert "/" not in safe and "\\" not in safe
    assert not _has_ascii_control(safe)
    assert safe not in (".", "..")
    assert len(safe) <= 120


@given(st.text(max_size=50))
@example("总结\x85报告.pdf")
def test_safe_filename_never_returns_any_control_character(name):
    assert not any(unicodedata.category(c) == "Cc" for c in safe_filename(name, "summary.pdf"))


def test_safe_filename_keeps_the_extension_of_a_long_name():
    name = "广东省商务厅关于" + "2020年诚信兴商宣传月活动开展情况" * 10 + "的总结报告.docx"
    safe = safe_filename(name)
    assert len(safe) <= 120
    assert safe.endswith(".docx")
