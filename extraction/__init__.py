"""Extraction: from a text (a message, an observation, a memory, a document passage) to the claims a
careful reader would draw from it about the owner's people and about the owner themselves (the viewer),
proposed as insights.

One interface, `Extractor`, two implementations: `extraction/patterns.py` (deterministic, no network,
the default) and `extraction/openai_extractor.py` (a model behind OpenAI's chat completions API, when
OPENAI_API_KEY is set). `extraction/factory.py` picks one from the settings. What proposals become in
the graph (insights, status `proposed`, DERIVED_FROM their evidence) is dispatch/proposals.py's.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from dispatch.mention_finder import words
from graph.refs import Ref

CATEGORIES = ("trait", "goal", "belief", "preference", "fact", "pattern")


@dataclass(frozen=True)
class Person:
    """One of the owner's people, as the extractor may find them: the names they are known by (name,
    nickname, an unshared first name: dispatch/mentions.py's names_of)."""

    ref: Ref
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[0] if self.names else ""


# Whom a proposal about the viewer (the owner of the graph) concerns: no node of theirs, this mark.
VIEWER = Ref("User", "viewer")


@dataclass(frozen=True)
class Text:
    """A text to read, from its `source` (its evidence). `speaker` is whom its first person ("I love
    jazz") is: one of the people who said it, VIEWER (the default) when the viewer wrote or said it, and
    None when it is nobody whose claims count (an assistant's turn, a participant nobody named)."""

    source: Ref
    text: str
    speaker: Ref | None = VIEWER


@dataclass(frozen=True)
class Proposal:
    """A claim drawn from a text: its category (one of CATEGORIES), its statement, its structured value,
    how sure the extractor is (0-1), whom it concerns (people's refs, or VIEWER alone), and `claim`, the
    normalised words it is known by
    (what makes two proposals the same claim: "loves jazz" and "likes jazz" are both "likes jazz")."""

    category: str
    statement: str
    concerns: tuple[Ref, ...]
    claim: str
    value: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.5

    @property
    def about_viewer(self) -> bool:
        return self.concerns == (VIEWER,)

    @property
    def key(self) -> str:
        """The claim as compared across texts: category, whom it concerns, its folded words."""
        folded = " ".join(word for _, _, word in words(self.claim))
        whom = ",".join(sorted(ref.uid for ref in self.concerns))
        return f"{self.category}|{whom}|{folded}"

    def key_from(self, source: Ref) -> str:
        """The claim from one piece of evidence: what a rejection blocks (never proposed again from it)."""
        return key_from(self.key, source)


def key_from(claim: str, source: Ref) -> str:
    """The key of a claim (a Proposal's `key`) read from one piece of evidence."""
    return hashlib.sha256(f"{claim}@{source}".encode()).hexdigest()[:32]


class Extractor(Protocol):
    """Reads a text for claims about the owner's people and the owner themselves."""

    @property
    def name(self) -> str:
        """Which extractor it is, as a proposal records it: "deterministic" or "openai:<model>"."""
        ...

    async def extract(self, text: Text, people: Sequence[Person]) -> list[Proposal]: ...

    async def close(self) -> None: ...


__all__ = ["CATEGORIES", "VIEWER", "Extractor", "Person", "Proposal", "Text", "key_from"]
