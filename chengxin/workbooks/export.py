"""Workbooks and CSV out: the consolidated national table, one unit's filled table, every figure in long format.

Pure functions: they take the form definition and the values (workbooks.selectors reads them) and return the
file's bytes. Every text a unit or an administrator typed is passed through :func:`neutralise` on its way into a
spreadsheet, so that a name or a method such as ``=HYPERLINK(…)`` is shown as text and never run as a formula.

The national table is written with openpyxl's write-only (streaming) worksheet: merged cells, frozen panes,
column widths, row heights, print titles and page set-up are all expressible there (they are kept on the
worksheet and written after, or before, the rows), and it keeps memory flat for 3,400 units. Its workbook has
two sheets: the official layout (全国汇总: the form's rows, one column per unit) and the same figures laid out for
A4 paper (打印版: one row per unit, printlayout.PrintLayout). Every cell of both is in one font family
(printlayout.FONT_NAME), which is also the workbook's default font. The tables are in Chinese whatever the
interface language, like the template.
"""

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openpyxl import LXML, Workbook, load_workbook
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.dimensions import ColumnDimension, RowDimension
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from chengxin.core.spreadsheets import neutralise
from chengxin.statform.definition import FigureDef, FormDefinition
from chengxin.workbooks import printlayout as paper
from chengxin.workbooks.printlayout import TOTAL_LABEL, PrintLayout, methods_total
from chengxin.workbooks.template import FIRST_ROW as TEMPLATE_FIRST_ROW
from chengxin.workbooks.template import Columns, build_template

# The column groups of the national table, in printed order (UnitColumn.group is one of these).
GROUP_PROVINCES = "省、自治区、直辖市"
GROUP_PLANNED_CITIES = "计划单列市"
GROUP_CORPS = "新疆生产建设兵团"
GROUP_NATIONAL_BODIES = "国家部门和单位"
GROUP_LOCAL = "地市及区县"
GROUPS = (GROUP_PROVINCES, GROUP_PLANNED_CITIES, GROUP_CORPS, GROUP_NATIONAL_BODIES, GROUP_LOCAL)
# The groups as the print sheet's 类别 column names them, short enough for one line.
GROUP_SHORT = {
    GROUP_PROVINCES: "省级",
    GROUP_PLANNED_CITIES: "计划单列市",
    GROUP_CORPS: "兵团",
    GROUP_NATIONAL_BODIES: "国家部门",
    GROUP_LOCAL: "地市区县",
}

SHEET_TITLE = "全国汇总"
PRINT_SHEET_TITLE = "打印版"
NUMBER_FORMAT = "#,##0"
CSV_COLUMNS = ("campaign", "unit_code", "unit_name", "figure_code", "figure_label", "value", "status")
# The CSV's first header row, for people (Excel shows it as the column titles); the second row is CSV_COLUMNS,
# for scripts that find columns by name. Chinese whatever the interface language, like the national table.
CSV_HEADINGS = {
    "campaign": "年度",
    "unit_code": "单位代码",
    "unit_name": "单位名称",
    "figure_code": "指标代码",
    "figure_label": "指标名称",
    "value": "指标值",
    "status": "报送状态",
}

# National table rows: title, then three header rows (group, unit name, unit code), then one row per figure.
TITLE_ROW, GROUP_ROW, NAME_ROW, CODE_ROW, FIRST_ROW = 1, 2, 3, 4, 5
# Unit columns per printed page (A4 landscape at a readable size); the label columns repeat on every page.
UNITS_PER_PAGE = 20


def _text(value: object) -> str:
    """A text for a national-table cell: neutralised, without the control characters XML cannot carry."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


@dataclass(frozen=True)
class UnitColumn:
    """One unit's column of the national table; `group` is one of GROUPS."""

    code: str
    name: str
    group: str


# --- the consolidated national table --------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")


def _font(size: float = paper.DEFAULT_FONT_PT, *, bold: bool = False) -> Font:
    """The one font family of the workbook (printlayout.FONT_NAME), marked sans serif (family 2) and Chinese
    (charset 134, GB2312) for a program that has to stand another font in for it."""
    return Font(name=paper.FONT_NAME, size=size, bold=bold, family=2, charset=134)


