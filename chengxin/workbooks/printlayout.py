"""The national table laid out for paper: A4 landscape, units as rows, figures as columns, body text at least
MIN_PRINT_PT on the printed page, every text wrapped inside its cell, the header on every page.

One layout, two renderings: export.py writes it as the workbook's second sheet (打印版) and printpdf.py draws it
as the PDF offered beside the workbook. It is arithmetic on the form definition and the values: no database,
no figure code. The figure columns, their headers (the form's rows turned on their side, then each figure's
label and unit of measure) and whether a column holds numbers or text all come from the FormDefinition.

Sizes. A column's width is in Excel's unit, the width of one digit of the workbook's default font (FONT_NAME at
DEFAULT_FONT_PT). On paper that unit is about 6 pt where Microsoft YaHei is installed (Excel and WPS on
Windows) and 7 pt where LibreOffice stands DejaVu Sans in for it (Debian, `fc-match "Microsoft YaHei"`; the
Chinese characters come from Noto Sans CJK there). The print scale is reckoned with the wider unit, so that the
body text is at least MIN_PRINT_PT in both; the lines a text wraps to are reckoned with the narrower, so that
the row heights, which a streamed sheet must set itself (it cannot autofit), hold the text in both.
"""

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chengxin.analytics.selectors import split_methods
from chengxin.statform.definition import FigureDef, FormDefinition

# One family for every cell of the workbook: Excel and WPS have it on every Windows since Vista; LibreOffice
# on Linux draws its Chinese with Noto Sans CJK and its digits and letters with DejaVu Sans (both sans serif).
FONT_NAME = "Microsoft YaHei"
DEFAULT_FONT_PT = 11  # the workbook's default font, the measure of a column's width
BODY_PT = 10
TITLE_PT = 14
MIN_PRINT_PT = 8.0  # the smallest body text on paper
TARGET_PRINT_PT = 8.2  # the widest a page across may be is planned for this: renderers round
COMFORT_PRINT_PT = 9.0  # the columns whose text wraps are widened while the body still prints this large

PT_PER_UNIT = 7.0  # a width unit on paper in the widest rendering (LibreOffice, DejaVu Sans' digit at 11 pt)
PT_PER_UNIT_NARROW = 6.0  # … and in the narrowest (Excel, Microsoft YaHei's digit at 11 pt: 8 px)
DIGIT_EM = 0.636  # DejaVu Sans' digit, in ems

# A4 landscape in points; the margins in inches, as a worksheet keeps them.
PAGE_WIDTH_PT, PAGE_HEIGHT_PT = 841.89, 595.28
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.25, 0.4, 0.5
MARGIN_HEADER_IN, MARGIN_FOOTER_IN = 0.2, 0.2
PRINTABLE_WIDTH_PT = PAGE_WIDTH_PT - 2 * 72 * MARGIN_SIDE_IN
# LibreOffice fits a sheet whose rows repeat on every page a little smaller than page width / sheet width:
# 0.87 for 0.90 measured on 400 units (0.89 on 37). The scale is reckoned with this allowance.
FIT_ALLOWANCE = 0.96

PAD_UNITS = 0.8  # a cell's inner margins, in width units
NUMBER_PAD_UNITS = 0.3  # and a little more for a number, which shows as ### when it does not fit
LINE_EM = 1.45  # one line of text, in ems (Noto Sans CJK 1.448, Microsoft YaHei 1.32)
ROW_PAD_PT = 3.0
MAX_TEXT_LINES = 6  # a longer text is cut with "…" here (the official-layout sheet holds it whole)
MAX_TOTAL_LINES = 4  # the national total of a text figure: the methods most named that fit
NAME_CHARS = (4, 6, 10)  # the unit-name column: 4 to 6 Chinese characters a line, up to 10 with room to spare
TEXT_CHARS = (3, 6, 12)  # a text figure's column, likewise
FIGURE_MIN_CHARS = 3  # the narrowest figure column: its header wraps at 3 characters

TOTAL_LABEL = "全国合计"
LABEL_HEADS = ("代码", "单位", "类别")
CODE, NAME, GROUP, NUMBER, TEXT = "code", "name", "group", "number", "text"
ELLIPSIS = "…"
BOLD_FACTOR = 1.08  # bold Chinese is as wide as regular; bold digits and letters are a little wider

