"""The daily consolidation of memories: each owner's memories whose effective importance decayed under
graph/decay.py's FADED are marked faded (`fadedAt`), and those that rose above it again (changed or
recalled since) are unmarked. Nothing is deleted or merged: a faded memory is still the user's, listed
and searched as before; a client may show it dimmed or leave it out. The decay itself (a half-life,
longer for what is meant to last and for what is recalled) is graph/decay.py's, and a memory's
effectiveImportance is computed at read time with the same formula, so it is never stale.

One write per owner; idempotent (a memory already marked stays as it was, with its first fadedAt).
What changed is told with MemoryFaded and MemoryRevived events (graph/events.py's LEARNED kinds): a
subscriber hears the memories updated, and no consumer re-reads their unchanged texts.
"""

from datetime import UTC, datetime

from dispatch import DAILY, Services
from graph import learning

NAME = "consolidation"
EVERY = DAILY
OWNERS_PER_READ = 200


async def run(services: Services, now: float) -> int:
    """Returns how many memories were marked or unmarked."""
    moment = datetime.fromtimestamp(now, UTC)
    changed, after = 0, ""
    while True:
        owners = await services.graph.read(learning.owners, after=after, limit=OWNERS_PER_READ)
        for owner in owners:
            changed += await consolidate(services, owner, moment)
        if len(owners) < OWNERS_PER_READ:
            return changed
        after = owners[-1]


async def consolidate(services: Services, owner: str, now: datetime) -> int:
    return int(await services.graph.write(learning.fade, owner=owner, now=now))