def _use_one_font(wb: Workbook) -> None:
    """Make the family the workbook's default font (font 0, the Normal style's): what Excel and LibreOffice
    measure column widths by, and what an unstyled cell shows. openpyxl has no public setting for it; it is
    pinned (pyproject.toml) and the export tests read the default font back."""
    wb._fonts = IndexedList([_font()])
    wb._named_styles["Normal"].font = _font()


def _register(ws, specs: dict[str, dict]) -> dict[str, int]:
    """The workbook's style id of each kind of cell, registered once, so that writing a cell is naming its
    style instead of setting font, border and format on each of thousands of cells. A spec without a font
    gets the workbook's family at the default size."""
    ids = {}
    for name, attributes in specs.items():
        cell = Cell(ws)
        for attribute, value in {"font": _font(), **attributes}.items():
            setattr(cell, attribute, value)
        ids[name] = cell.style_id
    return ids


def _style_ids(ws) -> dict[str, int]:
    return _register(
        ws,
        {
            "title": {"font": _font(16, bold=True), "alignment": Alignment(horizontal="left", vertical="center")},
            "head": {"font": _font(bold=True), "alignment": _CENTRE, "fill": _HEAD_FILL, "border": _BORDER},
            "label": {"alignment": _CENTRE, "border": _BORDER},
            "label_left": {"alignment": _LEFT, "border": _BORDER},
            "blank": {"border": _BORDER},
            "number": {"border": _BORDER, "number_format": NUMBER_FORMAT},
            "text": {"border": _BORDER, "alignment": _LEFT},
            "total_number": {
                "font": _font(bold=True),
                "fill": _TOTAL_FILL,
                "border": _BORDER,
                "number_format": NUMBER_FORMAT,
            },
            "total_text": {"font": _font(bold=True), "fill": _TOTAL_FILL, "border": _BORDER, "alignment": _LEFT},
        },
    )


@dataclass(frozen=True)
class _Layout:
    """Where things go in the national table, 1-based: label columns 1…depth, the figure's label, its unit of
    measure, one column per unit, the total."""

    depth: int
    units: int

    @property
    def figure(self) -> int:
        return self.depth + 1

    @property
    def measure(self) -> int:
        return self.depth + 2

    @property
    def first_unit(self) -> int:
        return self.depth + 3

    @property
    def total(self) -> int:
        return self.first_unit + self.units

    @property
    def width(self) -> int:
        return self.total


class _Rows:
    """The national table's rows before they are streamed: each row a list of values and a list of style ids
    by column (style None: nothing written there). Merges are recorded as they are made; the covered cells
    of a merge get the border, so that the frame prints whole."""

    def __init__(self, ws, styles: dict[str, int], width: int):
        self.ws, self.styles, self.width = ws, styles, width
        self.pending: dict[int, tuple[list, list]] = {}
        self.written = 0

    def row(self, r: int) -> tuple[list, list]:
        if r not in self.pending:
            self.pending[r] = ([None] * self.width, [None] * self.width)
        return self.pending[r]

    def put(self, r: int, c: int, value, style: str) -> None:
        values, styles = self.row(r)
        values[c - 1], styles[c - 1] = value, self.styles[style]

    def merge(self, r: int, c: int, value, style: str, *, rows: int = 1, cols: int = 1, frame: bool = True) -> None:
        self.put(r, c, value, style)
        if rows == 1 and cols == 1:
            return
        for rr in range(r, r + rows):
            for cc in range(c, c + cols):
                if (rr, cc) != (r, c) and frame:
                    self.put(rr, cc, None, "blank")
        self.ws.merged_cells.add(f"{get_column_letter(c)}{r}:{get_column_letter(c + cols - 1)}{r + rows - 1}")

    def flush(self, upto: int) -> None:
        """Stream every row up to `upto` to the sheet (a write-only sheet takes its rows in order), each at the
        height its row dimension gives (see _stream_rows)."""
        while self.written < upto:
            self.written += 1
            values, styles = self.pending.pop(self.written, ((), ()))
            self.ws.append((values, styles, None))


class _StreamedCell(Cell):
    """The one cell object through which a cell is written by openpyxl's own writer (see _streamed_cells): it
    carries the id of an already registered style instead of a style of its own."""

    __slots__ = ("style_id",)
    has_style = True


