"""The event log: every change the viewer made, in order, and the timeline of any node."""

import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from errors import BadUserInput
from graph.refs import Ref
from resolvers import events as resolve
from resolvers.pages import PageArgs
from schema.relay import Connection, Info, OwnedNode, connection, paged


@strawberry.enum(description="Who made a change.")
class ActorKind(Enum):
    SESSION = strawberry.enum_value("session", description="A session token: a logIn or signUp.")
    API_KEY = strawberry.enum_value("api_key", description="One of the viewer's API keys.")
    SYSTEM = strawberry.enum_value("system", description="Kindred itself: a consumer of the log, a tool.")


_CREDENTIALS = {"Session": ActorKind.SESSION, "ApiKey": ActorKind.API_KEY}


@strawberry.type(description="Who made a change: a session, an API key, or the system.")
class Actor:
    kind: ActorKind = strawberry.field(description="Which of the three.")
    id: relay.GlobalID | None = strawberry.field(
        description="The Session or ApiKey (for `node`, `endSession`, `revokeApiKey`); null for the system."
    )
    name: str | None = strawberry.field(
        description="What part of the system: 'consumer:mentions', 'consumer:layout', ...; null otherwise."
    )

    @classmethod
    def of(cls, stored: str | None) -> "Actor | None":
        """The actor an Event stored ("Session:<uid>", "ApiKey:<uid>", "consumer:<name>", "system")."""
        if stored is None:  # written before events named their actor
            return None
        label, uid = Ref.parse(stored)
        if label in _CREDENTIALS:
            return cls(kind=_CREDENTIALS[label], id=relay.GlobalID(label, uid), name=None)
        return cls(kind=ActorKind.SYSTEM, id=None, name=stored)


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
    actor: Actor | None = strawberry.field(
        description="Who made it; null for events written before the log recorded it."
    )
    data: JSON | None = strawberry.field(
        description="The numbers worth keeping of the change, where it has some (a gift outcome's "
        "success and reaction intensity, ...); null otherwise."
    )

    @classmethod
    def from_row(cls, row: Any) -> "Event":
        ids = [relay.GlobalID(*Ref.parse(ref)) for ref in row.node["nodes"]]
        node = row.node
        data = json.loads(node["data"]) if node.get("data") else None
        return cls(
            id=node["uid"],
            sequence=node["sequence"],
            kind=node["kind"],
            at=node["at"],
            node_ids=ids,
            actor=Actor.of(node.get("actor")),
            data=data,
        )


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
