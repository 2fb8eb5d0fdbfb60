"""How a node is named outside its own label's queries: a `Ref`, its label and uid.

Stored and sent as "Label:uid" (an Event's nodes, a Relay global id before its base64, a delta's link
ends); inside Python, a Ref. `str(ref)` makes the text and `Ref.parse` reads it back: in Python, the
only two places that know the separator. Cypher that hands back stored names writes the same text
(`labels(x)[0] + ':' + x.uid` in graph/nodes.py's delete, graph/documents.py, graph/search.py).
"""

from typing import NamedTuple

SEPARATOR = ":"


class Ref(NamedTuple):
    """A node by its label and uid."""

    label: str
    uid: str

    def __str__(self) -> str:
        return f"{self.label}{SEPARATOR}{self.uid}"

    @classmethod
    def parse(cls, text: str) -> "Ref":
        """The Ref a "Label:uid" names (a text without the separator is a label with an empty uid)."""
        label, _, uid = text.partition(SEPARATOR)
        return cls(label, uid)

    @staticmethod
    def names_one(text: str) -> bool:
        """Whether a text is a "Label:uid" at all."""
        return SEPARATOR in text
