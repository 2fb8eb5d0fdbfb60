"""The words signal of search, computed from the owner's own data alone: which of a query's content words
a node's fields hold (each weighted by how rare it is among the owner's candidates, never by a full-text
index's statistics over every user), whether a name of the node is said in the query, and whether the
query's words appear as one phrase.

Words are folded the same way on both sides: lower case, a possessive or plural ending dropped, stop
words left out.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # words, with an inner apostrophe (Mom's, don't)
# Words that carry no content in a question to one's own graph (English).
_STOP = """a about above after again all am an and any are as at be been before being below between both but
    by
    can could did do does doing down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not of off
    on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves time thing
    things one ones something anything"""
STOP_WORDS = frozenset(_STOP.split())


def fold(word: str) -> str:
    """A word as both sides compare it: lower case, without 's or a plural ending."""
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Every word of a text, folded, in order (stop words kept: phrases need them)."""
    return [fold(word) for word in _WORD.findall(text.replace("\u2019", "'"))]


def content(text: str) -> list[str]:
    """A text's content words, folded, in order, each once."""
    return list(dict.fromkeys(word for word in words(text) if word not in STOP_WORDS))


def field_texts(fields: Mapping[str, Any]) -> dict[str, str]:
    """A node's searched fields as text: lists joined, empty ones left out."""
    texts = {}
    for name, value in fields.items():
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value if item)
        if value:
            texts[name] = str(value).replace("_", " ")
    return texts


@dataclass(frozen=True)
class Words:
    """How a node's own text matches a query's words: `coverage` (0-1, the share of the query's content
    words it holds, weighted by rarity), `named` (a name of the node is said in the query, 0 or 1),
    `phrase` (the query's content words stand together in it, 0 or 1), and where and which."""

    coverage: float = 0.0
    named: float = 0.0
    phrase: float = 0.0
    fields: tuple[str, ...] = ()
    found: tuple[str, ...] = ()


def rarity(query: Sequence[str], documents: Iterable[set[str]], total: int) -> dict[str, float]:
    """Each query word's weight: the inverse of how many of the owner's `documents` (of `total` nodes)
    hold it, so a rare name outweighs a common word."""
    documents = list(documents)
    total = max(total, len(documents), 1)
    return {
        word: math.log(1 + total / (1 + sum(1 for document in documents if word in document)))
        for word in query
    }


def match(
    query: Sequence[str], weights: Mapping[str, float], fields: Mapping[str, str], names: Sequence[str]
) -> Words:
    """The words signal of one node: `query`, the query's content words; `fields`, its searched fields
    as text; `names`, which of them name it (a person's name and nickname, a concept's or gift's name)."""
    if not query:
        return Words()
    per_field = {name: words(text) for name, text in fields.items()}
    held = {word for folded in per_field.values() for word in folded}
    found = tuple(word for word in query if word in held)
    total = sum(weights.get(word, 1.0) for word in query)
    coverage = sum(weights.get(word, 1.0) for word in found) / total if total else 0.0
    matched_fields = tuple(name for name, folded in per_field.items() if set(query) & set(folded))
    return Words(
        coverage=coverage,
        named=1.0 if any(_names_in(per_field.get(name, []), query) for name in names) else 0.0,
        phrase=1.0 if len(query) > 1 and any(_holds_phrase(f, query) for f in per_field.values()) else 0.0,
        fields=matched_fields,
        found=found,
    )


def _names_in(name: list[str], query: Sequence[str]) -> bool:
    """Whether a name (its content words, in order) is said in the query."""
    named = [word for word in name if word not in STOP_WORDS]
    return bool(named) and _holds_phrase(list(query), named)


def _holds_phrase(text: list[str], phrase: Sequence[str]) -> bool:
    """Whether `phrase` stands in `text` word for word (stop words between them skipped)."""
    kept = [word for word in text if word not in STOP_WORDS]
    size = len(phrase)
    return any(kept[start : start + size] == list(phrase) for start in range(len(kept) - size + 1))
