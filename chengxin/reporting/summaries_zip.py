"""Every unit's summary report (总结报告) in one zip, streamed: the ministry reads them all.

The zip is written by zipstream-ng while the response is sent, one file at a time: each summary is read from
`default_storage` in chunks of CHUNK bytes and passed on, so what the process holds is one chunk and the zip's
central directory (about 100 bytes a file), however many units there are. Files are stored, not deflated:
docx and pdf are compressed already, and storing costs no CPU. Names are UTF-8 with the zip's UTF-8 flag set
(zipstream-ng sets it for every non-ASCII name), so Windows' and macOS' tools show them in Chinese.

Last comes `目录.csv`: every unit in the filter, its status, and whether its summary is in the zip (a unit
without a summary, or whose stored file is missing, is listed and absent).
"""

import csv
import io
import logging
from collections.abc import Iterable, Iterator

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from zipstream import ZIP_STORED, ZipStream

from chengxin.core.spreadsheets import neutralise
from chengxin.core.uploads import safe_filename
from chengxin.reporting.selectors import UnitSummary

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
CATALOGUE_NAME = "目录.csv"
CATALOGUE_COLUMNS = ("unit_code", "unit_name", "unit_kind", "status", "in_zip", "file_name")


def summary_name(entry: UnitSummary) -> str:
    """`代码-单位-总结报告.ext`, safe on every system (no / \\ : * ? " < > |, no control characters)."""
    return safe_filename(f"{entry.code}-{entry.name}-总结报告.{entry.file_kind}", f"{entry.code}.{entry.file_kind}")


def _chunks(handle) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def _catalogue(rows: Iterable[tuple[str, ...]], headings: list[str]) -> bytes:
    """The list of units as CSV (UTF-8 with BOM, so that Excel opens it in Chinese; texts neutralised), two
    header rows like the figures' CSV: the Chinese titles, then the machine names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerow(CATALOGUE_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def summaries_zip_stream(entries: Iterable[UnitSummary]) -> Iterator[bytes]:
    """The zip's bytes, produced as they are consumed: one summary per unit that has one, then 目录.csv.
    The catalogue's words are translated now, in the request's language (the bytes are produced after the
    view has returned)."""
    headings = [_("单位代码"), _("单位名称"), _("单位类别"), _("报送状态"), _("是否收入"), _("文件名")]
    words = {"yes": _("是"), "none": _("否（未上传）"), "missing": _("否（文件缺失）")}
    entries = [(e, e.kind_label, e.status_label) for e in entries]
    return _generate(entries, headings, words)


def _generate(entries, headings: list[str], words: dict[str, str]) -> Iterator[bytes]:
    stream = ZipStream(compress_type=ZIP_STORED)
    listed = []
    for entry, kind, status in entries:
        line = (entry.code, entry.name, kind, status)
        if not entry.file:
            listed.append((*line, words["none"], ""))
            continue
        try:
            handle = default_storage.open(entry.file, "rb")
        except OSError:
            logger.warning("summary file missing from storage: %s (%s)", entry.file, entry.code)
            listed.append((*line, words["missing"], ""))
            continue
        name = summary_name(entry)
        stream.add(_chunks(handle), name, size=entry.size)
        listed.append((*line, words["yes"], name))
        yield from stream.all_files()
    stream.add(_catalogue(listed, headings), CATALOGUE_NAME)
    yield from stream.finalize()
