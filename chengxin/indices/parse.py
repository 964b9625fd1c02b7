"""Reading an index release out of an uploaded file: pure functions, nothing is saved here.

A file is CSV (UTF-8 with or without BOM, UTF-16 as Excel's "Unicode text", or GBK/GB 18030, which Excel in China
writes by default; comma or tab separated) or an .xlsx workbook (its first sheet, read-only, checked by
workbooks.safety before openpyxl reads it). The first non-empty row is the header with the columns 期间, 地区 and
数值 (any order, other columns ignored; the template offers them); every other non-empty row is one value.

Every bad row is refused with its place `FILE!ROW` (the row number as Excel or a text editor shows it) and a
message saying what was expected: a period that is not one, a period of another frequency than the index's, an
unknown region, a value that is not a number, an empty cell, the same period and region twice. A file that cannot
be read at all (empty, not a table, unknown encoding, too many rows, an unsafe workbook) is refused as `FILE`.
Nothing read from the file is stored as it was typed: periods are normalised ("2020-10", "2020Q4", "2020"),
regions become a known code and name, values a Decimal; so no text of the file reaches a spreadsheet later.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from chengxin.indices.models import NATIONAL_REGION, Frequency

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 30
MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 4
# xlsx: what an unpacked workbook of 5,000 short rows can reasonably be (workbooks.safety checks the archive).
MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_ENTRIES = 200

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# Header names people use for each column, compared after NFKC, without spaces, lower case.
HEADERS = {
    "period": ("期间", "时期", "统计期", "统计期间", "月份", "季度", "年份", "period"),
    "region": ("地区", "地区代码", "行政区划代码", "地区名称", "区域", "region", "region_code"),
    "value": ("数值", "指数", "指数值", "值", "value"),
}
COLUMN_LABELS = ("期间", "地区", "数值")  # the template's header, in this order

_CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH = re.compile(r"^([0-9]{4})\s*(?:[-./]|年)\s*([0-9]{1,2})\s*月?$")
_MONTH_COMPACT = re.compile(r"^([0-9]{4})([0-9]{2})$")
_QUARTER = re.compile(r"^([0-9]{4})\s*(?:年|-)?\s*(?:[qQ]\s*([1-4])|第?([一二三四1-4])\s*季度?)$")
_YEAR = re.compile(r"^([0-9]{4})\s*年?(?:度)?$")
_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})
# Suffixes a region is also known without: 上海市 → 上海, 广西壮族自治区 → 广西.
_REGION_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")


def fold(text: object) -> str:
    """A cell's text as compared: NFKC (full-width digits and letters become ASCII), no white space at all."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


# --- periods and values -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    text: str  # "2020-10", "2020Q4", "2020"
    key: int  # year × 100 + the last month of the period: sorts months, quarters and years alike
    frequency: str  # Frequency value


def _year_ok(year: int) -> bool:
    return 1900 <= year <= 2100


def parse_period(cell: object) -> Period | None:
    """A period as a person writes it: 2020-10, 2020/10, 2020.10, 2020年10月, 202010 (months); 2020Q4, 2020-Q4,
    2020年第四季度, 2020年4季度 (quarters); 2020, 2020年 (years); a date cell of a workbook is its month.
    None when it is none of these."""
    if isinstance(cell, dt.datetime | dt.date):
        return Period(f"{cell.year}-{cell.month:02d}", cell.year * 100 + cell.month, Frequency.MONTH)
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        cell = str(cell)
    elif isinstance(cell, float):
        if not cell.is_integer():
            return None
        cell = str(int(cell))
    if not isinstance(cell, str):
        return None
    text = fold(cell)
    for pattern in (_MONTH, _MONTH_COMPACT):
        match = pattern.match(text)
        if match:
            year, month = int(match[1]), int(match[2])
            if _year_ok(year) and 1 <= month <= 12:
                return Period(f"{year}-{month:02d}", year * 100 + month, Frequency.MONTH)
            return None
    match = _QUARTER.match(text)
    if match:
        year, quarter = int(match[1]), _CN_NUMERALS[match[2] or match[3]]
        if _year_ok(year):
            return Period(f"{year}Q{quarter}", year * 100 + quarter * 3, Frequency.QUARTER)
        return None
    match = _YEAR.match(text)
    if match and _year_ok(int(match[1])):
        return Period(match[1], int(match[1]) * 100 + 12, Frequency.YEAR)
    return None


def period_example(frequency: str) -> str:
    return {Frequency.MONTH: "2020-10", Frequency.QUARTER: "2020Q4", Frequency.YEAR: "2020"}[frequency]


class BadValue(Exception):
    """A cell that is not a number; the message says what is expected."""


