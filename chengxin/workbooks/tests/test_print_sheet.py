"""The national table for paper (workbooks/printlayout.py): the workbook's 打印版 sheet read back as Excel would
read it, and printed by LibreOffice (when it is installed) and looked at page by page.

The page-size arithmetic of the tests is the module's own (a width unit is PT_PER_UNIT points on paper in the
widest rendering, LibreOffice fits FIT_ALLOWANCE tighter than page width / sheet width); the LibreOffice test
checks it on real pages: the body's glyphs measured in the PDF are at least 8 pt.
"""

import io
import itertools
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from chengxin.conftest import VALID_VALUES
from chengxin.statform.definition import FigureDef, FormDefinition, RowDef
from chengxin.statform.models import FigureKind
from chengxin.statform.selectors import form_definition
from chengxin.workbooks import printlayout as paper
from chengxin.workbooks.export import GROUPS, PRINT_SHEET_TITLE, SHEET_TITLE, UnitColumn, national_table

pytestmark = pytest.mark.django_db

PROVINCES, PLANNED_CITIES, CORPS, BODIES, LOCAL = GROUPS
TITLE = "2020年“诚信兴商宣传月”活动统计表（全国汇总）"
DETAILS = "统计范围：已报送和已审核 · 截至 2026-12-03 14:38 · 导出：carol（carol）"
LONG_METHODS = "展板、手册、横幅、宣传册、海报、折页、电子屏、LED显示屏、微信公众号推文、宣传车巡游、主题展览、咨询台、"
LONG_METHODS += "社区讲座、广播、短视频、直播间、宣传栏、公交车身广告、地铁灯箱、诚信承诺墙"
COLUMNS = [
    UnitColumn("440100", "广州市", LOCAL),
    UnitColumn("440000", "广东省", PROVINCES),
    UnitColumn("GACC", "海关总署", BODIES),
    UnitColumn("110000", "北京市", PROVINCES),
    UnitColumn("650000", "新疆维吾尔自治区", PROVINCES),
    UnitColumn("660000", "新疆生产建设兵团", CORPS),
    UnitColumn("210200", "大连市", PLANNED_CITIES),
]
VALUES = {
    "440000": VALID_VALUES,
    "110000": VALID_VALUES | {"meeting_sessions": 3, "meeting_attendance": 120, "material_methods": "=HYPERLINK(1)"},
    "650000": VALID_VALUES | {"material_methods": LONG_METHODS, "people_reached": 1_234_567_890},
    "210200": VALID_VALUES | {"material_methods": "手册", "material_copies": 1_234_567, "tv_news": None},
    "660000": {"meeting_sessions": 1, "meeting_attendance": 10},
    "440100": VALID_VALUES | {"material_methods": ""},
    # 海关总署 has no figures: an empty row.
}
ORDER = ["440000", "110000", "650000", "210200", "660000", "GACC", "440100"]  # by group, given order inside
FIRST_HEAD_ROW = 3  # after the title and the details


@pytest.fixture
def definition(campaign):
    return form_definition(campaign)


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture
def book(definition):
    return _book(national_table(definition=definition, title=TITLE, details=DETAILS, columns=COLUMNS, values=VALUES))


@pytest.fixture
def ws(book):
    return book[PRINT_SHEET_TITLE]


def _total_row(ws) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == paper.TOTAL_LABEL)


def _figure_columns(ws, definition) -> dict[str, int]:
    """Figure code → column, read from the sheet's last header row (the figure's label and unit)."""
    last_head = _total_row(ws) - 1
    figures = [f for line in definition.table_lines() for f in line.leaf.figures]
    found, seen = {}, set()
    for figure in figures:  # two figures may share a head ("条数（条）"): the first free column with it
        column = next(
            c
            for c in range(4, ws.max_column + 1)
            if c not in seen and str(ws.cell(last_head, c).value).replace("\n", "") == paper.figure_head(figure)
        )
        seen.add(column)
        found[figure.code] = column
    return found


def _print_pt(ws) -> float:
    """The smallest body text's size on paper: its size in the sheet times the print scale, reckoned from the
    sheet's column widths and margins."""
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)]
    printable = paper.PAGE_WIDTH_PT - 72 * (ws.page_margins.left + ws.page_margins.right)
    if ws.sheet_properties.pageSetUpPr.fitToPage:
        scale = min(1.0, paper.FIT_ALLOWANCE * printable / (sum(widths) * paper.PT_PER_UNIT))
    else:
        scale = ws.page_setup.scale / 100
    sizes = {cell.font.sz for row in ws.iter_rows(min_row=_total_row(ws)) for cell in row if cell.has_style}
    return min(sizes) * scale


# --- the sheet ---------------------------------------------------------------------------------------------------


