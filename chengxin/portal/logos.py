"""Checking an uploaded logo by its content: PNG by its signature, SVG as XML that can do nothing but draw."""

import re

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_MAX_BYTES = 5 * 1024 * 1024
SVG_MAX_BYTES = 1 * 1024 * 1024
SAFE_REFERENCE = re.compile(r"^\s*(#|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)
# Elements that run code, load other documents or embed foreign markup.
FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}


def _refuse(message: str) -> DomainError:
    return DomainError(message, errors=[FieldError("file", message)])


def _local(name: str) -> str:
    """`{namespace}tag` → `tag`, lower case."""
    return name.rsplit("}", 1)[-1].lower()


def check_png(content: bytes) -> None:
    if len(content) > PNG_MAX_BYTES:
        raise _refuse(_("PNG 文件不能超过 %(limit)s MB") % {"limit": PNG_MAX_BYTES // 1024 // 1024})
    if not content.startswith(PNG_MAGIC):
        raise _refuse(_("文件内容不是 PNG 图片"))


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
        if tag in FORBIDDEN_ELEMENTS:
            raise _refuse(_("SVG 文件不能包含脚本或嵌入内容（<%(tag)s>）") % {"tag": tag})
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute == "attributename" and value.strip().lower().endswith("href"):  # <animate>/<set> of a link
                raise _refuse(_("SVG 文件不能用动画修改链接"))
            if attribute.startswith("on"):
                raise _refuse(_("SVG 文件不能包含事件处理属性（%(name)s）") % {"name": attribute})
            if attribute in ("href", "src") and not SAFE_REFERENCE.match(value):
                raise _refuse(_("SVG 文件不能引用外部资源（%(value)s）") % {"value": value[:60]})
            if "url(" in value.lower() and not re.search(r"url\(\s*['\"]?#", value, re.IGNORECASE):
                raise _refuse(_("SVG 文件不能引用外部资源（%(value)s）") % {"value": value[:60]})
        if tag == "style" and element.text and re.search(r"@import|url\(\s*['\"]?(?!#)", element.text, re.I):
            raise _refuse(_("SVG 文件的样式不能引用外部资源"))
