"""Finding the form's rows by their printed labels (workbooks/labels.py, text.py), for any form definition:
the form is data, so a later year's table may repeat a leaf label under two groups."""

import pytest
from openpyxl import Workbook

from chengxin.statform.definition import FigureDef, FormDefinition, RowDef
from chengxin.workbooks.parse import parse_workbook
from chengxin.workbooks.tests.builders import to_bytes
from chengxin.workbooks.text import normalise_label


def _leaf(pk: int, label: str, code: str, parent: str) -> RowDef:
    figure = FigureDef(code, "条数", "条", "number", pk, label, f"{parent} › {label}", row_codes=(code,))
    return RowDef(pk, label, 1, figures=[figure])


def _form() -> FormDefinition:
    """A made-up later form: 网站新闻（条） under both 省级 and 市级."""
    province = RowDef(
        1,
        "省级",
        0,
        children=[_leaf(2, "网站新闻（条）", "province_web", "省级"), _leaf(3, "视频（条）", "province_video", "省级")],
    )
    city = RowDef(4, "市级", 0, children=[_leaf(5, "网站新闻（条）", "city_web", "市级")])
    roots = [province, city]
    figures = [f for root in roots for child in root.children for f in child.figures]
    return FormDefinition("2030年统计表", roots, figures, [])


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("会议\n（场次、人次）", "会议（场次、人次）"),
        ("会议(场次,人次)", "会议（场次、人次）"),
        ("宣传资料展示（方式、份数）", "宣传资料展示（方式，份数）"),
        ("直播[场次，观看人次]", "直播（场次，观看人次）"),
        (" 纸\u3000媒 新闻\t（篇） ", "纸媒新闻（篇）"),
    ],
)
def test_labels_compare_equal_however_they_are_typed(typed, printed):
    assert normalise_label(typed) == normalise_label(printed)


def _sheet(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    return to_bytes(wb)


def test_a_leaf_label_used_twice_is_told_apart_by_the_group_above_it():
    data = _sheet([["省级", "网站新闻（条）", 10], [None, "视频（条）", 2], ["市级", "网站新闻（条）", 30]])
    [sheet] = parse_workbook(data, file_name="a.xlsx", definition=_form(), units=[])
    assert sheet.values == {"province_web": 10, "province_video": 2, "city_web": 30}
    assert [p.kind for p in sheet.problems] == ["unknown_unit"]  # no unit was given: values alone


def test_a_leaf_label_used_twice_without_its_group_is_a_problem_not_a_guess():
    data = _sheet([["网站新闻（条）", 10], ["视频（条）", 2]])
    [sheet] = parse_workbook(data, file_name="a.xlsx", definition=_form(), units=[])
    assert "province_web" not in sheet.values and "city_web" not in sheet.values
    ambiguous = [p for p in sheet.problems if p.kind == "label_ambiguous"]
    assert [p.place for p in ambiguous] == ["a.xlsx!Sheet!A1"]
    assert "无法判断是哪一个" in ambiguous[0].message
