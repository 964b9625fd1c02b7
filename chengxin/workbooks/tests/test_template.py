"""A unit's fill-in template (workbooks/template.py): laid out like the attachment, protected, validated,
printable, and read back exactly."""

import io

import pytest
from openpyxl import load_workbook

from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.workbooks.parse import parse_workbook
from chengxin.workbooks.safety import check_workbook_bytes
from chengxin.workbooks.template import build_template
from chengxin.workbooks.tests.builders import EXPECTED, to_bytes

pytestmark = pytest.mark.django_db

CODES_IN_ORDER = list(EXPECTED)


@pytest.fixture
def definition(campaign):
    return form_definition(campaign)


@pytest.fixture
def units(campaign):
    return list(Unit.objects.all())


@pytest.fixture
def template(definition, campaign) -> bytes:
    return build_template(definition, unit_code="440000", unit_name="广东省", campaign_title=campaign.title)


@pytest.fixture
def sheet(template):
    return load_workbook(io.BytesIO(template)).active


def _input_rows(ws) -> dict[str, int]:
    """The row of each figure's input cell, as the hidden column names them."""
    return {ws.cell(r, 7).value: r for r in range(4, ws.max_row + 1) if ws.cell(r, 7).value}


def test_template_has_the_title_and_the_unit_filled_in(sheet):
    assert sheet.title == "广东省"
    assert sheet["A1"].value == "2020年“诚信兴商宣传月”活动统计表"
    assert sheet["A2"].value == "填报单位：广东省（440000）"
    assert [sheet[c].value for c in ("A3", "D3", "E3", "F3")] == ["项目", "指标", "填报数", "单位"]


def test_labels_are_merged_as_on_paper_and_two_figure_leaves_take_two_rows(sheet):
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # 宣传形式 over 11 figure rows; 户外活动 over 会议 (2) + 宣传资料展示 (2); 会议 over its 场次 and 人次 rows.
    assert {"A4:A14", "B4:B7", "C4:C5", "C6:C7", "B8:B10", "B11:B14", "C13:C14", "A15:A16", "B15:C15"} <= merged
    assert (sheet["A4"].value, sheet["B4"].value, sheet["C4"].value) == ("宣传形式", "户外活动", "会议（场次、人次）")
    assert [(sheet.cell(r, 4).value, sheet.cell(r, 6).value) for r in (4, 5)] == [("场次", "场"), ("人次", "人次")]
    assert sheet["B15"].value == "宣传覆盖总人数（人次）"


def test_one_input_cell_per_figure_in_one_column_the_rest_locked(sheet):
    rows = _input_rows(sheet)
    assert list(rows) == CODES_IN_ORDER
    assert sheet.protection.sheet is True
    for r in range(1, sheet.max_row + 1):
        for c in range(1, 8):
            assert sheet.cell(r, c).protection.locked is not (c == 5 and r in rows.values()), (r, c)
    assert sheet.column_dimensions["G"].hidden is True


def test_number_inputs_accept_only_whole_numbers_not_below_zero(sheet):
    rows = _input_rows(sheet)
    rules = {str(cell): dv for dv in sheet.data_validations.dataValidation for cell in dv.sqref.ranges}
    for code, row in rows.items():
        rule = rules[f"E{row}"]
        if code == "material_methods":
            assert (rule.type, rule.operator, rule.formula1) == ("textLength", "lessThanOrEqual", "500")
        else:
            assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")
            assert rule.showErrorMessage and "整数" in rule.error
            assert sheet.cell(row, 5).number_format == "#,##0"


def test_prints_on_a4_with_the_title_rows_repeated(sheet):
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"  # A4
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_area == "'广东省'!$A$1:$F$18"


def test_template_is_a_plain_safe_workbook(template):
    check_workbook_bytes(template, name="广东省.xlsx", max_uncompressed=50 * 1024 * 1024, max_entries=2_000)


def _fill(template: bytes, values: dict) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    rows = _input_rows(ws)
    for code, value in values.items():
        ws.cell(rows[code], 5, value)
    return to_bytes(wb)


def test_round_trip_a_filled_template_reads_back_exactly_the_filled_values(template, definition, units):
    filled = _fill(template, EXPECTED)
    [sheet] = parse_workbook(filled, file_name="广东省.xlsx", definition=definition, units=units)
    assert sheet.layout == "template"
    assert sheet.unit.code == "440000"
    assert sheet.values == EXPECTED
    assert sheet.empty == [] and sheet.problems == []
    assert sheet.places["meeting_attendance"] == "广东省.xlsx!广东省!E5"
    assert sheet.ok


def test_an_unfilled_template_is_all_empty_not_zero(template, definition, units):
    [sheet] = parse_workbook(template, file_name="广东省.xlsx", definition=definition, units=units)
    assert sheet.values == {}
    assert sheet.empty == CODES_IN_ORDER
    assert sheet.problems == []


def test_a_label_that_looks_like_a_formula_stays_text(campaign):
    """Labels are administrator data: a label starting with = must not become a formula in the template."""
    import dataclasses
    import io

    from openpyxl import load_workbook

    from chengxin.statform.selectors import form_definition
    from chengxin.workbooks.template import build_template

    definition = form_definition(campaign)
    figure = dataclasses.replace(definition.figures[2], label="=1+1")
    figures = [figure if f.code == figure.code else f for f in definition.figures]
    for root in definition.roots:
        for row in [root, *root.children, *(g for c in root.children for g in c.children)]:
            row.figures = [figure if f.code == figure.code else f for f in row.figures]
    changed = type(definition)(title="=HYPERLINK(1)", roots=definition.roots, figures=figures, rules=definition.rules)
    data = build_template(changed, unit_code="440000", unit_name="广东省", campaign_title="x")
    ws = load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert {c.value for c in cells} == {"=HYPERLINK(1)", "=1+1"}
    assert all(c.data_type == "s" for c in cells)
