"""A unit's fill-in template of the statistics table (.xlsx), laid out like the notice's attachment.

Layout (columns for a three-level form such as 2020's; a form with more levels shifts everything right):

    row 1  title (the form's title), merged across the table
    row 2  填报单位：<name>（<code>）
    row 3  项目 (over the label columns) | 指标 | 填报数 | 单位 | hidden mapping header
    row 4… A group | B sub-group | C leaf | D figure label | E input | F unit of measure | G (hidden) figure code

Every figure has its own row, so a leaf with two figures (会议: 场次 and 人次) takes two rows, its label merged
over both, and every input cell sits in one column: easy to fill, to validate and to print. Group and leaf
labels are merged over their rows as on paper. The hidden column G holds each input row's figure code and, in
its header, which column holds the inputs: a sheet moved or copied into another workbook, or with rows
inserted, still imports exactly. The sheet is protected (no password, so a unit can still unprotect it on
purpose); only the input cells are unlocked. The template is an official form, so its words are Chinese
whatever the interface language.
"""

import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from chengxin.statform.definition import FigureDef, FormDefinition, TableLine

MARK_PREFIX = "chengxin-template:value-column="
TITLE_ROW, UNIT_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
UNIT_LABEL = "填报单位"
MAX_TEXT = 500

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Columns:
    """Where things go, 1-based: label columns 1…depth, then figure label, input, unit and the hidden code."""

    depth: int

    @property
    def figure(self) -> int:
        return self.depth + 1

    @property
    def value(self) -> int:
        return self.depth + 2

    @property
    def unit(self) -> int:
        return self.depth + 3

    @property
    def code(self) -> int:
        return self.depth + 4


def sheet_title(name: str) -> str:
    """A valid sheet name for a unit: Excel forbids []:*?/\\ and more than 31 characters."""
    return _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "统计表"


def unit_caption(unit_name: str, unit_code: str) -> str:
    """The 填报单位 cell: "填报单位：广东省（440000）"."""
    return f"{UNIT_LABEL}：{unit_name}（{unit_code}）"


def _heading(ws: Worksheet, definition: FormDefinition, cols: Columns, caption: str, campaign_title: str) -> None:
    last = get_column_letter(cols.unit)
    _text(ws["A1"], definition.title or f"{campaign_title}统计表")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = _CENTRE
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 32
    ws[f"A{UNIT_ROW}"] = caption
    ws[f"A{UNIT_ROW}"].alignment = _LEFT
    ws.merge_cells(f"A{UNIT_ROW}:{last}{UNIT_ROW}")
    heads = {1: "项目", cols.figure: "指标", cols.value: "填报数", cols.unit: "单位"}
    for col, text in heads.items():
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font, cell.alignment, cell.fill = Font(bold=True), _CENTRE, _HEAD_FILL
    ws.merge_cells(start_row=HEADER_ROW, start_column=1, end_row=HEADER_ROW, end_column=cols.depth)
    ws.cell(HEADER_ROW, cols.code, MARK_PREFIX + get_column_letter(cols.value))


def _text(cell, text: str):
    """Write form data (labels, title) as text even when it starts like a formula (= + - @): a label is
    administrator data, and no export may turn data into a formula."""
    cell.value = text
    if isinstance(text, str) and text.lstrip()[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _label(ws: Worksheet, text: str, row: int, col: int, rows: int, columns: int) -> None:
    _text(ws.cell(row, col), text).alignment = _CENTRE if columns == 1 or rows > 1 else _LEFT
    if rows > 1 or columns > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + columns - 1)


def _label_cells(ws: Worksheet, lines: list[TableLine], starts: list[int], heights: list[int]) -> None:
    """Group, sub-group and leaf labels, merged over the rows of their leaves' figures."""
    for i, line in enumerate(lines):
        first_col = line.leaf.depth - len(line.labels) + 2  # the labels starting here end with the leaf
        for j, cell in enumerate(line.labels):
            rows = sum(heights[i : i + cell.rowspan])
            _label(ws, cell.label, starts[i], first_col + j, rows, cell.colspan)


