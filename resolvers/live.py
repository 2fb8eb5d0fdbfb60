"""Live updates of the viewer's graph: the Event log replayed from a sequence, then the live stream, with
no gap and no duplicate across the seam.

The stream subscribes to the viewer's channel first and buffers what arrives; it then replays the log
after `since` up to the newest event, and drops every buffered delta at or below what it replayed.
Sequences are gapless per owner, so a delta beyond the next number means some were lost on the way
(pub/sub is best effort): it reads them from the log. A RESYNC from the pub/sub (its feed was cut, and
is back) does the same. Delivery is at least once, so duplicates are dropped by sequence.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache

from errors import BadUserInput, KindredError, OutOfScope, SubscriptionOverflow
from graph import changes, events
from graph.changes import Delta
from graph.events import POSITIONS_CHANGED, Change, EventKind
from graph.kinds import PERSONA
from graph.refs import Ref
from resolvers import checks
from resolvers.context import Context
from resolvers.personas import by_key
from storage.pubsub import RESYNC, Overflowed
from wire import deltas as wire


@dataclass(frozen=True)
class Filter:
    """What a subscriber wants to hear of: nodes of some labels (and the links that touch one), changes
    of some kinds, and whether the layout's moves. A delta left empty by it is not sent at all."""

    labels: frozenset[str] | None = None  # None: every label
    changes: frozenset[Change] | None = None  # None: every kind of change, named events included
    layout: bool = True

    def __call__(self, delta: Delta) -> Delta | None:
        kind = EventKind.parse(delta.kind)
        if kind == POSITIONS_CHANGED:
            if not self.layout:
                return None
        elif self.changes is not None and kind.change not in self.changes:
            return None
        kept = delta.within(self.labels) if self.labels is not None else delta
        return None if kept.empty() and self.labels is not None else kept


EVERYTHING = Filter()


async def graph_changes(
    context: Context, since: int | None, only: Filter = EVERYTHING
) -> AsyncIterator[Delta]:
    """The changes of the viewer's graph after `since` (from now on when None) that `only` keeps, in
    order, once each."""
    async for delta in _readable_changes(context, since):
        kept = only(delta)
        if kept is not None:
            yield kept


async def _readable_changes(context: Context, since: int | None) -> AsyncIterator[Delta]:
    """Every change of the viewer's graph, as far as the request's credential may read it: for an API key
    limited to some kinds, only their nodes and the links between two of them; for any key, only the
    personas it reads (and their links); and no delta left empty."""
    kinds, keyed = context.scope.kinds, by_key(context)
    async for delta in _all_changes(context, since):
        kept = delta.only(kinds) if kinds is not None else delta
        if keyed:
            kept = kept.without(_untold(kept))
        # Empty as it came, a delta reaches a credential of every kind; emptied by a filter, it does not.
        if not kept.empty() or (kinds is None and delta.empty()):
            yield kept


def _untold(delta: Delta) -> set[Ref]:
    """The personas of a delta an API key does not read: those not built from confirmed insights alone
    (resolvers/personas.py). A removed one has no fields left to tell by, and says only its id."""
    changed = (*delta.added, *delta.updated)
    return {
        Ref(change.label, change.uid)
        for change in changed
        if change.label == PERSONA.label and not (change.properties or {}).get("confirmed_only")
    }


async def _all_changes(context: Context, since: int | None) -> AsyncIterator[Delta]:
    """Every change of the viewer's graph after `since` (from now on when None), in order, once each."""
    checks.in_range(since, 0, 2**62, "since")
    owner = context.viewer
    pubsub = context.pubsub
    if pubsub is None:  # an app made without its lifespan: nothing would ever be published to it
        raise KindredError("Live updates are not served here.")
    limit = context.settings.live_queue_size
    async with pubsub.subscribe(wire.channel(owner), limit=limit) as feed:
        newest = await context.graph.read(changes.newest, owner=owner)
        if since is not None and since > newest:
            # Every change up to `since` would be dropped as already seen: the client's sequence is not
            # one of this graph's (a stale cursor, say), and it would silently hear nothing.
            raise BadUserInput(
                f"since: {since} is beyond your newest change, {newest}: subscribe with since: {newest}.",
                field="since",
                newest=newest,
            )
        last = since if since is not None else newest
        async for delta in _replay(context, owner, last):
            last = delta.sequence
            yield delta
        while True:
            try:
                item = await feed.get()
            except Overflowed:
                raise SubscriptionOverflow(
                    f"This subscription fell more than {limit} changes behind and was ended: subscribe "
                    f"again with since: {last} to receive the rest.",
                    lastSequence=last,
                ) from None
            news = [] if item is RESYNC else _decoded(item)
            if item is RESYNC or (news and news[0].sequence > last + 1):
                async for delta in _replay(context, owner, last):  # what the feed lost, from the log
                    last = delta.sequence
                    yield delta
            for delta in news:
                if delta.owner == owner and delta.sequence > last:
                    last = delta.sequence
                    _fresh(context)
                    yield delta


async def node_changes(context: Context, ref: Ref, since: int | None) -> AsyncIterator[Delta]:
    """The changes of one of the viewer's nodes: the part of each delta about it."""
    if not context.scope.allows(ref.label):
        raise OutOfScope("This API key may not read this kind of node.", type=ref.label)
    async for delta in _readable_changes(context, since):
        if delta.touches(ref):
            yield delta.about(ref)


async def named_in_log(context: Context, ref: Ref) -> bool:
    """Whether the viewer's log names this node (a node of theirs, deleted or not)."""
    where = events.condition(node=ref)
    return await context.graph.read(events.count, owner=context.viewer, where=where) > 0


async def _replay(context: Context, owner: str, after: int) -> AsyncIterator[Delta]:
    """The deltas after a sequence up to the newest, read from the log a page at a time."""
    while True:
        page = await context.graph.read(changes.deltas, owner=owner, after=after)
        for delta in page:
            after = delta.sequence
            _fresh(context)
            yield delta
        if len(page) < changes.REPLAY_PAGE:
            return


@lru_cache(maxsize=64)
def _decoded(message: bytes) -> tuple[Delta, ...]:
    """One message is decoded once for all the subscriptions of this instance it reaches (bytes cache
    their hash, and each of them gets the same object)."""
    return tuple(wire.decode(message))


def _fresh(context: Context) -> None:
    """A WebSocket's context lives as long as the socket: the nested fields of each delta read the graph
    as it is now, not through what its DataLoaders cached for an earlier one."""
    context._loaders = None
