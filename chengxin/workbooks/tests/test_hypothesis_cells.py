"""Properties of reading a workbook's cells (workbooks/parse.py cell_text, workbooks/compound.py split_cell,
core/numbers.py) and of recognising the unit a sheet names (units.selectors.unit_resolve): what a person writes
in the attachment's layout reads back as the numbers meant, anything else is a ValueError with a message (shown
at FILE!SHEET!CELL), never another exception and never a guess."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.core.numbers import MAX_VALUE, NumberParseError, format_number, parse_whole_number
from chengxin.statform.definition import FigureDef
from chengxin.units.models import Unit
from chengxin.units.selectors import DEPARTMENT_SUFFIXES, UnitNames, unit_resolve
from chengxin.workbooks.compound import CompoundCellError, split_cell
from chengxin.workbooks.parse import ZERO_MARKS, cell_text, read_cell

FAST = settings(max_examples=200, deadline=None)
WHOLE = st.integers(min_value=0, max_value=MAX_VALUE)
SEPARATORS = st.sampled_from(["，", ",", "/", "／", "、", " ", "；", "　", " , "])
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def _leaf(*figures: tuple[str, str, str, str]) -> list[FigureDef]:
    codes = tuple(code for code, *_ in figures)
    return [
        FigureDef(code, label, unit, kind, order, "行", "行", row_codes=codes)
        for order, (code, label, unit, kind) in enumerate(figures)
    ]


MEETING = _leaf(("sessions", "场次", "场", "number"), ("attendance", "人次", "人次", "number"))
MATERIAL = _leaf(("methods", "方式", "", "text"), ("copies", "份数", "份", "number"))
ONE = _leaf(("news", "篇数", "篇", "number"))
LEAVES = st.sampled_from([MEETING, MATERIAL, ONE])


@st.composite
def written(draw, n: int) -> str:
    """n as a person writes it: plain, thousands-separated, full-width, or with 万 / 亿 when it divides."""
    forms = [str(n), format_number(n), format_number(n).translate(FULL_WIDTH)]
    for magnitude, size in (("万", 10**4), ("亿", 10**8)):
        if n % (size // 10) == 0:  # at most one decimal place, as people write 1.2万
            forms.append(_decimal(Decimal(n) / size) + magnitude)
    return draw(st.sampled_from(forms))


def _decimal(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _read(text, figures) -> dict[str, int | str]:
    """The whole reading of a cell, as parse._take does it; ValueError (with a message) when it cannot."""
    parts = split_cell(cell_text(text), figures)
    return {
        f.code: (parse_whole_number(parts[f.code]) if f.is_number else parts[f.code])
        for f in figures
        if f.code in parts
    }


@FAST
@given(
    sessions=WHOLE,
    attendance=WHOLE,
    data=st.data(),
    sep=SEPARATORS,
    reverse=st.booleans(),
    alias=st.sampled_from([("场", "人次"), ("场次", "人次"), ("场", "人")]),
)
def test_two_numbers_with_their_units_read_back_in_any_order_and_form(sessions, attendance, data, sep, reverse, alias):
    a, b = f"{data.draw(written(sessions))}{alias[0]}", f"{data.draw(written(attendance))}{alias[1]}"
    if "," in a + b or "，" in a + b:
        sep = "；"  # a comma inside a number next to a comma between them is refused as ambiguous, by design
    text = sep.join([b, a] if reverse else [a, b])
    assert _read(text, MEETING) == {"sessions": sessions, "attendance": attendance}


@FAST
@given(copies=WHOLE, methods=st.sampled_from(["展板、手册", "展板", "宣传册、海报、横幅"]), data=st.data())
def test_methods_and_copies_read_back(copies, methods, data):
    text = f"{methods}，{data.draw(written(copies))}份"
    assert _read(text, MATERIAL) == {"methods": methods, "copies": copies}


@FAST
@given(
    value=st.one_of(
        st.none(),
        st.integers(min_value=-(10**18), max_value=10**18),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.sampled_from(["#DIV/0!", "#N/A", "无", "-", "——", "12场，3400人次", "1.2万", "5千", "3亿人次"]),
    ),
    figures=LEAVES,
)
def test_any_cell_reads_as_values_or_a_message_never_another_error(value, figures):
    try:
        values = _read(value, figures)
    except (CompoundCellError, NumberParseError, ValueError) as exc:
        assert str(exc).strip()
        return
    assert set(values) <= {f.code for f in figures}
    for figure in figures:
        if figure.code in values and figure.is_number:
            assert 0 <= values[figure.code] <= MAX_VALUE


# --- cells saying none (workbooks/parse.py read_cell) -------------------------------------------------------

LIVE = _leaf(("sessions", "场次", "场", "number"), ("viewers", "观看人次", "人次", "number"))
TEXT_ONLY = _leaf(("methods", "方式", "", "text"))
NONE_WRITTEN = st.sampled_from(sorted(ZERO_MARKS | {"０", "／", "－", "－－", "0/0", "0，0", "０、０", "0 / 0"}))
PADDING = st.sampled_from(["", " ", "　", "\n", " \t"])


def _read_cell(value, figures) -> dict[str, int | str]:
    """A cell read as parse._take reads it: read_cell, then the number parser for number figures."""
    parts = read_cell(cell_text(value), figures)
    return {
        f.code: (parse_whole_number(parts[f.code]) if f.is_number else parts[f.code])
        for f in figures
        if f.code in parts
    }


@FAST
@given(none=NONE_WRITTEN, before=PADDING, after=PADDING, figures=st.sampled_from([MEETING, LIVE, MATERIAL, ONE]))
def test_a_cell_saying_none_is_zero_for_every_figure_it_holds(none, before, after, figures):
    if none.count("0") + none.count("０") > 1 and sum(f.is_number for f in figures) < 2:
        return  # one zero per number: "0/0" is for a cell of two numbers
    values = _read_cell(before + none + after, figures)
    assert values == {f.code: 0 if f.is_number else "" for f in figures}


@FAST
@given(none=st.sampled_from(sorted(ZERO_MARKS)), padding=PADDING)
def test_a_text_figure_saying_none_names_nothing(none, padding):
    assert _read_cell(padding + none, TEXT_ONLY) == {"methods": ""}


@FAST
@given(n=st.integers(min_value=1, max_value=MAX_VALUE), figures=st.sampled_from([MEETING, LIVE]), data=st.data())
def test_a_bare_number_other_than_zero_in_a_cell_of_two_numbers_is_refused(n, figures, data):
    text = data.draw(written(n))
    with pytest.raises(CompoundCellError, match="请注明单位"):
        read_cell(text, figures)


@FAST
@given(a=WHOLE, b=WHOLE, figures=st.sampled_from([MEETING, LIVE]), sep=SEPARATORS)
def test_two_bare_numbers_are_refused_unless_both_are_zero(a, b, figures, sep):
    text = f"{a}{sep}{b}"
    if a == b == 0:
        assert _read_cell(text, figures) == {f.code: 0 for f in figures}
        return
    with pytest.raises(CompoundCellError, match="请注明单位"):
        read_cell(text, figures)


@FAST
@given(
    value=st.one_of(st.text(max_size=12), st.sampled_from(sorted(ZERO_MARKS)), st.integers(-5, 5), st.none()),
    figures=st.sampled_from([MEETING, LIVE, MATERIAL, ONE, TEXT_ONLY]),
)
def test_any_cell_reads_through_read_cell_as_values_or_a_message(value, figures):
    try:
        text = cell_text(value)
        values = {} if text is None else _read_cell(value, figures)
    except (CompoundCellError, NumberParseError, ValueError) as exc:
        assert str(exc).strip()
        return
    assert set(values) <= {f.code for f in figures}
    assert all(0 <= values[f.code] <= MAX_VALUE for f in figures if f.is_number and f.code in values)


@FAST
@given(st.floats(min_value=0, max_value=MAX_VALUE).filter(float.is_integer))
def test_a_whole_float_cell_is_read_without_a_decimal_point(number):
    text = cell_text(number)
    assert "." not in text and parse_whole_number(text) == int(number)


@FAST
@given(st.one_of(st.dates(), st.datetimes(), st.times(), st.timedeltas()))
def test_a_date_or_time_cell_is_refused_with_a_message(value):
    with pytest.raises(ValueError, match="日期或时间"):
        cell_text(value)
    assert isinstance(value, dt.date | dt.time | dt.timedelta)


# --- the unit a sheet names ----------------------------------------------------------------------------------


@pytest.fixture
def names(campaign) -> UnitNames:
    return UnitNames(Unit.objects.all())


def _decorate(draw, text: str) -> str:
    """The text as it is left once parse.py takes 填报单位： off the cell: spaces, a colon, brackets around it."""
    before = draw(st.sampled_from(["", " ", "：", ":", "（", "【", "“"]))
    after = draw(st.sampled_from(["", " ", "）", "】", "　"]))
    return before + text + after


@pytest.mark.django_db
def test_every_unit_is_recognised_by_its_code_inside_any_text(names):
    units = sorted(names.by_code.values(), key=lambda u: u.code)

    @FAST
    @given(unit=st.sampled_from(units), data=st.data())
    def check(unit, data):
        noise = st.text(alphabet="填报单位：（）盖章 ，。", max_size=6)
        text = data.draw(noise) + unit.code + data.draw(noise)
        assert unit_resolve(text, names) == unit

    check()


@pytest.mark.django_db
def test_a_unique_name_with_or_without_a_department_suffix_is_recognised(names):
    unique = sorted(name for name, units in names.by_name.items() if len(units) == 1)

    @FAST
    @given(name=st.sampled_from(unique), suffix=st.sampled_from(("", *DEPARTMENT_SUFFIXES)), data=st.data())
    def check(name, suffix, data):
        unit = next(iter(names.by_name[name].values()))
        if suffix and name + suffix in names.by_name:
            return  # the suffixed text is itself a unit's name (商务部 is not 商务 + 部)
        assert unit_resolve(_decorate(data.draw, name + suffix), names) == unit

    check()


@pytest.mark.django_db
def test_any_text_gives_one_unit_or_none_and_two_codes_give_none(names):
    codes = sorted(names.by_code)

    @FAST
    @given(text=st.text(max_size=40), pair=st.lists(st.sampled_from(codes), min_size=2, max_size=2, unique=True))
    def check(text, pair):
        found = unit_resolve(text, names)
        assert found is None or isinstance(found, Unit)
        assert unit_resolve(f"{pair[0]} {pair[1]}", names) is None

    check()
