"""Accounts: the User type, sessions and API keys."""

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from auth.scopes import FULL, Scope
from graph.kinds import KINDS
from resolvers import accounts
from resolvers.pages import PageArgs
from schema.docs import described
from schema.relay import Connection, Info, connection, node_uid, paged


@strawberry.enum(description="The plan an account is on.")
class SubscriptionTier(Enum):
    FREE = "free"
    PREMIUM = "premium"
    ENTERPRISE = "enterprise"


@strawberry.enum(description="Whether an account may be used.")
class AccountStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="In use.")
    SUSPENDED = strawberry.enum_value("suspended", description="Refused (FORBIDDEN) until reactivated.")
    ARCHIVED = strawberry.enum_value("archived", description="Closed: refused (FORBIDDEN).")
    ERASING = strawberry.enum_value(
        "erasing", description="Being erased after deleteAccount: refused (UNAUTHENTICATED), soon gone."
    )


@strawberry.enum(description="Whether an API key is still accepted.")
class ApiKeyStatus(Enum):
    ACTIVE = "active"
    REVOKED = "revoked"


def _member(label: str) -> str:
    """GiftOutcome -> GIFT_OUTCOME."""
    return "".join(f"_{c}" if c.isupper() and i else c for i, c in enumerate(label)).upper()


# One member per kind of node, as declared (graph/kinds.py): what a key limited to named kinds reads.
if TYPE_CHECKING:  # its members are read from the kinds when the module loads: to mypy, an Enum
    NodeKind = Enum
else:
    NodeKind = strawberry.enum(
        Enum("NodeKind", {_member(kind.label): kind.label for kind in KINDS}),
        description="A kind of node in a person's graph.",
    )


@strawberry.type(description="What an API key may do.")
class ApiKeyScope:
    read_only: bool = strawberry.field(description="It reads only: every mutation is refused (OUT_OF_SCOPE).")
    personas_only: bool = strawberry.field(
        description="It may only ask for personas (persona) and rate them (ratePersona); anything else is "
        "refused (OUT_OF_SCOPE)."
    )
    kinds: list[NodeKind] | None = strawberry.field(
        description="The only kinds of nodes it reads and writes (creates, changes, deletes and links them, "
        "unless it reads only); null: every kind."
    )

    @classmethod
    def of(cls, scope: Scope) -> "ApiKeyScope":
        kinds = [NodeKind(label) for label in sorted(scope.kinds)] if scope.kinds is not None else None
        return cls(read_only=scope.read_only, personas_only=scope.personas_only, kinds=kinds)


@strawberry.input(description="What a new API key may do; left out, everything its owner may.")
class ApiKeyScopeInput:
    read_only: bool = strawberry.field(default=False, description="Refuse every mutation made with it.")
    personas_only: bool = strawberry.field(
        default=False, description="Only ask for personas and rate them: for an agent that needs no more."
    )
    kinds: list[NodeKind] | None = strawberry.field(
        default=None,
        description="Read and write only nodes of these kinds (at least one): a write that reaches another "
        "kind (an id given, what it returns or deletes with it) is refused; null: every kind.",
    )

    def scope(self) -> Scope:
        kinds = frozenset(kind.value for kind in self.kinds) if self.kinds is not None else None
        return Scope(read_only=self.read_only, personas_only=self.personas_only, kinds=kinds)


USER = {
    "email": "The address the account logs in with.",
    "name": "What the person is called, 1 to 100 characters.",
    "tier": "The plan the account is on.",
    "status": "Whether the account may be used.",
    "created_at": "When the account was made (UTC).",
}
API_KEY = {
    "name": "What the viewer called the key, 1 to 100 characters.",
    "status": "Whether it is still accepted.",
    "created_at": "When it was made (UTC).",
    "last_used_at": "When it was last used (UTC), recorded at most once a minute.",
    "expires_at": "When it stops being accepted (UTC); null if never.",
    "revoked_at": "When it was revoked (UTC); null if it was not.",
}
Email = Annotated[str, strawberry.argument(description="The email address of the account.")]
Password = Annotated[str, strawberry.argument(description="The password: 10 to 1,024 characters.")]


