"""The purge, a scheduled job: deletes what has expired (short-term memories past their expiry, and
personas a grace period after theirs: each new mindscape builds new ones, so expired ones pile up).

Each owner's expired nodes go in a transaction of that owner's, batch by batch, each with its Deleted
event, so derived stores follow as they do any deletion: the embeddings consumer removes the vector
points, the live consumer tells subscribers. A memory kept meanwhile (made long-term) is left alone.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter

from dispatch import HOURLY, Services
from graph import memories, personas

NAME = "purge"
EVERY = HOURLY
BATCH = 500  # nodes read per round (every owner's transaction within it is smaller)
# How long an expired persona stays listed (and rateable: feedback comes after use) before it goes.
PERSONA_GRACE = timedelta(days=7)


async def run(services: Services, now: float) -> int:
    moment = datetime.fromtimestamp(now, UTC)
    graph = services.graph
    gone = await _batches(
        lambda: graph.read(memories.expired, now=moment, limit=BATCH),
        lambda owner, uids: graph.write(memories.purge, owner=owner, uids=uids, now=moment),
    )
    before = moment - PERSONA_GRACE
    return gone + await _batches(
        lambda: graph.read(personas.expired, before=before, limit=BATCH),
        lambda owner, uids: graph.write(personas.purge, owner=owner, uids=uids, before=before),
    )


async def _batches(
    found: Callable[[], Awaitable[list[tuple[str, str]]]],
    purge: Callable[[str, list[str]], Awaitable[int]],
) -> int:
    """Reads a batch of (owner, uid) and purges it owner by owner, until a batch is short or purges none."""
    total = 0
    while True:
        batch = await found()
        purged = 0
        for owner, rows in groupby(batch, key=itemgetter(0)):
            purged += await purge(owner, [uid for _, uid in rows])
        total += purged
        if len(batch) < BATCH or not purged:
            return total
