"""Whole numbers as people type them into the statistics table (core/numbers.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.core.numbers import MAX_VALUE, NumberParseError, format_number, parse_whole_number

FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", 12345),
        ("0", 0),
        ("12,345", 12_345),
        ("1,234,567", 1_234_567),
        ("12，345", 12_345),  # a full-width comma, as typed with a Chinese input method
        ("１２３４５", 12_345),
        ("１２，３４５", 12_345),
        ("1.2万", 12_000),
        ("0.5万", 5_000),
        ("3亿", 300_000_000),
        ("1.25亿", 125_000_000),
        ("5千", 5_000),
        ("2百", 200),
        ("1万亿", 1_000_000_000_000),
        ("3400人次", 3_400),
        ("12场", 12),
        ("3场次", 3),
        ("5000份", 5_000),
        ("1.2万人次", 12_000),
        ("  860 ", 860),
        ("3400 人次", 3_400),
        ("\u3000860\u3000", 860),  # ideographic spaces around the number
        (860, 860),
    ],
)
def test_accepts_the_ways_people_write_whole_numbers(text, expected):
    assert parse_whole_number(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\u3000", "\t\n"])
def test_an_empty_cell_is_none_not_zero(text):
    assert parse_whole_number(text) is None


@pytest.mark.parametrize("text", ["-5", "-1.2万", "－5", "-3400人次", -1])
def test_negative_numbers_are_refused_in_chinese(text):
    with pytest.raises(NumberParseError, match="不能为负数"):
        parse_whole_number(text)


@pytest.mark.parametrize("text", ["1.5", "12.3", "1.23456万", "0.1"])
def test_fractions_are_refused_as_not_whole(text):
    with pytest.raises(NumberParseError, match="不是整数"):
        parse_whole_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "十二",
        "万",
        "人次",
        "1,2345",
        "12,34",
        "1e5",
        "0x10",
        "12场，3400人次",
        "3/4",
        "1..2",
        "2020-11-25",
        "+5",
    ],
)
def test_garbage_is_refused_with_a_message_that_quotes_the_input_and_shows_examples(text):
    with pytest.raises(NumberParseError) as info:
        parse_whole_number(text)
    message = str(info.value)
    assert f"“{text}”" in message
    assert "1.2万" in message  # tells the person what is accepted


def test_a_checkbox_value_is_not_a_number():
    with pytest.raises(NumberParseError, match="请填写数字"):
        parse_whole_number(True)


def test_absurdly_large_values_are_refused():
    assert parse_whole_number(str(MAX_VALUE)) == MAX_VALUE
    with pytest.raises(NumberParseError, match="数值过大"):
        parse_whole_number(str(MAX_VALUE + 1))
    with pytest.raises(NumberParseError, match="数值过大"):
        parse_whole_number("100000万亿")


def test_format_number_shows_thousands_and_nothing_for_empty():
    assert format_number(12_000) == "12,000"
    assert format_number(0) == "0"
    assert format_number(None) == ""


# --- properties ------------------------------------------------------------------------------------------

whole = st.integers(min_value=0, max_value=10**12)


@given(whole)
def test_plain_digits_round_trip(n):
    assert parse_whole_number(str(n)) == n


@given(whole)
def test_thousands_separated_round_trip(n):
    assert parse_whole_number(f"{n:,}") == n


@given(whole)
def test_full_width_digits_round_trip(n):
    assert parse_whole_number(str(n).translate(FULL_WIDTH)) == n
    assert parse_whole_number(f"{n:,}".translate(FULL_WIDTH)) == n


@given(st.integers(min_value=0, max_value=MAX_VALUE // 10_000))
def test_wan_multiplies_by_ten_thousand(n):
    assert parse_whole_number(f"{n}万") == n * 10_000


@given(whole, st.sampled_from(["人次", "场", "篇", "条", "次", "份"]))
def test_a_trailing_unit_of_measure_is_ignored(n, unit):
    assert parse_whole_number(f"{n}{unit}") == n


@settings(max_examples=300)
@given(st.text())
def test_any_text_gives_a_whole_number_none_or_a_number_parse_error(text):
    try:
        value = parse_whole_number(text)
    except NumberParseError as exc:
        assert str(exc)  # always a message for the person
        return
    assert value is None or (isinstance(value, int) and 0 <= value <= MAX_VALUE)


@given(st.from_regex(r"[0-9０-９,，.万亿千百十人次场份 -]{0,20}", fullmatch=True))
def test_number_like_text_never_raises_anything_else(text):
    try:
        value = parse_whole_number(text)
    except NumberParseError:
        return
    assert value is None or 0 <= value <= MAX_VALUE
