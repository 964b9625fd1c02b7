"""Checking uploaded documents by their content, not by the name the browser sent."""

import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError

PDF_MAGIC = b"%PDF-"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File Binary: WPS (and old Word) documents
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200

DOCUMENT_EXTENSIONS = {"pdf": "pdf", "docx": "docx", "wps": "wps"}


@dataclass(frozen=True)
class CheckedDocument:
    kind: str  # "pdf" | "docx" | "wps"
    extension: str
    size: int


def _refuse(message: str, field: str = "summary") -> DomainError:
    return DomainError(message, errors=[FieldError(field, message)])


def sniff_document(head: bytes, stream) -> str | None:
    """The document kind the bytes are, or None."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(OLE_MAGIC):
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
                if total > MAX_ZIP_UNCOMPRESSED or total / packed > MAX_ZIP_RATIO:
                    raise _refuse(_("文件解压后过大（疑似压缩炸弹），已拒收"))
                if any(i.flag_bits & 0x1 for i in infos):
                    raise _refuse(_("文件已加密，请去掉密码后再上传"))
                names = {i.filename for i in infos}
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "docx"
        except zipfile.BadZipFile:
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