def test_the_official_sheet_stays_first_and_the_print_sheet_follows(book):
    assert book.sheetnames == [SHEET_TITLE, PRINT_SHEET_TITLE]
    assert book.active.title == SHEET_TITLE
    assert book[SHEET_TITLE]["A1"].value == f"{TITLE}　{DETAILS}"  # its one title row, as before


def test_print_sheet_is_a4_landscape_one_page_wide_with_title_and_header_rows_on_every_page(ws, definition):
    setup = ws.page_setup
    assert (str(setup.paperSize), setup.orientation) == (ws.PAPERSIZE_A4, "landscape")
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)  # one page across, as many down as it takes
    header_rows = FIRST_HEAD_ROW - 1 + definition.depth + 1  # title, details, the form's levels, the figures
    assert ws.print_title_rows == f"$1:${header_rows}"
    assert _total_row(ws) == header_rows + 1
    assert ws.freeze_panes == f"D{header_rows + 1}"
    assert (ws["A1"].value, ws["A2"].value) == (TITLE, DETAILS)
    assert {"A1:P1", "A2:P2"} <= {str(r) for r in ws.merged_cells.ranges}  # one page across: the title spans it
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_units_are_rows_under_headers_made_from_the_form(ws, definition):
    total = _total_row(ws)
    rows = [[ws.cell(r, c).value for c in (1, 2, 3)] for r in range(total + 1, ws.max_row + 1)]
    assert [code for code, _name, _group in rows] == ORDER
    assert rows[0] == ["440000", "广东省", "省级"] and rows[-1] == ["440100", "广州市", "地市区县"]
    assert [ws.cell(FIRST_HEAD_ROW, c).value for c in (1, 2, 3)] == list(paper.LABEL_HEADS)
    # The form's rows on their side, merged over their figures; then each figure's label and unit.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["D3"].value == "宣传形式" and "D3:N3" in merged
    assert ws["O3"].value == "宣传效果" and "O3:P3" in merged
    assert ws["D4"].value == "户外活动" and "D4:G4" in merged
    assert ws["D5"].value.replace("\n", "") == "会议（场次、人次）" and "D5:E5" in merged
    assert ws["D5"].value == "会议\n（场次、人次）"  # broken before its bracket, not where the letters run out
    assert "O4:O5" in merged  # 宣传覆盖总人数: a group-level row with its figure, two levels high
    assert [ws.cell(6, c).value.replace("\n", "") for c in (4, 5, 6, 7)] == ["场次（场）", "人次", "方式", "份数（份）"]
    assert "A3:A6" in merged and "A7:C7" in merged


def test_the_national_total_row_is_the_sum_of_each_number_figure(ws, definition):
    total = _total_row(ws)
    columns = _figure_columns(ws, definition)
    for figure in definition.figures:
        cell = ws.cell(total, columns[figure.code])
        if figure.is_number:
            assert cell.value == sum(v.get(figure.code) or 0 for v in VALUES.values()), figure.code
            assert cell.number_format == "#,##0"
            unit_rows = range(total + 1, ws.max_row + 1)
            assert cell.value == sum(ws.cell(r, columns[figure.code]).value or 0 for r in unit_rows)
    methods = ws.cell(total, columns["material_methods"]).value
    assert methods.startswith("手册 3、展板 2、")  # 广东, 新疆, 大连; 广东, 新疆
    assert methods.endswith("种")  # the long list of 新疆 did not fit: the most named, and how many in all


def test_every_cell_of_both_sheets_is_in_one_font_family(book):
    assert book._fonts[0].name == paper.FONT_NAME  # the default font: what column widths are measured in
    families = {font.name for font in book._fonts}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.has_style:
                    families.add(cell.font.name)
    assert families == {paper.FONT_NAME}
    assert book[PRINT_SHEET_TITLE].oddFooter.center.font == f"{paper.FONT_NAME},Regular"


def test_texts_wrap_in_rows_tall_enough_and_a_text_too_long_for_paper_ends_with_an_ellipsis(ws, definition, book):
    total = _total_row(ws)
    methods = _figure_columns(ws, definition)["material_methods"]
    xinjiang = total + 1 + ORDER.index("650000")
    for r in range(FIRST_HEAD_ROW, ws.max_row + 1):
        assert ws.row_dimensions[r].height, r  # a streamed sheet cannot autofit: every height is set
        for c in (2, methods):
            cell = ws.cell(r, c)
            if cell.has_style and cell.value:
                assert cell.alignment.wrap_text, cell.coordinate
    long_text = ws.cell(xinjiang, methods).value
    assert long_text.endswith("…") and LONG_METHODS.startswith(long_text[:-1])
    width = ws.column_dimensions[get_column_letter(methods)].width
    lines = paper.lines_in(long_text, width, paper.BODY_PT)
    assert 1 < lines <= paper.MAX_TEXT_LINES
    assert ws.row_dimensions[xinjiang].height >= lines * paper.BODY_PT * paper.LINE_EM
    beijing = total + 1 + ORDER.index("110000")
    assert ws.row_dimensions[beijing].height < ws.row_dimensions[xinjiang].height
    # The official sheet keeps the whole text, in a row tall enough for it at its unit columns' width.
    official = book[SHEET_TITLE]
    cell = next(c for row in official.iter_rows() for c in row if c.value == LONG_METHODS)
    lines = paper.lines_in(LONG_METHODS, official.column_dimensions[cell.column_letter].width, paper.DEFAULT_FONT_PT)
    assert lines > 3 and official.row_dimensions[cell.row].height >= lines * paper.DEFAULT_FONT_PT * paper.LINE_EM


