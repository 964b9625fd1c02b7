"""Properties of the release parser (indices/parse.py): whatever the bytes, it answers with rows and refusals and
never raises; a table of good rows, written as CSV in any encoding Excel uses, reads back exactly; one bad cell
anywhere is refused at its row and no row is lost or invented."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.core.regions import PROVINCES
from chengxin.indices.parse import Regions, parse_release
from chengxin.indices.tests.builders import csv_bytes

FAST = settings(max_examples=150, deadline=None)
REGIONS = Regions.build(dict(PROVINCES))
CODES = sorted(REGIONS.names)
MONTHS = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2000, 2030), st.integers(1, 12))
VALUES = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
TABLES = st.lists(st.tuples(MONTHS, st.sampled_from(CODES), VALUES), max_size=40, unique_by=lambda r: (r[0], r[1]))


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_give_rows_or_refusals_never_an_exception(data):
    parsed = parse_release(data, "x.csv", regions=REGIONS, frequency="month")
    assert parsed.ok or parsed.refusals or not parsed.rows


@FAST
@given(st.text(max_size=300))
def test_any_text_in_a_csv_gives_rows_or_refusals(text):
    parse_release(("期间,地区,数值\n" + text).encode("utf-8"), "x.csv", regions=REGIONS)


@FAST
@given(TABLES.filter(bool), st.sampled_from(["utf-8", "gbk", "utf-16"]), st.booleans())
def test_good_rows_read_back_exactly(rows, encoding, use_names):
    written = [(p, REGIONS.names[c] if use_names else c, str(v)) for p, c, v in rows]
    parsed = parse_release(csv_bytes(written, encoding=encoding), "x.csv", regions=REGIONS, frequency="month")
    assert parsed.ok, parsed.refusals
    assert [(r.period, r.region_code, r.value) for r in parsed.rows] == [(p, c, Decimal(v)) for p, c, v in rows]


@FAST
@given(TABLES.filter(bool), st.data(), st.sampled_from(["abc", "1..2", "", "=SUM(A1)", "１２三"]))
def test_one_bad_value_is_refused_at_its_row_and_the_others_are_read(rows, data, bad):
    at = data.draw(st.integers(0, len(rows) - 1))
    written = [(p, c, bad if i == at else str(v)) for i, (p, c, v) in enumerate(rows)]
    parsed = parse_release(csv_bytes(written), "x.csv", regions=REGIONS, frequency="month")
    assert [r.place for r in parsed.refusals] == [f"x.csv!{at + 2}"]
    assert len(parsed.rows) == len(rows) - 1 and not parsed.ok
