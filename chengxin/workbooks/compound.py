"""One printed cell that holds the figures of one leaf, as people fill the notice's attachment.

Accepted: ``12场，3400人次``, ``3场/1.2万人次``, ``12场 3400人次``, ``3400人次，12场`` (any order),
``展板、手册，5000份``, ``5000份（展板、手册）``, and a single number for a one-figure leaf (``3400``).
Numbers are matched to figures by their unit of measure; a number without a unit is taken only when exactly
one number figure is left for it. Anything else is a :class:`CompoundCellError`, never a guess.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from chengxin.core.numbers import MEASURES
from chengxin.statform.definition import FigureDef
from chengxin.workbooks.text import say

# Other ways of writing a figure's unit; the key is the unit in the form definition.
UNIT_ALIASES = {"场": ("场次",), "人次": ("人",)}
# Cells that say "nothing here": they are reported as empty (the user decides whether that means 0).
NONE_MARKS = frozenset({"无", "/", "-", "--", "—", "——", "空"})
_SEPARATORS = " \t\r\n,，、/／;；:：|"
_BRACKETS = "()（）[]【】"
_MAGNITUDE = r"(?:万亿|亿|万|千|百|十)"
_KNOWN_UNITS = sorted({*MEASURES, *UNIT_ALIASES, *(a for aliases in UNIT_ALIASES.values() for a in aliases)}, key=len)

SAMPLE_NUMBERS = {"场": "12", "人次": "3400", "份": "5000"}
SAMPLE_TEXT = "展板、手册"

MSG_WRONG_UNIT = gettext_noop("“%(token)s”的单位“%(unit)s”不属于此项，此项应填写如“%(example)s”")
MSG_SAME_UNIT = gettext_noop("此项有多个以“%(unit)s”计的数字，无法区分“%(token)s”，请分开填写")
MSG_TWICE = gettext_noop("“%(first)s”和“%(second)s”都是%(label)s，请只填一个，如“%(example)s”")
MSG_NEED_UNIT = gettext_noop("无法判断“%(token)s”是%(labels)s中的哪一项，请注明单位，如“%(example)s”")
MSG_COMMA = gettext_noop("“%(token)s”中的逗号可能是千位分隔符，也可能分隔两个数字，请写成如“%(example)s”")
MSG_LEFTOVER = gettext_noop("无法识别“%(rest)s”，此项应填写如“%(example)s”")


class CompoundCellError(ValueError):
    """The cell cannot be read without guessing. The message is user-facing (Chinese) and says what was
    expected."""


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    number: str  # as written, without the unit: "1.2万", "3,400", "-5"
    unit: str  # "" when none was written

    def shown(self, original: str) -> str:
        return original[self.start : self.end].strip()


def _fold(text: str) -> str:
    """NFKC character by character where it keeps the length (full-width digits and punctuation become
    ASCII), so that positions in the folded text are positions in the original."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def _token_pattern() -> re.Pattern:
    units = "|".join(re.escape(u) for u in reversed(_KNOWN_UNITS))  # longest first: 人次 before 人
    # A minus sign only where it cannot be a dash between two parts: at the start or after a separator.
    sign = r"(?:(?<![^\s,、/;:(])-)?"
    number = rf"{sign}(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?(?:\s*{_MAGNITUDE})?"
    # Any other Chinese character right after a number is taken as an (unknown) unit, so that "5000本" or
    # "5000余份" is refused instead of silently read as a bare number.
    return re.compile(rf"(?P<number>{number})\s*(?P<unit>{units}|[\u4e00-\u9fff])?")


_TOKEN = _token_pattern()


def example(figures: list[FigureDef]) -> str:
    """How the cell is meant to be filled: "12场，3400人次", "展板、手册，5000份"."""
    parts = []
    for figure in figures:
        if figure.is_number:
            parts.append(SAMPLE_NUMBERS.get(figure.unit, "100") + figure.unit)
        else:
            parts.append(SAMPLE_TEXT)
    return "，".join(parts)


def _tokens(folded: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), m["number"], m["unit"] or "") for m in _TOKEN.finditer(folded)]


def _figures_for_unit(unit: str, figures: list[FigureDef]) -> list[FigureDef]:
    exact = [f for f in figures if f.unit == unit]
    return exact or [f for f in figures if unit in UNIT_ALIASES.get(f.unit, ())]


