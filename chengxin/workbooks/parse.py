"""Reading filled statistics tables out of an .xlsx workbook, one unit per sheet, without guessing.

Two layouts are read: the product's own template (template.py: exact, through its hidden figure-code column)
and the notice's attachment as people fill it: each leaf's label somewhere in a row (matched by text, see
text.normalise_label), its value in the first non-empty cell to the right, two figures of one leaf in one
cell (compound.py) or on one row each under a 场次 / 人次 sub-label; a cell saying none (0, 无, /, -, —) is 0 for
each of its figures (read_cell). Nothing is saved here: the result goes to a preview, then through reporting's
services.
"""

import io
import re
import unicodedata
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import count

from django.utils.translation import gettext_noop
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from chengxin.core.numbers import NumberParseError, normalise, parse_whole_number
from chengxin.statform.definition import FigureDef, FormDefinition
from chengxin.units.models import Unit
from chengxin.units.selectors import UnitNames, unit_resolve
from chengxin.workbooks.compound import split_cell
from chengxin.workbooks.labels import LabelIndex, Leaf, choose
from chengxin.workbooks.safety import (
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_UNCOMPRESSED,
    MSG_BROKEN,
    WorkbookRefused,
    check_workbook_bytes,
)
from chengxin.workbooks.template import MARK_PREFIX, MAX_TEXT, UNIT_LABEL
from chengxin.workbooks.text import normalise_label, say

DEFAULT_MAX_CELLS = 5_000
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})
# openpyxl raises these (and xml.etree's ParseError, a SyntaxError) on a damaged file.
_BROKEN = (KeyError, ValueError, TypeError, IndexError, AttributeError, SyntaxError, EOFError, OSError)
_UNIT_CELL = re.compile(r"填报单位(?:\(盖章\))?:?(?P<rest>.*)")
_OTHER_FIELDS = re.compile(r"(填报日期|填表日期|日期|填报人|填表人|联系人|联系电话|电话|审核人|负责人)")
# What people write in a cell to say "none of these": 0, 无, a slash or a dash (one or two, hyphen, en or em dash,
# horizontal bar), compared once full-width forms are folded (０ ／ － become 0 / -) and spaces dropped. The whole
# cell means zero for each of its figures: 会议 0 场 0 人次; 宣传资料展示 no method named, 0 份. (空 "blank" is
# not among them: it stays an empty cell, and the person is asked.)
ZERO_MARKS = frozenset({"0", "无", "/", "-", "--", "—", "——", "―", "――", "–", "––"})
# "0/0", "0，0", "0、0", "0 0": one zero for each number of a cell of several, whichever is which.
_BETWEEN_ZEROS = re.compile(r"\s*[,、/;]\s*|\s+")

MSG_TOO_MANY_CELLS = gettext_noop("工作表内容过多（超过 %(limit)s 个单元格），请只保留统计表后再上传")
MSG_NO_TABLE = gettext_noop("工作簿中没有找到统计表：请使用下载的模板，或保留统计表原有的项目名称（如“%(example)s”）")
MSG_UNKNOWN_UNIT = gettext_noop("“%(text)s”不是已登记的填报单位：请写单位名称（如 广东省商务厅）或代码（如 440000）")
MSG_NO_UNIT = gettext_noop(
    "无法确定填报单位：请在表中填写“填报单位：单位名称”，或把工作表命名为单位名称（如 广东省、大连市商务局）"
)
MSG_UNIT_CONFLICT = gettext_noop("填报单位“%(cell)s”与工作表名称“%(sheet)s”不是同一单位，请改正其中之一")
MSG_LABEL_MISSING = gettext_noop("表中没有找到“%(path)s”一行：请保留统计表原有的项目名称")
MSG_LABEL_TWICE = gettext_noop("“%(label)s”在本表出现了两次（另见 %(other)s），请只保留一处")
MSG_LABEL_AMBIGUOUS = gettext_noop("“%(label)s”属于表中多个项目，无法判断是哪一个：请保留其上方的分组名称")
MSG_CODE_UNKNOWN = gettext_noop("模板中的项目“%(code)s”不属于本年度的统计表：请下载本年度的模板重新填写")
MSG_CODE_MISSING = gettext_noop("模板中缺少“%(path)s”：请下载本年度的模板重新填写")
MSG_FORMULA = gettext_noop(
    "%(name)s：单元格是公式但没有计算结果（文件未在 Excel 中保存过），请在 Excel 中打开并保存后再上传，或直接填写数值"
)
MSG_DATE = gettext_noop("单元格是日期或时间格式，请改为常规格式并填写数字")
MSG_EXCEL_ERROR = gettext_noop("单元格的公式出错（%(error)s），请改正后填写数值")
MSG_TOO_LONG = gettext_noop("不能超过 %(limit)s 字")


