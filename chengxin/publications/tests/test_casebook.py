"""The case book (案例汇编): the published cases of a campaign compiled into one Word document, with a cover, a
table of contents and the cases by kind and unit with their photos; its page, its command, its PDF."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from chengxin.core.errors import DomainError
from chengxin.portal.models import Case
from chengxin.portal.services import case_photo_add, case_publish, case_save
from chengxin.publications.models import DocumentJob
from chengxin.publications.services import casebook_document

pytestmark = pytest.mark.django_db
WRITER = Path("/usr/lib/libreoffice/program/swriter")  # Debian's libreoffice-writer
PAGE = reverse("publications:casebook", kwargs={"year": 2020})
# LibreOffice with its Writer (Calc alone, as the print sheet's test needs, cannot open a .docx)
SOFFICE = (shutil.which("soffice") or shutil.which("libreoffice")) if WRITER.exists() else None


def _photo(size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def _published(user, carol, campaign, *, kind: str, title: str, photos=(), day: int = 15) -> Case:
    case = case_save(
        acting_user=user,
        kind=kind,
        domain="commerce",
        title=title,
        summary=f"{title}的摘要。",
        body=f"{title}的第一段。\n\n{title}的第二段。",
        case_date=dt.date(2020, 10, day),
        campaign=campaign,
    )
    for caption in photos:
        case_photo_add(case=case, uploaded_file=_photo(), caption=caption, acting_user=user)
    case = case_save(
        acting_user=user,
        case=case,
        kind=kind,
        domain="commerce",
        title=title,
        summary=case.summary,
        body=case.body,
        case_date=case.case_date,
        campaign=campaign,
        submit=True,
    )
    return case_publish(case=case, acting_user=carol)


@pytest.fixture
def library(campaign, alice, bob, erin, carol):
    """Published: two typical cases of 广东省 (alice) and one of 海关总署 (erin, with two photos), a 诚信之星 of 北京市
    (bob). Not published: a draft of 广东省."""
    _published(alice, carol, campaign, kind="typical", title="广东夜市明码标价", day=20)
    _published(alice, carol, campaign, kind="typical", title="广东老店诚信经营", day=10)
    _published(erin, carol, campaign, kind="typical", title="海关通关诚信承诺", photos=("查验现场", ""))
    _published(bob, carol, campaign, kind="star", title="北京诚信之星张师傅")
    case_save(
        acting_user=alice,
        kind="typical",
        domain="commerce",
        title="尚未报送的草稿",
        summary="草稿。",
        body="草稿。",
        case_date=dt.date(2020, 10, 1),
        campaign=campaign,
    )
    return campaign


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def _lines(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_the_case_book_has_a_cover_contents_and_the_cases_by_kind_and_unit(library):
    document = _read(casebook_document(campaign=library))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2020年“诚信兴商宣传月”活动案例汇编"
    assert "收录典型案例、诚信之星、匠心老店、经验做法共4篇" in texts
    assert _lines(document, "Heading 1") == ["一、典型案例", "二、诚信之星"]
    # units in the notice's order (provinces, then the national bodies); a unit's cases by date
    assert _lines(document, "Heading 2") == ["（一）广东省", "（二）海关总署", "（一）北京市"]
    assert _lines(document, "Heading 3") == [
        "1. 广东老店诚信经营",
        "2. 广东夜市明码标价",
        "1. 海关通关诚信承诺",
        "1. 北京诚信之星张师傅",
    ]
    contents = _lines(document, "toc 1") + _lines(document, "toc 3")
    assert contents[:2] == ["一、典型案例（3篇）\t", "二、诚信之星（1篇）\t"]
    assert "1. 海关通关诚信承诺\t" in contents
    assert "尚未报送的草稿" not in "".join(texts)
    assert "【摘要】广东夜市明码标价的摘要。" in texts and "广东夜市明码标价的第二段。" in texts
    assert "报送单位：海关总署　领域：商务　日期：2020年10月15日" in texts
    # the photos, each with its caption (the case's title where it has none)
    assert len(document.inline_shapes) == 2
    assert "图1　查验现场" in texts and "图2　海关通关诚信承诺" in texts
    # each kind begins a page; each line of the contents links to its heading's bookmark
    first_kind = next(p for p in document.paragraphs if p.style.name == "Heading 1")
    assert first_kind.paragraph_format.page_break_before
    body = document.element.body
    anchors = {h.get(docx.oxml.ns.qn("w:anchor")) for h in body.iter(docx.oxml.ns.qn("w:hyperlink"))}
    marks = {b.get(docx.oxml.ns.qn("w:name")) for b in body.iter(docx.oxml.ns.qn("w:bookmarkStart"))}
    assert anchors and anchors <= marks and len(anchors) == 2 + 3 + 4


def test_a_selection_of_kinds_holds_only_those(library):
    document = _read(casebook_document(campaign=library, kinds=["star"]))
    assert _lines(document, "Heading 1") == ["一、诚信之星"]
    assert "收录诚信之星共1篇" in [p.text for p in document.paragraphs]
    with pytest.raises(DomainError, match="没有已发布的案例"):
        casebook_document(campaign=library, kinds=["old_shop"])
    with pytest.raises(DomainError, match="案例类别“poem”无效"):
        casebook_document(campaign=library, kinds=["poem"])


def test_a_missing_photo_file_is_said_not_fatal(library):
    photo = Case.objects.get(title="海关通关诚信承诺").photos.order_by("position").first()
    photo.file.storage.delete(photo.file.name)
    texts = [p.text for p in _read(casebook_document(campaign=library)).paragraphs]
    assert "（照片“查验现场”的文件无法读取，未收入。）" in texts and "图1　海关通关诚信承诺" in texts


def test_the_ministry_compiles_it_on_its_page_and_downloads_it(
    client, library, carol, bob, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    page = client.get(PAGE).content.decode()
    assert "典型案例（3 篇）" in page and "尚未汇编" in page
    assert "未安装 LibreOffice" in page  # the tests print no PDF unless they ask (conftest)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"kind": ["typical"]})
    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response.url == f"{PAGE}?job={job.pk}"
    assert (job.document, job.kinds, job.state, job.pdf_file) == ("casebook", ["typical"], "done", "")
    assert "LibreOffice" in job.pdf_missing
    page = client.get(response.url).content.decode()
    download = reverse("publications:download", kwargs={"year": 2020, "job_id": job.pk, "fmt": "docx"})
    assert "已汇编完成" in page and download in page and "无 PDF" in page
    got = client.get(download)
    assert "attachment" in got["Content-Disposition"] and ".docx" in got["Content-Disposition"]
    assert _lines(_read(b"".join(got.streaming_content)), "Heading 1") == ["一、典型案例"]
    pdf = reverse("publications:download", kwargs={"year": 2020, "job_id": job.pk, "fmt": "pdf"})
    assert client.get(pdf).status_code == 404  # none was printed

    assert client.post(PAGE, {"kind": ["old_shop"]}).status_code == 422  # nothing published of that kind
    client.force_login(bob)
    assert client.get(PAGE).status_code == 404 and client.get(download).status_code == 404
    assert client.post(PAGE, {}).status_code == 404 and DocumentJob.objects.count() == 1


def test_the_ministrys_case_pages_lead_to_the_case_book(client, library, carol):
    client.force_login(carol)
    assert PAGE in client.get(reverse("portal:case_moderate")).content.decode()
    assert PAGE in client.get(reverse("publications:summary", kwargs={"year": 2020})).content.decode()
    # the public case library is one cached page for everyone: it carries no staff link
    assert PAGE not in client.get(reverse("portal:cases")).content.decode()


def test_the_command_writes_the_book(library, tmp_path):
    out = tmp_path / "book.docx"
    call_command("case-book", "--campaign", "2020", "--out", str(out), "--kind", "typical")
    assert _lines(_read(out.read_bytes()), "Heading 1") == ["一、典型案例"]
    with pytest.raises(CommandError, match="没有 2019 年的活动"):
        call_command("case-book", "--campaign", "2019", "--out", str(out))
    with pytest.raises(CommandError, match="没有已发布的案例"):
        call_command("case-book", "--campaign", "2020", "--out", str(out), "--kind", "old_shop")


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-writer)")
def test_libreoffice_prints_the_book_with_its_pages_in_the_contents(library, tmp_path, settings):
    settings.CHENGXIN_SOFFICE = SOFFICE
    out, pdf = tmp_path / "book.docx", tmp_path / "book.pdf"
    call_command("case-book", "--campaign", "2020", "--out", str(out), "--pdf", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = [" ".join(page.split()) for page in pages.split("\f")]
    assert "活动案例汇编" in pages[0] and "—1—" not in pages[0]  # the cover, without a page number
    assert "目 录" in pages[1] and "—2—" in pages[1]
    # each case on the page its line in the contents gives (LibreOffice works the PAGEREF fields out)
    for title in ("广东老店诚信经营", "海关通关诚信承诺", "北京诚信之星张师傅"):
        line = re.search(rf"1\. {title}\.+ ?(\d+)", pages[1])
        assert line, f"{title} not in the contents"
        page = int(line.group(1))
        assert f"1. {title} 报送单位" in pages[page - 1], f"{title} not on page {page}"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout
    assert len(images.splitlines()) - 2 == 2  # the two photos (pdfimages prints two heading lines)
