"""Sessions: the viewer's logins, listed and ended one by one (a session token only, never an API key)."""

from collections.abc import Sequence
from typing import Any

from auth.state import remember_user
from errors import NotFound, Unauthenticated
from graph import sessions
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

NEWEST_FIRST = (Order("created_at", descending=True),)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """A page of the viewer's sessions, ended and expired ones included (the list takes no filter)."""
    owner = context.session.user_uid
    keyset = args.page(orders, sessions.SORTS, context.settings.max_page_size)
    rows = await context.graph.read(sessions.page, owner=owner, page=keyset)

    async def total() -> int:
        return await context.graph.read(sessions.count, owner=owner)

    return rows, total


async def by_uids(context: Context, uids: list[str]) -> list[dict[str, Any] | None]:
    """The viewer's sessions among `uids`; None for any other (an API key sees none: FORBIDDEN)."""
    found = await context.graph.read(sessions.by_uids, owner=context.session.user_uid, uids=uids)
    by_uid = {row["uid"]: row for row in found}
    return [by_uid.get(uid) for uid in uids]


async def end(context: Context, uid: str) -> dict[str, Any]:
    """Ends one of the viewer's sessions: its token is refused at once, on every instance."""
    owner = context.session.user_uid
    ended = await context.graph.write(sessions.end, owner=owner, uid=uid)
    if ended is None:
        raise NotFound("No session of yours has this id.")
    # The cache is replaced after the graph, as logOut does (auth/state.py): the next request sees it.
    await remember_user(context.auth_cache, owner, ended["state"])
    if ended["state"] is None:
        raise Unauthenticated("This account no longer exists.")
    return ended["session"]


def is_current(context: Context, uid: str) -> bool:
    """Whether this session is the one the request was made with."""
    credential = context.credential
    return credential is not None and credential.kind == "session" and credential.credential_id == uid
