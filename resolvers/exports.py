"""Exports: a user asks for an archive of their whole account (exportAccount), the exporter builds it off
the request path (dispatch/exports.py), and they download it through a signed link bound to them, their
token generation and that archive (web/exports.py), for settings.download_url_seconds."""

from typing import Any
from uuid import uuid4

from auth.state import user_state
from errors import Forbidden, NotFound
from graph import exports
from resolvers.context import Context
from resolvers.documents import download_owner, download_token
from settings import Settings
from storage.cache import Cache

LISTED = 20  # the newest exports `exports` lists
_AUDIENCE = "kindred-export"  # a download token for a Document never opens an archive, nor the reverse


async def export_account(context: Context) -> dict[str, Any]:
    """Asks for an archive of the viewer's account; it is built in the background (poll `exports`)."""
    owner = context.session.user_uid
    days = context.settings.export_days
    return await context.graph.write(exports.create, owner=owner, uid=str(uuid4()), days=days)


async def of_viewer(context: Context) -> list[dict[str, Any]]:
    return await context.graph.read(exports.of_owner, owner=context.viewer, limit=LISTED)


async def url(context: Context, row: dict[str, Any]) -> str | None:
    """A link to the archive for the next few minutes, once it is ready; asked again for a fresh one."""
    if row["status"] != "ready":
        return None
    state = await user_state(context.auth_cache, context.graph, context.viewer)
    generation = state.generation if state is not None else 0
    seconds = context.settings.download_url_seconds
    token = download_token(context.settings, context.viewer, row["uid"], seconds, generation, _AUDIENCE)
    base = str(context.connection.base_url).rstrip("/") if context.connection is not None else ""
    base = base.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
    return f"{base}/exports/{row['uid']}/archive?token={token}"


async def downloadable(
    graph: Any, settings: Settings, token: str, uid: str, auth_cache: Cache | None
) -> dict[str, Any]:
    """The export a download token opens: Forbidden for a token not valid for it (another user's,
    expired, altered, for another archive or a Document, from before a logOutEverywhere, of an account
    no longer active), NotFound when the archive is not (or no longer) there."""
    found = download_owner(settings, token, uid, _AUDIENCE)
    state = await user_state(auth_cache, graph, found[0]) if found is not None else None
    if found is None or state is None or state.generation != found[1] or state.status != "active":
        raise Forbidden("This download link is not valid (or no longer): ask for the export's url again.")
    row = await graph.read(exports.ready, owner=found[0], uid=uid)
    if row is None:
        raise NotFound("No such archive: it has expired, or it is not ready.", id=uid)
    return row