def _streamed_cells(ws):
    """What turns a row (its values and style ids) into cells for openpyxl's cell writer, in place of
    openpyxl's own conversion (WriteOnlyWorksheet._values_to_row), which makes a new cell object for each
    styled value. The writer writes each cell before it asks for the next, so one cell object serves the
    whole sheet."""
    cell = _StreamedCell(ws, row=1, column=1)

    def cells(values: list, styles: list, row_idx: int):
        cell.row = row_idx
        for column, (value, style) in enumerate(zip(values, styles, strict=True), 1):
            if style is not None:
                cell.column = column
                cell.value, cell.style_id = value, style
                yield cell

    return cells


def _stream_rows(ws) -> None:
    """Let the write-only sheet `ws` take its rows as (values, style ids, height): a value and a style id for
    each column (style None: no cell there), and the row's height in points (None: as ws.row_dimensions has
    it, which must then be set before the row is appended). The rows are written by _RowWriter. Call it
    before the first row is appended; openpyxl is pinned (pyproject.toml), and the export tests read every
    cell, style, merge and row height back."""
    ws._values_to_row = lambda row, _row_idx: row  # the rows go to _RowWriter as they are
    create_writer = ws._get_writer  # which writes everything before the rows (columns, panes): at the first row

    def get_writer():
        if ws._writer is None:
            create_writer()
            ws._writer.write_row = _RowWriter(ws, ws._writer.write_row)

    ws._get_writer = get_writer


