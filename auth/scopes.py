"""What an API key may do: its scope, kept with the key (graph/api_keys.py) and enforced wherever the
key is used (schema/scopes.py before an operation runs; the reads that choose labels at run time:
search, the view, paths, nodes by id, live updates).

A session token (the person themself) has every scope. A key may be limited to reading (no mutations),
to personas (asking for a persona and rating it, nothing else) and to named kinds (reading only nodes
of those kinds, and writing only those: creating, changing, deleting and linking them)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from errors import OutOfScope

# The root fields a key limited to personas may ask for (and __typename), and the kinds it reads: only
# personas (not the person a persona is of, nor the insights it rests on, which hold the rest of them).
PERSONA_FIELDS = frozenset({"requestPersona", "ratePersona", "__typename"})
PERSONA_KINDS = frozenset({"Persona"})


@dataclass(frozen=True)
class Scope:
    read_only: bool = False
    personas_only: bool = False
    kinds: frozenset[str] | None = None  # None: every kind

    @property
    def full(self) -> bool:
        return not self.read_only and not self.personas_only and self.kinds is None

    @property
    def writes(self) -> bool:
        """Whether the key may write at all (a key limited to named kinds writes only those:
        schema/scope_writes.py)."""
        return not self.read_only

    @property
    def reads(self) -> frozenset[str] | None:
        """The kinds the key may read (None: every kind): its named kinds, and only personas of those
        when it is limited to personas."""
        if self.personas_only:
            return PERSONA_KINDS if self.kinds is None else self.kinds & PERSONA_KINDS
        return self.kinds

    def allows(self, label: str) -> bool:
        """Whether the key may read nodes of this label."""
        return self.reads is None or label in self.reads

    def readable(self, requested: Iterable[str] | None, every: Iterable[str]) -> list[str]:
        """Of the labels asked for (every one when none are), those the key may read; OutOfScope when it
        may read none of them (an empty list means "every label" to the reads that take one)."""
        asked = list(requested or ()) or list(every)
        if self.reads is None:
            return list(requested or ())
        allowed = [label for label in asked if label in self.reads]
        if not allowed:
            raise OutOfScope("This API key may not read these kinds of nodes.", kinds=sorted(self.reads))
        return allowed

    def row(self) -> dict[str, Any]:
        """As the key keeps it."""
        kinds = sorted(self.kinds) if self.kinds is not None else None
        return {"read_only": self.read_only, "personas_only": self.personas_only, "kinds": kinds}

    @classmethod
    def of(cls, row: dict[str, Any] | None) -> "Scope":
        """From what a key keeps (a key made before scopes has every scope)."""
        if not row:
            return FULL
        kinds = row.get("kinds")
        return cls(
            read_only=bool(row.get("read_only")),
            personas_only=bool(row.get("personas_only")),
            kinds=frozenset(kinds) if kinds is not None else None,
        )


FULL = Scope()