@dataclass(frozen=True)
class Problem:
    """Something that stops the sheet from being saved. `place` is `FILE!SHEET!CELL` (or `FILE!SHEET` when no
    one cell is to blame); `message` is user-facing and says what was expected; `kind` is for the program."""

    place: str
    message: str
    kind: str
    figure: str = ""

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass
class ParsedSheet:
    """One sheet read as one unit's table.

    `values`: figure code → int for a number (already checked by core.numbers.parse_whole_number) or str for a
    text, ready for reporting's report_save_draft(raw_values=…). `raw`: the text each value was read from.
    `places`: figure code → `FILE!SHEET!CELL` where it was (or was expected). `empty`: figure codes with nothing
    filled in (a blank cell: 无 or 0 is 0): not 0, the user is asked. `unit` is None when no known unit is named
    (then a problem says so).
    """

    file_name: str
    sheet: str
    layout: str  # "template" | "attachment"
    unit: Unit | None = None
    unit_text: str = ""
    values: dict[str, int | str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.unit is not None and not self.problems

    def place(self, row: int | None = None, col: int | None = None) -> str:
        base = f"{self.file_name}!{self.sheet}"
        return base if row is None or col is None else f"{base}!{get_column_letter(col)}{row}"

    def problem(self, kind: str, message: str, *, row=None, col=None, figure: str = "") -> None:
        self.problems.append(Problem(self.place(row, col), message, kind, figure))


@dataclass
class _Reading:
    """Where the figures of one cell were read: the value cell (or where it was expected) and its value."""

    figures: list[FigureDef]
    row: int
    col: int
    value: object
    search: tuple[int, int]  # columns of `row` where a formula may hide when `value` is None


@dataclass
class _Scan:
    """What one pass over a sheet's cells found."""

    marker: tuple[int, int, int] | None = None  # row, column of the mark, input column
    unit_cell: tuple[int, int, str] | None = None
    hits: list[tuple[int, int, str, Leaf | None]] = field(default_factory=list)  # row, col, label, leaf
    labels: set[tuple[int, int]] = field(default_factory=set)


Grid = list[tuple]


# --- reading the workbook ------------------------------------------------------------------------------------


def _open(data: bytes, file_name: str, *, data_only: bool):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    except _BROKEN as exc:
        raise WorkbookRefused(say(MSG_BROKEN), place=file_name) from exc


def _read_grid(ws, *, place: str, max_cells: int, max_row: int | None = None) -> Grid:
    """The sheet's values row by row (row 1 first), refusing a sheet of more than `max_cells` cells."""
    ws.reset_dimensions()  # a declared size is not to be trusted: rows are read as they are
    rows, count = [], 0
    try:
        for row in ws.iter_rows(values_only=True, max_row=max_row):
            count += max(len(row), 1)
            if count > max_cells:
                raise WorkbookRefused(say(MSG_TOO_MANY_CELLS, limit=max_cells), place=place)
            rows.append(row)
    except _BROKEN as exc:
        raise WorkbookRefused(say(MSG_BROKEN), place=place) from exc
    return rows


class _Formulas:
    """The workbook opened again with formulas instead of their cached values, only if an empty cell needs
    a second look (a formula that was never calculated reads as empty with data_only=True)."""

    def __init__(self, data: bytes, file_name: str, max_cells: int):
        self.data, self.file_name, self.max_cells, self.wb = data, file_name, max_cells, None

    def find(self, sheet: str, ranges: list[tuple[int, int, int]], values: Grid) -> dict[tuple[int, int], object]:
        """The first cell in each (row, first column, last column) range that is empty in `values` (the sheet
        read with data_only=True) but holds a formula, by (row, column)."""
        if not ranges:
            return {}
        if self.wb is None:
            self.wb = _open(self.data, self.file_name, data_only=False)
        last_row = max(r for r, *_ in ranges)
        place = f"{self.file_name}!{sheet}"
        grid = _read_grid(self.wb[sheet], place=place, max_cells=self.max_cells, max_row=last_row)
        found = {}
        for r, first, last in ranges:
            row = grid[r - 1] if r <= len(grid) else ()
            cached = values[r - 1] if r <= len(values) else ()
            for c in range(first, min(last, len(row)) + 1):
                if row[c - 1] is not None and (c > len(cached) or cached[c - 1] is None):
                    found[(r, c)] = row[c - 1]
                    break
        return found

    def close(self) -> None:
        if self.wb is not None:
            self.wb.close()


# --- finding things in a sheet ---------------------------------------------------------------------------------


def _marker(r: int, c: int, value: str) -> tuple[int, int, int] | None:
    """The template's mark: its row and column, and the input column it names."""
    try:
        return r, c, column_index_from_string(value[len(MARK_PREFIX) :].strip())
    except ValueError:
        return None


def _scan(grid: Grid, index: LabelIndex) -> _Scan:
    """One pass over the text cells: the template mark, the 填报单位 cell, group and leaf labels."""
    scan, seen_groups, order = _Scan(), {}, count()
    for r, row in enumerate(grid, 1):
        for c, value in enumerate(row, 1):
            if not isinstance(value, str):
                continue
            if value.startswith(MARK_PREFIX) and scan.marker is None:
                scan.marker = _marker(r, c, value)
                continue
            text = normalise_label(value)
            if scan.unit_cell is None and UNIT_LABEL in text:
                scan.unit_cell = (r, c, text)
            elif text in index.groups:
                seen_groups[text] = next(order)  # the group seen last is the one a leaf below belongs to
                scan.labels.add((r, c))
            elif candidates := index.candidates(text):
                scan.hits.append((r, c, value.strip(), choose(candidates, seen_groups)))
                scan.labels.add((r, c))
    return scan


def _is_table(scan: _Scan, index: LabelIndex) -> bool:
    """A sheet holds the table when it is our template or names at least two of its leaves."""
    return scan.marker is not None or len(scan.hits) >= min(2, len(index.all_leaves))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _next_value(grid: Grid, scan: _Scan, r: int, c: int, skip: set[str]) -> tuple[int | None, object, int]:
    """The first non-empty cell right of (r, c) before the next label, ignoring cells that only name a
    unit of measure; returns its column and value (None, None when empty) and the last column searched."""
    row = grid[r - 1]
    for col in range(c + 1, len(row) + 1):
        if (r, col) in scan.labels:
            return None, None, col - 1
        value = row[col - 1]
        if not _blank(value) and not (skip and isinstance(value, str) and normalise_label(value) in skip):
            return col, value, len(row)
    return None, None, max(len(row), c + 1)


# --- the two layouts ------------------------------------------------------------------------------------------


def _template_readings(sheet: ParsedSheet, grid: Grid, scan: _Scan, definition: FormDefinition) -> list[_Reading]:
    """Our template: the hidden column names each input row's figure."""
    mark_row, code_col, value_col = scan.marker
    readings = []
    for r in range(mark_row + 1, len(grid) + 1):
        row = grid[r - 1]
        code = row[code_col - 1] if len(row) >= code_col else None
        if _blank(code):
            continue
        figure = definition.by_code.get(str(code).strip())
        if figure is None:
            sheet.problem("template_code", say(MSG_CODE_UNKNOWN, code=code), row=r, col=code_col)
            continue
        value = row[value_col - 1] if len(row) >= value_col else None
        readings.append(_Reading([figure], r, value_col, value, (value_col, value_col)))
    read = {f.code for reading in readings for f in reading.figures}
    for figure in definition.figures:
        if figure.code not in read:
            sheet.problem("template_code", say(MSG_CODE_MISSING, path=figure.cell_name), figure=figure.code)
    return readings


def _per_figure_rows(grid: Grid, scan: _Scan, leaf: Leaf, r: int, col: int) -> list[_Reading]:
    """A leaf whose figures sit on rows of their own, each under a sub-label (场次 / 人次) in column `col`."""
    readings = []
    for figure in leaf.figures:
        wanted = normalise_label(figure.label)
        for fr in range(r, min(r + len(leaf.figures), len(grid) + 1)):
            row = grid[fr - 1]
            if len(row) >= col and normalise_label(row[col - 1]) == wanted:
                vcol, value, last = _next_value(grid, scan, fr, col, {normalise_label(figure.unit)} - {""})
                readings.append(_Reading([figure], fr, vcol or col + 1, value, (col + 1, last)))
                break
        else:  # no row for this figure: it reads as empty, and the user is asked about it
            readings.append(_Reading([figure], r, col + 1, None, (col + 1, col + 1)))
    return readings


def _leaf_readings(grid: Grid, scan: _Scan, leaf: Leaf, r: int, c: int) -> list[_Reading]:
    col, value, last = _next_value(grid, scan, r, c, leaf.units)
    if isinstance(value, str) and normalise_label(value) in leaf.sub_labels:
        return _per_figure_rows(grid, scan, leaf, r, col)
    return [_Reading(list(leaf.figures), r, col or 0, value, (c + 1, last))]


def _attachment_readings(sheet: ParsedSheet, grid: Grid, scan: _Scan, index: LabelIndex) -> list[_Reading]:
    """The attachment's layout: each leaf found by its label, its value to the right."""
    first: dict[int, tuple[int, int]] = {}
    readings = []
    for r, c, label, leaf in scan.hits:
        if leaf is None:
            sheet.problem("label_ambiguous", say(MSG_LABEL_AMBIGUOUS, label=label), row=r, col=c)
            continue
        if leaf.row.id in first:
            other = sheet.place(*first[leaf.row.id]).rsplit("!", 1)[-1]
            sheet.problem("label_twice", say(MSG_LABEL_TWICE, label=label, other=other), row=r, col=c)
            continue
        first[leaf.row.id] = (r, c)
        found = _leaf_readings(grid, scan, leaf, r, c)
        readings.extend(found)
    for leaf in index.all_leaves:
        if leaf.row.id not in first:
            sheet.problem(
                "label_missing", say(MSG_LABEL_MISSING, path=leaf.figures[0].path), figure=leaf.figures[0].code
            )
    _place_empty_cells(readings)
    return readings


def _place_empty_cells(readings: list[_Reading]) -> None:
    """An empty value is expected in the column where most of the sheet's values are."""
    columns = Counter(reading.col for reading in readings if reading.value is not None)
    usual = columns.most_common(1)[0][0] if columns else 0
    for reading in readings:
        if reading.value is None and not reading.col:
            reading.col = usual if usual >= reading.search[0] else reading.search[0]


# --- the unit ------------------------------------------------------------------------------------------------


def _unit_named_in_cell(grid: Grid, scan: _Scan) -> str:
    """What the 填报单位 cell names: the text after the label, else the next cell to the right."""
    r, c, text = scan.unit_cell
    match = _UNIT_CELL.search(text)
    rest = _OTHER_FIELDS.split(match["rest"])[0] if match else ""
    if not rest:
        col, value, _ = _next_value(grid, _Scan(), r, c, set())
        rest = _OTHER_FIELDS.split(normalise_label(value))[0] if col else ""
    return rest


def _read_unit(sheet: ParsedSheet, grid: Grid, scan: _Scan, units: UnitNames) -> None:
    """The unit: named in a 填报单位 cell, else by the sheet name. A problem, never a fallback, when the cell
    names no known unit or another unit than the sheet name does, or when nothing names a known unit."""
    by_sheet = unit_resolve(sheet.sheet, units)
    named = _unit_named_in_cell(grid, scan) if scan.unit_cell else ""
    if named:
        r, c, _ = scan.unit_cell
        unit = unit_resolve(named, units)
        if unit is None:
            sheet.problem("unknown_unit", say(MSG_UNKNOWN_UNIT, text=named), row=r, col=c)
        elif by_sheet is not None and by_sheet.pk != unit.pk:
            sheet.problem("unit_conflict", say(MSG_UNIT_CONFLICT, cell=named, sheet=sheet.sheet), row=r, col=c)
        else:
            sheet.unit, sheet.unit_text = unit, named
        return
    if by_sheet is None:
        sheet.problem("unknown_unit", say(MSG_NO_UNIT))
    else:
        sheet.unit, sheet.unit_text = by_sheet, sheet.sheet


# --- values ----------------------------------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """A cell's value as the text a person typed: whole floats without ".0", None for an empty cell.
    Raises ValueError (Chinese message) for dates, times and Excel error values."""
    if _blank(value):
        return None
    if isinstance(value, datetime | date | time | timedelta):
        raise ValueError(say(MSG_DATE))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text in EXCEL_ERRORS:
        raise ValueError(say(MSG_EXCEL_ERROR, error=text))
    return text


def read_cell(text: str, figures: list[FigureDef]) -> dict[str, str]:
    """The text of each figure of one cell (a leaf's figures, or one figure): compound.split_cell, except that a
    cell saying none (ZERO_MARKS, or as many zeros as the cell has numbers) gives "0" for each number figure and
    "" (no method named) for a text figure. A number that could be either figure (a bare ``12`` in a cell of 场次
    and 人次) is still a CompoundCellError, and a cell naming one figure (``3场``) still leaves the other empty."""
    numbers = sum(1 for figure in figures if figure.is_number)
    zeros = _BETWEEN_ZEROS.split(unicodedata.normalize("NFKC", text).strip())
    if normalise(text) in ZERO_MARKS or (numbers > 1 and zeros == ["0"] * numbers):
        return {figure.code: "0" if figure.is_number else "" for figure in figures}
    return split_cell(text, figures)


def _name(reading: _Reading) -> str:
    """How a person names the cell of a reading: its figure, or the leaf when the cell holds several."""
    return reading.figures[0].cell_name if len(reading.figures) == 1 else reading.figures[0].path


def _store(sheet: ParsedSheet, figure: FigureDef, part: str, reading: _Reading) -> None:
    """Keep one figure's text as its value, or a problem at the reading's cell saying what was expected."""
    sheet.raw[figure.code] = part
    where = {"row": reading.row, "col": reading.col, "figure": figure.code}
    if not figure.is_number:
        if len(part) > MAX_TEXT:
            sheet.problem("bad_value", f"{figure.cell_name}：{say(MSG_TOO_LONG, limit=MAX_TEXT)}", **where)
        else:
            sheet.values[figure.code] = part
        return
    try:
        sheet.values[figure.code] = parse_whole_number(part)
    except NumberParseError as exc:
        sheet.problem("bad_value", f"{figure.cell_name}：{exc}", **where)


def _take(sheet: ParsedSheet, reading: _Reading) -> None:
    """Turn one reading into values, empties and problems."""
    for figure in reading.figures:
        sheet.places[figure.code] = sheet.place(reading.row, reading.col)
    try:
        text = cell_text(reading.value)
        parts = {} if text is None else read_cell(text, reading.figures)
    except ValueError as exc:  # CompoundCellError, or a date / an Excel error in the cell
        code = reading.figures[0].code
        sheet.problem("bad_value", f"{_name(reading)}：{exc}", row=reading.row, col=reading.col, figure=code)
        return
    for figure in reading.figures:
        if figure.code in parts:
            _store(sheet, figure, parts[figure.code], reading)
        else:
            sheet.empty.append(figure.code)


def _uncalculated_formulas(sheet: ParsedSheet, readings: list[_Reading], grid: Grid, formulas: _Formulas) -> None:
    """Empty cells that are really formulas without a cached value become problems, not empties."""
    blank = [reading for reading in readings if reading.value is None]
    ranges = [(reading.row, *reading.search) for reading in blank]
    found = formulas.find(sheet.sheet, ranges, grid)
    for reading in blank:
        col = next((c for (r, c) in found if r == reading.row and reading.search[0] <= c <= reading.search[1]), None)
        if col is None:
            continue
        for figure in reading.figures:
            if figure.code in sheet.empty:
                sheet.empty.remove(figure.code)
        message = say(MSG_FORMULA, name=_name(reading))
        sheet.problem("formula", message, row=reading.row, col=col, figure=reading.figures[0].code)


def _parse_sheet(
    ws, grid: Grid, *, file_name: str, definition: FormDefinition, index: LabelIndex, units: UnitNames, formulas
) -> ParsedSheet | None:
    """One sheet read in the layout it is in; None when it does not hold the table."""
    scan = _scan(grid, index)
    if not _is_table(scan, index):
        return None
    sheet = ParsedSheet(file_name, ws.title, "template" if scan.marker else "attachment")
    _read_unit(sheet, grid, scan, units)
    if scan.marker:
        readings = _template_readings(sheet, grid, scan, definition)
    else:
        readings = _attachment_readings(sheet, grid, scan, index)
    for reading in readings:
        _take(sheet, reading)
    _uncalculated_formulas(sheet, readings, grid, formulas)
    order = [f.code for f in definition.figures]
    sheet.values = {code: sheet.values[code] for code in order if code in sheet.values}
    sheet.empty = [code for code in order if code in sheet.empty]
    return sheet


def parse_workbook(
    data: bytes,
    *,
    file_name: str,
    definition: FormDefinition,
    units: list[Unit] | UnitNames,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> list[ParsedSheet]:
    """Every visible sheet of the workbook that holds the table, read as one unit's figures.

    Raises :class:`WorkbookRefused` for a file that is not a safe .xlsx (safety.check_workbook_bytes), a sheet
    of more than `max_cells` cells, or a workbook with no table at all. Everything else wrong is a Problem on
    its sheet, named `FILE!SHEET!CELL`. Sheets without the table (notes, hidden sheets) are left out. Units are
    recognised with units.selectors.unit_resolve among `units` (a list, or a UnitNames built once for many
    files), never guessed.
    """
    check_workbook_bytes(data, name=file_name, max_uncompressed=max_uncompressed, max_entries=max_entries)
    index = LabelIndex.of(definition)
    names = units if isinstance(units, UnitNames) else UnitNames(units)  # one index for every sheet
    sheets = []
    with closing(_open(data, file_name, data_only=True)) as wb, closing(_Formulas(data, file_name, max_cells)) as f:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            grid = _read_grid(ws, place=f"{file_name}!{ws.title}", max_cells=max_cells)
            parsed = _parse_sheet(
                ws, grid, file_name=file_name, definition=definition, index=index, units=names, formulas=f
            )
            if parsed is not None:
                sheets.append(parsed)
    if not sheets:
        leaf = index.all_leaves[0].row.label if index.all_leaves else ""
        raise WorkbookRefused(say(MSG_NO_TABLE, example=leaf), place=file_name)
    return sheets
