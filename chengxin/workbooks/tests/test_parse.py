"""Reading filled tables out of workbooks (workbooks/parse.py): the attachment's layout as people fill it,
the product's own template, one unit per sheet; every problem named FILE!SHEET!CELL; never a guess."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit
from chengxin.workbooks.parse import parse_workbook
from chengxin.workbooks.safety import WorkbookRefused
from chengxin.workbooks.template import build_template
from chengxin.workbooks.tests.builders import (
    EXPECTED,
    FILLED,
    attachment,
    attachment_sheet,
    compound_file,
    rezip,
    to_bytes,
)

pytestmark = pytest.mark.django_db

FILE = "广东省统计表.xlsx"


@pytest.fixture
def read(campaign):
    """parse_workbook with the 2020 form and every known unit."""
    definition = form_definition(campaign)
    units = list(Unit.objects.all())

    def read(data: bytes, file_name: str = FILE, **limits):
        return parse_workbook(data, file_name=file_name, definition=definition, units=units, **limits)

    return read


def _one(read, wb: Workbook):
    [sheet] = read(to_bytes(wb))
    return sheet


def _problems(sheet) -> list[str]:
    return [str(p) for p in sheet.problems]


# --- the attachment's layout ----------------------------------------------------------------------------------


def test_the_attachment_as_a_province_fills_it_is_read(read):
    sheet = _one(read, attachment())
    assert sheet.layout == "attachment"
    assert sheet.unit.code == "440000" and sheet.unit_text == "广东省商务厅"
    assert sheet.values == EXPECTED
    assert sheet.problems == [] and sheet.empty == []
    assert sheet.raw["live_viewers"] == "1.2万"
    assert sheet.places["meeting_sessions"] == sheet.places["meeting_attendance"] == f"{FILE}!Sheet1!D4"
    assert sheet.places["consultations"] == f"{FILE}!Sheet1!D13"


def test_labels_are_matched_despite_spaces_line_breaks_and_other_punctuation(read):
    retyped = {
        "会议（场次、人次）": "会议\n(场次,人次)",
        "宣传资料展示（方式，份数）": " 宣传资料展示（方式、份数） ",
        "纸媒新闻（篇）": "纸 媒 新 闻（篇）",
        "直播（场次，观看人次）": "直播【场次，观看人次】",
        "宣传覆盖总人数（人次）": "宣传覆盖总人数\r\n（人次）",
        "电视新闻（条）": "电视新闻",  # the bracket left out
        "户外活动": "户外\n活动",
    }
    sheet = _one(read, attachment(labels=retyped))
    assert sheet.values == EXPECTED and sheet.problems == []


def test_labels_in_other_columns_and_values_further_right_are_found(read):
    wb = Workbook()
    ws = wb.active
    ws.title = "广东省"
    ws.append(["2020年“诚信兴商宣传月”活动统计表"])
    ws.append(["序号", "项目", None, None, "备注", "填报数"])
    for i, (label, value) in enumerate(FILLED.items(), 1):
        ws.append([i, None, None, label, None, None, value])  # label in D, value in G, two empty cells between
    sheet = _one(read, wb)
    assert sheet.unit.code == "440000" and sheet.unit_text == "广东省"  # no 填报单位 cell: the sheet name
    assert sheet.values == EXPECTED
    assert sheet.places["print_news"] == f"{FILE}!广东省!G5"


def test_numbers_as_text_with_separators_and_magnitudes(read):
    values = dict(
        FILLED,
        **{
            "纸媒新闻（篇）": "１，２００",
            "网站新闻（条）": " 40 ",
            "宣传覆盖总人数（人次）": "1.25亿",
            "接受咨询服务总量（人次）": "3,400人次",
            "会议（场次、人次）": "12场 / 3,400人次",
        },
    )
    sheet = _one(read, attachment(values))
    assert sheet.problems == []
    assert (sheet.values["print_news"], sheet.values["web_news"]) == (1200, 40)
    assert (sheet.values["people_reached"], sheet.values["consultations"]) == (125_000_000, 3400)
    assert (sheet.values["meeting_sessions"], sheet.values["meeting_attendance"]) == (12, 3400)


def test_empty_cells_are_reported_as_empty_not_zero(read):
    values = {k: v for k, v in FILLED.items() if k not in ("电台广播（次）", "视频（条）")}
    values["会议（场次、人次）"] = "3400人次"  # the 场次 left out
    values["直播（场次，观看人次）"] = " "  # blank (无 would be 0: see the next test)
    sheet = _one(read, attachment(values))
    assert sheet.problems == []
    assert sheet.empty == ["meeting_sessions", "radio_broadcasts", "videos", "live_sessions", "live_viewers"]
    assert "radio_broadcasts" not in sheet.values
    assert sheet.places["radio_broadcasts"] == f"{FILE}!Sheet1!D8"  # where the value was expected


# Cells saying "none" as people fill them in (issue 12): in a cell of two figures both are 0, in a cell of one
# it is 0; 宣传资料展示 saying none names no method and counts 0 copies.
NONE_SAID = ["0", "０", "无", " 无 ", "/", "／", "-", "－", "—", "——", "--", "――"]


@pytest.mark.parametrize("none", NONE_SAID)
def test_a_cell_saying_none_is_zero_for_each_of_its_figures(read, none):
    values = dict(
        FILLED,
        **{
            "会议（场次、人次）": none,
            "直播（场次，观看人次）": none,
            "宣传资料展示（方式，份数）": none,
            "电视新闻（条）": none,
        },
    )
    sheet = _one(read, attachment(values))
    assert sheet.problems == [] and sheet.empty == []
    zero = {"meeting_sessions", "meeting_attendance", "live_sessions", "live_viewers", "material_copies", "tv_news"}
    assert {code: sheet.values[code] for code in zero} == dict.fromkeys(zero, 0)
    assert sheet.values["material_methods"] == ""  # no method named
    assert {k: v for k, v in sheet.values.items() if k not in zero | {"material_methods"}} == {
        k: v for k, v in EXPECTED.items() if k not in zero | {"material_methods"}
    }


def test_a_zero_typed_as_a_number_in_a_cell_of_two_figures_is_zero_for_both(read):
    """The probe's file: 直播（场次，观看人次） holding the number 0 (not text) was refused as ambiguous."""
    sheet = _one(read, attachment(dict(FILLED, **{"直播（场次，观看人次）": 0, "会议（场次、人次）": 0.0})))
    assert sheet.problems == [] and sheet.empty == []
    assert (sheet.values["live_sessions"], sheet.values["live_viewers"]) == (0, 0)
    assert (sheet.values["meeting_sessions"], sheet.values["meeting_attendance"]) == (0, 0)


