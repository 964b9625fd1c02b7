"""The national table as a PDF: printlayout's table for paper (the workbook's 打印版 sheet) drawn with reportlab.

Why reportlab and not LibreOffice. reportlab is pure Python, pinned like every other package, so the PDF is
made on every machine the site runs on, inside the request (about a tenth of a second for 37 units, a few
seconds for 3,400). LibreOffice (`soffice --headless --convert-to pdf` of the workbook) would print the same
sheet, but it is a program of several hundred megabytes that the servers (deploy/) do not have, it starts a
process for every download (2–4 s) and one profile cannot serve two conversions at once; it stays the tool that
checks the workbook's print layout in the tests.

The font is reportlab's built-in CID font STSong-Light (Adobe's Song for simplified Chinese, digits and letters
included): one family on every page, no font file to install, and the text stays searchable and extractable.
Debian's Noto Sans CJK is an OpenType font with PostScript outlines, which reportlab cannot embed.
"""

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chengxin.workbooks import printlayout as paper
from chengxin.workbooks.printlayout import HeadCell, Line, PrintLayout

logger = logging.getLogger(__name__)

FONT = "STSong-Light"
LEADING = 1.25  # a line, in ems
PAD_X, PAD_Y = 2.0, 1.5  # a cell's inner margins, points at the body's size
BOLD_STROKE = 0.035  # bold drawn as fill and stroke: the stroke's width, in ems
HEAD_FILL = (0xD9 / 255, 0xE1 / 255, 0xF2 / 255)  # the workbook's colours
TOTAL_FILL = (1.0, 0xF2 / 255, 0xCC / 255)
RULE = 0.5
# Characters the font has no glyph for, and what is drawn instead: the middle dot of the title's details.
_STAND_INS = str.maketrans({"\u00b7": "\u30fb"})


