"""Properties of reading the numbers people type (core/numbers.py): every way of writing a whole number reads
back as that number, and anything else is a NumberParseError with a message, never another exception."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.core.numbers import MAGNITUDES, MAX_VALUE, MEASURES, NumberParseError, format_number, parse_whole_number

FAST = settings(max_examples=200, deadline=None)
WHOLE = st.integers(min_value=0, max_value=MAX_VALUE)
SPACES = st.text(alphabet=" \t\u3000\u00a0", max_size=2)
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def _result(text):
    """What parse_whole_number gives: ("ok", n) or ("error", message). Any other exception fails the test."""
    try:
        return "ok", parse_whole_number(text)
    except NumberParseError as exc:
        assert str(exc).strip(), "a refusal must say why"
        return "error", str(exc)


@FAST
@given(WHOLE)
def test_the_displayed_form_reads_back(n):
    assert parse_whole_number(format_number(n)) == n


@FAST
@given(WHOLE, SPACES, SPACES)
def test_full_width_digits_and_separators_read_back(n, before, after):
    assert parse_whole_number(before + format_number(n).translate(FULL_WIDTH) + after) == n


@FAST
@given(st.integers(min_value=0, max_value=MAX_VALUE), st.sampled_from(sorted(MAGNITUDES)), st.integers(0, 6))
def test_a_decimal_with_a_magnitude_reads_back_when_it_is_whole(n, magnitude, shift):
    """`1.2万` style: n written as n / 10^shift, followed by a magnitude, is n / 10^shift × magnitude."""
    scaled = Decimal(n).scaleb(-shift)
    text = f"{scaled:f}{magnitude}"
    value = scaled * MAGNITUDES[magnitude]
    kind, result = _result(text)
    if value != value.to_integral_value() or value > MAX_VALUE:
        assert kind == "error"
    else:
        assert (kind, result) == ("ok", int(value))


@FAST
@given(WHOLE, st.sampled_from(MEASURES), SPACES)
def test_a_trailing_unit_of_measure_is_ignored(n, measure, space):
    assert parse_whole_number(f"{format_number(n)}{space}{measure}") == n


@FAST
@given(st.integers(min_value=1, max_value=MAX_VALUE))
def test_negative_numbers_are_refused_in_every_form(n):
    for text in (-n, f"-{n}", f"−{n}", f"－{n}"):
        kind, message = _result(text)
        assert kind == "error" and "负数" in message


@FAST
@given(st.integers(min_value=MAX_VALUE + 1, max_value=MAX_VALUE * 1000))
def test_too_large_numbers_are_refused_not_stored(n):
    assert _result(n)[0] == "error"
    assert _result(format_number(n))[0] == "error"


@FAST
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_any_python_value_gives_a_whole_number_none_or_a_refusal(value):
    kind, result = _result(value)
    if kind == "ok":
        assert result is None or 0 <= result <= MAX_VALUE
    if isinstance(value, bool):
        assert kind == "error"


@FAST
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Nd", "No", "Nl", "Lo", "Po", "Pd", "Zs", "Sm", "Cf"]),
        max_size=15,
    )
)
def test_any_text_of_digits_and_signs_gives_a_number_none_or_a_refusal(text):
    kind, result = _result(text)
    if kind == "ok":
        assert result is None or 0 <= result <= MAX_VALUE
