"""One printed cell holding the two figures of a leaf (workbooks/compound.py): read by unit, never guessed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengxin.core.numbers import MAX_VALUE, parse_whole_number
from chengxin.statform.definition import FigureDef
from chengxin.workbooks.compound import CompoundCellError, example, split_cell


def _leaf(row_label: str, *figures: tuple[str, str, str, str]) -> list[FigureDef]:
    """The figures of one leaf, as statform.definition.build_definition makes them."""
    codes = tuple(code for code, *_ in figures)
    return [
        FigureDef(code, label, unit, kind, order, row_label, row_label, row_codes=codes)
        for order, (code, label, unit, kind) in enumerate(figures)
    ]


MEETING = _leaf(
    "会议（场次、人次）", ("meeting_sessions", "场次", "场", "number"), ("meeting_attendance", "人次", "人次", "number")
)
MATERIAL = _leaf(
    "宣传资料展示（方式，份数）", ("material_methods", "方式", "", "text"), ("material_copies", "份数", "份", "number")
)
LIVE = _leaf(
    "直播（场次，观看人次）", ("live_sessions", "场次", "场", "number"), ("live_viewers", "观看人次", "人次", "number")
)
PRINT_NEWS = _leaf("纸媒新闻（篇）", ("print_news", "篇数", "篇", "number"))

SEPARATORS = ["，", ",", "/", "、", " ", "；", "　"]
WHOLE = st.integers(min_value=0, max_value=MAX_VALUE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12场，3400人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("3场/1.2万人次", {"meeting_sessions": "3", "meeting_attendance": "1.2万"}),
        ("3场/1.2 万人次", {"meeting_sessions": "3", "meeting_attendance": "1.2 万"}),
        ("12场 3400人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("3400人次，12场", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("12场次、3400人", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("１２场，３４００人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("12场3400人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("12 场，3400 人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("1,200场，34,000人次", {"meeting_sessions": "1,200", "meeting_attendance": "34,000"}),
        ("12，3400人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
        ("3400人次", {"meeting_attendance": "3400"}),
        ("12场\n3400人次", {"meeting_sessions": "12", "meeting_attendance": "3400"}),
    ],
)
def test_meeting_cell_is_read_by_unit(text, expected):
    assert split_cell(text, MEETING) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("展板、手册，5000份", {"material_methods": "展板、手册", "material_copies": "5000"}),
        ("5000份（展板、手册）", {"material_methods": "展板、手册", "material_copies": "5000"}),
        ("展板、手册（5000份）", {"material_methods": "展板、手册", "material_copies": "5000"}),
        ("展板、手册、横幅 1.2万份", {"material_methods": "展板、手册、横幅", "material_copies": "1.2万"}),
        ("展板，5000", {"material_methods": "展板", "material_copies": "5000"}),
        ("展板、手册", {"material_methods": "展板、手册"}),
        ("5000份", {"material_copies": "5000"}),
    ],
)
def test_material_cell_separates_the_methods_from_the_copies(text, expected):
    assert split_cell(text, MATERIAL) == expected


@pytest.mark.parametrize("text", ["", "  ", None, "无", "/", "-", "—"])
def test_an_empty_cell_or_one_saying_none_gives_nothing_not_zero(text):
    # split_cell alone: the caller decides. A workbook is read through parse.read_cell, where 无 / - is 0 and
    # only a blank cell is empty (test_parse.py, test_hypothesis_cells.py).
    assert split_cell(text, MEETING) == {}


def test_every_number_read_is_one_the_number_parser_accepts():
    parts = split_cell("1,200场/1.2 万人次", MEETING)
    assert [parse_whole_number(p) for p in parts.values()] == [1200, 12000]


def test_a_one_figure_leaf_gets_the_whole_text_for_the_number_parser():
    assert split_cell("3400", PRINT_NEWS) == {"print_news": "3400"}
    assert split_cell(" 1.2万篇 ", PRINT_NEWS) == {"print_news": "1.2万篇"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3400", "请注明单位"),  # 场次 or 人次?
        ("12，3400", "请注明单位"),  # printed order is no proof
        ("12,340人次", "千位分隔符"),  # 12 and 340, or 12340?
        ("12篇，3400人次", "不属于此项"),
        ("12场，3场", "请只填一个"),
        ("12场，3400人次，另有线上", "无法识别“另有线上”"),
        ("约12场，3400人次", "无法识别“约”"),
        ("3~5场", "无法识别“~”"),  # a range: 3 would go to 人次 by elimination, but the ~ is left over
        ("12场，5000余人次", "不属于此项"),
        ("12场，-5人次", None),  # read as -5: the number parser refuses it
    ],
)
def test_a_meeting_cell_that_cannot_be_read_without_guessing_is_refused(text, says):
    if says is None:
        parts = split_cell(text, MEETING)
        assert parts["meeting_attendance"] == "-5"
        return
    with pytest.raises(CompoundCellError) as excinfo:
        split_cell(text, MEETING)
    assert says in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("展板3块、手册，5000份", "不属于此项"),
        ("展板、手册，5000本", "不属于此项"),
        ("展板、手册，5000份，另3000", "请注明单位"),
    ],
)
def test_a_material_cell_with_numbers_in_the_methods_is_refused(text, says):
    with pytest.raises(CompoundCellError, match=says):
        split_cell(text, MATERIAL)


def test_the_refusal_says_what_the_cell_should_look_like():
    with pytest.raises(CompoundCellError) as excinfo:
        split_cell("3400", LIVE)
    assert str(excinfo.value) == "无法判断“3400”是场次、观看人次中的哪一项，请注明单位，如“12场，3400人次”"
    assert example(MATERIAL) == "展板、手册，5000份"


@given(a=WHOLE, b=WHOLE, sep=st.sampled_from(SEPARATORS), reverse=st.booleans())
def test_two_whole_numbers_with_units_split_back_into_the_same_numbers(a, b, sep, reverse):
    text = f"{b}人次{sep}{a}场" if reverse else f"{a}场{sep}{b}人次"
    parts = split_cell(text, MEETING)
    assert parse_whole_number(parts["meeting_sessions"]) == a
    assert parse_whole_number(parts["meeting_attendance"]) == b


@given(a=WHOLE, b=WHOLE, sep=st.sampled_from(SEPARATORS))
def test_thousands_separators_survive_the_split(a, b, sep):
    parts = split_cell(f"{a:,}场{sep}{b:,}人次", LIVE)
    assert parse_whole_number(parts["live_sessions"]) == a
    assert parse_whole_number(parts["live_viewers"]) == b


@given(
    copies=WHOLE,
    methods=st.lists(st.sampled_from(["展板", "手册", "横幅", "宣传单", "海报"]), min_size=1, max_size=4, unique=True),
    sep=st.sampled_from(SEPARATORS),
    bracketed=st.booleans(),
)
def test_methods_and_copies_split_back(copies, methods, sep, bracketed):
    named = "、".join(methods)
    text = f"{copies}份（{named}）" if bracketed else f"{named}{sep}{copies}份"
    parts = split_cell(text, MATERIAL)
    assert parts["material_methods"] == named
    assert parse_whole_number(parts["material_copies"]) == copies
