"""An editable Word document in the form of a Chinese government document (公文), written with python-docx.

The form follows GB/T 9704 as ministries use it for a summary: A4, margins top 3.7 cm, bottom 3.5 cm, left 2.8 cm,
right 2.6 cm; the title in 方正小标宋简体 (二号), headings of the first level in 黑体 and of the second in 楷体_GB2312,
the body in 仿宋_GB2312 (三号, 28-point lines, two characters indented), page numbers "— 1 —" at the foot.

Fonts are named in the styles (the East Asian font is what Chinese text is set in: `w:rFonts w:eastAsia`), never
embedded: Word and WPS set each style in the font of that name, or in the alternative the font table names where the
_GB2312 fonts are missing (仿宋, 楷体, as on a stock Windows). The styles are Word's own (Normal, Title, Heading 1,
Heading 2, Caption: the navigation pane and a table of contents work) plus three of ours (表格文字, 图片, 说明).
A writer calls the methods in reading order and takes the bytes from `save`.
"""

import io
from collections.abc import Sequence

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

LATIN = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
HEADING_2_FONT = "楷体_GB2312"
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
# The font table's entry for each Chinese font: the name Word and WPS look for when the named font is missing
# (Windows has 仿宋 and 楷体, not the _GB2312 fonts typesetters install), and the GB2312 character set (86).
FONT_TABLE = {
    BODY_FONT: "仿宋",
    HEADING_2_FONT: "楷体",
    HEADING_FONT: "SimHei",
    TITLE_FONT: "",
    PAGE_NUMBER_FONT: "SimSun",
}

BODY_PT = 16  # 三号
LINE_PT = 28  # the fixed line pitch of the body: 22 lines on a page
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号
CAPTION_PT = 12  # 小四
PAGE_NUMBER_PT = 14  # 四号

A4 = (Cm(21), Cm(29.7))
MARGINS = {"top": Cm(3.7), "bottom": Cm(3.5), "left": Cm(2.8), "right": Cm(2.6)}
# The landscape pages keep the binding edge on the left and the same space at head and foot as the portrait ones.
LANDSCAPE_MARGINS = {"top": Cm(2.8), "bottom": Cm(2.6), "left": Cm(3.5), "right": Cm(3.7)}
PORTRAIT_TEXT_CM = 21 - 2.8 - 2.6
LANDSCAPE_TEXT_CM = 29.7 - 3.5 - 3.7
HEADER_FILL = "D9D9D9"
TABLE_TEXT_ID = "TableText"  # the style 表格文字 of the table cells


