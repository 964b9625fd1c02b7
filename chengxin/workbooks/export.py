"""Workbooks and CSV out: the consolidated national table, one unit's filled table, every figure in long format.

Pure functions: they take the form definition and the values (workbooks.selectors reads them) and return the
file's bytes. Every text a unit or an administrator typed is passed through :func:`neutralise` on its way into a
spreadsheet, so that a name or a method such as ``=HYPERLINK(…)`` is shown as text and never run as a formula.

The national table is written with openpyxl's write-only (streaming) worksheet: merged cells, frozen panes,
column widths, print titles and page set-up are all expressible there (they are kept on the worksheet and
written after, or before, the rows), and it keeps memory flat for 3,400 unit columns. The official table is in
Chinese whatever the interface language, like the template.
"""

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

from chengxin.analytics.selectors import split_methods
from chengxin.core.spreadsheets import neutralise
from chengxin.statform.definition import FigureDef, FormDefinition
from chengxin.workbooks.template import FIRST_ROW as TEMPLATE_FIRST_ROW
from chengxin.workbooks.template import Columns, build_template

# The column groups of the national table, in printed order (UnitColumn.group is one of these).
GROUP_PROVINCES = "省、自治区、直辖市"
GROUP_PLANNED_CITIES = "计划单列市"
GROUP_CORPS = "新疆生产建设兵团"
GROUP_NATIONAL_BODIES = "国家部门和单位"
GROUP_LOCAL = "地市及区县"
GROUPS = (GROUP_PROVINCES, GROUP_PLANNED_CITIES, GROUP_CORPS, GROUP_NATIONAL_BODIES, GROUP_LOCAL)

TOTAL_LABEL = "全国合计"
SHEET_TITLE = "全国汇总"
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


def _style_ids(ws) -> dict[str, int]:
    """The workbook's style id of each kind of cell, registered once, so that writing a cell is naming its
    style instead of setting font, border and format on each of thousands of cells."""
    specs = {
        "title": {"font": Font(size=16, bold=True), "alignment": Alignment(horizontal="left", vertical="center")},
        "head": {"font": Font(bold=True), "alignment": _CENTRE, "fill": _HEAD_FILL, "border": _BORDER},
        "label": {"alignment": _CENTRE, "border": _BORDER},
        "label_left": {"alignment": _LEFT, "border": _BORDER},
        "blank": {"border": _BORDER},
        "number": {"border": _BORDER, "number_format": NUMBER_FORMAT},
        "text": {"border": _BORDER, "alignment": _LEFT},
        "total_number": {
            "font": Font(bold=True),
            "fill": _TOTAL_FILL,
            "border": _BORDER,
            "number_format": NUMBER_FORMAT,
        },
        "total_text": {"font": Font(bold=True), "fill": _TOTAL_FILL, "border": _BORDER, "alignment": _LEFT},
    }
    ids = {}
    for name, attributes in specs.items():
        cell = Cell(ws)
        for attribute, value in attributes.items():
            setattr(cell, attribute, value)
        ids[name] = cell.style_id
    return ids


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

    def merge(self, r: int, c: int, value, style: str, *, rows: int = 1, cols: int = 1) -> None:
        self.put(r, c, value, style)
        if rows == 1 and cols == 1:
            return
        for rr in range(r, r + rows):
            for cc in range(c, c + cols):
                if (rr, cc) != (r, c):
                    self.put(rr, cc, None, "blank")
        self.ws.merged_cells.add(f"{get_column_letter(c)}{r}:{get_column_letter(c + cols - 1)}{r + rows - 1}")

    def flush(self, upto: int) -> None:
        """Stream every row up to `upto` to the sheet (a write-only sheet takes its rows in order)."""
        while self.written < upto:
            self.written += 1
            self.ws.append(self.pending.pop(self.written, ((), ())))


class _StreamedCell(Cell):
    """The one cell object through which the national table's cells are written (see _streamed_cells): it
    carries the id of an already registered style instead of a style of its own."""

    __slots__ = ("style_id",)
    has_style = True


def _streamed_cells(ws):
    """What turns a row (its values and style ids) into cells for the write-only writer, in place of
    openpyxl's own conversion (WriteOnlyWorksheet._values_to_row), which makes a new cell object for each
    styled value and costs as much again as writing it (measured in bench/workbooks_bench.py). The writer
    writes each cell before it asks for the next, so one cell object serves the whole sheet."""
    cell = _StreamedCell(ws, row=1, column=1)

    def cells(row: tuple[list, list], row_idx: int):
        cell.row = row_idx
        for column, (value, style) in enumerate(zip(*row, strict=True), 1):
            if style is not None:
                cell.column = column
                cell.value, cell.style_id = value, style
                yield cell

    return cells


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


def methods_total(texts: Iterable[object]) -> str:
    """How many units named each display method: "展板 12、手册 9" (most named first)."""
    counter: Counter[str] = Counter()
    for text in texts:
        if text:
            counter.update(split_methods(str(text)))
    return "、".join(f"{method} {n}" for method, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


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
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


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
            ws, index=first, min=layout.first_unit, max=layout.total - 1, width=13
        )
    total = get_column_letter(layout.total)
    ws.column_dimensions[total] = ColumnDimension(ws, index=total, width=18)
    ws.row_dimensions[TITLE_ROW].height = 30


def national_table(
    *,
    definition: FormDefinition,
    title: str,
    columns: list[UnitColumn],
    values: Mapping[str, Mapping[str, int | str | None]],
) -> bytes:
    """The consolidated national table (.xlsx): the form's rows (labels merged as on paper, one row per figure
    with its label and unit of measure), one column per unit under merged group headers (GROUPS order, the
    given order inside a group), then 全国合计: the sum of each number figure, and for a text figure how many
    units named each method ("展板 12、手册 9"). `values` maps unit code → figure code → value; a unit absent
    from it, or a figure absent for a unit, is a blank cell. Frozen panes at the first value cell, `#,##0` on
    number cells, A4 landscape with the header rows and label columns repeated on every page."""
    columns = _in_group_order(list(columns))
    layout = _Layout(depth=definition.depth, units=len(columns))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    # openpyxl is pinned (pyproject.toml); the export tests read every cell, style and merge back.
    ws._values_to_row = _streamed_cells(ws)
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
        out.flush(FIRST_ROW + k)
    _page(ws, layout)
    wb.properties.title = title
    wb.properties.creator = "诚信兴商宣传月活动管理平台"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _figures_in_table_order(definition: FormDefinition) -> list[FigureDef]:
    return [figure for line in definition.table_lines() for figure in line.leaf.figures]


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