def test_one_zero_for_each_figure_is_zero_for_both(read):
    sheet = _one(read, attachment(dict(FILLED, **{"直播（场次，观看人次）": "0/0", "会议（场次、人次）": "０，０"})))
    assert sheet.problems == []
    assert [sheet.values[c] for c in ("live_sessions", "live_viewers", "meeting_sessions", "meeting_attendance")] == [
        0,
        0,
        0,
        0,
    ]


def test_a_figure_on_a_row_of_its_own_saying_none_is_zero(read):
    wb = Workbook()
    ws = wb.active
    ws.title = "大连市商务局"
    ws.append(["会议（场次、人次）", "场次", "无"])
    ws.append([None, "人次", "—"])
    ws.append(["宣传资料展示（方式，份数）", "方式", "无"])
    ws.append([None, "份数", "/"])
    for label, value in list(FILLED.items())[2:]:
        ws.append([label, None, value])
    sheet = _one(read, wb)
    assert sheet.problems == [] and sheet.empty == []
    assert [sheet.values[c] for c in ("meeting_sessions", "meeting_attendance", "material_copies")] == [0, 0, 0]
    assert sheet.values["material_methods"] == ""


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("12", "无法判断“12”是场次、观看人次中的哪一项"),  # a bare number other than 0: which figure?
        ("0/12", "无法判断“0”是场次、观看人次中的哪一项"),  # 0 场 12 人次, or 12 场 0 人次?
        ("0/0/0", "无法判断“0”是场次、观看人次中的哪一项"),  # three numbers for two figures
        ("无人次", "无法识别“无人次”"),  # not a mark of none: a word where numbers are expected
    ],
)
def test_a_cell_of_two_figures_that_is_not_only_none_is_still_refused(read, text, says):
    sheet = _one(read, attachment(dict(FILLED, **{"直播（场次，观看人次）": text})))
    messages = [p.message for p in sheet.problems]
    assert len(messages) == 1 and says in messages[0], messages
    assert sheet.problems[0].place == f"{FILE}!Sheet1!D11"


