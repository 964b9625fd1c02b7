"""Checking an uploaded logo by its content: PNG by its signature, SVG as XML that can do nothing but draw."""

import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError
from chengxin.core.uploads import PNG_MAGIC, image_size

PNG_MAX_BYTES = 5 * 1024 * 1024
PNG_MAX_SIDE = 20_000  # a logo needs far less; a larger one is a decompression bomb for whoever opens it
SVG_MAX_BYTES = 1 * 1024 * 1024
SAFE_REFERENCE = re.compile(r"^\s*(#|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
# Elements that run code, load other documents, embed foreign markup, or (HTML's) redirect, post or set the base.
FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "meta",
    "link",
    "base",
    "form",
}
# HTML elements placed in an SVG are live HTML when the file is opened on its own (a <meta http-equiv>, a
# <form>…): an SVG drawing needs none.
XHTML_NAMESPACE = "{http://www.w3.org/1999/xhtml}"
# CSS that loads from elsewhere: @import, url(…) of anything but a fragment of this file, image-set("https://…")
# (also -webkit-image-set). A backslash is refused apart: CSS escapes can spell url( as u\72l(.
CSS_LOADS = re.compile(r"@import|url\((?!\s*['\"]?\s*#)|image-set\(", re.IGNORECASE)


def _refuse(message: str) -> DomainError:
    return DomainError(message, errors=[FieldError("file", message)])


def _local(name: str) -> str:
    """`{namespace}tag` → `tag`, lower case."""
    return name.rsplit("}", 1)[-1].lower()


def _style_sheets(style) -> tuple[str, str]:
    """The CSS a <style> element can hold, read two ways: as a browser does (its own text and the text after
    each child: `<style><x/>@import …</style>` puts the rule in the child's tail, and `@imp<x/>ort` joins up), and
    with every piece of text inside it, the children's own text included. Comments and CDATA sections are
    already folded into the text by the parser."""
    own = (style.text or "") + "".join(child.tail or "" for child in style)
    return own, "".join(style.itertext())


def check_png(content: bytes) -> None:
    if len(content) > PNG_MAX_BYTES:
        raise _refuse(_("PNG 文件不能超过 %(limit)s MB") % {"limit": PNG_MAX_BYTES // 1024 // 1024})
    if not content.startswith(PNG_MAGIC):
        raise _refuse(_("文件内容不是 PNG 图片"))
    width, height = image_size(content) or (0, 0)  # from the IHDR header, when there is one to read
    if width > PNG_MAX_SIDE or height > PNG_MAX_SIDE:
        raise _refuse(
            _("PNG 图片尺寸过大（%(width)s×%(height)s 像素），每边不能超过 %(limit)s 像素")
            % {"width": width, "height": height, "limit": PNG_MAX_SIDE}
        )


def check_svg(content: bytes) -> None:
    """Refuse an SVG that could run script, load anything from elsewhere or expand entities."""
    if len(content) > SVG_MAX_BYTES:
        raise _refuse(_("SVG 文件不能超过 %(limit)s MB") % {"limit": SVG_MAX_BYTES // 1024 // 1024})
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise _refuse(_("SVG 文件不能包含 DOCTYPE 或实体声明"))
    if re.search(rb"<\?(?!xml[\s?])", content):  # e.g. <?xml-stylesheet href="http://…"?>, which browsers follow
        raise _refuse(_("SVG 文件不能包含处理指令（如外部样式表）"))
    try:
        root = SafeET.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError):
        raise _refuse(_("文件内容不是有效的 SVG（XML）图像")) from None
    if _local(root.tag) != "svg":
        raise _refuse(_("文件内容不是有效的 SVG（XML）图像"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if tag in FORBIDDEN_ELEMENTS or element.tag.startswith(XHTML_NAMESPACE):
            raise _refuse(_("SVG 文件不能包含脚本或嵌入内容（<%(tag)s>）") % {"tag": tag})
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute == "attributename" and value.strip().lower().endswith("href"):  # <animate>/<set> of a link
                raise _refuse(_("SVG 文件不能用动画修改链接"))
            if attribute.startswith("on"):
                raise _refuse(_("SVG 文件不能包含事件处理属性（%(name)s）") % {"name": attribute})
            if attribute in ("href", "src") and not SAFE_REFERENCE.match(value):
                raise _refuse(_("SVG 文件不能引用外部资源（%(value)s）") % {"value": value[:60]})
            if CSS_LOADS.search(value):
                raise _refuse(_("SVG 文件不能引用外部资源（%(value)s）") % {"value": value[:60]})
            if "\\" in value:
                raise _refuse(_("SVG 文件的属性不能含有反斜杠转义（%(name)s）") % {"name": attribute})
        if tag == "style" and any(CSS_LOADS.search(css) or "\\" in css for css in _style_sheets(element)):
            raise _refuse(_("SVG 文件的样式不能引用外部资源"))