def _east_asian(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Name the fonts of a run's or style's properties `rpr`: `latin` for Latin text and digits, `east_asia` for
    Chinese; any theme font (which would win over the names) removed."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asia)):
        fonts.set(qn(attribute), name)


def _paragraph_style(styles, name: str, *, style_id: str = "", base: str = "Normal"):
    """The style `name`, created (based on `base`) when the template has none."""
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        if style_id:
            style.style_id = style_id
        return style


def _set_style(
    style,
    *,
    font: str,
    size: float,
    align=None,
    indent_chars: int = 0,
    line_pt: float | None = None,
    before: float = 0,
    after: float = 0,
    bold: bool = False,
    keep_with_next: bool = False,
) -> None:
    _east_asian(style.element.get_or_add_rPr(), font)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
    pf.left_indent = Pt(0)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.keep_with_next = keep_with_next
    ppr = style.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:  # Word's Title has a rule under it; a 公文 title has none
        ppr.remove(border)


def _defaults(document) -> None:
    """The document defaults: 仿宋_GB2312 for Chinese, Times New Roman otherwise, Chinese language (line breaking
    and punctuation as Chinese text wants them), no theme fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _east_asian(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(document) -> None:
    """Add the Chinese fonts to the font table, each with its character set and the name to look for instead."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname).endswith("/word/fontTable.xml"))
    root = etree.fromstring(part.blob)
    present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alternative in FONT_TABLE.items():
        if name in present:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alternative:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alternative)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    # A generic part of python-docx: its bytes are what is saved.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(document) -> None:
    styles = document.styles
    centre, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    _set_style(styles["Normal"], font=BODY_FONT, size=BODY_PT, align=justify, indent_chars=2, line_pt=LINE_PT)
    _set_style(styles["Title"], font=TITLE_FONT, size=TITLE_PT, align=centre, line_pt=40, after=LINE_PT / 2)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", HEADING_2_FONT), ("Heading 3", BODY_FONT)):
        _set_style(
            styles[name], font=font, size=BODY_PT, align=justify, indent_chars=2, line_pt=LINE_PT, keep_with_next=True
        )
    styles["Heading 3"].font.bold = True  # the third level of a 公文: 仿宋, bold
    for level in (1, 2, 3):  # the table of contents' lines (Word's own TOC styles), a level indented by two characters
        style = _paragraph_style(styles, f"toc {level}", style_id=f"TOC{level}")
        _set_style(style, font=HEADING_FONT if level == 1 else BODY_FONT, size=BODY_PT - 2, align=justify, line_pt=24)
        style.paragraph_format.left_indent = Pt((BODY_PT - 2) * 2 * (level - 1))
        style.paragraph_format.tab_stops.add_tab_stop(Cm(PORTRAIT_TEXT_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    _set_style(styles["Caption"], font=HEADING_FONT, size=CAPTION_PT, align=centre, before=8, after=4)
    styles["Caption"].hidden = False
    _set_style(_paragraph_style(styles, "表格文字", style_id="TableText"), font=BODY_FONT, size=TABLE_PT, align=centre)
    _set_style(_paragraph_style(styles, "图片", style_id="Figure"), font=BODY_FONT, size=TABLE_PT, align=centre)
    styles["图片"].paragraph_format.keep_with_next = True
    _set_style(
        _paragraph_style(styles, "说明", style_id="Note"),
        font=HEADING_2_FONT,
        size=CAPTION_PT,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        line_pt=20,
        after=4,
    )


def _page(section, *, landscape: bool = False) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, length in (LANDSCAPE_MARGINS if landscape else MARGINS).items():
        setattr(section, f"{side}_margin", length)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.5)


def _field(run, instruction: str, result: str = "1") -> None:
    """A field in the run element `run` (PAGE: the page number; PAGEREF: the page of a bookmark), as Word writes
    one: begin, instruction, separate, the result shown until the field is updated, end."""
    parts = [("w:fldChar", "begin"), ("w:instrText", instruction), ("w:fldChar", "separate"), ("w:t", result)]
    parts.append(("w:fldChar", "end"))
    for tag, value in parts:
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = f" {value} " if tag == "w:instrText" else value
        run.append(element)


def _page_numbers(section) -> None:
    """ "— N —" centred at the foot of every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    for text in ("— ", None, " —"):
        run = paragraph.add_run(text or "")
        run.font.size = Pt(PAGE_NUMBER_PT)
        _east_asian(run._r.get_or_add_rPr(), PAGE_NUMBER_FONT)
        if text is None:
            _field(run._r, "PAGE")


def _insert(parent, element, before: Sequence[str]) -> None:
    """Add `element` to `parent` ahead of the first child named in `before`: Word refuses (asks to repair) a
    document whose properties are not in the order the schema gives."""
    for child in parent:
        if child.tag in {qn(tag) for tag in before}:
            child.addprevious(element)
            return
    parent.append(element)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    later = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
    _insert(cell._tc.get_or_add_tcPr(), shading, later)


def _cell_padding(table, cm: float) -> None:
    """The space left and right of the text in every cell of `table`."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(cm * 567)))  # twentieths of a point: 567 to the centimetre
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    _insert(table._tbl.tblPr, margins, ("w:tblLook", "w:tblCaption", "w:tblDescription"))


def _repeat_header(row) -> None:
    """The row is repeated at the top of each page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _keep_row_whole(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


class OfficialDocument:
    """A Word document in the 公文 form, written top to bottom. Tables and figures are numbered as they come
    (表1, 图1 …)."""

    def __init__(self, *, title: str = "", author: str = "") -> None:
        self.document = docx.Document()
        _defaults(self.document)
        _styles(self.document)
        _font_table(self.document)
        section = self.document.sections[0]
        _page(section)
        _page_numbers(section)
        properties = self.document.core_properties
        properties.title, properties.author, properties.language = title, author, "zh-CN"
        self.text_width_cm = PORTRAIT_TEXT_CM
        self.tables = 0
        self.figures = 0
        self.bookmarks = 0

    def title(self, text: str, *, before_pt: float = 0) -> None:
        paragraph = self.document.add_paragraph(text, style="Title")
        if before_pt:
            paragraph.paragraph_format.space_before = Pt(before_pt)

    def heading(self, text: str, level: int = 1, *, bookmark: str = "", new_page: bool = False) -> None:
        """A heading of `level` 1 (一、), 2 (（一）) or 3 (1.); `bookmark` names it for the table of contents."""
        paragraph = self.document.add_paragraph(text, style=f"Heading {level}")
        if new_page:
            paragraph.paragraph_format.page_break_before = True
        if bookmark:
            self.bookmarks += 1
            start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
            start.set(qn("w:id"), str(self.bookmarks))
            start.set(qn("w:name"), bookmark)
            end.set(qn("w:id"), str(self.bookmarks))
            paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
            paragraph._p.append(end)

    def contents_line(self, text: str, level: int, bookmark: str) -> None:
        """A line of the table of contents: `text`, a dotted leader and the page of `bookmark` (a PAGEREF field:
        LibreOffice works it out as it lays the pages out, Word and WPS on F9), the whole line a link to the
        heading."""
        paragraph = self.document.add_paragraph(style=f"toc {level}")
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), bookmark)
        link.set(qn("w:history"), "1")
        paragraph._p.append(link)
        text_run, tab_run = OxmlElement("w:r"), OxmlElement("w:r")
        words = OxmlElement("w:t")
        words.set(qn("xml:space"), "preserve")
        words.text = text
        text_run.append(words)
        tab_run.append(OxmlElement("w:tab"))
        link.extend([text_run, tab_run])
        self._page_reference(link, bookmark)

    @staticmethod
    def _page_reference(link, bookmark: str) -> None:
        run = OxmlElement("w:r")
        link.append(run)
        _field(run, f"PAGEREF {bookmark} \\h", result="")

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def paragraph(self, text: str) -> None:
        self.document.add_paragraph(text)

    def lead(self, head: str, text: str) -> None:
        """A paragraph opening with a few words in bold (the unit whose words follow, a case's kind)."""
        paragraph = self.document.add_paragraph()
        paragraph.add_run(head).bold = True
        paragraph.add_run(text)

    def note(self, text: str, *, centred: bool = False) -> None:
        """A remark that is not part of the text proper (scope, sources, what the reader should add)."""
        paragraph = self.document.add_paragraph(text, style="说明")
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def caption(self, text: str) -> None:
        self.document.add_paragraph(text, style="Caption")

    def table(
        self,
        caption: str,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        numeric: Sequence[bool] = (),
        total: Sequence[str] | None = None,
        size: float = TABLE_PT,
        padding_cm: float | None = None,
    ) -> None:
        """A numbered table under its caption: a shaded header row repeated on every page, `rows`, and an optional
        bold `total` row. `widths` in cm (scaled to the text width when they add up to more); `numeric` columns
        are right-aligned; `padding_cm` narrows the space left and right in the cells (for wide tables)."""
        self.tables += 1
        self.caption(f"表{self.tables}　{caption}")
        scale = min(1.0, self.text_width_cm / sum(widths))
        grid = self.document.add_table(rows=0, cols=len(header))
        grid.style = self.document.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        if padding_cm is not None:
            _cell_padding(grid, padding_cm)
        lines = [(list(header), "header"), *((list(r), "") for r in rows)]
        if total is not None:
            lines.append((list(total), "total"))
        for cells, kind in lines:
            row = grid.add_row()
            _keep_row_whole(row)
            if kind == "header":
                _repeat_header(row)
            row_cells = row.cells  # worked out from the grid at each access
            for i, text in enumerate(cells):
                cell = row_cells[i]
                cell.width = Cm(widths[i] * scale)
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                paragraph._p.style = TABLE_TEXT_ID  # by id: python-docx's lookup by name costs ms a cell
                if kind != "header" and i < len(numeric) and numeric[i]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                elif kind != "header" and i == 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                run = paragraph.add_run(text)
                run.font.size = Pt(size)
                if kind:
                    run.bold = True
                if kind == "header":
                    _shade(cell, HEADER_FILL)
        for i, column in enumerate(grid.columns):
            column.width = Cm(widths[i] * scale)
        self.document.add_paragraph(style="表格文字")  # a little air below, and never two tables merged

    def picture(
        self, png: bytes, caption: str, *, width_cm: float | None = None, height_cm: float | None = None
    ) -> None:
        """A numbered figure: the image centred on the text width (or `width_cm`, or as high as `height_cm`), its
        caption below."""
        self.figures += 1
        paragraph = self.document.add_paragraph(style="图片")
        size = {"height": Cm(height_cm)} if height_cm else {"width": Cm(width_cm or self.text_width_cm - 0.6)}
        paragraph.add_run().add_picture(io.BytesIO(png), **size)
        self.caption(f"图{self.figures}　{caption}")

    def landscape(self) -> None:
        """Go on on a new page turned sideways (for a wide table); page numbers run on."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=True)
        self.text_width_cm = LANDSCAPE_TEXT_CM

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
