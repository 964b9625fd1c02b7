"""Reading an uploaded release (indices/parse.py): CSV in UTF-8 (with or without BOM), GBK and UTF-16, .xlsx;
every kind of bad row refused with its place FILE!ROW; whole files refused as FILE."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from chengxin.core.regions import PROVINCES
from chengxin.indices.parse import MAX_ROWS, Regions, parse_period, parse_release, parse_value
from chengxin.indices.tests.builders import csv_bytes, xlsx_bytes

REGIONS = Regions.build({**PROVINCES, "210200": "大连市"}, [("大连", "210200")])
GOOD = [("2020-09", "000000", "101.2"), ("2020-10", "上海市", "104.1"), ("2020年10月", "全国", "101.8")]


def _parse(content: bytes, name: str = "shanghai.csv", frequency: str | None = "month"):
    return parse_release(content, name, regions=REGIONS, frequency=frequency)


def _refusals(parsed) -> list[str]:
    return [str(r) for r in parsed.refusals]


@pytest.mark.parametrize(
    "content",
    [
        csv_bytes(GOOD),
        csv_bytes(GOOD, bom=True),
        csv_bytes(GOOD, encoding="gbk"),
        csv_bytes(GOOD, encoding="utf-16"),
        csv_bytes(GOOD).replace(b",", b"\t"),
        xlsx_bytes(GOOD),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "utf-16", "tab", "xlsx"],
)
def test_a_good_file_is_read_in_every_encoding_and_format(content):
    parsed = _parse(content, "shanghai.xlsx" if content.startswith(b"PK") else "shanghai.csv")
    assert parsed.ok, _refusals(parsed)
    assert [(r.row, r.period, r.region_code, r.region_name, r.value) for r in parsed.rows] == [
        (2, "2020-09", "000000", "全国", Decimal("101.2")),
        (3, "2020-10", "310000", "上海市", Decimal("104.1")),
        (4, "2020-10", "000000", "全国", Decimal("101.8")),
    ]
    assert parsed.periods == ["2020-09", "2020-10"] and parsed.region_count == 2


BAD_ROWS = [
    (("2020-10", "310000", "abc"), "shanghai.csv!3: 数值“abc”不是数字"),
    (("2020-10", "310000", ""), "shanghai.csv!3: 数值为空"),
    (("2020-10", "310000", "=1+1"), "shanghai.csv!3: 数值“=1+1”不是数字"),
    (("2020-10", "310000", "1.23456"), "shanghai.csv!3: 数值最多保留 4 位小数"),
    (("2020-10", "310000", "9" * 13), "shanghai.csv!3: 数值过大（整数部分最多 12 位）"),
    (("2020-13", "310000", "1"), "shanghai.csv!3: 期间“2020-13”无法识别"),
    (("", "310000", "1"), "shanghai.csv!3: 期间为空"),
    (("2020Q4", "310000", "1"), "shanghai.csv!3: 期间“2020Q4”是季度，本指数是月度数据：应写作如 2020-10"),
    (("2020-10", "火星", "1"), "shanghai.csv!3: 地区“火星”不是已知的地区"),
    (("2020-10", "999999", "1"), "shanghai.csv!3: 地区“999999”不是已知的地区"),
    (("2020-10", "", "1"), "shanghai.csv!3: 地区为空"),
    (("2020年9月", "全国", "1"), "shanghai.csv!3: 期间 2020-09、地区 全国 与第 2 行重复"),
]


@pytest.mark.parametrize(("row", "expected"), BAD_ROWS, ids=[e.split(": ")[1][:12] for _r, e in BAD_ROWS])
def test_each_kind_of_bad_row_is_refused_with_its_place(row, expected):
    parsed = _parse(csv_bytes([("2020-09", "000000", "101.2"), row]))
    assert not parsed.ok
    assert len(parsed.refusals) == 1 and str(parsed.refusals[0]).startswith(expected), _refusals(parsed)
    assert [r.row for r in parsed.rows] == [2]  # the good row is read; the file as a whole is not ok


def test_a_row_with_several_problems_is_refused_for_each_and_blank_rows_are_skipped():
    content = csv_bytes([("2020-09", "000000", "1"), ("", "", ""), ("x", "火星", "")])
    assert [p.split(": ")[0] for p in _refusals(_parse(content))] == ["shanghai.csv!4"] * 3


def test_a_gbk_file_is_refused_with_the_row_number_of_the_line():
    content = csv_bytes([("2020-09", "上海", "101"), ("2020-10", "上海", "一百")], encoding="gbk")
    assert _refusals(_parse(content)) == ["shanghai.csv!3: 数值“一百”不是数字"]


def test_xlsx_cells_are_read_as_excel_stores_them_and_refused_with_the_row():
    rows = [
        (dt.datetime(2020, 9, 1), 310000, 101.25),  # Excel made 2020-09 a date and the code a number
        ("2020-10", "上海", dt.datetime(2020, 1, 1)),
        ("2020-11", "上海", "#DIV/0!"),
    ]
    parsed = _parse(xlsx_bytes(rows), "shanghai.xlsx")
    assert [(r.period, r.region_code, r.value) for r in parsed.rows] == [("2020-09", "310000", Decimal("101.25"))]
    assert _refusals(parsed) == [
        "shanghai.xlsx!3: 数值是日期格式，请改为常规格式并填写数字",
        "shanghai.xlsx!4: 单元格的公式出错（#DIV/0!），请改正后填写数值",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\n\n  \n", "文件是空的"),
        (csv_bytes([]), "表头下没有数据"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
        (b"PK\x03\x04 not really a zip", "文件已损坏"),
        (b"\x00\x01\x02binary\xff\xfe\x00", "无法识别文件的编码"),
    ],
    ids=["empty", "blank", "header-only", "xls", "broken-zip", "binary"],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(content, message):
    parsed = _parse(content)
    assert not parsed.ok and not parsed.rows
    assert len(parsed.refusals) == 1 and parsed.refusals[0].place == "shanghai.csv"
    assert message in parsed.refusals[0].message


def test_a_file_without_the_header_is_refused_at_its_first_row():
    parsed = _parse(csv_bytes(GOOD, header=("日期", "省份", "分数")))
    assert _refusals(parsed) == ["shanghai.csv!1: 第一行应为表头：期间、地区、数值（请使用下载的模板）"]


def test_too_many_rows_are_refused_and_nothing_is_kept():
    rows = [(f"{2000 + i // 12}-{i % 12 + 1:02d}", "000000", "1") for i in range(1200)]
    regions = ("000000", "310000", "110000", "440000", "210200")
    content = csv_bytes([(p, r, v) for p, _r, v in rows for r in regions])
    assert len(rows) * len(regions) > MAX_ROWS
    parsed = _parse(content)
    assert parsed.rows == [] and _refusals(parsed) == ["shanghai.csv: 数据超过 5000 行，请分几次上传"]


def test_a_macro_workbook_is_refused_before_openpyxl_reads_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD))) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"macro")
    parsed = _parse(buffer.getvalue(), "shanghai.xlsx")
    assert parsed.refusals[0].place == "shanghai.xlsx" and "宏" in parsed.refusals[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-10", ("2020-10", 202010, "month")),
        ("2020/1", ("2020-01", 202001, "month")),
        ("2020.10", ("2020-10", 202010, "month")),
        ("２０２０年１０月", ("2020-10", 202010, "month")),
        ("202010", ("2020-10", 202010, "month")),
        ("2020Q4", ("2020Q4", 202012, "quarter")),
        ("2020-q1", ("2020Q1", 202003, "quarter")),
        ("2020年第四季度", ("2020Q4", 202012, "quarter")),
        ("2020年3季度", ("2020Q3", 202009, "quarter")),
        ("2020", ("2020", 202012, "year")),
        ("2020年", ("2020", 202012, "year")),
        (2020, ("2020", 202012, "year")),
        ("2020-00", None),
        ("1899", None),
        ("٢٠٢٠", None),
        ("明年", None),
    ],
)
def test_periods_are_normalised_and_sort_by_their_key(text, expected):
    period = parse_period(text)
    assert (None if period is None else (period.text, period.key, period.frequency)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("101.5", "101.5"), ("1,234.50", "1234.5"), ("－0.3", "-0.3"), ("+2", "2"), ("-0", "0"), (101.25, "101.25")],
)
def test_values_are_read_as_people_write_them(text, expected):
    assert parse_value(text) == Decimal(expected)


def test_regions_are_known_by_code_name_and_short_name_and_全国():
    assert REGIONS.resolve("上海") == ("310000", "上海市")
    assert REGIONS.resolve("广西") == ("450000", "广西壮族自治区")
    assert REGIONS.resolve("大连") == ("210200", "大连市")
    assert REGIONS.resolve(" 全国 ") == ("000000", "全国")
    assert REGIONS.resolve(310000.0) == ("310000", "上海市")
    assert REGIONS.resolve("310001") is None
