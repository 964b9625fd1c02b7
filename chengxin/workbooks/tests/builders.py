"""Real files for the workbook tests, built the way people and their software make them."""

import io
import struct
import zipfile

from openpyxl import Workbook

from chengxin.conftest import VALID_VALUES

TITLE = "2020年“诚信兴商宣传月”活动统计表"

# The notice's attachment as printed: group | sub-group | leaf, one value column.
ATTACHMENT_ROWS = [
    ("宣传形式", "户外活动", "会议（场次、人次）"),
    (None, None, "宣传资料展示（方式，份数）"),
    (None, "传统媒介", "纸媒新闻（篇）"),
    (None, None, "电视新闻（条）"),
    (None, None, "电台广播（次）"),
    (None, "新媒介", "网站新闻（条）"),
    (None, None, "视频（条）"),
    (None, None, "直播（场次，观看人次）"),
    ("宣传效果", "宣传覆盖总人数（人次）", None),
    (None, "接受咨询服务总量（人次）", None),
]
ATTACHMENT_MERGES = ["A1:D1", "A3:C3", "A4:A11", "B4:B5", "B6:B8", "B9:B11", "A12:A13", "B12:C12", "B13:C13"]

# How a province fills it: compound cells, magnitude suffixes, numbers typed as text.
FILLED = {
    "会议（场次、人次）": "12场，3400人次",
    "宣传资料展示（方式，份数）": "展板、手册，5000份",
    "纸媒新闻（篇）": 8,
    "电视新闻（条）": "3",
    "电台广播（次）": 2,
    "网站新闻（条）": "40条",
    "视频（条）": 6.0,
    "直播（场次，观看人次）": "3场/1.2万人次",
    "宣传覆盖总人数（人次）": "5万",
    "接受咨询服务总量（人次）": "860",
}
EXPECTED = VALID_VALUES


def attachment_sheet(ws, values=None, *, unit="广东省商务厅", labels=None, first_row=4):
    """Lay out the attachment on `ws`: title, 填报单位, header, labels with merged cells, values in column D.
    `labels` renames printed labels (as people retype them); a label mapped to None is left out."""
    values = FILLED if values is None else values
    labels = labels or {}
    ws["A1"] = TITLE
    if unit is not None:
        ws["A2"] = f"填报单位：{unit}"
    ws["A3"], ws["D3"] = "项目", "数量"
    for i, texts in enumerate(ATTACHMENT_ROWS):
        row = first_row + i
        for col, text in enumerate(texts, 1):
            if text is not None:
                ws.cell(row, col, labels.get(text, text))
        leaf = texts[2] or texts[1]
        if leaf in values:
            ws.cell(row, 4, values[leaf])
    for merge in ATTACHMENT_MERGES:
        ws.merge_cells(merge)
    return ws


def attachment(values=None, *, unit="广东省商务厅", labels=None, sheet="Sheet1") -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    attachment_sheet(ws, values, unit=unit, labels=labels)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, change=None) -> bytes:
    """The same .xlsx with parts added, or changed by `change(name, content) -> content`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(info.filename, content) if change else content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


# --- OLE compound files (old .xls and encrypted .xlsx are these, not zips) ----------------------------------

_FREE, _END, _FAT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, *, child=_NOSTREAM, right=_NOSTREAM, start=_END, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, _NOSTREAM, right, child, b"", 0, 0, 0, start, size
    )


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal but well-formed Compound File Binary (version 3, 512-byte sectors): FAT in sector 0,
    directory in sector 1, each stream (padded to 4096 bytes, so no mini stream) in sectors of its own."""
    fat, body, entries = [_FAT, _END], b"", []
    names = list(streams)
    for i, name in enumerate(names):
        data = streams[name].ljust(4096, b"\0")
        first, count = len(fat), len(data) // 512
        fat += [first + k + 1 for k in range(count - 1)] + [_END]
        body += data
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=first, size=len(data)))
    root = _dir_entry("Root Entry", 5, child=1 if names else _NOSTREAM)
    directory = b"".join([root, *entries]).ljust(512, b"\0")
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    header += struct.pack("<I", 0) + b"\xff" * (4 * 108)
    return header + fat_sector + directory + body