def test_one_figure_of_two_named_leaves_the_other_to_be_asked(read):
    """3场 alone names the sessions only: the viewers are empty (the person is asked), not 0."""
    sheet = _one(read, attachment(dict(FILLED, **{"直播（场次，观看人次）": "3场", "会议（场次、人次）": "0场"})))
    assert sheet.problems == []
    assert sheet.values["live_sessions"] == 3 and sheet.values["meeting_sessions"] == 0
    assert sheet.empty == ["meeting_attendance", "live_viewers"]


def test_blank_is_not_a_mark_of_none(read):
    sheet = _one(read, attachment(dict(FILLED, **{"直播（场次，观看人次）": "空"})))
    assert sheet.empty == ["live_sessions", "live_viewers"]


def test_text_where_a_number_is_expected_is_named_by_its_cell(read):
    sheet = _one(read, attachment(dict(FILLED, **{"纸媒新闻（篇）": "若干"})))
    assert _problems(sheet) == [
        f"{FILE}!Sheet1!D6: 传统媒介 › 纸媒新闻（篇）：“若干”不是有效的数字，请填写如 12345、1.2万、3亿"
    ]
    assert sheet.problems[0].figure == "print_news"
    assert "print_news" not in sheet.values and not sheet.ok


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3400", "无法判断“3400”是场次、人次中的哪一项，请注明单位，如“12场，3400人次”"),
        ("12,340人次", "千位分隔符"),
        ("12篇，3400人次", "不属于此项"),
        ("12.5场，3400人次", "不是整数"),
    ],
)
def test_a_compound_cell_that_cannot_be_read_is_a_problem_at_its_cell(read, text, says):
    sheet = _one(read, attachment(dict(FILLED, **{"会议（场次、人次）": text})))
    [problem] = sheet.problems
    assert problem.place == f"{FILE}!Sheet1!D4"
    assert problem.message.startswith("户外活动 › 会议（场次、人次）")
    assert says in problem.message


def test_a_date_or_an_excel_error_in_a_value_cell_is_a_problem(read):
    sheet = _one(
        read, attachment(dict(FILLED, **{"视频（条）": dt.datetime(2020, 10, 1), "电视新闻（条）": "#DIV/0!"}))
    )
    messages = {p.place: p.message for p in sheet.problems}
    assert "日期" in messages[f"{FILE}!Sheet1!D10"]
    assert "#DIV/0!" in messages[f"{FILE}!Sheet1!D7"]


def test_a_missing_label_is_a_problem_naming_the_row(read):
    sheet = _one(read, attachment(labels={"电台广播（次）": None}))
    assert _problems(sheet) == [
        f"{FILE}!Sheet1: 表中没有找到“传统媒介 › 电台广播（次）”一行：请保留统计表原有的项目名称"
    ]
    assert "radio_broadcasts" not in sheet.values and "radio_broadcasts" not in sheet.empty


def test_a_label_twice_is_a_problem_not_a_choice(read):
    wb = attachment()
    wb.active["C15"], wb.active["D15"] = "视频（条）", 99
    sheet = _one(read, wb)
    assert _problems(sheet) == [f"{FILE}!Sheet1!C15: “视频（条）”在本表出现了两次（另见 C10），请只保留一处"]


def test_a_value_next_to_a_label_is_not_taken_from_the_next_label(read):
    # Two items on one row, the first one left empty: its value is empty, not the second item's label.
    wb = Workbook()
    ws = wb.active
    ws.title = "广东省"
    items = list(FILLED.items())
    ws.append([items[0][0], items[0][1], items[1][0], items[1][1]])
    ws.append([items[2][0], None, items[3][0], items[3][1]])
    for label, value in items[4:]:
        ws.append([label, value])
    sheet = _one(read, wb)
    assert sheet.empty == ["print_news"] and sheet.values["tv_news"] == 3


def test_a_formula_without_a_cached_value_is_a_problem_not_an_empty_cell(read):
    wb = attachment(dict(FILLED, **{"电视新闻（条）": "=1+2"}))  # openpyxl stores no cached value
    sheet = _one(read, wb)
    assert "tv_news" not in sheet.empty
    [problem] = sheet.problems
    assert problem.place == f"{FILE}!Sheet1!D7" and problem.kind == "formula"
    assert "请在 Excel 中打开并保存后再上传" in problem.message