def _escape_attribute(value: str) -> str:
    """An attribute value as xml.etree (and so et_xmlfile) escapes it."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return value.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _plain_text(value: str) -> bool:
    """Whether openpyxl keeps `value` as an inline string just as it is (not a formula, an error code, too
    long or with a character XML cannot carry)."""
    return (
        len(value) <= 32767
        and not (len(value) > 1 and value[0] == "=")
        and value not in ERROR_CODES
        and ILLEGAL_CHARACTERS_RE.search(value) is None
    )


class _RowWriter:
    """Writes a row of the national table as openpyxl's writer (openpyxl.cell._writer.etree_write_cell
    through et_xmlfile) would, character for character, in one piece: openpyxl builds and serialises an
    element tree for each cell, which took most of the export's time (bench/workbooks_bench.py). A value
    other than None, an int or a plain text, and every row when openpyxl writes with lxml, goes through
    openpyxl's own writer."""

    def __init__(self, ws, openpyxl_write_row):
        self.ws, self.openpyxl_write_row = ws, openpyxl_write_row
        self.cells = _streamed_cells(ws)
        self.letters = [""]

    def __call__(self, xf, row: tuple[list, list, float | None], row_idx: int) -> None:
        values, styles, height = row
        if LXML:
            self._by_openpyxl(xf, values, styles, height, row_idx)
            return
        write = xf._file  # et_xmlfile's text writer, which xf.write writes an element to
        while len(self.letters) <= len(values):
            self.letters.append(get_column_letter(len(self.letters)))
        r = str(row_idx)
        if height is None:
            attributes = self.ws.row_dimensions.get(row_idx, ())  # a RowDimension gives its (name, value)s
        else:
            attributes = (("ht", safe_string(float(height))), ("customHeight", "1"))
        parts = [f'<row r="{r}"', *(f' {k}="{_escape_attribute(v)}"' for k, v in attributes), ">"]
        letters = self.letters
        for column, (value, style) in enumerate(zip(values, styles, strict=True), 1):
            if style is None:
                continue
            letter = letters[column]
            if value is None:
                parts.append(f'<c r="{letter}{r}" s="{style}" t="n" />')
            elif type(value) is int:
                parts.append(f'<c r="{letter}{r}" s="{style}" t="n"><v>{value:.16g}</v></c>')
            elif type(value) is str and _plain_text(value):
                if not value:
                    parts.append(f'<c r="{letter}{r}" s="{style}" t="inlineStr" />')
                    continue
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and stripped != value else ""
                text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                parts.append(f'<c r="{letter}{r}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            else:
                write("".join(parts))
                parts = []
                cell = next(self.cells([value], [style], row_idx))
                cell.column = column
                write_cell(xf, self.ws, cell, True)
        parts.append("</row>")
        write("".join(parts))

    def _by_openpyxl(self, xf, values: list, styles: list, height: float | None, row_idx: int) -> None:
        dimensions = self.ws.row_dimensions
        if height is not None:
            dimensions[row_idx] = RowDimension(self.ws, index=row_idx, ht=height)
        self.openpyxl_write_row(xf, self.cells(values, styles, row_idx), row_idx)
        if height is not None:
            del dimensions[row_idx]  # written: memory stays flat


def _in_group_order(columns: list[UnitColumn]) -> list[UnitColumn]:
    """The columns grouped in GROUPS order, keeping the given order inside each group."""
    unknown = {c.group for c in columns} - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown column group(s): {', '.join(sorted(unknown))}")
    return sorted(columns, key=lambda c: GROUPS.index(c.group))


def _headers(out: _Rows, layout: _Layout, columns: list[UnitColumn]) -> None:
    span = CODE_ROW - GROUP_ROW + 1
    out.merge(GROUP_ROW, 1, "项目", "head", rows=span, cols=layout.depth)
    out.merge(GROUP_ROW, layout.figure, "指标", "head", rows=span)
    out.merge(GROUP_ROW, layout.measure, "计量单位", "head", rows=span)
    out.merge(GROUP_ROW, layout.total, TOTAL_LABEL, "head", rows=span)
    start = 0
    while start < len(columns):
        group = columns[start].group
        end = start
        while end < len(columns) and columns[end].group == group:
            end += 1
        out.merge(GROUP_ROW, layout.first_unit + start, group, "head", cols=end - start)
        start = end
    for i, column in enumerate(columns):
        out.put(NAME_ROW, layout.first_unit + i, _text(column.name), "head")
        out.put(CODE_ROW, layout.first_unit + i, _text(column.code), "head")


def _labels(out: _Rows, definition: FormDefinition, heights: list[int]) -> None:
    """Group, sub-group and leaf labels merged over the rows of their leaves' figures, as on paper (the same
    arrangement as the template)."""
    lines = definition.table_lines()
    starts = [FIRST_ROW + sum(heights[:i]) for i in range(len(lines))]
    for i, line in enumerate(lines):
        first_col = line.leaf.depth - len(line.labels) + 2  # the labels starting here end with the leaf
        for j, cell in enumerate(line.labels):
            rows = sum(heights[i : i + cell.rowspan])
            style = "label" if cell.colspan == 1 or rows > 1 else "label_left"
            out.merge(starts[i], first_col + j, _text(cell.label), style, rows=rows, cols=cell.colspan)


def _figure_row(out: _Rows, r: int, figure: FigureDef, layout: _Layout, columns, values) -> None:
    """One figure's row: its label and unit of measure, each unit's value, the national total."""
    out.put(r, layout.figure, _text(figure.label), "label")
    out.put(r, layout.measure, _text(figure.unit) if figure.unit else None, "label")
    number, text, blank = out.styles["number"], out.styles["text"], out.styles["blank"]
    column_values = [values.get(column.code, {}).get(figure.code) for column in columns]
    cells, styles = [], []
    for value in column_values:
        if value is None or value == "":
            cells.append(None)
            styles.append(blank)
        elif isinstance(value, int) and not isinstance(value, bool):
            cells.append(value)
            styles.append(number)
        else:
            cells.append(_text(value))
            styles.append(text)
    row_values, row_styles = out.row(r)
    row_values[layout.first_unit - 1 : layout.total - 1] = cells
    row_styles[layout.first_unit - 1 : layout.total - 1] = styles
    if figure.is_number:
        total = sum(v for v in column_values if isinstance(v, int) and not isinstance(v, bool))
        out.put(r, layout.total, total, "total_number")
    else:
        out.put(r, layout.total, _text(methods_total(column_values)), "total_text")


def _page(ws, layout: _Layout) -> None:
    """A4 landscape, scaled to as many pages across as the unit columns need (UNITS_PER_PAGE each) and
    automatic height; the title and header rows and the label columns repeat on every page."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = max(1, math.ceil((layout.units + 1) / UNITS_PER_PAGE))
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{TITLE_ROW}:{CODE_ROW}"
    ws.print_title_cols = f"A:{get_column_letter(layout.measure)}"
    _footer(ws)


def _footer(ws) -> None:
    """Page numbers at the foot of every page, in the workbook's family."""
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = f"{paper.FONT_NAME},Regular"
    ws.oddFooter.center.size = 9


_UNIT_WIDTH, _TOTAL_WIDTH = 13, 18  # the official sheet's unit columns and its 全国合计 column


def _sheet_top(ws, layout: _Layout) -> None:
    """What a write-only sheet writes before its rows: page fit, frozen panes, column widths."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = f"{get_column_letter(layout.first_unit)}{FIRST_ROW}"
    widths = {c: 10 for c in range(1, layout.depth)} | {layout.depth: 24, layout.figure: 9, layout.measure: 8}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)] = ColumnDimension(ws, index=get_column_letter(col), width=width)
    if layout.units:
        # One <col> element for every unit column.
        first = get_column_letter(layout.first_unit)
        ws.column_dimensions[first] = ColumnDimension(
            ws, index=first, min=layout.first_unit, max=layout.total - 1, width=_UNIT_WIDTH
        )
    total = get_column_letter(layout.total)
    ws.column_dimensions[total] = ColumnDimension(ws, index=total, width=_TOTAL_WIDTH)
    ws.row_dimensions[TITLE_ROW].height = 30


def national_table(
    *,
    definition: FormDefinition,
    title: str,
    columns: list[UnitColumn],
    values: Mapping[str, Mapping[str, int | str | None]],
    details: str = "",
) -> bytes:
    """The consolidated national table (.xlsx), two sheets.

    全国汇总, the official layout: the form's rows (labels merged as on paper, one row per figure with its label
    and unit of measure), one column per unit under merged group headers (GROUPS order, the given order inside
    a group), then 全国合计: the sum of each number figure, and for a text figure how many units named each
    method ("展板 12、手册 9"). `values` maps unit code → figure code → value; a unit absent from it, or a
    figure absent for a unit, is a blank cell. Frozen panes at the first value cell, `#,##0` on number cells,
    A4 landscape with the header rows and label columns repeated on every page. Its title row is `title`
    followed by `details` (which reports, as of when, who exported).

    打印版, the same figures for paper (printlayout.PrintLayout): `title` and `details` in two rows, then one row
    per unit (code, name, group) under the figures' headers, 全国合计 first; A4 landscape, one page wide.
    """
    columns = _in_group_order(list(columns))
    wb = Workbook(write_only=True)
    _use_one_font(wb)
    _official_sheet(wb, definition, f"{title}　{details}" if details else title, columns, values)
    _print_sheet(wb, print_layout(definition=definition, title=title, details=details, columns=columns, values=values))
    wb.properties.title = title
    wb.properties.creator = "诚信兴商宣传月活动管理平台"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def print_layout(
    *,
    definition: FormDefinition,
    title: str,
    details: str,
    columns: list[UnitColumn],
    values: Mapping[str, Mapping[str, int | str | None]],
) -> PrintLayout:
    """The national table for paper, units in the national table's order: the 打印版 sheet and the PDF."""
    return PrintLayout(
        definition=definition,
        heading=title,
        details=details,
        units=_in_group_order(list(columns)),
        values=values,
        group_labels=GROUP_SHORT,
    )