@strawberry.type(description="The account of a person using Kindred.")
@described(USER)
class User(relay.Node):
    id: relay.NodeID[str]
    email: str
    name: str
    tier: SubscriptionTier
    status: AccountStatus
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "User":
        return cls(
            id=row["uid"],
            email=row["email"],
            name=row["name"],
            tier=SubscriptionTier(row["tier"]),
            status=AccountStatus(row["status"]),
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # null for a missing id even when `required`
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list["User | None"]:
        rows = await accounts.users_by_uids(info.context, list(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="An API key: usable as 'Authorization: Bearer <key>' until revoked.")
@described(API_KEY)
class ApiKey(relay.Node):
    id: relay.NodeID[str]
    name: str
    prefix: str = strawberry.field(description="The first characters of the key, to tell keys apart.")
    status: ApiKeyStatus
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    scope: ApiKeyScope = strawberry.field(description="What it may do.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ApiKey":
        return cls(
            id=row["uid"],
            name=row["name"],
            prefix=row["prefix"],
            status=ApiKeyStatus(row["status"]),
            created_at=row["created_at"],
            last_used_at=row.get("last_used_at"),
            expires_at=row.get("expires_at"),
            revoked_at=row.get("revoked_at"),
            scope=ApiKeyScope.of(Scope.of(row.get("scope"))),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # as User's
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list["ApiKey | None"]:
        rows = await accounts.api_keys_by_uids(info.context, list(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="A session: its token, and whose it is.")
class AuthPayload:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    user: User = strawberry.field(description="The account it belongs to.")


@strawberry.type(description="A new API key, shown this once.")
class NewApiKey:
    key: str = strawberry.field(description="The key itself: shown this once, stored only as a hash.")
    api_key: ApiKey = strawberry.field(description="What is kept of it.")


def _auth_payload(session: dict[str, Any]) -> AuthPayload:
    return AuthPayload(token=session["token"], user=User.from_row(session["user"]))


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The user making the request.")
    async def me(self, info: Info) -> User:
        return User.from_row(await accounts.me(info.context))

    @paged("The viewer's API keys, revoked ones included, oldest first.")
    async def api_keys(self, info: Info, paging: PageArgs) -> Connection[ApiKey]:
        rows, count = await accounts.api_keys_page(info.context, {}, accounts.KEYS_OLDEST_FIRST, paging)
        return connection(rows, paging, lambda row: ApiKey.from_row(row.node), count)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Creates an account and returns a session token for it.")
    async def sign_up(
        self,
        info: Info,
        email: Email,
        password: Password,
        name: Annotated[str, strawberry.argument(description="What they are called, 1 to 100 characters.")],
    ) -> AuthPayload:
        return _auth_payload(await accounts.sign_up(info.context, email, password, name))

    @strawberry.mutation(description="Returns a session token for an existing account.")
    async def log_in(self, info: Info, email: Email, password: Password) -> AuthPayload:
        return _auth_payload(await accounts.log_in(info.context, email, password))

    @strawberry.mutation(
        description="Ends the session token sent with this request: refused from now on, over HTTP and "
        "WebSocket. Needs a session token (not an API key)."
    )
    async def log_out(self, info: Info) -> bool:
        return await accounts.log_out(info.context)

    @strawberry.mutation(
        description="Ends every session token of the viewer, this one included (API keys stay: revoke "
        "them one by one). Needs a session token (not an API key)."
    )
    async def log_out_everywhere(self, info: Info) -> bool:
        return await accounts.log_out_everywhere(info.context)

    @strawberry.mutation(
        description="Deletes the viewer's account and everything in it, from every store, for good: its "
        "tokens and API keys are refused at once and its live subscriptions end; the erasure itself "
        "finishes in the background. Needs a session token (not an API key) and the password."
    )
    async def delete_account(self, info: Info, password: Password) -> bool:
        return await accounts.delete_account(info.context, password)

    @strawberry.mutation(
        description="Creates an API key for the viewer. The key is shown only here. Needs a session token."
    )
    async def create_api_key(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="What to call it, 1 to 100 characters.")],
        expires_in_days: Annotated[
            int | None,
            strawberry.argument(description="Days until it stops being accepted; never by default."),
        ] = None,
        scope: Annotated[
            ApiKeyScopeInput | None,
            strawberry.argument(description="What it may do; everything the viewer may by default."),
        ] = None,
    ) -> NewApiKey:
        limits = scope.scope() if scope is not None else FULL
        created = await accounts.create_api_key(info.context, name, expires_in_days, limits)
        return NewApiKey(key=created["key"], api_key=ApiKey.from_row(created["api_key"]))

    @strawberry.mutation(
        description="Revokes one of the viewer's API keys; it is refused from then on. Needs a session token."
    )
    async def revoke_api_key(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The key.")]
    ) -> ApiKey:
        return ApiKey.from_row(await accounts.revoke_api_key(info.context, node_uid(id, "ApiKey")))
