"""The activity log: what the viewer did (logins, logouts, keys, and every write with the session or
key that made it), newest first, read from the event log (graph/activity.py)."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from errors import BadUserInput
from graph import activity
from graph.pages import Row
from graph.refs import Ref
from resolvers import activity as resolve
from resolvers.pages import PageArgs
from schema.events import Event
from schema.relay import Connection, Info, connection, paged

# The credentials whose activity can be listed on its own.
_CREDENTIALS = ("Session", "ApiKey")


@strawberry.enum(description="What kind of activity an entry is.")
class ActivityType(Enum):
    SIGNED_UP = strawberry.enum_value("signed_up", description="The account was made.")
    LOGGED_IN = strawberry.enum_value("logged_in", description="A logIn started a session.")
    LOGGED_OUT = strawberry.enum_value("logged_out", description="A logOut, or a logOutEverywhere.")
    SESSION_ENDED = strawberry.enum_value("session_ended", description="A session was ended by id.")
    KEY_CREATED = strawberry.enum_value("key_created", description="An API key was made.")
    KEY_REVOKED = strawberry.enum_value("key_revoked", description="An API key was revoked.")
    WRITE = strawberry.enum_value(
        activity.WRITE, description="A change to the viewer's data, made with a session or an API key."
    )


@strawberry.type(description="One entry of the viewer's activity: what happened, and its event.")
class Activity:
    type: ActivityType = strawberry.field(description="What kind of activity it is.")
    event: Event = strawberry.field(
        description="The event it is: when it happened, who did it (the session or API key), what it touched."
    )

    @classmethod
    def from_row(cls, row: Row) -> "Activity":
        return cls(type=ActivityType(activity.type_of(row.node["kind"])), event=Event.from_row(row))


@strawberry.input(description="Which activity to list.")
class ActivityFilter:
    types: list[ActivityType] | None = strawberry.field(
        default=None, description="Only these kinds of activity; every kind by default."
    )
    actor_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="Only what one Session or ApiKey of the viewer's did (and, for a session, its login "
        "and its end).",
    )


@strawberry.type
class ActivityQuery:
    @paged(
        "The viewer's activity, newest first: logins, logouts, sessions ended, API keys made and revoked, "
        "and every change made with a session or key (key use shows as the writes it made; reads are not "
        "logged, see ApiKey.lastUsedAt and Session.lastSeenAt). What Kindred did by itself is not here."
    )
    async def activity(
        self,
        info: Info,
        paging: PageArgs,
        filter: Annotated[
            ActivityFilter | None, strawberry.argument(description="Which activity; all by default.")
        ] = None,
    ) -> Connection[Activity]:
        given = filter or ActivityFilter()
        types = [kind.value for kind in given.types] if given.types is not None else None
        where = {"types": types, "actor": _actor(given.actor_id)}
        rows, count = await resolve.page(info.context, where, resolve.NEWEST_FIRST, paging)
        return connection(rows, paging, Activity.from_row, count)


def _actor(id: relay.GlobalID | None) -> str | None:
    """The credential an id names, as the log names an actor ("Session:<uid>")."""
    if id is None:
        return None
    if id.type_name not in _CREDENTIALS or not id.node_id:
        raise BadUserInput("actorId is the id of a Session or an ApiKey.", field="actorId")
    return str(Ref(id.type_name, id.node_id))