def test_a_text_that_looks_like_a_formula_is_shown_as_text(ws):
    beijing = _total_row(ws) + 1 + ORDER.index("110000")
    values = [ws.cell(beijing, c).value for c in range(4, ws.max_column + 1)]
    assert "'=HYPERLINK(1)" in values
    assert not any(isinstance(v, str) and v.startswith("=") for row in ws.iter_rows(values_only=True) for v in row)


def test_numbers_fit_their_columns_and_codes_their_column(ws, definition):
    """Each column is as wide as its widest value (a number that does not fit shows as ### in Excel)."""
    total = _total_row(ws)
    for c in range(1, ws.max_column + 1):
        width = ws.column_dimensions[get_column_letter(c)].width
        for r in range(total, ws.max_row + 1):
            cell = ws.cell(r, c)
            is_code = c == 1 and r > total
            if isinstance(cell.value, int) or is_code:
                text = cell.value if is_code else paper.number_text(cell.value)
                size = cell.font.sz * (paper.BOLD_FACTOR if cell.font.b else 1)
                assert paper.text_units(text, size) + paper.PAD_UNITS <= width, cell.coordinate


NAME_CHARS = "安宁平和东西南北华阳山江河海湖泉林松柏桂兴昌盛德福永清新开元嘉泰康庆丰乐云龙凤鹤白青金玉石"


def _city(i: int) -> str:
    """A city's name made of Chinese characters only, different for each i: 安宁市, 宁安市 …"""
    name, base = "", len(NAME_CHARS)
    while True:
        i, digit = divmod(i, base)
        name += NAME_CHARS[digit]
        if not i:
            return name + "城" + "市"


def _many_units(n: int, *, big: bool) -> tuple[list[UnitColumn], dict]:
    """`n` city units with ordinary figures, or with big ones: 1.5 million people reached each, national
    totals of billions as in the benchmark's 3,400 units (bench/workbooks_bench.py)."""
    columns = [UnitColumn(f"{110101 + i}", _city(i), LOCAL) for i in range(n)]
    factor = 30 if big else 1
    values = {
        c.code: {k: (v * factor if isinstance(v, int) else "展板、手册、横幅、宣传册") for k, v in VALID_VALUES.items()}
        for c in columns
    }
    return columns, values


@pytest.mark.parametrize(("units", "big"), [(37, False), (400, False), (3400, True)])
def test_body_text_prints_at_least_8_pt(definition, units, big):
    columns, values = _many_units(units, big=big)
    ws = _book(national_table(definition=definition, title=TITLE, details=DETAILS, columns=columns, values=values))[
        PRINT_SHEET_TITLE
    ]
    assert ws.page_setup.fitToWidth == 1  # the 2020 form fits one page across
    assert _print_pt(ws) >= paper.MIN_PRINT_PT
    assert ws.max_row == _total_row(ws) + units


# --- a form too wide for one page across ---------------------------------------------------------------------


def _wide_form(groups: int, per_group: int) -> FormDefinition:
    figures, roots = [], []
    for g in range(groups):
        root = RowDef(id=g + 1, label=f"第{g + 1}类宣传形式", depth=0)
        for k in range(per_group):
            leaf = RowDef(id=100 + g * per_group + k, label=f"形式{g + 1}-{k + 1}（场次）", depth=1)
            figure = FigureDef(
                code=f"f{g}_{k}",
                label="场次",
                unit="场",
                kind=FigureKind.NUMBER,
                order=len(figures),
                row_label=leaf.label,
                path=f"{root.label} › {leaf.label}",
                row_codes=(f"f{g}_{k}",),
            )
            leaf.figures.append(figure)
            root.children.append(leaf)
            figures.append(figure)
        roots.append(root)
    return FormDefinition(title="宽表", roots=roots, figures=figures, rules=[])


