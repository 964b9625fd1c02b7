"""Properties of the upload checks (core/uploads.py, activities/uploads.py): whatever bytes and name arrive, the
answer is an accepted kind that agrees with the content, or a DomainError naming the field; the picture size
read from a header is the one written there; the download name is safe in a header and stable."""

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.http import content_disposition_header
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chengxin.activities.uploads import PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, check_photo
from chengxin.conftest import make_docx, make_pdf
from chengxin.core.errors import DomainError
from chengxin.core.uploads import OLE_MAGIC, PDF_MAGIC, ZIP_MAGIC, check_document, image_size, safe_filename

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MB = 1024 * 1024
WPS = OLE_MAGIC + bytes(504)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

EXTENSIONS = st.sampled_from(["pdf", "docx", "wps", "PDF", "doc", "exe", "svg", "html", "", "pdf.exe", "docx "])
HEADS = st.sampled_from([b"", PDF_MAGIC, OLE_MAGIC, ZIP_MAGIC, b"MZ", b"<svg", b"\xff\xd8\xff", PNG_SIGNATURE])


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buffer.getvalue()


@st.composite
def zips(draw) -> bytes:
    """Small zips with parts a Word document has, may have, or must not have."""
    names = draw(
        st.lists(
            st.sampled_from(
                [
                    "[Content_Types].xml",
                    "word/document.xml",
                    "word/vbaProject.bin",
                    "word/_rels/settings.xml.rels",
                    "xl/workbook.xml",
                    "mimetype",
                    "../../evil.txt",
                ]
            ),
            unique=True,
            max_size=5,
        )
    )
    return _zip({name: draw(st.binary(max_size=200)) for name in names})


def _check(content: bytes, name: str):
    try:
        return check_document(SimpleUploadedFile(name, content), max_bytes=2 * MB)
    except DomainError as exc:
        assert exc.message and exc.errors and exc.errors[0].field == "summary"
        assert exc.status == 400
        return None


# Names a browser can send (Django's upload handler already drops the path and refuses "." and "..").
STEMS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/\\."), min_size=1, max_size=20)


@FAST
@given(head=HEADS, tail=st.binary(max_size=400), stem=STEMS, extension=EXTENSIONS)
def test_any_bytes_under_any_name_are_accepted_by_content_or_refused_with_a_message(head, tail, stem, extension):
    content = head + tail
    checked = _check(content, f"{stem}.{extension}")
    if checked is not None:
        assert checked.extension == extension.lower() and checked.kind == checked.extension
        assert checked.size == len(content)
        magic = {"pdf": PDF_MAGIC, "wps": OLE_MAGIC, "docx": ZIP_MAGIC}[checked.kind]
        assert content.startswith(magic)


@FAST
@given(archive=zips(), extension=EXTENSIONS)
def test_any_zip_is_a_safe_word_document_or_refused(archive, extension):
    checked = _check(archive, f"总结.{extension}")
    if checked is not None:
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            names = set(z.namelist())
        assert {"[Content_Types].xml", "word/document.xml"} <= names
        assert "word/vbaProject.bin" not in names


@FAST
@given(
    kind=st.sampled_from(["pdf", "docx", "wps"]),
    named=st.sampled_from(["pdf", "docx", "wps"]),
    text=st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs"]), max_size=50),
)
def test_a_real_document_is_accepted_only_under_its_own_extension(kind, named, text):
    content = {"pdf": make_pdf(), "docx": make_docx(text), "wps": WPS}[kind]
    checked = _check(content, f"总结报告.{named}")
    assert (checked is not None) == (kind == named)
    if checked is not None:
        assert checked.kind == kind


RELATIONSHIP_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# Types Word loads on opening (uploads.FETCHING_RELATIONSHIPS) and types it does not (a click, a picture, a part).
FETCHING = ["attachedTemplate", "oleObject", "frame", "subDocument", "aFChunk", "mailMergeSource"]
HARMLESS = ["hyperlink", "image", "styles", "footer", "customXml"]
# Ways to say External that an XML reader reads as External: plain, a character reference, a padded value.
EXTERNAL = ["External", "&#69;xternal", "&#x45;xternal", "Externa&#108;", " External "]
# Part names Word reads as the same relationship part: the Open Packaging Conventions ignore case.
RELS_PARTS = [
    "word/_rels/settings.xml.rels",
    "word/_rels/settings.xml.RELS",
    "WORD/_RELS/SETTINGS.XML.RELS",
    "word/_rels/document.xml.rels",
    "word/_rels/webSettings.xml.rels",
    "_rels/.rels",
]


def _relationships(relationship: str, target: str, mode: str, quote: str, prefix: str) -> bytes:
    """A relationship part with one relationship, its element written plain or with a namespace prefix."""
    tag = f"{prefix}:Relationship" if prefix else "Relationship"
    declare = f"xmlns:{prefix}" if prefix else "xmlns"
    root = f"{prefix}:Relationships" if prefix else "Relationships"
    mode = f" TargetMode={quote}{mode}{quote}" if mode else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{root} {declare}="{RELATIONSHIP_NS}">'
        f"<{tag} Id={quote}rId1{quote} Type={quote}http://schemas.openxmlformats.org/officeDocument/2006/"
        f"relationships/{relationship}{quote} Target={quote}{target}{quote}{mode}/></{root}>"
    ).encode()


