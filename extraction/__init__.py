"""Extraction: from a text (a message, an observation, a memory, a document passage) to the claims a
careful reader would draw from it about the owner's people and about the owner themselves (the viewer),
proposed as insights, and to the moments it tells of (episodes), proposed as memories.

One interface, `Extractor`, two implementations: `extraction/patterns.py` with extraction/episodes.py
(deterministic, no network, the default) and `extraction/openai_extractor.py` (a model behind OpenAI's
chat completions API, when OPENAI_API_KEY is set). `extraction/factory.py` picks one from the settings.
What proposals become in the graph (insights and memories, status `proposed`, DERIVED_FROM their
evidence) is dispatch/proposals.py's and dispatch/memory_proposals.py's.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
    # When it was written or said (UTC): what a time it tells ("yesterday") is counted from.
    at: datetime | None = None


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


@dataclass(frozen=True)
class Episode:
    """A moment texts tell of: its words (`content`), whom it involves, the time said (`anchor`, folded
    as said: "last saturday"; None when none is) and when that was (`happened_at`, UTC, counted from the
    text's own time; None when no time is said or it cannot be resolved), the concepts it names, how sure
    the extractor is, the texts it was told in (`evidence`) and the extractor that found it."""

    content: str
    people: tuple[Ref, ...]
    anchor: str | None
    confidence: float
    # Told with no time and no one ("We ate so many pastries."): it only continues an episode already
    # told (in its conversation); it never starts one.
    continues: bool = False
    happened_at: datetime | None = None
    concepts: tuple[str, ...] = ()
    evidence: tuple[Ref, ...] = ()
    extractor: str = "deterministic"

    @property
    def claim(self) -> str:
        """What the episode is known by within its text or conversation: its time, else its first words."""
        if self.anchor is not None:
            return f"at {self.anchor}"
        return "told " + " ".join(word for _, _, word in words(self.content)[:8])


def confidence_of(value: Any) -> float:
    """A model's confidence kept to 0-1; 0.5 for what is no number (a bool, NaN or an infinity: JSON
    lets a model say them)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.5
    return min(max(float(value), 0.0), 1.0)


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

    async def episodes(self, texts: Sequence[Text], people: Sequence[Person]) -> list[Episode]:
        """The moments these texts tell of, each with the texts it was told in (its evidence, among
        these) and the name of the extractor that found it (a model falls back to the rules)."""
        ...

    async def close(self) -> None: ...


__all__ = [
    "CATEGORIES",
    "VIEWER",
    "Episode",
    "Extractor",
    "Person",
    "Proposal",
    "Text",
    "confidence_of",
    "key_from",
]