def test_a_form_too_wide_for_one_page_is_split_across_pages_where_its_groups_end():
    definition = _wide_form(groups=4, per_group=7)  # 28 figures
    columns, _values = _many_units(50, big=False)
    values = {c.code: {f.code: 1_234_567 for f in definition.figures} for c in columns}
    ws = _book(national_table(definition=definition, title=TITLE, details=DETAILS, columns=columns, values=values))[
        PRINT_SHEET_TITLE
    ]
    assert ws.sheet_properties.pageSetUpPr.fitToPage is False
    scale = ws.page_setup.scale / 100
    assert paper.BODY_PT * scale >= paper.MIN_PRINT_PT
    assert ws.print_title_cols == "$A:$C"  # code, name and group on every page across
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks and all((b - 3) % 7 == 0 for b in breaks)  # after whole groups of the form
    printable = paper.PAGE_WIDTH_PT - 72 * (ws.page_margins.left + ws.page_margins.right)
    edges = [0, *breaks, ws.max_column]
    labels = sum(ws.column_dimensions[get_column_letter(c)].width for c in (1, 2, 3))
    for start, end in itertools.pairwise(edges):
        page = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(max(start, 3) + 1, end + 1))
        assert (labels + page) * paper.PT_PER_UNIT * scale <= printable
    # A group's header is never cut across pages; the title is not merged (it would be cut): it overflows.
    for merged in ws.merged_cells.ranges:
        assert not any(merged.min_col <= b < merged.max_col for b in breaks), str(merged)


# --- printed by LibreOffice --------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
SERIF = re.compile(r"serif|times|song|ming|georgia|cambria|garamond|roman", re.I)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def _pdf_of(xlsx: bytes, tmp_path) -> bytes:
    source = tmp_path / "national.xlsx"
    source.write_bytes(xlsx)
    profile = tmp_path / "lo-profile"  # a private profile: no clash with another soffice, nothing left behind
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (tmp_path / "national.pdf").read_bytes()


def _in_order(needle: str, text: str) -> bool:
    """Whether every character of `needle` is in `text`, in the same order."""
    rest = iter(text)
    return all(ch in rest for ch in needle)


def _texts(pdf: str) -> list[str]:
    """Each page's text."""
    return subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout.split("\f")[:-1]


def _words(pdf: str) -> list[list[tuple[float, float, str]]]:
    """Each page's words: left and right edge (points), text."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], check=True, capture_output=True, text=True).stdout
    return [[(float(a), float(b), w) for a, b, w in _WORD.findall(page)] for page in out.split("<page ")[1:]]


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (apt-get install libreoffice-calc)")
@pytest.mark.skipif(not POPPLER, reason="pdftotext/pdffonts are not installed (apt-get install poppler-utils)")
def test_libreoffice_prints_the_print_sheet_readable_on_every_page(definition, tmp_path):
    columns, values = _many_units(120, big=False)
    columns[:3] = COLUMNS[4:7]  # a long name, the Corps, a planned city: one line each
    values |= {c.code: VALUES[c.code] for c in COLUMNS[4:7]}
    xlsx = national_table(definition=definition, title=TITLE, details=DETAILS, columns=columns, values=values)
    sheet = _book(xlsx)[PRINT_SHEET_TITLE]
    wrapped = [c.value for c in sheet[_total_row(sheet) + 1] if isinstance(c.value, str) and len(c.value) > 20]
    assert _pdf_of(xlsx, tmp_path).startswith(b"%PDF")
    pdf = str(tmp_path / "national.pdf")

    texts = _texts(pdf)
    first = next(i for i, text in enumerate(texts) if "类别" in text)  # the official sheet's pages come first
    printed = texts[first:]
    assert len(printed) >= 3
    for text in printed:  # the title and the whole header on every page
        flat = re.sub(r"\s", "", text)
        assert TITLE in flat and "统计范围" in flat
        assert all(head in flat for head in (*paper.LABEL_HEADS, "宣传形式", "宣传效果", "会议（场次、人次）"))
        assert "###" not in text  # no number too wide for its column
    whole = re.sub(r"\s", "", "".join(printed))
    assert paper.TOTAL_LABEL in whole and "新疆维吾尔自治区" in whole and columns[-1].name in whole
    assert "1,234,567,890" in whole
    # 新疆's methods, cut to six lines on paper, printed whole: its row is tall enough for its wrapped text
    # (in the PDF's reading order the lines of a cell may have a neighbour's number between them).
    assert wrapped and all(_in_order(re.sub(r"\s", "", text), whole) for text in wrapped), wrapped

    fonts = subprocess.run(["pdffonts", pdf], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    assert names and not [n for n in names if SERIF.search(n)], names  # codes and digits too: no serif

    # A Chinese character is one em wide: the names' glyphs measure the body's size on paper.
    city = re.compile(f"[{NAME_CHARS}]+城市")
    sizes = [(b - a) / len(w) for page in _words(pdf)[first:] for a, b, w in page if city.fullmatch(w)]
    assert len(sizes) >= 100 and min(sizes) >= paper.MIN_PRINT_PT, min(sizes)