# Latin characters' widths in DejaVu Sans, in ems, where they differ much from a digit's.
_LATIN_EM = {" ": 0.32, ",": 0.32, ".": 0.32, ":": 0.34, ";": 0.34, "'": 0.28, "|": 0.34, "!": 0.4, "(": 0.39}
_LATIN_EM |= {")": 0.39, "i": 0.28, "l": 0.28, "j": 0.28, "I": 0.3, "f": 0.35, "t": 0.39, "r": 0.41, "m": 0.98}
_LATIN_EM |= {"w": 0.82, "M": 0.87, "W": 0.99}


class UnitRow(Protocol):
    """A unit of the table (export.UnitColumn): its code, name and group."""

    code: str
    name: str
    group: str


def char_units(ch: str, size: float) -> float:
    """A character's width in width units at `size` pt, in the rendering where it is widest."""
    if ord(ch) >= 0x2000:  # Chinese, full-width forms, CJK and general punctuation
        return size / PT_PER_UNIT_NARROW
    em = _LATIN_EM.get(ch, 0.75 if ch.isupper() else 0.64)
    return em / DIGIT_EM * size / DEFAULT_FONT_PT


def text_units(text: str, size: float) -> float:
    return sum(char_units(ch, size) for ch in text)


@functools.lru_cache(maxsize=4096)  # the same texts come again and again (methods, group names)
def lines_in(text: str, width: float, size: float) -> int:
    """How many lines `text` takes in a wrapping cell `width` units wide, at `size` pt."""
    return len(wrap(text, width - PAD_UNITS, lambda s: text_units(s, size)))


def line_height(lines: int, size: float = BODY_PT) -> float:
    return max(1, lines) * size * LINE_EM + ROW_PAD_PT


def cjk_units(chars: float, size: float = BODY_PT) -> float:
    """The width of `chars` Chinese characters, in units."""
    return chars * size / PT_PER_UNIT_NARROW


