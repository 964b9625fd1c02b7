"""Parsing whole numbers the way people type them in Chinese reporting tables.

Accepted: ``12345``, ``12,345``, ``12，345``, full-width digits, ``1.2万`` (12000), ``3亿``,
``5千``, a trailing unit of measure (``3400人次``, ``12场``). The result is a whole number ≥ 0.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAGNITUDES = {
    "十": 10,
    "百": 100,
    "千": 1_000,
    "万": 10_000,
    "亿": 100_000_000,
    "万亿": 1_000_000_000_000,
}
# Units of measure that may trail a number; longest first so that 人次 wins over 人 and 次.
MEASURES = ("场次", "人次", "场", "人", "篇", "条", "次", "份", "个", "件", "家", "期")
MAX_VALUE = 10**15

_NUMBER = re.compile(r"^(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?(?P<mag>万亿|十|百|千|万|亿)?$")


class NumberParseError(ValueError):
    """The text is not a whole number ≥ 0. The message is user-facing (Chinese, or the active language)."""


def normalise(text: str) -> str:
    """Full-width to half-width, drop every kind of white space."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")  # U+2212 minus sign
    return re.sub(r"\s+", "", text)


def parse_whole_number(text: str | int | None) -> int | None:
    """Return the whole number the text means, ``None`` for an empty cell.

    Raises :class:`NumberParseError` with a Chinese message for anything else.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise NumberParseError(_("请填写数字"))
    if isinstance(text, int):
        value = text
    else:
        raw = normalise(str(text))
        if raw == "":
            return None
        for measure in MEASURES:
            if raw.endswith(measure) and len(raw) > len(measure):
                raw = raw[: -len(measure)]
                break
        if raw.startswith("-") and _NUMBER.match(raw[1:]):
            raise NumberParseError(_("不能为负数"))
        match = _NUMBER.match(raw)
        if not match:
            raise NumberParseError(
                _("“%(text)s”不是有效的数字，请填写如 12345、1.2万、3亿") % {"text": str(text).strip()}
            )
        digits = match["int"].replace(",", "")
        try:
            number = Decimal(digits + ("." + match["frac"] if match["frac"] else ""))
        except InvalidOperation:  # pragma: no cover - the regex only lets digits through
            raise NumberParseError(_("不是有效的数字")) from None
        if match["mag"]:
            number *= MAGNITUDES[match["mag"]]
        if number != number.to_integral_value():
            raise NumberParseError(_("“%(text)s”不是整数，请填写整数") % {"text": str(text).strip()})
        value = int(number)
    if value < 0:
        raise NumberParseError(_("不能为负数"))
    if value > MAX_VALUE:
        raise NumberParseError(_("数值过大，请核对"))
    return value


def format_number(value: int | None) -> str:
    """Thousands-separated display of a stored whole number; empty for ``None``."""
    return "" if value is None else f"{value:,}"