def _official_sheet(wb: Workbook, definition: FormDefinition, title: str, columns: list[UnitColumn], values):
    layout = _Layout(depth=definition.depth, units=len(columns))
    ws = wb.create_sheet(SHEET_TITLE)
    _stream_rows(ws)
    styles = _style_ids(ws)
    _sheet_top(ws, layout)
    out = _Rows(ws, styles, layout.width)
    out.put(TITLE_ROW, 1, _text(title), "title")
    _headers(out, layout, columns)
    heights = [max(1, len(line.leaf.figures)) for line in definition.table_lines()]
    _labels(out, definition, heights)
    out.flush(CODE_ROW)
    for k, figure in enumerate(_figures_in_table_order(definition)):
        _figure_row(out, FIRST_ROW + k, figure, layout, columns, values)
        if not figure.is_number:  # its texts wrap: a row tall enough for the longest (nothing is clipped)
            ws.row_dimensions[FIRST_ROW + k] = RowDimension(ws, index=FIRST_ROW + k, ht=_text_row_height(out, k))
        out.flush(FIRST_ROW + k)
    _page(ws, layout)


def _text_row_height(out: _Rows, k: int) -> float:
    """The height of a text figure's row in the official sheet, by the lines of its longest text (the
    printlayout estimate, at the unit columns' and the total's widths); at most Excel's largest."""
    row_values, _styles = out.row(FIRST_ROW + k)
    last = len(row_values)
    lines = 1
    for column, value in enumerate(row_values, 1):
        if isinstance(value, str) and value:
            width = _TOTAL_WIDTH if column == last else _UNIT_WIDTH
            lines = max(lines, paper.lines_in(value, width, paper.DEFAULT_FONT_PT))
    return min(409.0, round(paper.line_height(lines, paper.DEFAULT_FONT_PT), 1))


