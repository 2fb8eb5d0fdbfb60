"""The live consumer: after commit, publishes each owner's deltas on that owner's channel only.

One read of the graph per owner and batch (graph/changes.py), and one message per change (in the form
of wire/deltas.py), whatever the number of subscribers; none when nobody listens to the owner. A failed
publish (Redis down) raises, so the dispatcher retries the batch with backoff; subscribers resync from
the log meanwhile (resolvers/live.py), and drop by sequence what they already have.
"""

from collections import defaultdict
from collections.abc import Sequence

from dispatch import Event, Services
from graph import changes
from wire import deltas as wire

NAME = "live"


def handles(kind: str) -> bool:
    return True  # every change is news to a subscriber, the layout's new positions too


async def handle(services: Services, events: Sequence[Event]) -> None:
    pubsub = services.pubsub
    if pubsub is None:
        return
    sequences: dict[str, list[int]] = defaultdict(list)
    for event in events:
        sequences[event.owner].append(event.sequence)
    for owner, numbers in sequences.items():
        channel = wire.channel(owner)
        if not await pubsub.listened(channel):
            continue  # a subscriber that joins later replays these from the log
        # A batch holds each owner's events in a run of sequences: read exactly those.
        first, last = min(numbers), max(numbers)
        deltas = await services.graph.read(
            changes.deltas, owner=owner, after=first - 1, until=last, limit=last - first + 1
        )
        for delta in deltas:  # a message a change: a subscriber's queue is bounded in changes
            await pubsub.publish(channel, wire.encode([delta]))