def test_a_formula_with_its_cached_value_is_read_as_the_value(read):
    data = to_bytes(attachment(dict(FILLED, **{"电视新闻（条）": "=1+2"})))

    def cache(name, content):  # what Excel writes after calculating: <f>1+2</f><v>3</v>
        return content.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>") if "worksheets" in name else content

    [sheet] = read(rezip(data, change=cache))
    assert sheet.values["tv_news"] == 3 and sheet.problems == []


def test_figures_on_rows_of_their_own_under_sub_labels(read):
    wb = Workbook()
    ws = wb.active
    ws.title = "大连市商务局"
    ws.append(["会议（场次、人次）", "场次", "12", "场"])
    ws.append([None, "人次", "3400", "人次"])
    ws.append(["宣传资料展示（方式，份数）", "方式", "展板、手册"])
    ws.append([None, "份数", None, "份"])  # empty: the 份 unit cell is not its value
    for label, value in list(FILLED.items())[2:]:
        ws.append([label, None, value])
    ws.merge_cells("A1:A2")
    ws.merge_cells("A3:A4")
    sheet = _one(read, wb)
    assert sheet.unit.code == "210200"
    assert sheet.problems == []
    assert sheet.empty == ["material_copies"]
    assert (sheet.values["meeting_sessions"], sheet.values["meeting_attendance"]) == (12, 3400)
    assert sheet.places["meeting_attendance"] == f"{FILE}!大连市商务局!C2"


# --- units and sheets ---------------------------------------------------------------------------------------


def test_one_unit_per_sheet_named_by_the_sheet(read):
    wb = Workbook()
    wb.remove(wb.active)
    notes = wb.create_sheet("填表说明")
    notes["A1"] = "请在各工作表中填写本单位数据，会议一栏写成“12场，3400人次”"
    for name in ("广东省", "大连市商务局", "新疆生产建设兵团"):
        attachment_sheet(wb.create_sheet(name), unit=None)
    hidden = wb.create_sheet("草稿")
    attachment_sheet(hidden, unit="北京市")
    hidden.sheet_state = "hidden"
    sheets = read(to_bytes(wb))
    assert [(s.sheet, s.unit.code) for s in sheets] == [
        ("广东省", "440000"),
        ("大连市商务局", "210200"),
        ("新疆生产建设兵团", "660000"),
    ]
    assert all(s.values == EXPECTED and s.ok for s in sheets)
    assert sheets[1].places["videos"] == f"{FILE}!大连市商务局!D10"


def test_a_sheet_of_an_unknown_unit_is_a_problem_never_a_guess(read):
    wb = Workbook()
    wb.remove(wb.active)
    attachment_sheet(wb.create_sheet("广东省"), unit=None)
    attachment_sheet(wb.create_sheet("广州市"), unit=None)
    known, unknown = read(to_bytes(wb))
    assert known.ok
    assert unknown.unit is None and not unknown.ok
    [problem] = unknown.problems
    assert problem.place == f"{FILE}!广州市" and problem.kind == "unknown_unit"
    assert problem.message.startswith("无法确定填报单位：请在表中填写“填报单位：单位名称”，或把工作表命名为单位名称")
    assert unknown.values == EXPECTED  # still shown in the preview, but it cannot be saved


def test_the_unit_cell_comes_before_the_sheet_name(read):
    sheet = _one(read, attachment(unit="大连市商务局", sheet="Sheet1"))
    assert sheet.unit.code == "210200"


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"A2": "填报单位（盖章）：", "C2": "广东省商务厅"}, "440000"),
        ({"A2": "填报单位：广东省商务厅        填报日期：2020年11月20日"}, "440000"),
        ({"A2": "填报单位:440000"}, "440000"),
    ],
)
def test_the_unit_cell_as_people_write_it(read, cells, code):
    wb = attachment(unit=None)
    for ref, text in cells.items():
        wb.active[ref] = text
    assert _one(read, wb).unit.code == code


def test_an_unknown_unit_in_the_unit_cell_is_a_problem_at_that_cell(read):
    sheet = _one(read, attachment(unit="广州市商务局", sheet="广东省"))
    assert sheet.unit is None
    assert _problems(sheet) == [
        f"{FILE}!广东省!A2: “广州市商务局”不是已登记的填报单位：请写单位名称（如 广东省商务厅）或代码（如 440000）"
    ]