def _figures_in_table_order(definition: FormDefinition) -> list[FigureDef]:
    return [figure for line in definition.table_lines() for figure in line.leaf.figures]


# --- the national table for paper ---------------------------------------------------------------------------

# The print sheet's rows: two title rows (title, details), the header rows, then the body.
PRINT_FIRST_HEAD_ROW = 3
_TOP_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_ONE_LINE = Alignment(horizontal="left", vertical="center")
_RIGHT = Alignment(horizontal="right", vertical="center")
_MIDDLE = Alignment(horizontal="center", vertical="center")


def _print_style_ids(ws, *, wrap_titles: bool) -> dict[str, int]:
    size = paper.BODY_PT
    title_alignment = _TOP_LEFT if wrap_titles else _ONE_LINE
    total = {"font": _font(size), "fill": _TOTAL_FILL, "border": _BORDER}  # its figures as wide as the units'
    return _register(
        ws,
        {
            "title": {"font": _font(paper.TITLE_PT, bold=True), "alignment": title_alignment},
            "details": {"font": _font(size), "alignment": title_alignment},
            "head": {"font": _font(size, bold=True), "alignment": _CENTRE, "fill": _HEAD_FILL, "border": _BORDER},
            "blank": {"font": _font(size), "border": _BORDER},
            paper.CODE: {"font": _font(size), "alignment": _ONE_LINE, "border": _BORDER},
            paper.NAME: {"font": _font(size), "alignment": _LEFT, "border": _BORDER},
            paper.GROUP: {"font": _font(size), "alignment": _MIDDLE, "border": _BORDER},
            paper.NUMBER: {"font": _font(size), "alignment": _RIGHT, "border": _BORDER, "number_format": NUMBER_FORMAT},
            paper.TEXT: {"font": _font(size), "alignment": _LEFT, "border": _BORDER},
            "total_label": {**total, "font": _font(size, bold=True), "alignment": _MIDDLE},
            "total_blank": total,
            "total_number": {**total, "alignment": _RIGHT, "number_format": NUMBER_FORMAT},
            "total_text": {**total, "alignment": _LEFT},
        },
    )


def _print_sheet(wb: Workbook, layout: PrintLayout) -> None:
    """The second sheet: `layout` as rows (see printlayout), streamed like the official sheet, each row with
    its height (a streamed sheet cannot autofit)."""
    ws = wb.create_sheet(PRINT_SHEET_TITLE)
    _stream_rows(ws)
    styles = _print_style_ids(ws, wrap_titles=layout.one_page_across)
    width = len(layout.columns)
    first_body = PRINT_FIRST_HEAD_ROW + layout.head_rows
    ws.sheet_properties.pageSetUpPr.fitToPage = layout.one_page_across
    ws.freeze_panes = f"{get_column_letter(layout.labels + 1)}{first_body}"
    for i, column in enumerate(layout.columns, 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter] = ColumnDimension(ws, index=letter, width=column.width)

    out = _Rows(ws, styles, width)
    heights = [*layout.title_heights, *layout.head_heights]
    for r, height in enumerate(heights, 1):
        ws.row_dimensions[r] = RowDimension(ws, index=r, ht=height)
    title_cols = width if layout.one_page_across else 1  # else it overflows to the right on every page across
    out.merge(1, 1, _text(layout.heading), "title", cols=title_cols, frame=False)
    out.merge(2, 1, _text(layout.details), "details", cols=title_cols, frame=False)
    for cell in layout.head:
        r, c = PRINT_FIRST_HEAD_ROW + cell.row, 1 + cell.col
        out.merge(r, c, _text(cell.text), "head", rows=cell.rows, cols=cell.cols)
    out.flush(first_body - 1)

    ids = [styles[column.kind] for column in layout.columns]
    total_ids = [styles["total_label"], styles["total_blank"], styles["total_blank"]] + [
        styles["total_number" if column.kind == paper.NUMBER else "total_text"]
        for column in layout.columns[layout.labels :]
    ]
    blank = styles["blank"]
    for r, line in enumerate(layout.body(), first_body):
        if line.is_total:
            ws.merged_cells.add(f"A{r}:{get_column_letter(layout.labels)}{r}")
            cells, row_ids = [_text(v) if isinstance(v, str) else v for v in line.values], total_ids
        else:
            cells = [_text(v) if isinstance(v, str) else v for v in line.values]
            row_ids = [blank if v is None else i for v, i in zip(cells, ids, strict=True)]
        ws.append((cells, row_ids, line.height))
    _print_page(ws, layout, first_body)