def parse_value(cell: object) -> Decimal:
    """A number as typed or stored in a workbook: 101.5, -0.3, 1,234.5, full-width digits. Raises BadValue
    with the message for the row otherwise (text, a date, an Excel error, too many digits)."""
    if isinstance(cell, bool | dt.datetime | dt.date | dt.time):
        raise BadValue(_("数值是日期格式，请改为常规格式并填写数字"))
    if isinstance(cell, int):
        number = Decimal(cell)
    elif isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise BadValue(_("数值不是有效的数字"))
        number = Decimal(repr(cell))
    elif isinstance(cell, Decimal):
        number = cell
    else:
        raw = str(cell).strip()
        if raw.upper() in _EXCEL_ERRORS:
            raise BadValue(_("单元格的公式出错（%(error)s），请改正后填写数值") % {"error": raw})
        text = fold(raw)
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise BadValue(_("数值“%(text)s”不是数字") % {"text": raw[:40]})
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above admits only what Decimal reads
            raise BadValue(_("数值“%(text)s”不是数字") % {"text": raw[:40]}) from None
    if not number.is_finite():
        raise BadValue(_("数值不是有效的数字"))
    _sign, digits, exponent = number.normalize().as_tuple()
    decimals = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if decimals > MAX_DECIMALS:
        raise BadValue(_("数值最多保留 %(n)s 位小数") % {"n": MAX_DECIMALS})
    if integer_digits > MAX_INTEGER_DIGITS:
        raise BadValue(_("数值过大（整数部分最多 %(n)s 位）") % {"n": MAX_INTEGER_DIGITS})
    return number.normalize() + 0  # "+ 0" turns -0 into 0


# --- regions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regions:
    """The regions values may be filed under: code → name, and every name (and short name) → code."""

    names: dict[str, str]
    aliases: dict[str, str]

    @classmethod
    def build(cls, names: dict[str, str], more_aliases: Iterable[tuple[str, str]] = ()) -> "Regions":
        """From code → name (全国 000000 is always there) and extra (alias, code) pairs. An alias two regions
        share (a county and a city of the same name) is dropped: such a region is written by its code."""
        names = {NATIONAL_REGION: "全国", **names}
        candidates: dict[str, set[str]] = {}

        def add(alias: str, code: str) -> None:
            alias = fold(alias)
            if alias:
                candidates.setdefault(alias, set()).add(code)

        for code, name in names.items():
            add(name, code)
            for suffix in _REGION_SUFFIXES:
                if name.endswith(suffix) and len(name) > len(suffix) + 1:
                    add(name[: -len(suffix)], code)
                    break
        for alias, code in more_aliases:
            if code in names:
                add(alias, code)
        add("全国合计", NATIONAL_REGION)
        aliases = {alias: next(iter(codes)) for alias, codes in candidates.items() if len(codes) == 1}
        return cls(names=names, aliases=aliases)

    def resolve(self, cell: object) -> tuple[str, str] | None:
        """(code, name) of a region written as its 6-digit code or its name; None if unknown."""
        if isinstance(cell, bool):
            return None
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        text = fold(cell)
        if len(text) == 6 and text.isascii() and text.isdigit():
            return (text, self.names[text]) if text in self.names else None
        code = self.aliases.get(text)
        return (code, self.names[code]) if code else None


# --- the file -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    place: str  # FILE!ROW, or FILE for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class Row:
    row: int
    period: str
    period_key: int
    region_code: str
    region_name: str
    value: Decimal


@dataclass
class ParsedFile:
    """What a file holds: the good rows, and a refusal for every bad one (or for the file). `ok` only when
    there is at least one row and no refusal: a release is made of a whole file or not at all."""

    file_name: str
    rows: list[Row] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.refusals

    @property
    def periods(self) -> list[str]:
        return [p for _k, p in sorted({(r.period_key, r.period) for r in self.rows})]

    @property
    def region_count(self) -> int:
        return len({r.region_code for r in self.rows})

    def refuse(self, message: str, row: int | None = None) -> None:
        place = self.file_name if row is None else f"{self.file_name}!{row}"
        self.refusals.append(Refusal(place, message))


class _FileRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")  # GB 18030 reads every GBK file
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise _FileRefused(_("无法识别文件的编码或不是文本文件：请另存为“CSV UTF-8”或 GBK 编码的 CSV，或上传 .xlsx"))


def _csv_rows(data: bytes) -> Iterator[list]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise _FileRefused(_("CSV 文件格式有误（引号不配对等），请用 Excel 重新另存为 CSV")) from None


