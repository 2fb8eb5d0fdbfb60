"""The event log: every change the viewer made, in order, and the timeline of any node."""

import base64
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from resolvers import events as resolve
from resolvers.context import Context

Info = strawberry.Info[Context, None]


@strawberry.type(description="One change, as the log recorded it.")
class Event:
    sequence: int = strawberry.field(description="The viewer's event number: only ever grows.")
    kind: str
    at: datetime
    node_ids: list[strawberry.ID] = strawberry.field(description="The nodes it touched (some may be gone).")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Event":
        # "Label:uid" is what a Relay global id encodes, so these are ids the client can use with `node`.
        ids = [strawberry.ID(base64.b64encode(ref.encode()).decode()) for ref in row["nodes"]]
        return cls(sequence=row["sequence"], kind=row["kind"], at=row["at"], node_ids=ids)


@strawberry.type
class EventQuery:
    @strawberry.field(description="The viewer's events after a sequence number, oldest first.")
    async def events(self, info: Info, after: int = 0, first: int = 100) -> list[Event]:
        return [Event.from_row(row) for row in await resolve.after(info.context, after, first)]

    @strawberry.field(description="Every change to one node, oldest first, even after it was deleted.")
    async def timeline(self, info: Info, id: relay.GlobalID, after: int = 0, first: int = 100) -> list[Event]:
        ref = f"{id.type_name}:{id.node_id}"
        return [Event.from_row(row) for row in await resolve.timeline(info.context, ref, after, first)]
