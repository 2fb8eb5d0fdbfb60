"""What every owned node's fields and mutations share: create, update, delete, read, page and link,
always as the viewer."""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from uuid import uuid4

from graph import owned
from graph.owned import Link
from graph.pages import Condition, Rows
from resolvers.context import Context
from resolvers.pages import PageArgs


async def create(
    context: Context, label: str, values: dict[str, Any], links: Iterable[Link] = ()
) -> dict[str, Any]:
    return await context.graph.write(
        owned.create, label, owner=context.viewer, uid=str(uuid4()), values=values, links=list(links)
    )


async def update(context: Context, label: str, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    return await context.graph.write(owned.update, label, owner=context.viewer, uid=uid, values=values)


async def delete(context: Context, label: str, uid: str) -> list[str]:
    return await context.graph.write(owned.delete, label, owner=context.viewer, uid=uid)


async def link(context: Context, label: str, uid: str, to: Link) -> None:
    await context.graph.write(owned.link, label, owner=context.viewer, uid=uid, link=to)


async def unlink(context: Context, label: str, uid: str, to: Link) -> bool:
    return await context.graph.write(owned.unlink, label, owner=context.viewer, uid=uid, link=to)


async def by_uids(context: Context, label: str, uids: list[str]) -> list[dict[str, Any]]:
    return await context.graph.read(owned.by_uids, label, owner=context.viewer, uids=uids)


async def page(
    context: Context, label: str, where: Condition, sort: str, descending: bool, args: PageArgs
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    keyset = args.page(sort, descending, context.settings.max_page_size)
    rows = await context.graph.read(owned.page, label, owner=context.viewer, where=where, page=keyset)

    async def total() -> int:
        return await context.graph.read(owned.count, label, owner=context.viewer, where=where)

    return rows, total
