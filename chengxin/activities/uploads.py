"""Checking activity photos and epidemic-prevention plan files by their content, not by the name sent."""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from chengxin.core.errors import DomainError, FieldError
from chengxin.core.uploads import (
    DOCUMENT_EXTENSIONS,
    JPEG_MAGIC,
    PNG_MAGIC,
    CheckedDocument,
    check_document,
    image_size,
)

PHOTO_MAX_BYTES = 10 * 1024 * 1024
# A few kilobytes of PNG can declare a picture of billions of pixels that every reviewer's browser then tries
# to decode. 100 megapixels is above any camera a unit uses; a side is at most 30000 pixels.
PHOTO_MAX_PIXELS = 100_000_000
PHOTO_MAX_SIDE = 30_000
PHOTO_EXTENSIONS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png"}


@dataclass(frozen=True)
class CheckedPhoto:
    kind: str  # "jpeg" | "png"
    extension: str
    size: int


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(message, errors=[FieldError(field, message)])


def sniff_image(head: bytes) -> str | None:
    """ "jpeg" or "png" if the first bytes are a JPEG (SOI then a marker) or a PNG (signature then IHDR)."""
    if head.startswith(JPEG_MAGIC) and len(head) >= 4 and head[3] >= 0xC0:
        return "jpeg"
    if head.startswith(PNG_MAGIC) and head[12:16] == b"IHDR":
        return "png"
    return None


def check_photo(uploaded, *, max_bytes: int = PHOTO_MAX_BYTES) -> CheckedPhoto:
    """Accept a JPEG or PNG photo of at most `max_bytes`, judged by content; the extension must agree."""
    if uploaded is None:
        raise _refuse("photo", _("请选择要上传的照片"))
    if uploaded.size == 0:
        raise _refuse("photo", _("照片文件是空的，请重新选择"))
    if uploaded.size > max_bytes:
        raise _refuse(
            "photo",
            _("照片过大（%(size).1f MB），不能超过 %(limit)s MB")
            % {"size": uploaded.size / 1024 / 1024, "limit": f"{max_bytes / 1024 / 1024:g}"},
        )
    extension = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if extension not in PHOTO_EXTENSIONS:
        raise _refuse("photo", _("照片只接受 jpg、jpeg 或 png 格式"))
    uploaded.seek(0)
    content = uploaded.read()  # at most max_bytes, checked above
    uploaded.seek(0)
    kind = sniff_image(content[:16])
    if kind is None:
        raise _refuse("photo", _("文件内容不是 JPEG 或 PNG 图片，可能已损坏或格式不符"))
    if kind != PHOTO_EXTENSIONS[extension]:
        raise _refuse(
            "photo",
            _("文件扩展名为 .%(extension)s，但内容是 %(kind)s 图片，请核对后重新上传")
            % {"extension": extension, "kind": kind.upper()},
        )
    size = image_size(content)
    if size is not None:
        width, height = size
        if width == 0 or height == 0:
            raise _refuse("photo", _("照片的宽度或高度为 0，文件可能已损坏"))
        if width > PHOTO_MAX_SIDE or height > PHOTO_MAX_SIDE or width * height > PHOTO_MAX_PIXELS:
            raise _refuse(
                "photo",
                _("照片尺寸过大（%(width)s×%(height)s 像素），不能超过 %(limit)s 万像素、每边 %(side)s 像素")
                % {"width": width, "height": height, "limit": PHOTO_MAX_PIXELS // 10_000, "side": PHOTO_MAX_SIDE},
            )
    return CheckedPhoto(kind=kind, extension=extension, size=uploaded.size)


def check_plan_file(uploaded) -> CheckedDocument:
    """Accept an epidemic-prevention plan: a PDF, DOCX or WPS document checked by chengxin.core.uploads."""
    extension = PurePath(uploaded.name or "").suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise _refuse("epidemic_plan", _("防疫方案只接受 docx、pdf 或 wps 格式的文件"))
    try:
        return check_document(uploaded, max_bytes=settings.SUMMARY_MAX_BYTES)
    except DomainError as exc:
        raise _refuse("epidemic_plan", exc.message) from None
