"""Chinese found as typed, on PostgreSQL and SQLite alike: overlapping character pairs (bigrams) as terms.

Chinese has no spaces between words, and a word-splitter (jieba) would have to guess the ministry's words
(诚信兴商, 放心消费, a county's name) from a dictionary; a phrase it splits differently in the query and in the
text is then not found. Bigrams need no dictionary: "诚信兴商" is the terms 诚信 信兴 兴商 in a row, and a text holds
the phrase exactly when it holds those three terms at consecutive positions, which both databases' full-text
indexes answer (PostgreSQL: `to_tsquery('simple', 'a <-> b <-> c')` on a GIN index; SQLite: an FTS5 phrase
query). Letters and digits form words (2020, 12315, abc).

Each term is written in ASCII (`c` and the two code points in hex), so that neither database's tokenizer, nor
its locale, decides how a Chinese character is split: PostgreSQL's `simple` parser and FTS5's unicode61 both see
one word per term.
"""

import itertools
import re
import unicodedata

# A run of Han characters (CJK unified ideographs, extension A, compatibility ideographs), or of letters/digits.
_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([0-9a-z]+)")
MAX_QUERY_TERMS = 64


def normalise(text: str) -> str:
    """What is indexed and what is searched: NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _han(a: str, b: str = "") -> str:
    return f"c{ord(a):x}" + (f"x{ord(b):x}" if b else "")


def _run_terms(run: str, han: bool) -> list[str]:
    if not han:
        return [run]
    if len(run) == 1:
        return [_han(run)]
    return [_han(a, b) for a, b in itertools.pairwise(run)]


def runs(text: str) -> list[list[str]]:
    """The terms of each run of the (normalised) text, in order."""
    return [_run_terms(m.group(0), bool(m.group(1))) for m in _RUN.finditer(normalise(text))]


def document_terms(text: str) -> str:
    """The terms of a text as one space-separated string, what the full-text index holds. A lone Han character
    (between punctuation) is its own term; inside a run only its pairs are, so a one-character query is
    answered by a scan (see `Query`)."""
    return " ".join(term for run in runs(text) for term in run)


class Query:
    """A search as typed: the words separated by spaces must all be found, each word as a phrase. A lone Han
    character in a word (一个字, or 商 in 商2020) has no pair of its own in the index: it is looked for by a scan
    of the texts the index has already narrowed down (or of all texts when it is all there is)."""

    def __init__(self, typed: str):
        self.typed = " ".join(typed.split())[:200]
        self.phrases: list[list[str]] = []
        self.single_characters: list[str] = []
        self.highlights: list[str] = []  # what to mark in a snippet, normalised
        for word in self.typed.split(" "):
            phrase: list[str] = []
            for match in _RUN.finditer(normalise(word)):
                run, han = match.group(0), bool(match.group(1))
                if han and len(run) == 1:
                    self.single_characters.append(run)
                    self._close(phrase)
                    phrase = []
                else:
                    phrase += _run_terms(run, han)
            self._close(phrase)
            if _RUN.search(normalise(word)):
                self.highlights.append(normalise(word))

    def _close(self, phrase: list[str]) -> None:
        if phrase:
            self.phrases.append(phrase[:MAX_QUERY_TERMS])

    def __bool__(self) -> bool:
        return bool(self.phrases or self.single_characters)

    def postgresql(self) -> str:
        """`to_tsquery('simple', …)` text: each phrase's terms joined by <-> (followed by), phrases by &."""
        return " & ".join("(" + " <-> ".join(p) + ")" for p in self.phrases)

    def sqlite(self) -> str:
        """FTS5 MATCH text: each phrase in double quotes (terms are ASCII words, nothing to escape), AND-ed."""
        return " AND ".join('"' + " ".join(p) + '"' for p in self.phrases)
