"""What the resolvers of every owned label share: read, page, create, update, delete and link nodes
as the viewer, through graph/nodes.py."""

from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any
from uuid import uuid4

from graph import nodes
from graph.kind import Kind, Reads
from graph.nodes import Link
from graph.pages import Condition, Row, Rows
from graph.traversals import Traversal
from resolvers import checks
from resolvers.context import Context
from resolvers.loaders import Step
from resolvers.pages import Order, PageArgs, Paged, Pager
from resolvers.together import all_of

# The key under which a row of a relation to several labels names its node's label.
LABEL = "__label"
# What a relation to several labels may be ordered by: what every label's nodes have.
COMMON_SORTS = {"created_at": "n.created_at"}


async def create(context: Context, kind: Kind, values: dict[str, Any], links: Iterable[Link] = ()) -> Row:
    return await context.graph.write(
        nodes.create, kind, owner=context.viewer, uid=str(uuid4()), values=values, links=list(links)
    )


async def update(context: Context, kind: Kind, uid: str, values: dict[str, Any]) -> Row:
    """Changes the given properties; those every node of the kind has cannot be cleared."""
    checks.kept(values, *kind.unclearable)
    return await context.graph.write(nodes.update, kind, owner=context.viewer, uid=uid, values=values)


async def delete(context: Context, kind: Kind, uid: str) -> list[str]:
    """Deletes the node and what goes with it: none of it when that reaches a kind the credential may
    not write (an API key limited to some kinds)."""
    within = context.scope.kinds
    return await context.graph.write(nodes.delete, kind, owner=context.viewer, uid=uid, within=within)


async def link(context: Context, label: str, uid: str, to: Link) -> None:
    await context.graph.write(nodes.link, label, owner=context.viewer, uid=uid, to=to)


async def unlink(context: Context, label: str, uid: str, to: Link) -> bool:
    return await context.graph.write(nodes.unlink, label, owner=context.viewer, uid=uid, to=to)


async def by_uids(context: Context, kind: Kind, uids: list[str]) -> list[Row]:
    return await context.graph.read(nodes.by_uids, kind, owner=context.viewer, uids=uids)


async def page(
    context: Context, kind: Kind, where: Condition, orders: Sequence[Order], args: PageArgs
) -> Paged:
    """One page of the viewer's nodes of a kind, and a function that counts them all (run if asked): what
    every list of a kind comes down to."""
    keyset = args.page(orders, kind.sorts, context.settings.max_page_size)
    rows = await context.graph.read(
        nodes.page, kind, owner=context.viewer, where=where, page=keyset, reads=args.reads
    )

    async def total() -> int:
        return await context.graph.read(nodes.count, kind, owner=context.viewer, where=where)

    return rows, total


# A kind's own resolvers, the same for most kinds: its nodes by uid (its type's `load`), its list (a page
# of those `condition(**where)` holds for) and its delete, each made from its declaration.
def by_uids_of(kind: Kind) -> Callable[[Context, list[str]], Coroutine[Any, Any, list[Row]]]:
    async def load(context: Context, uids: list[str]) -> list[Row]:
        return await by_uids(context, kind, uids)

    return load


def page_of(kind: Kind, condition: Callable[..., Condition]) -> Pager:
    async def load(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
        return await page(context, kind, condition(**where), orders, args)

    return load


def delete_of(kind: Kind) -> Callable[[Context, str], Awaitable[list[str]]]:
    async def remove(context: Context, uid: str) -> list[str]:
        return await delete(context, kind, uid)

    return remove


def relation(traversal: Traversal) -> Pager:
    """The resolver of a relation, a list like any other whose `where` is the parent's uid: a page of what
    `traversal` reaches from it, loaded with those of every other parent at this level of the query; and
    its count (run if asked, batched alike)."""

    async def load(context: Context, parent: str, orders: Sequence[Order], args: PageArgs) -> Paged:
        # The page is made here, so a bad argument fails this field alone, not its siblings' batch.
        page = args.page(orders, traversal.kind.sorts, context.settings.max_page_size)
        loaders = context.loaders
        rows = await loaders.neighbors.load(Step(traversal, parent, page, args.reads))

        async def total() -> int:
            return await loaders.counts.load((traversal, parent))

        return rows, total

    return load


def relation_each(traversals: Mapping[str, Traversal]) -> dict[str, Pager]:
    """The resolver of each of `traversals` by its label (what reaches back along a relation to several
    labels: the memories derived from a node of each)."""
    return {label: relation(traversal) for label, traversal in traversals.items()}


def relation_one(
    traversal: Traversal, order: Order
) -> Callable[[Context, str, Reads], Awaitable[Row | None]]:
    """The resolver of a to-one relation (a gift's occasion, its outcome): the node (projected to what
    the selection `reads`), or None."""
    many = relation(traversal)

    async def load(context: Context, parent: str, reads: Reads = None) -> Row | None:
        rows, _ = await many(context, parent, (order,), PageArgs(first=1, reads=reads))
        return rows.items[0] if rows.items else None

    return load


def relations(traversals: Mapping[str, Traversal]) -> Pager:
    """The resolver of a relation declared to nodes of several labels (a memory's evidence), given its
    traversal to each: one list of all of them, each label's page read at once (batched with every other
    parent's, as any relation's) and merged in the order asked for (one key, common to every label:
    COMMON_SORTS); each row's node names its label (LABEL). Its count is their counts' sum. A label the
    credential may not read is left out of the query, not filtered from its page."""
    for label, traversal in traversals.items():
        if not COMMON_SORTS.keys() <= traversal.kind.sorts.keys():
            raise ValueError(f"{label} is not ordered by {', '.join(COMMON_SORTS)}: it cannot join the list")
    pagers = {label: relation(traversal) for label, traversal in traversals.items()}

    async def load(context: Context, parent: str, orders: Sequence[Order], args: PageArgs) -> Paged:
        page = args.page(orders, COMMON_SORTS, context.settings.max_page_size)  # refuses bad arguments
        # Only the labels the credential reads are paged (an API key limited to some kinds): what it may
        # not read is never loaded, so the page's size, its hasNextPage, cursors and count are its own.
        readable = {label: pager for label, pager in pagers.items() if context.scope.allows(label)}
        paged = await all_of(pager(context, parent, orders, args) for pager in readable.values())
        rows = [
            Row({**row.node, LABEL: label}, row.sort)
            for label, (found, _) in zip(readable, paged, strict=True)
            for row in found.items
        ]
        # As every page is ordered: by the key (either way), then by uid ascending.
        rows.sort(key=lambda row: row.uid)
        rows.sort(key=lambda row: row.sort, reverse=bool(orders) and orders[0].descending)
        more = len(rows) > page.size or any(found.has_more for found, _ in paged)
        kept = rows[-page.size :] if page.backward and page.size else rows[: page.size]

        async def total() -> int:
            return sum(await all_of(count() for _, count in paged))

        return Rows(kept, more), total

    return load
