"""The relationship's history: snapshots of the viewer's KNOWS stats to each person (closeness,
importance, warmth, conflict, gift success, gifts given), taken on change (a consumer) and on schedule
(a daily job).

Snapshots are stored compactly on the KNOWS edge itself (graph/learning.py's `history`: a JSON list of
[time, closeness, importance, warmth, conflict, success, gifts]), at most CAP of them, the oldest
dropped. A node per snapshot would be one more node per person per change in every traversal, count and
export of the owner's graph for values nobody links to; a list on the edge is read with the edge, and
CAP entries of about 40 bytes stay under 10 KB. A snapshot is taken only when the stats differ from the
last one, or once the last is HEARTBEAT old (so a steady relationship still shows it was steady): the
history is the points where the relationship changed, and CAP holds years of them.

Idempotent: a snapshot equal to the last one, younger than HEARTBEAT, is not taken again. The consumer
recomputes only the people its events name (and the people of the gifts and outcomes they name), one
write per owner. The snapshots taken are told with RelationshipSnapshotTaken events (graph/events.py's
LEARNED kinds: a subscriber hears the person updated; no consumer handles them, this one neither).
"""

import time
from collections import defaultdict
from collections.abc import Sequence

from dispatch import DAILY, Event, Services
from graph import learning
from graph.events import EventKind
from graph.refs import Ref

NAME = "history"
EVERY = DAILY
CAP = 240
HEARTBEAT = 7 * DAILY
OWNERS_PER_READ = 200
_LABELS = {"Recipient": "recipients", "Gift": "gifts", "GiftOutcome": "outcomes"}


def handles(kind: str) -> bool:
    return EventKind.parse(kind).subject in {
        "Recipient",
        "Gift",
        "GiftOutcome",
        "INTENDED_FOR",
        "HAS_OUTCOME",
    }


async def handle(services: Services, events: Sequence[Event]) -> None:
    named: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for event in events:
        if not handles(event.kind):
            continue
        for ref in map(Ref.parse, event.nodes):
            if ref.label in _LABELS:
                named[event.owner][_LABELS[ref.label]].add(ref.uid)
    now = time.time()
    for owner, refs in sorted(named.items()):
        await services.graph.write(
            learning.snapshot,
            owner=owner,
            recipients=sorted(refs["recipients"]),
            gifts=sorted(refs["gifts"]),
            outcomes=sorted(refs["outcomes"]),
            now=now,
            every=HEARTBEAT,
            cap=CAP,
        )


async def run(services: Services, now: float) -> int:
    """A snapshot of every relationship that changed unseen or whose last is HEARTBEAT old; returns
    how many were taken."""
    taken, after = 0, ""
    while True:
        owners = await services.graph.read(learning.owners, after=after, limit=OWNERS_PER_READ)
        for owner in owners:
            taken += await services.graph.write(
                learning.snapshot,
                owner=owner,
                recipients=None,
                gifts=[],
                outcomes=[],
                now=now,
                every=HEARTBEAT,
                cap=CAP,
            )
        if len(owners) < OWNERS_PER_READ:
            return taken
        after = owners[-1]