def _by_unit(tokens: list[_Token], numbers: list[FigureDef], text: str, hint: str) -> dict[str, _Token]:
    """Assign the tokens that carry a unit; refuse a unit that is not this leaf's, or one unit twice."""
    found: dict[str, _Token] = {}
    for token in (t for t in tokens if t.unit):
        matches = _figures_for_unit(token.unit, numbers)
        if not matches:
            raise CompoundCellError(say(MSG_WRONG_UNIT, token=token.shown(text), unit=token.unit, example=hint))
        if len(matches) > 1:
            raise CompoundCellError(say(MSG_SAME_UNIT, token=token.shown(text), unit=token.unit))
        code = matches[0].code
        if code in found:
            first, second = found[code].shown(text), token.shown(text)
            raise CompoundCellError(say(MSG_TWICE, first=first, second=second, label=matches[0].label, example=hint))
        found[code] = token
    return found


def _by_elimination(tokens: list[_Token], numbers: list[FigureDef], found: dict, text: str, hint: str) -> None:
    """Give a number without a unit to the one number figure left, if there is exactly one of each."""
    bare = [t for t in tokens if not t.unit]
    left = [f for f in numbers if f.code not in found]
    if not bare:
        return
    if len(bare) == 1 and len(left) == 1:
        found[left[0].code] = bare[0]
        return
    labels = "、".join(f.label for f in (left or numbers))
    raise CompoundCellError(say(MSG_NEED_UNIT, token=bare[0].shown(text), labels=labels, example=hint))


def _refuse_ambiguous_comma(tokens: list[_Token], numbers: list[FigureDef], found: dict, text: str, hint: str):
    """ "12,340人次" in a cell meant for 场次 and 人次 may be 12 and 340: refuse rather than pick."""
    if len(numbers) < 2 or len(found) == len(numbers):
        return
    for token in tokens:
        if "," in token.number:
            raise CompoundCellError(say(MSG_COMMA, token=token.shown(text), example=hint))


def _remainder(text: str, tokens: list[_Token]) -> str:
    """The text left when the numbers are taken out, without separators or brackets around it."""
    pieces, cursor = [], 0
    for token in tokens:
        pieces.append(text[cursor : token.start])
        pieces.append(" ")
        cursor = token.end
    pieces.append(text[cursor:])
    rest = "".join(pieces)
    rest = re.sub(r"[(（]\s*[)）]|[\[【]\s*[\]】]", " ", rest)  # brackets emptied by taking a number out
    previous = None
    while previous != rest:
        previous = rest
        rest = rest.strip(_SEPARATORS)
        if len(rest) >= 2 and rest[0] in "(（[【" and rest[-1] in ")）]】":
            rest = rest[1:-1]
    return rest.strip()


def split_cell(text: object, figures: list[FigureDef]) -> dict[str, str]:
    """The text of each figure of one leaf, read from the printed cell that holds them all.

    `figures` are the leaf's figures (FigureDef.row_codes order). The result maps figure codes to the text of
    that figure: numbers as written without their unit (``"1.2万"``, to be parsed by
    core.numbers.parse_whole_number), the text figure as written. A figure the cell does not mention is
    absent from the result; an empty cell or one saying 无 / - gives ``{}``. A one-figure leaf gets the whole
    text. Raises :class:`CompoundCellError` when it cannot tell which number is which.
    """
    raw = "" if text is None else str(text).strip()
    if not raw or unicodedata.normalize("NFKC", raw) in NONE_MARKS:
        return {}
    if len(figures) == 1:
        return {figures[0].code: raw}
    hint = example(figures)
    numbers = [f for f in figures if f.is_number]
    words = [f for f in figures if not f.is_number]
    tokens = _tokens(_fold(raw))
    found = _by_unit(tokens, numbers, raw, hint)
    _by_elimination(tokens, numbers, found, raw, hint)
    _refuse_ambiguous_comma(tokens, numbers, found, raw, hint)
    result = {code: token.number for code, token in found.items()}
    rest = _remainder(raw, tokens)
    if rest and (len(words) != 1 or re.search(r"\d", _fold(rest))):
        raise CompoundCellError(say(MSG_LEFTOVER, rest=rest, example=hint))
    if rest:
        result[words[0].code] = rest
    return {f.code: result[f.code] for f in figures if f.code in result}