# --- breaking text into lines ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9.,%'+\-]+|\s+|.", re.S)
_NO_LINE_START = frozenset("，。、；：！？）》」』】”’,.;:!?)%")


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` broken into lines no wider than `width` as `measure` reckons a string: between any two Chinese
    characters, between words, inside a word only when it is longer than a line; a closing punctuation mark
    stays at the end of the line before; a line break in the text is kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(paragraph):
            w = measure(token)
            if used + w <= width or (line and token in _NO_LINE_START):
                line, used = line + token, used + w
                continue
            if line:
                lines.append(line.rstrip())
                line, used = "", 0.0
            if token.isspace():
                continue
            if w <= width:
                line, used = token, w
                continue
            for ch in token:  # a word longer than a line
                cw = measure(ch)
                if line and used + cw > width:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = line + ch, used + cw
        lines.append(line.rstrip())
    return lines


def _joined(lines: Sequence[str]) -> str:
    """Lines back into one text: a space between two Latin words, nothing between Chinese characters."""
    text = ""
    for line in lines:
        if text and line and text[-1].isascii() and text[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            text += " "
        text += line
    return text


def clip(text: str, width: float, measure: Callable[[str], float], max_lines: int = MAX_TEXT_LINES) -> str:
    """`text` if it wraps to at most `max_lines` lines of `width`, else its first lines ending with "…"."""
    lines = wrap(text, width, measure)
    if len(lines) <= max_lines:
        return text
    last = lines[max_lines - 1]
    while last and measure(last + ELLIPSIS) > width:
        last = last[:-1]
    return _joined([*lines[: max_lines - 1], last]) + ELLIPSIS


# --- the national total of a text figure -------------------------------------------------------------------------


def method_counts(texts: Iterable[object]) -> list[tuple[str, int]]:
    """Each display method the units named, with how many named it, most named first."""
    counter: Counter[str] = Counter()
    for text in texts:
        if text:
            counter.update(split_methods(str(text)))
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def methods_total(texts: Iterable[object]) -> str:
    """How many units named each display method: "展板 12、手册 9" (most named first)."""
    return "、".join(f"{method} {n}" for method, n in method_counts(texts))


def methods_summary(counts: Sequence[tuple[str, int]], fits: Callable[[str], bool]) -> str:
    """methods_total's text if it `fits`, else the most named methods that fit and how many there are in
    all: "展板 120、手册 98 等 35 种"."""

    def text(k: int) -> str:
        head = "、".join(f"{method} {n}" for method, n in counts[:k])
        return head if k == len(counts) else f"{head} 等 {len(counts)} 种"

    if fits(text(len(counts))):
        return text(len(counts))
    low, high = 0, len(counts) - 1  # the largest k whose text fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(text(middle)) else (low, middle - 1)
    return text(low) if low else f"共 {len(counts)} 种"


# --- the layout --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: a label column (CODE, NAME, GROUP) or a figure's (NUMBER, TEXT); width in width units."""

    kind: str
    width: float
    figure: FigureDef | None = None


@dataclass(frozen=True)
class HeadCell:
    """A header cell, 0-based among the header rows and the columns, spanning `rows` × `cols`."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class Line:
    """A body row: one value for each column (the label columns hold code, name and group; the total's
    label columns hold TOTAL_LABEL, None, None) and its height in points at BODY_PT."""

    values: tuple
    height: float
    is_total: bool = False


def figure_head(figure: FigureDef) -> str:
    """A figure's column head: its label and unit of measure, "场次（场）"; the unit alone when it is the
    label ("人次")."""
    if not figure.unit or figure.unit == figure.label:
        return figure.label or figure.unit
    return f"{figure.label}（{figure.unit}）"


def head_text(text: str, width: float) -> str:
    """A header's text for a cell `width` units wide: when it takes more than a line, the line breaks before
    its bracket, "会议\n（场次、人次）", rather than wherever the characters run out."""
    at = text.find("（")
    if at > 0 and "\n" not in text and lines_in(text, width, BOLD_FACTOR * BODY_PT) > 1:
        return f"{text[:at]}\n{text[at:]}"
    return text


def number_text(value: int) -> str:
    return f"{value:,}"


class PrintLayout:
    """The national table for paper (see the module's docstring). `units` in the order printed, `values`
    unit code → figure code → value (int, text or None); `group_labels` the short name of each group for
    the 类别 column. The first body line is TOTAL_LABEL: the sum of each number figure, and for a text
    figure the methods most named (methods_summary)."""

    def __init__(
        self,
        *,
        definition: FormDefinition,
        heading: str,
        details: str,
        units: Sequence[UnitRow],
        values: Mapping[str, Mapping[str, object]],
        group_labels: Mapping[str, str],
    ):
        self.heading, self.details = heading, details
        self.units, self.values, self.group_labels = units, values, group_labels
        self.lines_of_form = definition.table_lines()
        self.figures = [figure for line in self.lines_of_form for figure in line.leaf.figures]
        self._totals()
        self.columns = self._label_columns() + [self._figure_column(f) for f in self.figures]
        self.labels = len(LABEL_HEADS)
        self.head_rows = definition.depth + 1
        self._narrow()
        head = self._head()
        self.page_groups = self._page_groups(head)
        if self.one_page_across:
            self._widen()
        self.head = [
            HeadCell(head_text(c.text, self.span_width(c)), c.row, c.col, c.rows, c.cols) for c in self._clipped(head)
        ]
        self.head_heights = self._head_heights()
        self.title_heights = self._title_heights()

    # what the figures add up to, and how wide they are

    def _totals(self) -> None:
        self.total_values: dict[str, object] = {}
        self._widest: dict[str, float] = {}
        for figure in self.figures:
            column = [self.values.get(unit.code, {}).get(figure.code) for unit in self.units]
            if figure.is_number:
                total = sum(v for v in column if isinstance(v, int) and not isinstance(v, bool))
                self.total_values[figure.code] = total
                widest = max((number_text(v) for v in column if isinstance(v, int)), key=len, default="")
                widest = max(widest, number_text(total), key=len)
                self._widest[figure.code] = text_units(widest, BODY_PT) + NUMBER_PAD_UNITS
            else:
                self.total_values[figure.code] = method_counts(column)
                self._widest[figure.code] = max((text_units(str(v), BODY_PT) for v in column if v), default=0)

    def _label_columns(self) -> list[Column]:
        code = max([text_units(u.code, BODY_PT) for u in self.units] + [text_units(LABEL_HEADS[0], BODY_PT)])
        self._widest_name = max([text_units(u.name, BODY_PT) for u in self.units], default=0)
        name = min(max(self._widest_name, cjk_units(NAME_CHARS[0])), cjk_units(NAME_CHARS[1]))
        groups = {self.group_labels.get(u.group, u.group) for u in self.units} | {LABEL_HEADS[2]}
        group = max(text_units(g, BODY_PT) for g in groups)
        total = text_units(TOTAL_LABEL, BOLD_FACTOR * BODY_PT)
        widths = [code + PAD_UNITS, name + PAD_UNITS, group + PAD_UNITS]
        if sum(widths) < total + PAD_UNITS:  # the merged TOTAL_LABEL must fit on one line
            widths[1] += total + PAD_UNITS - sum(widths)
        return [Column(kind, round(width, 2)) for kind, width in zip((CODE, NAME, GROUP), widths, strict=True)]

    def _figure_column(self, figure: FigureDef) -> Column:
        if figure.is_number:
            width = max(self._widest[figure.code], cjk_units(FIGURE_MIN_CHARS))
            return Column(NUMBER, round(width + PAD_UNITS, 2), figure)
        low, high, _wide = TEXT_CHARS
        width = min(max(self._widest[figure.code], cjk_units(max(low, FIGURE_MIN_CHARS))), cjk_units(high))
        return Column(TEXT, round(width + PAD_UNITS, 2), figure)

    def _resize(self, kinds: tuple[str, ...], target: Callable[[Column], float], room: float) -> None:
        """Move the columns of `kinds` toward the width `target(column)` by `room` units in all at most
        (negative: narrower), each by its share of the distance."""
        distance = {i: target(c) - c.width for i, c in enumerate(self.columns) if c.kind in kinds}
        distance = {i: d for i, d in distance.items() if d * room > 0}
        if not distance:
            return
        share = min(1.0, room / sum(distance.values()))
        for i, d in distance.items():
            column = self.columns[i]
            self.columns[i] = Column(column.kind, round(column.width + d * share, 2), column.figure)

    def _narrow(self) -> None:
        """When the columns are too wide for one page across at TARGET_PRINT_PT, the unit names and the text
        figures give up width first (down to NAME_CHARS[0] and TEXT_CHARS[0] characters a line): more rows
        take two lines, and the table stays one page wide."""
        excess = sum(c.width for c in self.columns) - self.widest_for(TARGET_PRINT_PT)
        if excess > 0:
            least = {NAME: cjk_units(NAME_CHARS[0]), TEXT: cjk_units(max(TEXT_CHARS[0], FIGURE_MIN_CHARS))}
            self._resize((NAME, TEXT), lambda c: least[c.kind] + PAD_UNITS, -excess)

    def _widen(self) -> None:
        """Room left on the page (while the body prints at COMFORT_PRINT_PT) goes to the columns whose text
        wraps, toward the width of their longest text: first the unit names (short, on every row), then the
        text figures, so that fewer rows take two lines."""
        for kind in (NAME, TEXT):
            room = self.widest_for(COMFORT_PRINT_PT) - sum(c.width for c in self.columns)
            if room > 0:
                self._resize((kind,), self._widest_text, room)

    def _widest_text(self, column: Column) -> float:
        """The width a name or text column would need to hold its longest text on one line (up to a limit)."""
        if column.kind == NAME:
            return min(self._widest_name, cjk_units(NAME_CHARS[2])) + PAD_UNITS
        return min(self._widest[column.figure.code], cjk_units(TEXT_CHARS[2])) + PAD_UNITS

    # the header: the form's rows on their side, then each figure's label and unit

    def _head(self) -> list[HeadCell]:
        cells = [HeadCell(text, 0, col, rows=self.head_rows) for col, text in enumerate(LABEL_HEADS)]
        spans = [len(line.leaf.figures) for line in self.lines_of_form]
        starts = [self.labels + sum(spans[:i]) for i in range(len(spans))]
        for i, line in enumerate(self.lines_of_form):
            level = line.leaf.depth - len(line.labels) + 1  # the labels starting on this line end with the leaf
            for j, label in enumerate(line.labels):
                cols = sum(spans[i : i + label.rowspan])
                if cols:
                    cells.append(HeadCell(label.label, level + j, starts[i], rows=label.colspan, cols=cols))
        for k, figure in enumerate(self.figures):
            cells.append(HeadCell(figure_head(figure), self.head_rows - 1, self.labels + k))
        return cells

    def _page_groups(self, head: list[HeadCell]) -> list[range]:
        """The figure columns (0-based among the figures) printed on each page across: all on one page when
        they fit at TARGET_PRINT_PT, else as many as fit on each, cut where the form's highest row ends."""
        widths = [c.width for c in self.columns[self.labels :]]
        budget = self.widest_for(TARGET_PRINT_PT) - sum(c.width for c in self.columns[: self.labels])
        if sum(widths) <= budget:
            return [range(len(widths))]
        level = {c.col - self.labels: c.row for c in sorted(head, key=lambda c: -c.row)}  # shallowest start
        groups, start = [], 0
        while start < len(widths):
            end, used = start, 0.0
            while end < len(widths) and used + widths[end] <= budget:
                used, end = used + widths[end], end + 1
            if end == start:
                end = start + 1  # one column wider than a page
            elif end < len(widths):
                end = min(range(start + 1, end + 1), key=lambda b: (level.get(b, self.head_rows), -b))
            groups.append(range(start, end))
            start = end
        return groups

    def _clipped(self, head: list[HeadCell]) -> list[HeadCell]:
        """The header cells cut where a page across ends, each piece with the cell's text."""
        if len(self.page_groups) == 1:
            return head
        cells = []
        for cell in head:
            if cell.col < self.labels:
                cells.append(cell)
                continue
            first, last = cell.col - self.labels, cell.col - self.labels + cell.cols
            for group in self.page_groups:
                start, end = max(first, group.start), min(last, group.stop)
                if start < end:
                    cells.append(HeadCell(cell.text, cell.row, start + self.labels, cell.rows, end - start))
        return cells

    @staticmethod
    def widest_for(print_pt: float) -> float:
        """The widest a page's columns may be, in width units, for the body to print at `print_pt`."""
        return FIT_ALLOWANCE * PRINTABLE_WIDTH_PT * BODY_PT / (print_pt * PT_PER_UNIT)

    # heights

    def _head_heights(self) -> list[float]:
        heights = [line_height(1)] * self.head_rows
        needed = [
            (cell, line_height(lines_in(cell.text, self.span_width(cell), BOLD_FACTOR * BODY_PT))) for cell in self.head
        ]
        for cell, height in needed:
            if cell.rows == 1:
                heights[cell.row] = max(heights[cell.row], height)
        for cell, height in needed:
            spanned = heights[cell.row : cell.row + cell.rows]
            if cell.rows > 1 and sum(spanned) < height:
                heights[cell.row + cell.rows - 1] += height - sum(spanned)
        return [round(h, 1) for h in heights]

    def span_width(self, cell: HeadCell) -> float:
        return sum(c.width for c in self.columns[cell.col : cell.col + cell.cols])

    @property
    def one_page_across(self) -> bool:
        return len(self.page_groups) == 1

    def _title_heights(self) -> list[float]:
        if not self.one_page_across:  # one line each, overflowing to the right on every page across
            return [line_height(1, TITLE_PT), line_height(1)]
        width = sum(c.width for c in self.columns)
        heading = lines_in(self.heading, width, BOLD_FACTOR * TITLE_PT)
        return [round(line_height(heading, TITLE_PT), 1), round(line_height(lines_in(self.details, width, BODY_PT)), 1)]

    # the scale on paper

    @property
    def scale(self) -> float:
        """The print scale in the widest rendering: fit to the page's width (one page across), or the one
        fixed scale at which each page across fits."""
        widest = max(
            sum(c.width for c in self.columns[: self.labels]) + sum(self.columns[self.labels + k].width for k in group)
            for group in self.page_groups
        )
        return min(1.0, FIT_ALLOWANCE * PRINTABLE_WIDTH_PT / (widest * PT_PER_UNIT))

    @property
    def print_pt(self) -> float:
        """The body text's size on paper."""
        return BODY_PT * self.scale

    # the body

    @staticmethod
    def _total_fits(width: float) -> Callable[[str], bool]:
        return lambda text: lines_in(text, width, BODY_PT) <= MAX_TOTAL_LINES

    def _line(self, values: list, is_total: bool) -> Line:
        lines = 1
        for column, value in zip(self.columns, values, strict=True):
            if column.kind in (NAME, TEXT) and isinstance(value, str) and value:
                lines = max(lines, lines_in(value, column.width, BODY_PT))
        return Line(tuple(values), round(line_height(lines), 1), is_total)

    def body(self) -> Iterator[Line]:
        """TOTAL_LABEL's line, then one line for each unit, its texts cut at MAX_TEXT_LINES lines."""
        totals: list[object] = [TOTAL_LABEL, None, None]
        for column in self.columns[self.labels :]:
            value = self.total_values[column.figure.code]
            totals.append(value if column.kind == NUMBER else methods_summary(value, self._total_fits(column.width)))
        yield self._line(totals, is_total=True)
        for unit in self.units:
            unit_values = self.values.get(unit.code, {})
            row: list[object] = [unit.code, unit.name, self.group_labels.get(unit.group, unit.group)]
            for column in self.columns[self.labels :]:
                value = unit_values.get(column.figure.code)
                if value is None or value == "":
                    value = None
                elif column.kind == TEXT or not isinstance(value, int) or isinstance(value, bool):
                    value = clip(str(value), column.width - PAD_UNITS, lambda s: text_units(s, BODY_PT))
                row.append(value)
            yield self._line(row, is_total=False)