@FAST
@given(
    relationship=st.sampled_from(FETCHING + HARMLESS),
    mode=st.sampled_from(["", "Internal", *EXTERNAL]),
    target=st.sampled_from(["https://example.com/t.dotm", "\\\\evil.example\\share\\t.dotm", "media/image1.png"]),
    quote=st.sampled_from(['"', "'"]),
    prefix=st.sampled_from(["", "r", "pr"]),
    part=st.sampled_from(RELS_PARTS),
)
def test_a_docx_that_fetches_from_elsewhere_when_opened_is_refused(relationship, mode, target, quote, prefix, part):
    """However the relationship is written (prefix, character reference, case of the part name), a type Word
    loads on opening is refused when its target is outside the file; hyperlinks, pictures and parts are not."""
    with zipfile.ZipFile(io.BytesIO(make_docx())) as real:
        parts = {name: real.read(name) for name in real.namelist()}
    content = _zip({**parts, part: _relationships(relationship, target, mode, quote, prefix)})
    fetches = relationship in FETCHING and (mode in EXTERNAL or target != "media/image1.png")
    checked = _check(content, "总结.docx")
    assert (checked is None) == fetches


def test_macros_are_refused_in_a_docx_and_in_a_wps():
    with zipfile.ZipFile(io.BytesIO(make_docx())) as real:
        parts = {name: real.read(name) for name in real.namelist()}
    with pytest.raises(DomainError, match="含有宏"):
        check_document(SimpleUploadedFile("总结.docx", _zip({**parts, "word/vbaProject.bin": b"x"})), max_bytes=MB)
    with_vba = WPS + "_VBA_PROJECT".encode("utf-16-le") + bytes(100)
    with pytest.raises(DomainError, match="含有宏"):
        check_document(SimpleUploadedFile("总结.wps", with_vba), max_bytes=MB)


def test_a_small_document_of_repeated_text_is_not_taken_for_a_zip_bomb():
    """A one-page report of one repeated sentence compresses far more than 200:1; under 1 MB that is harmless."""
    content = make_docx("诚信兴商" * 50_000)  # 600 kB of text, a few kB packed
    assert check_document(SimpleUploadedFile("总结.docx", content), max_bytes=MB).kind == "docx"


# --- picture sizes -------------------------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    return PNG_SIGNATURE + b"\x00\x00\x00\rIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes(17)


def _jpeg(width: int, height: int, segments: list[tuple[int, bytes]], sof: int) -> bytes:
    body = b"\xff\xd8"
    for marker, payload in segments:  # APPn / COM / DQT segments before the frame header
        body += bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    frame = b"\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big") + b"\x03" + bytes(9)
    return body + bytes([0xFF, sof]) + (len(frame) + 2).to_bytes(2, "big") + frame + b"\xff\xda\x00\x02\xff\xd9"


SIDE = st.integers(min_value=0, max_value=2**31 - 1)
SEGMENTS = st.lists(
    st.tuples(st.sampled_from([0xE0, 0xE1, 0xE2, 0xED, 0xFE, 0xDB]), st.binary(max_size=300)), max_size=4
)


@FAST
@given(width=SIDE, height=SIDE)
def test_a_png_header_gives_its_size(width, height):
    assert image_size(_png(width, height)) == (width, height)


@FAST
@given(
    width=st.integers(0, 65535),
    height=st.integers(0, 65535),
    segments=SEGMENTS,
    sof=st.sampled_from([0xC0, 0xC1, 0xC2, 0xC3]),
)
def test_a_jpeg_frame_header_gives_its_size_after_any_other_segments(width, height, segments, sof):
    assert image_size(_jpeg(width, height, segments, sof)) == (width, height)


@FAST
@given(st.binary(max_size=300), st.sampled_from([b"", b"\xff\xd8\xff", PNG_SIGNATURE]))
def test_reading_a_size_from_any_bytes_never_fails(tail, head):
    size = image_size(head + tail)
    assert size is None or (len(size) == 2 and all(isinstance(v, int) and v >= 0 for v in size))


@FAST
@given(width=st.integers(0, 200_000), height=st.integers(0, 200_000), png=st.booleans())
def test_a_photo_is_refused_exactly_when_its_declared_size_is_zero_or_too_large(width, height, png):
    assume(png or (width <= 65535 and height <= 65535))
    content = _png(width, height) if png else _jpeg(width, height, [], 0xC0)
    name = "照片.png" if png else "照片.jpg"
    too_large = width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS
    try:
        check_photo(SimpleUploadedFile(name, content))
        refused = False
    except DomainError as exc:
        assert exc.errors[0].field == "photo"
        refused = True
    assert refused == (too_large or width == 0 or height == 0)


@FAST
@given(head=HEADS, tail=st.binary(max_size=200), extension=st.sampled_from(["jpg", "jpeg", "png", "gif", "svg"]))
def test_any_bytes_as_a_photo_are_accepted_by_content_or_refused(head, tail, extension):
    try:
        checked = check_photo(SimpleUploadedFile(f"照片.{extension}", head + tail))
    except DomainError as exc:
        assert exc.errors[0].field == "photo" and exc.message
        return
    assert checked.kind == {"jpg": "jpeg", "jpeg": "jpeg", "png": "png"}[extension]


# --- download names ------------------------------------------------------------------------------------------


@FAST
@given(st.text(max_size=300))
def test_a_safe_filename_is_stable(name):
    once = safe_filename(name)
    assert safe_filename(once) == once


@FAST
@given(st.text(max_size=200))
def test_the_download_header_carries_the_safe_name_and_nothing_else(name):
    safe = safe_filename(name)
    header = content_disposition_header(True, safe)
    assert "\r" not in header and "\n" not in header
    assert header.startswith("attachment; filename")
    if found := re.fullmatch(r"attachment; filename\*=utf-8''([^;\s]+)", header):  # RFC 5987, non-ASCII
        assert unquote(found.group(1)) == safe
    else:
        found = re.fullmatch(r'attachment; filename="((?:[^"\\]|\\.)*)"', header)
        assert found and re.sub(r"\\(.)", r"\1", found.group(1)) == safe
