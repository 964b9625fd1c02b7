"""The one set of rules for what a request may carry, on the web pages and in the API alike.

- No NUL character and no lone UTF-16 surrogate in any text: PostgreSQL stores neither, and neither is a character
  a person types. The web pages are guarded by `InputMiddleware` (every query and form field, names included), the
  API by its schemas (chengxin.api.schemas, with the same `storable_text_problem`).
- Numbers typed as identifiers or versions are ASCII digits only: `str.isdigit()` is true for "²" or "٣", which
  `int()` then refuses or reads differently (`ascii_int`).
- Texts are at most MAX_TEXT characters unless a field says otherwise (the API's limit for reasons and
  explanations), and a form value at most MAX_FIELD characters whatever the field (a case's body is the longest).
"""

import unicodedata

from django.utils.translation import gettext as _

MAX_TEXT = 2000
MAX_FIELD = 20_000


def storable_text_problem(value: str) -> str | None:
    """Why a text cannot be stored, or None."""
    if "\x00" in value:
        return _("不能包含空字符（\\u0000）")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return _("包含无效的字符（单独的 UTF-16 代理项）")
    return None


def ascii_int(value: object) -> int | None:
    """`value` as a whole number ≥ 0 if it is a non-empty run of ASCII digits (after trimming), else None."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def shown_name(name: str) -> str:
    """A field name as it may be shown back to the person (what cannot be stored or shown removed)."""
    cleaned = "".join(ch for ch in name if ch != "\x00" and not "\ud800" <= ch <= "\udfff")
    return cleaned[:60] or "?"


def normalise_query(text: str, *, max_length: int = 100) -> str:
    """A search text as a person means it: full-width letters, digits and spaces made plain (NFKC), every run of
    white space (the ideographic space U+3000 included) one space, trimmed, at most `max_length` characters. The
    cache key of a public page and the search use the same form, so "　华为 " and "华为" are one page."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())[:max_length]


# Characters that change how text is shown without being seen themselves: bidirectional overrides and isolates
# (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C) and zero-width ones (U+200B–U+200D, U+2060, U+FEFF).
# In a public name or title they let "公司\u202e" read as something else, or two names that look the same differ.
INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)


def visible_text(value: str | None) -> str:
    """`value` without the invisible formatting characters above, every run of white space one space, trimmed: what
    is stored for a name or a title the public reads."""
    return " ".join((value or "").translate(INVISIBLE).split())
