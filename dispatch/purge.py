"""The purge, a scheduled job: deletes what has expired (short-term memories past their expiry).

Each owner's expired memories go in a transaction of that owner's, batch by batch, each with its Deleted
event, so derived stores follow as they do any deletion: the embeddings consumer removes the vector
points, the live consumer tells subscribers. A memory kept meanwhile (made long-term) is left alone.
"""

from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter

from dispatch import HOURLY, Services
from graph import memories

NAME = "purge"
EVERY = HOURLY
BATCH = 500  # memories read per round (every owner's transaction within it is smaller)


async def run(services: Services, now: float) -> int:
    moment = datetime.fromtimestamp(now, UTC)
    total = 0
    while True:
        found = await services.graph.read(memories.expired, now=moment, limit=BATCH)
        purged = 0
        for owner, rows in groupby(found, key=itemgetter(0)):
            uids = [uid for _, uid in rows]
            purged += await services.graph.write(memories.purge, owner=owner, uids=uids, now=moment)
        total += purged
        if len(found) < BATCH or not purged:
            return total