class PdfUnavailable(Exception):
    """The PDF cannot be made on this machine; `reason` says why, for the page that offered it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def national_pdf(layout: PrintLayout) -> bytes:
    """`layout` as a PDF, A4 landscape: the title and the header on every page, the body at layout's print
    size or larger (the columns keep their proportions and fill the page's width), page numbers at the foot.
    Raises PdfUnavailable when reportlab is missing or fails."""
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen.canvas import Canvas
    except ImportError as exc:
        raise PdfUnavailable(_("服务器未安装生成 PDF 的组件 reportlab")) from exc
    try:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        return _Drawing(layout, Canvas, pdfmetrics.stringWidth).pdf()
    except Exception as exc:  # a bug or a reportlab failure: logged, and the page says the PDF cannot be made
        logger.exception("national PDF failed")
        raise PdfUnavailable(_("生成 PDF 时出错，已记入日志")) from exc


@dataclass
class _Row:
    cells: list[list[str]]  # each cell's lines
    height: float
    line: Line


class _Drawing:
    """One page group (the figures printed on one page across) after another, each down all the rows, as a
    spreadsheet prints its pages: down, then over."""

    def __init__(self, layout: PrintLayout, canvas_class, string_width):
        self.layout, self.canvas_class, self.width_of = layout, canvas_class, string_width
        widest = max(sum(c.width for c in self._columns(group)) for group in layout.page_groups)
        self.scale = min(1.0, paper.PRINTABLE_WIDTH_PT / (widest * paper.PT_PER_UNIT))
        self.size = paper.BODY_PT * self.scale
        self.title_size = paper.TITLE_PT * self.scale
        self.leading = self.size * LEADING

    # geometry

    def _columns(self, group: range) -> list[paper.Column]:
        labels = self.layout.columns[: self.layout.labels]
        return labels + [self.layout.columns[self.layout.labels + k] for k in group]

    def _indexes(self, group: range) -> list[int]:
        return list(range(self.layout.labels)) + [self.layout.labels + k for k in group]

    def _measure(self, size: float):
        return lambda text: self.width_of(text, FONT, size)

    def _lines(self, text: str, width_pt: float, size: float) -> list[str]:
        return paper.wrap(text, width_pt - 2 * PAD_X, self._measure(size)) if text else []

    def _height(self, lines: int, size: float) -> float:
        return max(1, lines) * size * LEADING + 2 * PAD_Y

    def _text(self, column: paper.Column, value) -> str:
        if value is None:
            return ""
        if column.kind == paper.NUMBER and isinstance(value, int) and not isinstance(value, bool):
            return paper.number_text(value)
        return str(value)

    # the parts of a page

    def _rows(self, indexes: list[int], widths: list[float]) -> list[_Row]:
        rows = []
        for line in self.layout.body():
            cells = []
            for k, (i, width) in enumerate(zip(indexes, widths, strict=True)):
                text = self._text(self.layout.columns[i], line.values[i])
                if line.is_total and k == 0:
                    width = sum(widths[: self.layout.labels])  # TOTAL_LABEL over the label columns
                cells.append(self._lines(text, width, self.size))
            rows.append(_Row(cells, self._height(max(len(c) for c in cells), self.size), line))
        return rows

    def _head(self, group: range, widths: list[float]) -> tuple[list[tuple[HeadCell, list[str]]], list[float]]:
        """The header cells of this page group (columns renumbered from 0) with their lines, and the header
        rows' heights."""
        position = {i: k for k, i in enumerate(self._indexes(group))}
        cells = []
        for cell in self.layout.head:
            if cell.col in position:
                k = position[cell.col]
                head = HeadCell(cell.text, cell.row, k, cell.rows, cell.cols)
                cells.append((head, self._lines(cell.text, sum(widths[k : k + cell.cols]), self.size)))
        heights = [self._height(1, self.size)] * self.layout.head_rows
        for cell, lines in cells:
            if cell.rows == 1:
                heights[cell.row] = max(heights[cell.row], self._height(len(lines), self.size))
        for cell, lines in cells:
            spanned = sum(heights[cell.row : cell.row + cell.rows])
            if cell.rows > 1 and spanned < self._height(len(lines), self.size):
                heights[cell.row + cell.rows - 1] += self._height(len(lines), self.size) - spanned
        return cells, heights

    # drawing

    def pdf(self) -> bytes:
        page_width, page_height = paper.PAGE_WIDTH_PT, paper.PAGE_HEIGHT_PT
        top = page_height - 72 * paper.MARGIN_TOP_IN
        bottom = 72 * paper.MARGIN_BOTTOM_IN
        plan = []  # for each page group: widths, header, rows cut into pages
        for group in self.layout.page_groups:
            columns = self._columns(group)
            widths = [c.width * paper.PT_PER_UNIT * self.scale for c in columns]
            head, head_heights = self._head(group, widths)
            titles = self._title_lines(sum(widths))
            repeated = sum(h for _lines, _size, h in titles) + sum(head_heights)
            pages, page, used = [], [], 0.0
            for row in self._rows(self._indexes(group), widths):
                if page and used + row.height > top - bottom - repeated:
                    pages.append(page)
                    page, used = [], 0.0
                page.append(row)
                used += row.height
            pages.append(page)
            plan.append((columns, widths, head, head_heights, titles, pages))

        buffer = io.BytesIO()
        canvas = self.canvas_class(
            buffer, pagesize=(page_width, page_height), pageCompression=1, initialFontName=FONT, initialFontSize=9
        )
        canvas.setTitle(self.layout.heading)
        canvas.setSubject(self.layout.details)
        canvas.setAuthor("诚信兴商宣传月活动管理平台")
        canvas.setCreator("诚信兴商宣传月活动管理平台")
        total_pages = sum(len(pages) for *_rest, pages in plan)
        number = 0
        for columns, widths, head, head_heights, titles, pages in plan:
            left = (page_width - sum(widths)) / 2
            xs = [left + sum(widths[:k]) for k in range(len(widths) + 1)]
            for page in pages:
                number += 1
                y = self._draw_titles(canvas, titles, left, top)
                y = self._draw_head(canvas, head, head_heights, xs, y)
                for row in page:
                    self._draw_row(canvas, columns, row, xs, y)
                    y -= row.height
                self._footer(canvas, number, total_pages)
                canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def _title_lines(self, width: float) -> list[tuple[list[str], float, float]]:
        """The title and the details: their lines, size and height."""
        parts = []
        for text, size in ((self.layout.heading, self.title_size), (self.layout.details, self.size)):
            lines = paper.wrap(text, width, self._measure(size)) if text else []
            parts.append((lines, size, max(1, len(lines)) * size * LEADING + (size * 0.4 if lines else 0)))
        return parts

    def _string(self, canvas, x: float, y: float, text: str, size: float, *, bold: bool = False, align="left"):
        canvas.setFont(FONT, size)
        text = text.translate(_STAND_INS)
        if align == "right":
            x -= self.width_of(text, FONT, size)
        elif align == "centre":
            x -= self.width_of(text, FONT, size) / 2
        if bold:
            canvas.setLineWidth(size * BOLD_STROKE)
            canvas.drawString(x, y, text, mode=2)
        else:
            canvas.drawString(x, y, text)

    def _draw_titles(self, canvas, titles, left: float, y: float) -> float:
        canvas.setFillColorRGB(0, 0, 0)
        for k, (lines, size, height) in enumerate(titles):
            for j, text in enumerate(lines):
                self._string(canvas, left, y - (j + 0.85) * size * LEADING, text, size, bold=k == 0)
            y -= height
        return y

    def _block(self, canvas, lines: Sequence[str], x0: float, x1: float, y0: float, y1: float, **how):
        """Lines of text in the box x0…x1 × y1 (bottom)…y0 (top), centred vertically."""
        align = how.pop("align", "left")
        block = len(lines) * self.leading
        first = y0 - ((y0 - y1) - block) / 2 - self.leading * 0.8
        x = {"left": x0 + PAD_X, "right": x1 - PAD_X, "centre": (x0 + x1) / 2}[align]
        for j, text in enumerate(lines):
            self._string(canvas, x, first - j * self.leading, text, self.size, align=align, **how)

    def _draw_head(self, canvas, head, heights: list[float], xs: list[float], y: float) -> float:
        tops = [y - sum(heights[:r]) for r in range(len(heights) + 1)]
        canvas.setLineWidth(RULE)
        for cell, lines in head:
            x0, x1 = xs[cell.col], xs[cell.col + cell.cols]
            y0, y1 = tops[cell.row], tops[cell.row + cell.rows]
            canvas.setFillColorRGB(*HEAD_FILL)
            canvas.rect(x0, y1, x1 - x0, y0 - y1, stroke=1, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            self._block(canvas, lines, x0, x1, y0, y1, align="centre", bold=True)
            canvas.setLineWidth(RULE)
        return tops[-1]

    def _draw_row(self, canvas, columns: list[paper.Column], row: _Row, xs: list[float], y: float) -> None:
        labels = self.layout.labels
        y1 = y - row.height
        canvas.setLineWidth(RULE)
        if row.line.is_total:
            canvas.setFillColorRGB(*TOTAL_FILL)
            canvas.rect(xs[0], y1, xs[-1] - xs[0], row.height, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
        canvas.line(xs[0], y1, xs[-1], y1)
        for k, x in enumerate(xs):
            if not (row.line.is_total and 0 < k < labels):
                canvas.line(x, y, x, y1)
        for k, (column, lines) in enumerate(zip(columns, row.cells, strict=True)):
            if not lines:
                continue
            x0, x1 = xs[k], xs[k + 1]
            if row.line.is_total and k == 0:
                x1, align = xs[labels], "centre"
            else:
                align = {paper.NUMBER: "right", paper.GROUP: "centre"}.get(column.kind, "left")
            self._block(canvas, lines, x0, x1, y, y1, align=align, bold=row.line.is_total and k == 0)
            canvas.setLineWidth(RULE)

    def _footer(self, canvas, number: int, total: int) -> None:
        canvas.setFillColorRGB(0, 0, 0)
        y = 72 * paper.MARGIN_FOOTER_IN
        self._string(
            canvas, paper.PAGE_WIDTH_PT / 2, y, f"第 {number} 页，共 {total} 页", 9 * self.scale, align="centre"
        )