def _xlsx_rows(data: bytes, file_name: str) -> Iterator[list]:
    from openpyxl import load_workbook

    from chengxin.workbooks.safety import WorkbookRefused, check_workbook_bytes

    try:
        check_workbook_bytes(data, name=file_name, max_uncompressed=MAX_UNCOMPRESSED, max_entries=MAX_ENTRIES)
    except WorkbookRefused as refused:
        raise _FileRefused(refused.reason) from None
    try:
        with closing(load_workbook(io.BytesIO(data), read_only=True, data_only=True)) as book:
            if not book.worksheets:
                raise _FileRefused(_("工作簿中没有工作表"))
            for values in book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS):
                yield list(values)
    except _FileRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file (KeyError, ValueError, XML errors …)
        raise _FileRefused(_("文件已损坏，无法作为 .xlsx 打开，请在 Excel 中重新保存后再上传")) from None


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header(cells: list) -> dict[str, int] | None:
    folded = [fold(c).lower() if c is not None else "" for c in cells]
    columns = {}
    for key, names in HEADERS.items():
        for name in names:
            if name in folded:
                columns[key] = folded.index(name)
                break
    return columns if len(columns) == len(HEADERS) else None


def parse_release(data: bytes, file_name: str, *, regions: Regions, frequency: str | None = None) -> ParsedFile:
    """Every row of the file as a Row, or a Refusal with its place. `frequency`, when given, is the index's:
    a period of another frequency is refused (without it the first good row's frequency is expected throughout)."""
    result = ParsedFile(file_name=file_name)
    if not data:
        result.refuse(_("文件是空的，请重新选择"))
        return result
    if len(data) > MAX_BYTES:
        result.refuse(_("文件不能超过 %(n)s MB") % {"n": MAX_BYTES // 1024 // 1024})
        return result
    workbook = data.startswith((ZIP_MAGIC, OLE_MAGIC))
    lines = _xlsx_rows(data, file_name) if workbook else _csv_rows(data)
    seen: dict[tuple[str, str], int] = {}
    columns = None
    count = 0
    try:
        for number, cells in enumerate(lines, start=1):
            if all(_blank(c) for c in cells):
                continue
            if columns is None:
                columns = _header(cells)
                if columns is None:
                    result.refuse(_("第一行应为表头：期间、地区、数值（请使用下载的模板）"), number)
                    return result
                continue
            count += 1
            if count > MAX_ROWS:
                result.rows.clear()
                result.refusals = [Refusal(file_name, _("数据超过 %(n)s 行，请分几次上传") % {"n": MAX_ROWS})]
                return result
            frequency = _read_row(result, number, cells, columns, regions, frequency, seen)
    except _FileRefused as refused:
        result.rows.clear()
        result.refusals = [Refusal(file_name, refused.message)]
        return result
    if columns is None:
        result.refuse(_("文件是空的，请重新选择"))
    elif count == 0:
        result.refuse(_("表头下没有数据"))
    return result


def _cell(cells: list, column: int) -> object:
    return cells[column] if column < len(cells) else None


def _read_row(result, number, cells, columns, regions: Regions, frequency, seen) -> str | None:
    """Read one row into `result` (a Row or a Refusal per problem); returns the frequency expected from now on."""
    raw_period, raw_region, raw_value = (_cell(cells, columns[k]) for k in ("period", "region", "value"))
    problems = []
    period = None
    if _blank(raw_period):
        problems.append(_("期间为空"))
    else:
        period = parse_period(raw_period if not isinstance(raw_period, str) else raw_period.strip())
        if period is None:
            problems.append(
                _("期间“%(text)s”无法识别：月度写作 2020-10，季度写作 2020Q4，年度写作 2020")
                % {"text": str(raw_period)[:40]}
            )
        elif frequency and period.frequency != frequency:
            problems.append(
                _("期间“%(text)s”是%(found)s，本指数是%(expected)s数据：应写作如 %(example)s")
                % {
                    "text": str(raw_period)[:40],
                    "found": Frequency(period.frequency).label,
                    "expected": Frequency(frequency).label,
                    "example": period_example(frequency),
                }
            )
            period = None
    region = None
    if _blank(raw_region):
        problems.append(_("地区为空"))
    else:
        region = regions.resolve(raw_region)
        if region is None:
            problems.append(
                _("地区“%(text)s”不是已知的地区：请写行政区划代码（如 310000，全国为 000000）或名称（如 上海市）")
                % {"text": str(raw_region)[:40]}
            )
    value = None
    if _blank(raw_value):
        problems.append(_("数值为空"))
    else:
        try:
            value = parse_value(raw_value)
        except BadValue as error:
            problems.append(str(error))
    if period and region:
        key = (period.text, region[0])
        if key in seen:
            problems.append(
                _("期间 %(period)s、地区 %(region)s 与第 %(row)s 行重复")
                % {"period": period.text, "region": region[1], "row": seen[key]}
            )
        else:
            seen[key] = number
    for problem in problems:
        result.refuse(problem, number)
    if not problems:
        result.rows.append(Row(number, period.text, period.key, region[0], region[1], value))
    return frequency or (period.frequency if period else None)
