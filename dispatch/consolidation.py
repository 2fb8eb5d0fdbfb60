"""The daily consolidation of memories: each owner's memories whose effective importance decayed under
graph/decay.py's FADED are marked faded (`fadedAt`), and those that rose above it again (changed or
recalled since) are unmarked; and near-duplicates (one moment written down twice) are merged. Nothing is
deleted: a faded memory is still the user's, listed and searched as before; a client may show it dimmed
or leave it out. The decay itself (a half-life, longer for what is meant to last and for what is
recalled) is graph/decay.py's, and a memory's effectiveImportance is computed at read time with the
same formula, so it is never stale.

Near-duplicates: two of the owner's memories involving exactly the same people (at least one), which
happened within WINDOW of each other, whose texts' vectors (as the embeddings consumer keeps them) are
at least ALIKE similar (cosine, the vector store's own search score). Each group of them (joined
pairwise) is merged into the one that says the most: the most important, then the longest, then the
first recorded. The others are marked `mergedAt` and `mergedIntoId` and the one kept lists them
(`mergedFromIds`); no text, person, concept or evidence of any of them changes, and none is deleted or
hidden. A user expects the same moment once, yet no words of theirs lost, and a merge they can see and
undo by hand (every original is still there, as it was): so the merge marks, it does not rewrite. Each
run reads the owner's unmerged memories that involve someone (one read), then the stored vectors of the
candidates alone (those with a partner of the same people within WINDOW), as the embeddings consumer
wrote them, and asks the store for each one's nearest memories. Nothing is embedded: a text changed
since has its vector rewritten by that consumer (the freshness search has), and a memory with no vector
in the store yet is found on a later run.

One write per owner for the decay and one for the merges; idempotent (a memory already marked stays as
it was, with its first fadedAt; a merged one is never merged again). What changed is told with
MemoryFaded, MemoryRevived and MemoryMerged events (graph/events.py's LEARNED kinds): a subscriber
hears the memories updated, and no consumer re-reads their unchanged texts.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from dispatch import DAILY, Services
from graph import learning, search
from storage.vectors import VectorStore

NAME = "consolidation"
EVERY = DAILY
OWNERS_PER_READ = 200
WINDOW = 3 * DAILY  # "close in time": happened within three days of each other
ALIKE = 0.9  # cosine similarity of the two texts' vectors at least this: the same words, nearly
NEIGHBOURS = 10  # the store's nearest memories looked at for each candidate


async def run(services: Services, now: float) -> int:
    """Returns how many memories were marked or unmarked faded, or merged."""
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
    faded = int(await services.graph.write(learning.fade, owner=owner, now=now))
    return faded + await merge(services, owner, now)


async def merge(services: Services, owner: str, now: datetime) -> int:
    """Merges the owner's near-duplicate memories (see the doc); returns how many were folded into
    another. A Services without vectors (as tools and some tests make) merges nothing."""
    # None where a tool or a test made its Services with the graph alone.
    if cast(VectorStore | None, services.vectors) is None:
        return 0
    memories = await services.graph.read(learning.merge_candidates, owner=owner)
    pairs = candidate_pairs(memories)
    if not pairs:
        return 0
    alike = await _alike(services, owner, pairs)
    merges = groups(memories, alike)
    if not merges:
        return 0
    made = await services.graph.write(learning.merge_memories, owner=owner, merges=merges, now=now)
    return sum(len(row["merged"]) for row in made)


def candidate_pairs(memories: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """Pairs (uids, in order) of memories with the same people that happened within WINDOW."""
    by_people: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for memory in memories:
        by_people.setdefault(tuple(memory["people"]), []).append(memory)
    pairs = set()
    for group in by_people.values():
        group.sort(key=lambda m: m["at"])
        for i, one in enumerate(group):
            for other in group[i + 1 :]:
                if other["at"] - one["at"] > WINDOW:
                    break
                pairs.add((min(one["uid"], other["uid"]), max(one["uid"], other["uid"])))
    return pairs


async def _alike(services: Services, owner: str, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Those of the pairs whose vectors are ALIKE or more, with their similarity: each candidate's stored
    vector read from the store (none embedded here) and its nearest memories asked of it."""
    uids = sorted({uid for pair in pairs for uid in pair})
    kind = search.vector_kind("Memory")
    stored = await services.vectors.vectors(kind, uids, owner=owner)
    found: dict[tuple[str, str], float] = {}
    for uid in uids:
        if uid not in stored:  # not embedded yet: a later run finds it
            continue
        hits = await services.vectors.search(
            [kind], stored[uid], owner=owner, limit=NEIGHBOURS, labels=["Memory"], exclude=[uid]
        )
        for hit in hits:
            pair = (min(uid, hit.uid), max(uid, hit.uid))
            if pair in pairs and hit.score >= ALIKE:
                found[pair] = max(found.get(pair, 0.0), round(hit.score, 4))
    return found


def groups(memories: Sequence[dict[str, Any]], alike: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
    """The merges: each group of memories joined by alike pairs, {survivor, others: [{uid}]}, the
    survivor the one that says the most (see the doc)."""
    parent: dict[str, str] = {}

    def root(uid: str) -> str:
        while parent.get(uid, uid) != uid:
            uid = parent[uid]
        return uid

    for one, other in sorted(alike):
        parent[root(other)] = root(one)
    members: dict[str, list[str]] = {}
    for uid in sorted({uid for pair in alike for uid in pair}):
        members.setdefault(root(uid), []).append(uid)
    by_uid = {m["uid"]: m for m in memories}
    merges = []
    for uids in members.values():
        survivor, *others = sorted(uids, key=lambda uid: _says_most(by_uid[uid]))
        merges.append({"survivor": survivor, "others": [{"uid": uid} for uid in others]})
    return merges


def _says_most(memory: dict[str, Any]) -> tuple[float, int, int, str]:
    """The order a group's memories are kept in: the first is the one merged into."""
    return (-memory["importance"], -memory["length"], memory["created"], memory["uid"])