def _print_page(ws, layout: PrintLayout, first_body: int) -> None:
    """A4 landscape, narrow margins, centred; one page wide with automatic height (or, when the figures need
    more than one page across, a fixed scale with a break after each page's figures); the title and header
    rows repeat on every page, the label columns on every page across."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_margins = PageMargins(
        left=paper.MARGIN_SIDE_IN,
        right=paper.MARGIN_SIDE_IN,
        top=paper.MARGIN_TOP_IN,
        bottom=paper.MARGIN_BOTTOM_IN,
        header=paper.MARGIN_HEADER_IN,
        footer=paper.MARGIN_FOOTER_IN,
    )
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"1:{first_body - 1}"
    if layout.one_page_across:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    else:
        ws.page_setup.scale = math.floor(layout.scale * 100)
        ws.print_title_cols = f"A:{get_column_letter(layout.labels)}"
        for group in layout.page_groups[:-1]:
            ws.col_breaks.append(Break(id=layout.labels + group.stop))
    _footer(ws)


# --- one unit's filled table ----------------------------------------------------------------------------------


def _fill_cell(cell, figure: FigureDef, value) -> None:
    if value is None or value == "":
        return
    if figure.is_number and isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters no .xlsx can hold
    cell.value = text
    # A text is stored as a text cell even when it starts with "=", marked the way Excel marks the apostrophe
    # a person types in front (quotePrefix), not with a literal apostrophe, which would come back on import
    # as part of the value.
    cell.data_type = "s"
    if neutralise(text) != text:
        cell.quotePrefix = True


def unit_filled(
    *, definition: FormDefinition, unit_code: str, unit_name: str, campaign_title: str, values: Mapping
) -> bytes:
    """The unit's template (template.build_template) with `values` (figure code → int or text) in its input
    cells, so that parse.parse_workbook reads back exactly those values (a text as the parser keeps it: without
    white space around it); a figure without a value (None or empty) is left empty. A text that starts like a
    formula is stored as text, never as a formula."""
    template = build_template(definition, unit_code=unit_code, unit_name=unit_name, campaign_title=campaign_title)
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    cols = Columns(definition.depth)
    for row in ws.iter_rows(min_row=TEMPLATE_FIRST_ROW, min_col=cols.value, max_col=cols.code):
        value_cell, code = row[0], row[-1].value
        figure = definition.by_code.get(code) if isinstance(code, str) else None
        if figure is not None:
            _fill_cell(value_cell, figure, values.get(figure.code))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- every figure in long format ------------------------------------------------------------------------------


def _csv_value(value) -> object:
    return "" if value is None else neutralise(value)


def figures_csv(rows: Iterable[Mapping]) -> bytes:
    """The figures as CSV, one line per unit and figure, columns CSV_COLUMNS (a missing key is empty), UTF-8
    with a byte-order mark so that Excel opens it in Chinese; every text neutralised. Two header rows: the
    Chinese column titles (CSV_HEADINGS), then the machine names (CSV_COLUMNS), so that a script skips the
    first line and reads the rest with csv.DictReader."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CSV_HEADINGS[key] for key in CSV_COLUMNS])
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_value(row.get(key)) for key in CSV_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
