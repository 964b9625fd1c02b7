"""Refusing uploaded files that are not plain .xlsx workbooks, before openpyxl reads a byte of them.

openpyxl reads XML with the standard library's parser (expat, which limits entity expansion) or with
defusedxml when that is installed; a workbook never needs a DTD, so any part declaring one is refused here.
Declared sizes can be trusted: Python's zipfile stops at an entry's declared size and fails its CRC check
when the data goes on, so the sum of declared sizes bounds what openpyxl can inflate.
"""

import io
import zipfile
import zlib

from django.utils.translation import gettext_noop

from chengxin.core.errors import DomainError, FieldError
from chengxin.workbooks.text import say

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File Binary: .xls, .et, and encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # below this much XML a high ratio cannot hurt, and tiny parts compress oddly
DEFAULT_MAX_UNCOMPRESSED = 50 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 2_000
XLSX_MAIN = b"spreadsheetml.sheet.main+xml"
XLTX_MAIN = b"spreadsheetml.template.main+xml"
MACRO_TYPE = b"macroEnabled"
BINARY_TYPE = b"sheet.binary"  # .xlsb
# An encrypted .xlsx is an OLE container whose directory names these streams (UTF-16 names).
ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 64 * 1024

MSG_EMPTY = gettext_noop("文件是空的，请重新选择")
MSG_ENCRYPTED = gettext_noop("工作簿设置了打开密码（已加密），无法读取：请在 Excel 中取消密码后另存为 .xlsx 再上传")
MSG_OLD_XLS = gettext_noop("这是旧版 Excel（.xls）或 WPS 表格（.et）文件，请另存为 .xlsx 后再上传")
MSG_NOT_XLSX = gettext_noop("不是 Excel 工作簿（.xlsx），请上传 .xlsx 文件")
MSG_BROKEN = gettext_noop("文件已损坏，无法作为 .xlsx 打开，请在 Excel 中重新保存后再上传")
MSG_NOT_SPREADSHEET = gettext_noop("不是 Excel 工作簿（可能是 Word 文档或其他文件），请上传 .xlsx 文件")
MSG_BINARY = gettext_noop("这是 Excel 二进制工作簿（.xlsb），请另存为“Excel 工作簿（.xlsx）”后再上传")
MSG_MACRO = gettext_noop("工作簿含有宏（.xlsm），为安全起见不予接收：请另存为“Excel 工作簿（.xlsx）”后再上传")
MSG_TOO_MANY_ENTRIES = gettext_noop("文件内部条目过多（%(count)s 个，上限 %(limit)s 个），已拒收")
MSG_TOO_BIG = gettext_noop("文件解压后过大（%(size)s MB，上限 %(limit)s MB），已拒收")
MSG_BOMB = gettext_noop("文件解压后比压缩时大 %(ratio)s 倍，疑似压缩炸弹，已拒收")
MSG_DTD = gettext_noop("文件含有工作簿不应有的 XML 声明（%(part)s），已拒收")


class WorkbookRefused(DomainError):
    """The file (or a sheet of it) cannot be imported. `place` is `FILE`, `FILE!SHEET` or
    `FILE!SHEET!CELL`; `reason` is user-facing (Chinese) and says what is expected instead."""

    def __init__(self, reason: str, *, place: str = ""):
        self.reason = reason
        self.place = place
        text = f"{place}: {reason}" if place else reason
        super().__init__(message=text, errors=[FieldError("file", text)])


def _refuse_ole(data: bytes, name: str) -> None:
    # An OLE file is never accepted; only the message differs, so a look for the stream names is enough.
    if any(stream in data for stream in ENCRYPTED_STREAMS):
        raise WorkbookRefused(say(MSG_ENCRYPTED), place=name)
    raise WorkbookRefused(say(MSG_OLD_XLS), place=name)


def _check_sizes(infos: list[zipfile.ZipInfo], *, name: str, max_uncompressed: int, max_entries: int) -> None:
    if len(infos) > max_entries:
        raise WorkbookRefused(say(MSG_TOO_MANY_ENTRIES, count=len(infos), limit=max_entries), place=name)
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        size, limit = f"{total / 1024 / 1024:.1f}", f"{max_uncompressed / 1024 / 1024:g}"
        raise WorkbookRefused(say(MSG_TOO_BIG, size=size, limit=limit), place=name)
    packed = sum(i.compress_size for i in infos) or 1
    if total > RATIO_FLOOR and total / packed > MAX_RATIO:
        raise WorkbookRefused(say(MSG_BOMB, ratio=int(total / packed)), place=name)


def _check_kind(archive: zipfile.ZipFile, *, name: str) -> None:
    names = set(archive.namelist())
    if any(i.flag_bits & 0x1 for i in archive.infolist()):
        raise WorkbookRefused(say(MSG_ENCRYPTED), place=name)
    if "[Content_Types].xml" not in names:
        raise WorkbookRefused(say(MSG_NOT_SPREADSHEET), place=name)
    content_types = archive.read("[Content_Types].xml")
    if BINARY_TYPE in content_types:
        raise WorkbookRefused(say(MSG_BINARY), place=name)
    if any(n.lower().endswith("vbaproject.bin") for n in names) or MACRO_TYPE in content_types:
        raise WorkbookRefused(say(MSG_MACRO), place=name)
    if XLSX_MAIN not in content_types and XLTX_MAIN not in content_types:
        raise WorkbookRefused(say(MSG_NOT_SPREADSHEET), place=name)


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            if any(mark in window for mark in DTD_MARKS):
                return True
            tail = window[-16:]
    return False


def _check_xml(archive: zipfile.ZipFile, *, name: str) -> None:
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(archive, info):
            raise WorkbookRefused(say(MSG_DTD, part=info.filename), place=name)


def check_workbook_bytes(data: bytes, *, name: str, max_uncompressed: int, max_entries: int) -> None:
    """Return if `data` is a plain .xlsx workbook that is safe to hand to openpyxl; otherwise raise
    :class:`WorkbookRefused` (place = `name`) saying why and what to send instead: empty, old .xls / WPS .et,
    encrypted, not a zip, not a spreadsheet, macro-enabled, too many entries, too large or too compressed once
    inflated, or an XML part declaring a DTD."""
    if not data:
        raise WorkbookRefused(say(MSG_EMPTY), place=name)
    if data.startswith(OLE_MAGIC):
        _refuse_ole(data, name)
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused(say(MSG_NOT_XLSX), place=name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_sizes(infos, name=name, max_uncompressed=max_uncompressed, max_entries=max_entries)
            _check_kind(archive, name=name)
            _check_xml(archive, name=name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise WorkbookRefused(say(MSG_BROKEN), place=name) from exc
