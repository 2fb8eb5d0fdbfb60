"""Semantic search over the viewer's graph: `search` and `similar`, hits hydrated as their own types."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from graph.kinds import SEARCHED
from resolvers import search as resolve
from resolvers.search_score import FLOOR, Signal
from schema.documents import DocumentChunk
from schema.nodes import load, ref_of
from schema.relay import Info


def _member(label: str) -> str:
    """GiftOutcome -> GIFT_OUTCOME."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(label)).upper()


# One member per searched kind, as declared (graph/kinds.py), and documents, searched by their passages.
if TYPE_CHECKING:  # its members are read from the kinds when the module loads: to mypy, an Enum
    SearchKind = Enum
else:
    SearchKind = strawberry.enum(
        Enum(
            "SearchKind",
            {
                **{
                    _member(kind.label): strawberry.enum_value(
                        kind.label, description=kind.searched.description
                    )
                    for kind in SEARCHED
                    if kind.searched is not None
                },
                "DOCUMENT": strawberry.enum_value(
                    "Document",
                    description="Documents: the text of PDFs, page by page, and transcripts of recordings.",
                ),
            },
        ),
        description="What kinds of nodes a search looks among.",
    )


# The resolvers' Signal, made a GraphQL enum (strawberry marks the class itself).
strawberry.enum(
    Signal,
    name="MatchSignal",
    description="What speaks for a hit: its WORDS (a name of it, a phrase or rare words of the query are "
    "in its text), its MEANING (its text says what the query says, in any words), or the GRAPH (it is "
    "near the node the search was asked to look near).",
)


@strawberry.type(
    description="Why a hit matched: the text, the fields holding the query's words, the signals."
)
class SearchMatch:
    text: str = strawberry.field(
        description="The text the query was matched against: the node's, or the passage."
    )
    fields: list[str] = strawberry.field(
        description="The node's fields that hold words of the query (name, nickname, content, passage...)."
    )
    words: list[str] = strawberry.field(description="The query's words found there, in lower case.")
    signals: list[Signal] = strawberry.field(description="The signals that speak for the hit.")


@strawberry.type(description="One search result: the node, how well it matched, and why.")
class SearchHit:
    score: float = strawberry.field(
        description="How likely the hit is what the query asks for, 0 to 1, computed from your own data "
        "alone: comparable across queries. Hits under the relevance floor (or `minScore`) are left out."
    )
    matched: SearchMatch = strawberry.field(description="Why it matched.")
    node: relay.Node = strawberry.field(description="The node itself, to traverse further.")
    chunk: DocumentChunk | None = strawberry.field(
        default=None,
        description="For a document: the passage that matched, with its page (or its times in a "
        "recording); `node` is the document.",
    )


async def _hydrated(info: Info, hits: list[resolve.Hit]) -> list[SearchHit]:
    """The hits whose nodes are still the viewer's (one query per type): a deleted node drops out. A
    document's passage is answered by its document, with the passage beside it."""
    refs = [("Document", str(hit.chunk["document"])) if hit.chunk else (hit.label, hit.uid) for hit in hits]
    found = await load(info, refs)
    return [
        SearchHit(score=hit.score, matched=_match(hit), node=node, chunk=_passage(hit, node))
        for hit, node in zip(hits, found, strict=True)
        if node is not None
    ]


def _match(hit: resolve.Hit) -> SearchMatch:
    return SearchMatch(
        text=hit.matched, fields=list(hit.fields), words=list(hit.words), signals=list(hit.signals)
    )


def _passage(hit: resolve.Hit, document: Any) -> DocumentChunk | None:
    if hit.chunk is None:
        return None
    return DocumentChunk(
        text=hit.matched,
        page=hit.chunk.get("page"),
        start_seconds=hit.chunk.get("start_seconds"),
        end_seconds=hit.chunk.get("end_seconds"),
        document=document,
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="The viewer's nodes that match a query in meaning or words, best first, none under "
        "the relevance floor (a query that matches nothing answers an empty list); a node named in the "
        "query comes first; given `near`, those closer to that node in the graph rank higher."
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="What to look for, in plain words.")],
        kinds: Annotated[
            list[SearchKind] | None, strawberry.argument(description="Only these kinds (all by default).")
        ] = None,
        first: Annotated[int, strawberry.argument(description="How many hits, 1 to 100.")] = 10,
        near: Annotated[
            strawberry.ID | None, strawberry.argument(description="A node whose neighborhood ranks higher.")
        ] = None,
        min_score: Annotated[
            float | None,
            strawberry.argument(
                description="The least score a hit must have, 0 to 1 (the relevance floor by default: "
                f"{FLOOR}); lower asks for more, weaker hits."
            ),
        ] = None,
        include_proposed: Annotated[
            bool,
            strawberry.argument(
                description="Also the memories proposed to the viewer that they have not yet decided "
                "about (their `status` says PROPOSED); never rejected ones."
            ),
        ] = False,
    ) -> list[SearchHit]:
        labels = [kind.value for kind in kinds] if kinds else None
        near_ref = ref_of(near, "near") if near is not None else None
        hits = await resolve.find(
            info.context,
            query,
            labels=labels,
            first=first,
            near=near_ref,
            min_score=min_score,
            proposed=include_proposed,
        )
        return await _hydrated(info, hits)

    @strawberry.field(
        description="The nodes the viewer reads (theirs, and what a partner shared with them) most like a "
        "given one in meaning, best first."
    )
    async def similar(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The node to compare with.")],
        first: Annotated[int, strawberry.argument(description="How many hits, 1 to 100.")] = 10,
    ) -> list[SearchHit]:
        label, uid = ref_of(id, "id")
        return await _hydrated(info, await resolve.similar(info.context, label, uid, first))