def _figure_row(ws: Worksheet, figure: FigureDef, row: int, cols: Columns) -> None:
    _text(ws.cell(row, cols.figure), figure.label).alignment = _CENTRE
    ws.cell(row, cols.unit, figure.unit or None).alignment = _CENTRE
    ws.cell(row, cols.code, figure.code)
    value = ws.cell(row, cols.value)
    value.fill, value.protection, value.alignment = _INPUT_FILL, Protection(locked=False), _LEFT
    value.number_format = "#,##0" if figure.is_number else "@"


def _table(ws: Worksheet, definition: FormDefinition, cols: Columns) -> dict[str, int]:
    """Write the labels and one input row per figure; return the row of each figure code."""
    lines = definition.table_lines()
    heights = [max(1, len(line.leaf.figures)) for line in lines]
    starts = [FIRST_ROW + sum(heights[:i]) for i in range(len(lines))]
    _label_cells(ws, lines, starts, heights)
    placed = {}
    for line, start in zip(lines, starts, strict=True):
        for k, figure in enumerate(line.leaf.figures):
            _figure_row(ws, figure, start + k, cols)
            placed[figure.code] = start + k
    last = FIRST_ROW + sum(heights) - 1
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=last, max_col=cols.unit):
        for cell in row:
            cell.border = _BORDER
    return placed


def _validation(figure: FigureDef) -> DataValidation:
    """Whole number ≥ 0 for a number, at most 500 characters for a text; the prompt names the figure."""
    prompt = figure.help_text or (f"单位：{figure.unit}。" if figure.unit else "")
    if figure.is_number:
        rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        rule.error = "请填写不小于 0 的整数，不要带单位（1.2万请写 12000）"
        prompt += "请填写整数，没有开展请填 0。"
    else:
        rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_TEXT))
        rule.error = f"不能超过 {MAX_TEXT} 字"
    rule.allow_blank, rule.showErrorMessage, rule.showInputMessage = True, True, True
    rule.errorStyle, rule.errorTitle = "stop", "填写有误"
    rule.promptTitle, rule.prompt = figure.label[:32], prompt[:255]
    return rule


def _validations(ws: Worksheet, definition: FormDefinition, placed: dict[str, int], cols: Columns) -> None:
    letter = get_column_letter(cols.value)
    for figure in definition.figures:
        rule = _validation(figure)
        rule.add(f"{letter}{placed[figure.code]}")
        ws.add_data_validation(rule)


def _notes(ws: Worksheet, row: int, cols: Columns) -> None:
    ws.cell(row, 1, "说明：请在黄色单元格内填写；数字填写整数，不带单位；没有开展的项目请填 0。").alignment = _LEFT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=cols.unit)


def _page(ws: Worksheet, last_row: int, cols: Columns) -> None:
    """A4 portrait, one page wide, title rows repeated on every page, input column wide enough to type in."""
    for col in range(1, cols.depth + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12 if col < cols.depth else 28
    widths = {cols.figure: 10, cols.value: 18, cols.unit: 8}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(cols.code)].hidden = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{get_column_letter(cols.unit)}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.freeze_panes = f"A{FIRST_ROW}"


def build_template(definition: FormDefinition, *, unit_code: str, unit_name: str, campaign_title: str) -> bytes:
    """The .xlsx template for one unit (layout in the module docstring): one sheet named after the unit,
    labels protected, one unlocked input cell per figure with Excel data validation (whole number ≥ 0, or text
    up to 500 characters), A4 print set-up repeating the title rows. `parse.parse_workbook` reads it back
    exactly through the hidden figure-code column."""
    cols = Columns(definition.depth)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(unit_name)
    _heading(ws, definition, cols, unit_caption(unit_name, unit_code), campaign_title)
    placed = _table(ws, definition, cols)
    last = max(placed.values(), default=HEADER_ROW)
    _validations(ws, definition, placed, cols)
    _notes(ws, last + 2, cols)
    _page(ws, last + 2, cols)
    ws.protection.sheet = True
    wb.properties.title = definition.title
    wb.properties.subject = campaign_title
    wb.properties.creator = "诚信兴商宣传月活动管理平台"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
