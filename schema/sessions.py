"""Sessions: each logIn or signUp of the viewer, listed and ended one by one."""

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from resolvers import sessions
from resolvers.pages import PageArgs
from schema.docs import described
from schema.relay import Connection, Info, connection, node_uid, paged


@strawberry.enum(description="Whether a session's token is still accepted.")
class SessionStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="Its token is accepted.")
    EXPIRED = strawberry.enum_value("expired", description="Its token has expired.")
    ENDED = strawberry.enum_value("ended", description="Logged out or ended: its token is refused.")


@strawberry.enum(description="What a session was started with.")
class CredentialKind(Enum):
    PASSWORD = strawberry.enum_value("password", description="An email and password (logIn, signUp).")


SESSION = {
    "status": "Whether its token is still accepted.",
    "created_at": "When it was started (UTC).",
    "last_seen_at": "When its token was last used (UTC), recorded at most once a minute.",
    "user_agent": "The User-Agent the client sent when it logged in (at most 300 characters).",
    "address": "The network address it logged in from, as the server saw it.",
    "credential": "What it was started with.",
    "expires_at": "When its token stops being accepted (UTC).",
    "ended_at": "When it was logged out or ended (UTC); null if it was not.",
}


@strawberry.type(description="A session: one logIn or signUp of the viewer, and its token's life.")
@described(SESSION)
class Session(relay.Node):
    id: relay.NodeID[str]
    status: SessionStatus
    created_at: datetime
    last_seen_at: datetime | None
    user_agent: str | None
    address: str | None
    credential: CredentialKind
    expires_at: datetime
    ended_at: datetime | None

    @strawberry.field(description="Whether this is the session the request was made with.")
    def current(self, info: Info) -> bool:
        return sessions.is_current(info.context, str(self.id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Session":
        return cls(
            id=row["uid"],
            status=SessionStatus(row["status"]),
            created_at=row["created_at"],
            last_seen_at=row.get("last_seen_at"),
            user_agent=row.get("user_agent"),
            address=row.get("address"),
            credential=CredentialKind(row["credential"]),
            expires_at=row["expires_at"],
            ended_at=row.get("ended_at"),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # null for a missing id even when `required`
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list["Session | None"]:
        rows = await sessions.by_uids(info.context, list(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type
class SessionQuery:
    @paged(
        "The viewer's sessions, newest first, ended and expired ones included (see status). Needs a "
        "session token (not an API key)."
    )
    async def sessions(self, info: Info, paging: PageArgs) -> Connection[Session]:
        rows, count = await sessions.page(info.context, {}, sessions.NEWEST_FIRST, paging)
        return connection(rows, paging, lambda row: Session.from_row(row.node), count)


@strawberry.type
class SessionMutation:
    @strawberry.mutation(
        description="Ends one of the viewer's sessions: its token is refused from now on, on every "
        "instance (ending the current one is logOut). Needs a session token (not an API key)."
    )
    async def end_session(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The session.")]
    ) -> Session:
        return Session.from_row(await sessions.end(info.context, node_uid(id, "Session")))