def test_a_unit_cell_and_a_sheet_name_naming_two_units_is_a_problem(read):
    sheet = _one(read, attachment(unit="广东省商务厅", sheet="深圳市"))
    assert sheet.unit is None
    assert [p.kind for p in sheet.problems] == ["unit_conflict"]
    assert sheet.problems[0].place == f"{FILE}!深圳市!A2"


# --- the product's own template --------------------------------------------------------------------------


@pytest.fixture
def template(campaign):
    return build_template(
        form_definition(campaign), unit_code="440000", unit_name="广东省", campaign_title=campaign.title
    )


def _fill(template: bytes, values: dict, edit=None) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb.active
    rows = {ws.cell(r, 7).value: r for r in range(4, ws.max_row + 1)}
    for code, value in values.items():
        ws.cell(rows[code], 5, value)
    if edit:
        edit(wb)
    return to_bytes(wb)


def test_template_with_a_bad_value_names_its_input_cell(read, template):
    sheet = _one(read, load_workbook(io.BytesIO(_fill(template, dict(EXPECTED, print_news="若干")))))
    assert _problems(sheet) == [
        f"{FILE}!广东省!E8: 传统媒介 › 纸媒新闻（篇）：“若干”不是有效的数字，请填写如 12345、1.2万、3亿"
    ]


def test_template_formula_without_value_is_a_problem(read, template):
    [sheet] = read(_fill(template, dict(EXPECTED, videos="=2*3")))
    assert [(p.place, p.kind) for p in sheet.problems] == [(f"{FILE}!广东省!E12", "formula")]


def test_template_sheets_copied_into_one_workbook_keep_their_mapping(read, template):
    def copy_for_dalian(wb):
        copy = wb.copy_worksheet(wb.active)
        copy.title = "大连市"
        copy["A2"] = "填报单位：大连市（210200）"
        copy["E4"] = 7

    sheets = read(_fill(template, EXPECTED, copy_for_dalian))
    assert [(s.layout, s.unit.code) for s in sheets] == [("template", "440000"), ("template", "210200")]
    assert sheets[0].values == EXPECTED
    assert sheets[1].values == dict(EXPECTED, meeting_sessions=7)


def test_template_without_its_hidden_column_is_still_read_by_its_labels(read, template):
    def drop_mapping(wb):
        wb.active.delete_cols(7)

    [sheet] = read(_fill(template, EXPECTED, drop_mapping))
    assert sheet.layout == "attachment"
    assert sheet.values == EXPECTED and sheet.problems == []


def test_template_of_another_form_is_a_problem(read, template):
    def older_form(wb):
        wb.active["G9"] = "tv_minutes"

    [sheet] = read(_fill(template, EXPECTED, older_form))
    kinds = [(p.kind, p.place) for p in sheet.problems]
    assert ("template_code", f"{FILE}!广东省!G9") in kinds
    assert ("template_code", f"{FILE}!广东省") in kinds  # tv_news is missing now


# --- refused files --------------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_workbook_is_refused(read):
    with pytest.raises(WorkbookRefused) as excinfo:
        read("会议,12\n".encode(), file_name="统计表.csv")
    assert str(excinfo.value) == "统计表.csv: 不是 Excel 工作簿（.xlsx），请上传 .xlsx 文件"


def test_an_old_xls_is_refused(read):
    with pytest.raises(WorkbookRefused, match=r"请另存为 \.xlsx"):
        read(compound_file({"Workbook": b"\0" * 100}), file_name="统计表.xls")


def test_a_workbook_without_the_table_is_refused(read):
    wb = Workbook()
    wb.active["A1"] = "本单位今年未开展活动"
    with pytest.raises(WorkbookRefused) as excinfo:
        read(to_bytes(wb))
    assert excinfo.value.place == FILE and "没有找到统计表" in excinfo.value.reason


def test_a_sheet_with_too_many_cells_is_refused(read):
    wb = attachment()
    for r in range(20, 120):
        for c in range(1, 60):
            wb.active.cell(r, c, 1)
    with pytest.raises(WorkbookRefused) as excinfo:
        read(to_bytes(wb))
    assert excinfo.value.place == f"{FILE}!Sheet1"
    assert "超过 5000 个单元格" in excinfo.value.reason


def test_a_stray_cell_far_away_counts_against_the_cap(read):
    wb = attachment()
    wb.active["A900"] = "x"
    with pytest.raises(WorkbookRefused):
        read(to_bytes(wb), max_cells=800)
