"""Checking uploaded documents by their content, not by the name the browser sent."""

import io
import math
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError

PDF_MAGIC = b"%PDF-"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File Binary: WPS (and old Word) documents
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
ZIP_RATIO_FLOOR = 1024 * 1024  # below this much content a high ratio cannot hurt (a page of repeated text)
# A VBA project: in a zip document as a part, in an OLE document (WPS, old Word) as a stream name (UTF-16).
VBA_PART = "vbaproject.bin"
OLE_VBA_STREAM = "_VBA_PROJECT".encode("utf-16-le")
# Content types and relationship types (compared without case) that only a macro-enabled document has.
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata")
MACRO_RELATIONSHIPS = frozenset({"vbaproject", "wordvbadata", "keymapcustomizations"})
# Relationships (the last segment of their Type, compared without case) that make Word or WPS load what they point
# to when the file is opened, so that an external target is fetched from elsewhere with no click:
#   attachedTemplate       a remote template, the classic way to pull macros into a clean .docx (and to leak
#                          the reader's Windows credentials through a \\server\share path);
#   oleObject              a linked OLE object (CVE-2017-0199 fetched an HTA this way); also a chart's linked workbook;
#   frame                  a frame of a web-layout document (webSettings), which loads another document;
#   subDocument            a sub-document of a master document;
#   aFChunk                an "alternative format" chunk (HTML, RTF, another docx) merged into the body;
#   mailMergeSource        a mail-merge data source (and its header source), opened and queried on opening.
#   mailMergeHeaderSource
# Hyperlinks are external too and are accepted: they open only when clicked, after Word's warning, and a report
# links to the news coverage of its activities. Linked pictures (image) are accepted as before: they can show a
# picture, nothing more, and Protected View keeps them unloaded in a file downloaded from the platform.
FETCHING_RELATIONSHIPS = frozenset(
    {
        "attachedtemplate",
        "oleobject",
        "frame",
        "subdocument",
        "afchunk",
        "mailmergesource",
        "mailmergeheadersource",
    }
)
# A target with a scheme (https:, file:, C:), or a network path (\\server, //server), is outside the package
# whatever TargetMode says: an internal target is a part name (media/image1.png, /word/x.xml, ../x.xml).
_OUTSIDE_TARGET = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:|[\\/]{2})", re.IGNORECASE)

DOCUMENT_EXTENSIONS = {"pdf": "pdf", "docx": "docx", "wps": "wps"}

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, lossless…), which carry the picture's size.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class CheckedDocument:
    kind: str  # "pdf" | "docx" | "wps"
    extension: str
    size: int


def _refuse(message: str, field: str = "summary") -> DomainError:
    return DomainError(message, errors=[FieldError(field, message)])


def _refuse_macros() -> DomainError:
    return _refuse(_("文件含有宏，为安全起见不予接收：请另存为不含宏的 docx 或 pdf 后再上传"))


def _part_name(name: str) -> str:
    """A zip entry's part name as Word compares it: without case (the Open Packaging Conventions compare part
    names as case-insensitive ASCII), percent-escapes undone, backslashes as slashes."""
    return unquote(name.replace("\\", "/")).lower()


def _local(name: str) -> str:
    """`{namespace}name` → `name`, lower case: an element or attribute by its local name, whatever its prefix."""
    return name.rsplit("}", 1)[-1].lower()


