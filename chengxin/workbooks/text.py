"""Small text helpers shared by the workbook modules: user-facing messages and label matching."""

import re
import unicodedata
from functools import lru_cache

from django.utils.translation import gettext

_SPACE = re.compile(r"\s+")
# After NFKC the full-width forms are ASCII already; the ideographic comma 、 is not, but in a printed
# label "（场次、人次）" and "（场次，人次）" mean the same.
_LABEL_FOLD = str.maketrans({"、": ",", "【": "(", "】": ")", "[": "(", "]": ")"})


def say(template: str, **values: object) -> str:
    """A user-facing message: `template` (marked with gettext_noop where it is defined) translated into the
    active language, then filled with `values`."""
    text = gettext(template)
    return text % values if values else text


def normalise_label(text: object) -> str:
    """A label as compared with the form's labels: NFKC (full-width → half-width), no white space at all
    (line breaks inside a cell included), 、 and ， the same as `,`, any square brackets the same as `()`."""
    if text is None:
        return ""
    return _normalise(str(text))


@lru_cache(maxsize=8192)  # a workbook of 100 sheets repeats the same labels 100 times
def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_LABEL_FOLD)
    return _SPACE.sub("", folded)


def label_head(normalised: str) -> str:
    """The part of a normalised label before its bracket: "会议(场次,人次)" → "会议"."""
    return normalised.split("(", 1)[0]
