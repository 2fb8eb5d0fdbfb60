"""Finds where a text names one of the user's people or concepts: deterministic, in Python, no model.

Both the text and every name are cut into words (runs of letters and digits: "Clara's" is "Clara" and
"s", so a possessive still names her) and each word is folded the same way: case folded, then a simple
English plural made singular ("Potteries" is "pottery", "glasses" is "glass"). A name matches a run of
words that folds to the same words, so a match always starts and ends at a word boundary ("Ann" is not
in "Annual"). Where names overlap the longest wins ("Clara Jensen" over "Clara"); a name that several
nodes share (a person and a concept both called "Rose") links to each of them.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.refs import Ref

_WORD = re.compile(r"[^\W_]+")
MIN_NAME_CHARS = 2  # a one-letter name would link every "I" and "a"


@dataclass(frozen=True)
class Name:
    """A name a node is known by."""

    target: Ref
    text: str


@dataclass(frozen=True)
class Mention:
    """One place in a field of a text that names a node: [start, end) in characters of that field."""

    target: Ref
    field: str
    start: int
    end: int
    text: str


def fold(word: str) -> str:
    """A word as it is compared: case folded, a simple plural made singular."""
    w = word.casefold()
    if len(w) <= 3:
        return w
    if w.endswith("ies"):
        return w[:-3] + "y"  # potteries, parties
    if w.endswith(("sses", "ches", "shes", "xes", "zes")):
        return w[:-2]  # glasses, lunches, dishes, boxes
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]  # concerts, Claras
    return w


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of a text: (start, end, folded word)."""
    return [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]


class Finder:
    """Finds the names of one owner's nodes in texts (built once per batch of texts)."""

    def __init__(self, names: Iterable[Name]) -> None:
        # folded words of a name -> the nodes known by it; and, per first word, the lengths to try
        self._targets: dict[tuple[str, ...], set[Ref]] = {}
        self._lengths: dict[str, set[int]] = {}
        for name in names:
            key = tuple(word for _, _, word in words(name.text))
            if not key or len(name.text.strip()) < MIN_NAME_CHARS:
                continue
            self._targets.setdefault(key, set()).add(name.target)
            self._lengths.setdefault(key[0], set()).add(len(key))

    def find(self, fields: Mapping[str, str | None]) -> list[Mention]:
        """Every mention in these fields (name -> text), in field and text order."""
        found: list[Mention] = []
        for field, text in fields.items():
            if text:
                found.extend(self._in(field, text))
        return found

    def _in(self, field: str, text: str) -> list[Mention]:
        cut = words(text)
        found: list[Mention] = []
        i = 0
        while i < len(cut):
            length, targets = self._longest(cut, i)
            if not targets:
                i += 1
                continue
            start, end = cut[i][0], cut[i + length - 1][1]
            found.extend(Mention(t, field, start, end, text[start:end]) for t in sorted(targets))
            i += length  # matches never overlap: the words of this one are taken
        return found

    def _longest(self, cut: Sequence[tuple[int, int, str]], i: int) -> tuple[int, set[Ref]]:
        for length in sorted(self._lengths.get(cut[i][2], ()), reverse=True):
            key = tuple(word for _, _, word in cut[i : i + length])
            if len(key) == length and key in self._targets:
                return length, self._targets[key]
        return 0, set()
