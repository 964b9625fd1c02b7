"""The exports (workbooks/export.py) read back as a user's spreadsheet program would: the consolidated national
table, one unit's filled table (which imports back to the same figures) and every figure as CSV."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from chengxin.analytics.selectors import totals
from chengxin.conftest import VALID_VALUES
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.workbooks.export import (
    CSV_COLUMNS,
    GROUPS,
    UnitColumn,
    figures_csv,
    national_table,
    neutralise,
    unit_filled,
)
from chengxin.workbooks.parse import parse_workbook
from chengxin.workbooks.safety import check_workbook_bytes
from chengxin.workbooks.selectors import csv_rows, export_data

pytestmark = pytest.mark.django_db

PROVINCES, PLANNED_CITIES, CORPS, BODIES, LOCAL = GROUPS
TITLE = "2020年“诚信兴商宣传月”活动统计表（全国汇总）"
FORMULA_LIKE = ["=1+1", "+86 10 8509", "-x", "@SUM(A1:A9)"]
# Layout of the 2020 table: labels in A–C, figure label D, unit of measure E, units from F; header rows 2–4.
FIRST_UNIT_COL, FIRST_ROW = 6, 5
FIGURE_ROWS = {
    "meeting_sessions": 5,
    "meeting_attendance": 6,
    "material_methods": 7,
    "material_copies": 8,
    "print_news": 9,
    "tv_news": 10,
    "radio_broadcasts": 11,
    "web_news": 12,
    "videos": 13,
    "live_sessions": 14,
    "live_viewers": 15,
    "people_reached": 16,
    "consultations": 17,
}


@pytest.fixture
def campaign(world):
    return world["campaign"]


@pytest.fixture
def definition(campaign):
    return form_definition(campaign)


def _figures(**overrides) -> dict:
    return VALID_VALUES | overrides


# Five units given out of order: the table puts them in the official group order.
COLUMNS = [
    UnitColumn("440100", "广州市", LOCAL),
    UnitColumn("440000", "广东省", PROVINCES),
    UnitColumn("GACC", "海关总署", BODIES),
    UnitColumn("110000", "北京市", PROVINCES),
    UnitColumn("660000", "新疆生产建设兵团", CORPS),
    UnitColumn("210200", "大连市", PLANNED_CITIES),
]
VALUES = {
    "440000": _figures(),
    "110000": _figures(meeting_sessions=3, meeting_attendance=120, material_methods="横幅和展板", tv_news=None),
    "210200": _figures(material_methods="手册", material_copies=1_234_567),
    "660000": {"meeting_sessions": 1, "meeting_attendance": 10},
    "440100": _figures(material_methods=""),
    # 海关总署 has no figures in this scope: its column is empty.
}


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.fixture
def table(definition) -> bytes:
    return national_table(definition=definition, title=TITLE, columns=COLUMNS, values=VALUES)


@pytest.fixture
def sheet(table):
    return _sheet(table)


def _merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def _column_of(ws, code: str) -> int:
    return next(c for c in range(FIRST_UNIT_COL, ws.max_column + 1) if ws.cell(4, c).value == code)


# --- the national table ------------------------------------------------------------------------------------------


def test_national_table_has_the_form_rows_with_labels_merged_as_on_paper(sheet):
    assert sheet["A1"].value == TITLE
    assert {"A5:A15", "B5:B8", "C5:C6", "C7:C8", "B9:B11", "B12:B15", "C14:C15", "A16:A17", "B16:C16"} <= _merged(sheet)
    assert (sheet["A5"].value, sheet["B5"].value, sheet["C5"].value) == ("宣传形式", "户外活动", "会议（场次、人次）")
    rows = [(sheet.cell(r, 4).value, sheet.cell(r, 5).value) for r in range(FIRST_ROW, FIRST_ROW + 13)]
    assert rows[:4] == [("场次", "场"), ("人次", "人次"), ("方式", None), ("份数", "份")]
    assert rows[-2:] == [("人次", "人次"), ("人次", "人次")]
    assert sheet["B17"].value == "接受咨询服务总量（人次）"
    assert {"A2:C4", "D2:D4", "E2:E4"} <= _merged(sheet)
    assert (sheet["A2"].value, sheet["D2"].value, sheet["E2"].value) == ("项目", "指标", "计量单位")


def test_units_are_columns_grouped_under_merged_headers_in_the_official_order(sheet):
    names = [sheet.cell(3, c).value for c in range(FIRST_UNIT_COL, FIRST_UNIT_COL + 6)]
    codes = [sheet.cell(4, c).value for c in range(FIRST_UNIT_COL, FIRST_UNIT_COL + 6)]
    assert names == ["广东省", "北京市", "大连市", "新疆生产建设兵团", "海关总署", "广州市"]
    assert codes == ["440000", "110000", "210200", "660000", "GACC", "440100"]
    groups = [sheet.cell(2, c).value for c in range(FIRST_UNIT_COL, FIRST_UNIT_COL + 6)]
    assert groups == [PROVINCES, None, PLANNED_CITIES, CORPS, BODIES, LOCAL]
    assert "F2:G2" in _merged(sheet)
    assert sheet.cell(2, 12).value == "全国合计" and "L2:L4" in _merged(sheet)
    assert sheet.max_column == 12


def test_each_unit_column_holds_its_own_figures_and_an_empty_column_when_it_has_none(sheet):
    guangdong, beijing, customs = (_column_of(sheet, code) for code in ("440000", "110000", "GACC"))
    assert sheet.cell(FIGURE_ROWS["meeting_attendance"], guangdong).value == 3400
    assert sheet.cell(FIGURE_ROWS["meeting_attendance"], beijing).value == 120
    assert sheet.cell(FIGURE_ROWS["tv_news"], beijing).value is None
    assert sheet.cell(FIGURE_ROWS["material_methods"], beijing).value == "横幅和展板"
    assert all(sheet.cell(r, customs).value is None for r in FIGURE_ROWS.values())


def test_national_total_is_the_sum_of_each_number_figure(sheet):
    total = 12
    for code, row in FIGURE_ROWS.items():
        if code == "material_methods":
            continue
        expected = sum(v.get(code) or 0 for v in VALUES.values())
        assert sheet.cell(row, total).value == expected, code
    assert sheet.cell(FIGURE_ROWS["meeting_attendance"], total).value == 3400 + 120 + 3400 + 3400 + 10
    assert sheet.cell(FIGURE_ROWS["tv_news"], total).value == 3 * 3


def test_national_total_of_methods_counts_the_units_naming_each(sheet):
    # 展板: 广东省, 北京市; 手册: 广东省, 大连市; 横幅: 北京市. 广州市 named none.
    assert sheet.cell(FIGURE_ROWS["material_methods"], 12).value == "展板 2、手册 2、横幅 1"


def test_panes_are_frozen_at_the_first_value_and_numbers_have_thousands_separators(sheet):
    assert sheet.freeze_panes == "F5"
    dalian = _column_of(sheet, "210200")
    assert sheet.cell(FIGURE_ROWS["material_copies"], dalian).number_format == "#,##0"
    for code, row in FIGURE_ROWS.items():
        for col in (dalian, 12):
            cell = sheet.cell(row, col)
            assert cell.number_format == ("General" if code == "material_methods" else "#,##0"), (code, col)
            assert cell.border.left.style == "thin"


def test_national_table_prints_on_a4_landscape_with_headers_and_labels_repeated(sheet):
    setup = sheet.page_setup
    assert (str(setup.paperSize), setup.orientation) == (sheet.PAPERSIZE_A4, "landscape")
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # 6 units and the total: one page across
    assert sheet.print_title_rows == "$1:$4"
    assert sheet.print_title_cols == "$A:$E"


def test_a_wide_table_gets_a_column_per_unit_and_as_many_pages_across_as_it_needs(definition):
    columns = [UnitColumn(f"{440101 + i}", f"测试市{i}", LOCAL) for i in range(300)]
    values = {c.code: {"tv_news": i} for i, c in enumerate(columns)}
    ws = _sheet(national_table(definition=definition, title=TITLE, columns=columns, values=values))
    assert ws.max_column == 5 + 300 + 1
    assert ws.cell(4, 305).value == "440400" and ws.cell(2, 306).value == "全国合计"
    assert ws.cell(FIGURE_ROWS["tv_news"], 306).value == sum(range(300))
    assert f"F2:{get_column_letter(305)}2" in _merged(ws)
    assert ws.page_setup.fitToWidth == 16  # 301 columns, 20 a page


def test_an_unknown_column_group_is_refused(definition):
    with pytest.raises(ValueError, match="街道"):
        national_table(definition=definition, title=TITLE, columns=[UnitColumn("1", "某街道", "街道")], values={})


def _all_cells(ws):
    return [cell for row in ws.iter_rows() for cell in row]


def test_national_table_is_a_well_formed_workbook_excel_opens_without_repair(table):
    check_workbook_bytes(table, name="全国汇总.xlsx", max_uncompressed=50 * 1024 * 1024, max_entries=2_000)
    ws = _sheet(table)
    ranges = list(ws.merged_cells.ranges)
    for i, a in enumerate(ranges):  # overlapping merges make Excel "repair" the file
        for b in ranges[i + 1 :]:
            assert a.isdisjoint(b), (a, b)
    streamed = load_workbook(io.BytesIO(table), read_only=True).active
    assert [row for row in streamed.iter_rows(values_only=True)][3][5] == "440000"


def test_formula_like_names_and_methods_are_neutralised_in_the_national_table(definition):
    columns = [UnitColumn(f"44010{i}", text, LOCAL) for i, text in enumerate(FORMULA_LIKE)]
    values = {c.code: {"material_methods": text} for c, text in zip(columns, FORMULA_LIKE, strict=True)}
    data = national_table(definition=definition, title="=TITLE()", columns=columns, values=values)
    ws = _sheet(data)
    assert [ws.cell(3, FIRST_UNIT_COL + i).value for i in range(4)] == [f"'{t}" for t in FORMULA_LIKE]
    methods = [ws.cell(FIGURE_ROWS["material_methods"], FIRST_UNIT_COL + i).value for i in range(4)]
    assert methods == [f"'{t}" for t in FORMULA_LIKE]
    assert ws["A1"].value == "'=TITLE()"
    assert not [c.coordinate for c in _all_cells(ws) if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_consolidated_table_of_a_campaign_agrees_with_the_national_totals(campaign, definition):
    columns, values = export_data(campaign, "submitted")
    ws = _sheet(national_table(definition=definition, title=TITLE, columns=columns, values=values))
    expected = totals(campaign, "submitted")
    total_col = FIRST_UNIT_COL + len(columns)
    assert ws.cell(2, total_col).value == "全国合计"
    for code, row in FIGURE_ROWS.items():
        if code == "material_methods":
            methods = "、".join(f"{m} {n}" for m, n in expected[code].items())
            assert ws.cell(row, total_col).value == methods
        else:
            assert ws.cell(row, total_col).value == expected[code], code


# --- one unit's filled table ------------------------------------------------------------------------------------


def _read_back(data: bytes, definition, name: str):
    [sheet] = parse_workbook(data, file_name=f"{name}.xlsx", definition=definition, units=list(Unit.objects.all()))
    return sheet


def test_every_units_filled_table_imports_back_to_the_same_figures(campaign, definition):
    columns, values = export_data(campaign, "all")
    filled = [c for c in columns if values[c.code]]
    assert len(filled) == 5  # 广东省, 大连市, 深圳市, 兵团 and 北京市's half-filled draft
    for column in filled:
        stored = values[column.code]
        data = unit_filled(
            definition=definition,
            unit_code=column.code,
            unit_name=column.name,
            campaign_title=campaign.title,
            values=stored,
        )
        sheet = _read_back(data, definition, column.name)
        assert (sheet.layout, sheet.unit.code, sheet.problems) == ("template", column.code, [])
        assert sheet.values == {k: v for k, v in stored.items() if v not in (None, "")}, column.name
        assert sheet.empty == [f.code for f in definition.figures if stored.get(f.code) in (None, "")]


def test_formula_like_methods_are_stored_as_text_and_import_back_unchanged(definition):
    for text in [*FORMULA_LIKE, " =1+1", "\t=cmd|' /C calc'!A0"]:
        data = unit_filled(
            definition=definition,
            unit_code="440000",
            unit_name="广东省",
            campaign_title="2020",
            values=_figures(material_methods=text),
        )
        ws = _sheet(data)
        cell = ws.cell(FIGURE_ROWS["material_methods"] - 1, 5)  # the template starts one row higher
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
        assert not [c.coordinate for c in _all_cells(ws) if c.data_type == "f"]
        assert _read_back(data, definition, "广东省").values["material_methods"] == text.strip()


def test_a_filled_table_is_still_the_protected_validated_printable_template(definition):
    ws = _sheet(
        unit_filled(
            definition=definition, unit_code="440000", unit_name="广东省", campaign_title="2020", values=_figures()
        )
    )
    assert ws.title == "广东省" and ws["A2"].value == "填报单位：广东省（440000）"
    assert ws.protection.sheet is True
    assert len(ws.data_validations.dataValidation) == 13
    assert ws.print_title_rows == "$1:$3"
    assert ws["E5"].value == 3400 and ws["E5"].number_format == "#,##0"


# --- CSV -------------------------------------------------------------------------------------------------------


CSV_TITLES = ["年度", "单位代码", "单位名称", "指标代码", "指标名称", "指标值", "报送状态"]


def _read_csv(data: bytes) -> list[dict]:
    """The rows by machine name, as a script reads the file: skip the Chinese titles, DictReader the rest."""
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens it in Chinese
    lines = io.StringIO(data.decode("utf-8-sig"), newline="")
    assert next(csv.reader(lines)) == CSV_TITLES
    return list(csv.DictReader(lines))


def test_csv_has_chinese_titles_then_the_machine_names():
    data = figures_csv([{"campaign": 2020, "unit_code": "440000", "value": 3400}])
    assert data.startswith("\ufeff年度,单位代码,单位名称,指标代码,指标名称,指标值,报送状态\r\n".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == CSV_TITLES  # what a person sees in Excel
    assert (
        rows[1]
        == list(CSV_COLUMNS)
        == [
            "campaign",
            "unit_code",
            "unit_name",
            "figure_code",
            "figure_label",
            "value",
            "status",
        ]
    )  # what a script finds columns by
    assert rows[2] == ["2020", "440000", "", "", "", "3400", ""]
    assert len(rows) == 3


def test_csv_is_utf8_with_a_bom_one_line_per_unit_and_figure(campaign):
    data = figures_csv(csv_rows(campaign, "submitted"))
    rows = _read_csv(data)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 37 * 13
    guangdong = {r["figure_code"]: r for r in rows if r["unit_code"] == "440000"}
    assert guangdong["meeting_attendance"] == {
        "campaign": "2020",
        "unit_code": "440000",
        "unit_name": "广东省",
        "figure_code": "meeting_attendance",
        "figure_label": "户外活动 › 会议（场次、人次） 人次",
        "value": "3400",
        "status": "已报送",
    }
    assert guangdong["material_methods"]["value"] == "展板、手册"
    assert b"\r\n" in data  # Excel's line ends


@pytest.mark.parametrize("text", [*FORMULA_LIKE, " =1+1", "\t=cmd", "\r=cmd", "＝1+1"])
def test_csv_neutralises_every_text_that_a_spreadsheet_would_run(text):
    row = {
        "campaign": 2020,
        "unit_code": text,
        "unit_name": text,
        "figure_code": "material_methods",
        "figure_label": text,
        "value": text,
        "status": "已报送",
    }
    [read] = _read_csv(figures_csv([row]))
    assert [read[k] for k in ("unit_code", "unit_name", "figure_label", "value")] == [f"'{text}"] * 4
    assert read["campaign"] == "2020"


def test_csv_leaves_numbers_and_plain_text_alone():
    [read] = _read_csv(figures_csv([{"unit_name": "广东省", "value": 3400, "status": "已报送"}]))
    assert (read["unit_name"], read["value"], read["status"], read["unit_code"]) == ("广东省", "3400", "已报送", "")


# --- neutralise --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("  =1+1", "'  =1+1"),
        ("\n@x", "'\n@x"),
        ("\tabc", "'\tabc"),
        ("\rabc", "'\rabc"),
        ("＝1+1", "'＝1+1"),
        ("展板、手册", "展板、手册"),
        ("1+1", "1+1"),
        ("a=b", "a=b"),
        ("", ""),
        (3400, 3400),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise_prefixes_an_apostrophe_to_text_that_starts_like_a_formula(value, expected):
    assert neutralise(value) == expected


def test_a_table_without_units_still_has_its_rows_and_a_zero_total(definition):
    ws = _sheet(national_table(definition=definition, title=TITLE, columns=[], values={}))
    assert ws.cell(2, FIRST_UNIT_COL).value == "全国合计"
    assert ws.cell(FIGURE_ROWS["meeting_sessions"], FIRST_UNIT_COL).value == 0
    assert ws.cell(FIGURE_ROWS["material_methods"], FIRST_UNIT_COL).value is None
    assert ws.freeze_panes == "F5"
