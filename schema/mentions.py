"""Mentions: where a memory's, conflict's, gift's or message's text names one of the viewer's people or
concepts.

A list, not a connection: its length is bounded by the text's, and its order is the text's own."""

from typing import Any

import strawberry
from strawberry import relay

from resolvers import mentions as resolve
from schema.lazy import Concept, Recipient
from schema.relay import Info, node_type

_TYPES: dict[str, Any] = {"Recipient": Recipient, "Concept": Concept}


@strawberry.type(description="A place in a text that names one of the viewer's people or concepts.")
class Mention:
    field: str = strawberry.field(description="The field the words are in (content, place, summary, ...).")
    start: int = strawberry.field(description="Where the words start in that field, in characters from 0.")
    end: int = strawberry.field(description="Where they end: the first character after them.")
    text: str = strawberry.field(description="The words as written.")
    automatic: bool = strawberry.field(
        description="Whether the link was found in the text (it goes when the text no longer names the "
        "node); false for a link made by hand, which stays."
    )
    node: relay.Node = strawberry.field(description="The person (Recipient) or Concept named.")


def mentions_of(label: str) -> Any:
    """The `mentions` field of a node type whose text names people and concepts."""

    async def resolve_mentions(self: Any, info: Info) -> list[Mention]:
        places = await resolve.of_text(info.context, label, self.id)
        return [
            Mention(
                field=p["field"],
                start=p["start"],
                end=p["end"],
                text=p["text"],
                automatic=p["automatic"],
                node=node_type(_TYPES[p["label"]]).from_row(p["row"]),
            )
            for p in places
        ]

    return strawberry.field(
        resolver=resolve_mentions,
        description="Where its text names the viewer's people and concepts (found as the text is written, "
        "or linked by hand), in the order of its fields and words.",
    )
