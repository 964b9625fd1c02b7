"""The text of an uploaded document: docx by python-docx, pdf by pypdf; what cannot be read says why.

Both libraries are pure Python and well kept (python-docx for Word's Office Open XML; pypdf reads the text
layer of a PDF through its fonts' ToUnicode maps, which is how Chinese PDFs from Word or WPS carry their text).
A WPS document (.wps, Kingsoft's binary format, a cousin of Word 97's) has no maintained Python reader: it is
marked as not extractable with a request to save it as docx or pdf, never guessed at.

Nothing here raises for a bad file: `extract` returns the text or the reason, in Chinese, that it has none (an
encrypted PDF, a damaged file, a scan without a text layer, a document too large to read).
"""

import logging
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# A summary report is a few pages; these bound what one bad file can cost the worker that reads it.
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 1_000
MAX_DOCX_XML_BYTES = 64 * 1024 * 1024  # word/document.xml, unpacked


@dataclass(frozen=True)
class Extracted:
    text: str
    problem: str = ""  # empty when the text was read


def _docx(handle) -> Extracted:
    import docx

    with zipfile.ZipFile(handle) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_DOCX_XML_BYTES:
            return Extracted("", _("文件内容过大，无法提取文本"))
    handle.seek(0)
    document = docx.Document(handle)
    lines: list[str] = []
    size = 0
    # Paragraphs and table cells in the body's order.
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts = ["".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))]
        elif tag == "tbl":
            texts = []
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")))
                    texts.append("\t".join(cells))
        else:
            continue
        for text in texts:
            lines.append(text)
            size += len(text) + 1
        if size > MAX_TEXT_CHARS:
            break
    return Extracted("\n".join(lines)[:MAX_TEXT_CHARS])


def _pdf(handle) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(handle)
    if reader.is_encrypted:
        # Many PDFs are "encrypted" with an empty password only to forbid printing or copying: those open.
        try:
            opened = reader.decrypt("")
        except Exception:  # pypdf raises several kinds for unknown or broken encryption
            opened = 0
        if not opened:
            return Extracted("", _("文件已加密（设有打开密码），无法提取文本"))
    texts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size > MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        texts.append(text)
        size += len(text)
    return Extracted("\n".join(texts)[:MAX_TEXT_CHARS])


def extract(handle, kind: str) -> Extracted:
    """The text of a stored document of `kind` ("docx", "pdf" or "wps") open in binary mode."""
    if kind == "wps":
        return Extracted("", _("WPS 格式暂不能提取文本，请另存为 docx 或 pdf 后重新上传"))
    try:
        result = _docx(handle) if kind == "docx" else _pdf(handle) if kind == "pdf" else None
    except Exception as error:  # a damaged file can fail anywhere inside either library; it is marked, not raised
        logger.info("text extraction failed: %s: %s", type(error).__name__, error)
        return Extracted("", _("文件已损坏或格式不符，无法提取文本"))
    if result is None:
        return Extracted("", _("不支持的文件格式，无法提取文本"))
    if not result.problem and not result.text.strip():
        return Extracted("", _("文件中没有可提取的文字（可能是扫描图片）"))
    return result
