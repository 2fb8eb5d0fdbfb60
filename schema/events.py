"""The event log: every change the viewer made, in order, and the timeline of any node."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay

from errors import BadUserInput
from graph.refs import Ref
from resolvers import events as resolve
from resolvers.pages import PageArgs
from schema.relay import Connection, Info, OwnedNode, connection, paged


@strawberry.type(description="One change the viewer made, as the log recorded it.")
class Event(OwnedNode):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    sequence: int = strawberry.field(description="The viewer's event number: 1, 2, 3, ... with no gaps.")
    kind: str = strawberry.field(
        description="What happened: RecipientCreated, GiftUpdated, INTERESTED_INLinked, ..."
    )
    at: datetime = strawberry.field(description="When it happened (UTC).")
    node_ids: list[relay.GlobalID] = strawberry.field(
        description="The nodes it touched: ids for `node` (null there once a node is deleted)."
    )

    @classmethod
    def from_row(cls, row: Any) -> "Event":
        ids = [relay.GlobalID(*Ref.parse(ref)) for ref in row.node["nodes"]]
        node = row.node
        return cls(id=node["uid"], sequence=node["sequence"], kind=node["kind"], at=node["at"], node_ids=ids)


@strawberry.input(description="Which events to list.")
class EventFilter:
    after_sequence: int | None = strawberry.field(
        default=None, description="Only events numbered after this one: to catch up from the last one seen."
    )


@strawberry.type
class EventQuery:
    @paged("The viewer's events, oldest first.")
    async def events(
        self,
        info: Info,
        paging: PageArgs,
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events; all by default.")
        ] = None,
    ) -> Connection[Event]:
        where = {"after_sequence": (filter or EventFilter()).after_sequence}
        rows, count = await resolve.page(info.context, where, resolve.OLDEST_FIRST, paging)
        return connection(rows, paging, Event.from_row, count)

    @paged("Every change to one node, oldest first, even after it was deleted.")
    async def timeline(
        self,
        info: Info,
        paging: PageArgs,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The node.")],
        filter: Annotated[
            EventFilter | None, strawberry.argument(description="Which events; all by default.")
        ] = None,
    ) -> Connection[Event]:
        if not id.type_name or not id.node_id:
            raise BadUserInput("This is not the id of a node.", field="id")
        where = {
            "node": Ref(id.type_name, id.node_id),
            "after_sequence": (filter or EventFilter()).after_sequence,
        }
        rows, count = await resolve.page(info.context, where, resolve.OLDEST_FIRST, paging)
        return connection(rows, paging, Event.from_row, count)
