"""Relay: global ids through the Node interface, and connections with keyset cursors."""

from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from graph.pages import Rows
from resolvers import pages

NodeT = TypeVar("NodeT")


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type(description="One item of a page, and the cursor to continue after it.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="One page of a list. totalCount is counted only when asked for.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (one more query: ask only if needed).")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of this page, for clients that need no cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection(
    rows: Rows,
    backward: bool,
    make: Callable[[dict[str, Any]], Any],
    uid_of: Callable[[dict[str, Any]], str],
    count: Callable[[], Awaitable[int]],
) -> Connection[Any]:
    edges = [Edge(cursor=cursor, node=make(row)) for cursor, row in pages.edges(rows, uid_of)]
    page_info = relay.PageInfo(
        has_next_page=rows.has_more and not backward,
        has_previous_page=rows.has_more and backward,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)


def ordered(ids: Iterable[str], rows: list[Any], uid_of: Callable[[Any], str]) -> list[Any]:
    """Rows in the order of the ids asked for, None where there is none (or none of the viewer's)."""
    by_uid = {uid_of(row): row for row in rows}
    return [by_uid.get(uid) for uid in ids]
