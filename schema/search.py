"""Semantic search over the viewer's graph: `search` and `similar`, hits hydrated as their own types."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from graph.kinds import SEARCHED
from resolvers import search as resolve
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


@strawberry.type(description="One search result: the node, how well it matched, and the text that did.")
class SearchHit:
    score: float = strawberry.field(description="Higher is better; comparable within one answer only.")
    matched: str = strawberry.field(description="The node's text that the query matched.")
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
        SearchHit(score=hit.score, matched=hit.matched, node=node, chunk=_passage(hit, node))
        for hit, node in zip(hits, found, strict=True)
        if node is not None
    ]


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
        description="The viewer's nodes that best match a query in meaning and words, best first; "
        "given `near`, those closer to that node in the graph rank higher."
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
    ) -> list[SearchHit]:
        labels = [kind.value for kind in kinds] if kinds else None
        near_ref = ref_of(near, "near") if near is not None else None
        hits = await resolve.find(info.context, query, labels=labels, first=first, near=near_ref)
        return await _hydrated(info, hits)

    @strawberry.field(description="The viewer's nodes most like a given one in meaning, best first.")
    async def similar(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The node to compare with.")],
        first: Annotated[int, strawberry.argument(description="How many hits, 1 to 100.")] = 10,
    ) -> list[SearchHit]:
        label, uid = ref_of(id, "id")
        return await _hydrated(info, await resolve.similar(info.context, label, uid, first))