def _xml_elements(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The elements of one XML part as they end, read as a stream with defusedxml (no DTD, no entities): names
    and attribute values come out as Word reads them, namespace prefixes and character references resolved.
    Raises ParseError or a DefusedXmlException (a ValueError) for a part that is not well-formed XML."""
    with archive.open(info) as part:
        for _event, element in SafeET.iterparse(part, events=("end",), forbid_dtd=True):
            yield element
            element.clear()  # only the element being looked at is kept, however long the part


def _attributes(element, name: str) -> list[str]:
    """Every value of the attributes named `name` (local name, any case, any namespace), stripped."""
    return [value.strip() for key, value in element.attrib.items() if _local(key) == name]


def _check_relationship(element) -> None:
    """Refuse one <Relationship> that brings macros in, or fetches what Word loads on opening from elsewhere."""
    for written in _attributes(element, "type"):
        kind = written.rstrip("/").rsplit("/", 1)[-1]
        if kind.lower() in MACRO_RELATIONSHIPS:
            raise _refuse_macros()
        if kind.lower() not in FETCHING_RELATIONSHIPS:
            continue
        external = any(mode.lower() == "external" for mode in _attributes(element, "targetmode"))
        if external or any(_OUTSIDE_TARGET.match(target) for target in _attributes(element, "target")):
            raise _refuse(
                _("文件会在打开时从外部获取模板或对象（%(kind)s），为安全起见不予接收：请另存为 pdf 后再上传")
                % {"kind": kind}
            )


def _check_docx_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a Word document that carries macros or fetches a template or object from elsewhere when opened.
    Only [Content_Types].xml and the relationship parts are read (as XML), after the size checks. Every zip
    entry is looked at, so that neither a differently cased name nor a second entry of the same name hides one.
    Raises ParseError or ValueError when one of those parts is not well-formed XML (the file is damaged)."""
    if any(_part_name(i.filename).endswith(VBA_PART) for i in infos):
        raise _refuse_macros()
    for info in infos:
        name = _part_name(info.filename)
        if name == "[content_types].xml":
            for element in _xml_elements(archive, info):
                if any(m in v.lower() for v in _attributes(element, "contenttype") for m in MACRO_CONTENT_TYPES):
                    raise _refuse_macros()
        elif name.endswith(".rels"):
            for element in _xml_elements(archive, info):
                if _local(element.tag) == "relationship":
                    _check_relationship(element)


def sniff_document(head: bytes, stream) -> str | None:
    """The document kind the bytes are, or None. Raises DomainError for a document that is one of those kinds
    but unsafe to hand to the reviewers: a zip bomb, encrypted, with macros, or fetching content when opened."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        stream.seek(0)
        if OLE_VBA_STREAM in stream.read():
            raise _refuse_macros()
        return "wps"
    if head.startswith(ZIP_MAGIC):
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_ZIP_ENTRIES:
                    raise _refuse(_("文件内部条目过多，已拒收"))
                total = sum(i.file_size for i in infos)
                packed = sum(i.compress_size for i in infos) or 1
                if total > MAX_ZIP_UNCOMPRESSED or (total > ZIP_RATIO_FLOOR and total / packed > MAX_ZIP_RATIO):
                    raise _refuse(_("文件解压后过大（疑似压缩炸弹），已拒收"))
                if any(i.flag_bits & 0x1 for i in infos):
                    raise _refuse(_("文件已加密，请去掉密码后再上传"))
                names = {i.filename for i in infos}
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    _check_docx_parts(archive, infos)
                    return "docx"
        # A damaged or lying archive (an entry longer than declared fails its CRC) is not a document.
        # So is one whose [Content_Types].xml or relationships are not well-formed XML (or declare a DTD).
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            ValueError,
            SafeET.ParseError,
        ):
            return None
    return None


def check_document(uploaded, *, max_bytes: int) -> CheckedDocument:
    """Accept a summary report: PDF, DOCX or WPS, judged by content; the name's extension must agree."""
    if uploaded is None:
        raise _refuse(_("请选择要上传的总结报告文件"))
    size = uploaded.size
    if size == 0:
        raise _refuse(_("文件是空的，请重新选择"))
    if size > max_bytes:
        shown = round(size / 1024 / 1024, 1)
        if shown * 1024 * 1024 <= max_bytes:  # never show a size that reads as within the limit
            shown = math.ceil(size * 10 / 1024 / 1024) / 10
        raise _refuse(
            _("文件过大（%(size)s MB），不能超过 %(limit)s MB")
            % {"size": f"{shown:.1f}", "limit": f"{max_bytes / 1024 / 1024:g}"}
        )
    extension = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise _refuse(_("只接受 docx、pdf 或 wps 格式的总结报告"))
    uploaded.seek(0)
    content = uploaded.read()  # at most max_bytes, checked above
    kind = sniff_document(content[:8], io.BytesIO(content))
    uploaded.seek(0)
    if kind is None:
        raise _refuse(_("文件内容不是 docx、pdf 或 wps 文档，可能已损坏或格式不符"))
    if kind != DOCUMENT_EXTENSIONS[extension]:
        raise _refuse(
            _("文件扩展名为 .%(extension)s，但内容是 %(kind)s 格式，请核对后重新上传")
            % {"extension": extension, "kind": kind}
        )
    return CheckedDocument(kind=kind, extension=extension, size=size)


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) that a PNG's IHDR or a JPEG's start-of-frame declares; None when there is none to read
    (a browser cannot decode such a file either)."""
    if content.startswith(PNG_MAGIC) and content[12:16] == b"IHDR" and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if not content.startswith(JPEG_MAGIC):
        return None
    at = 2
    while at + 4 <= len(content):
        if content[at] != 0xFF:
            return None
        marker = content[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or start of scan before any frame header
            return None
        length = int.from_bytes(content[at + 2 : at + 4], "big")
        if marker in _JPEG_SOF:
            if length < 7 or at + 9 > len(content):
                return None
            height = int.from_bytes(content[at + 5 : at + 7], "big")
            width = int.from_bytes(content[at + 7 : at + 9], "big")
            return width, height
        if length < 2:
            return None
        at += 2 + length
    return None


def safe_filename(name: str, fallback: str = "file") -> str:
    """A file name safe to send in Content-Disposition: no path, no control characters."""
    name = unicodedata.normalize("NFKC", PurePath(name.replace("\\", "/")).name)
    name = re.sub(r"[\"<>:/\\|?*]", "_", name)
    # Control, format (e.g. U+202E right-to-left override, a spoofing trick) and line/paragraph separators.
    name = "".join("_" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in name).strip(" .")
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 119 - len(ext)].rstrip(' .')}.{ext}" if dot and len(ext) <= 10 else name[:120]
    return name or fallback
