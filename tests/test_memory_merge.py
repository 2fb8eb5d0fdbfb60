"""Near-duplicate memories (one moment written down twice: the same people, within days, nearly the same
words by their vectors) are merged by the daily consolidation into the one that says the most; every
original stays as it was, marked with what it went into, and nothing of another user's is compared."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from dispatch import Services, consolidation
from graph import search
from graph.driver import Graph
from settings import Settings
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_couple_isolation import uid
from tests.test_couples import ACCEPT, INVITE, SHARE, UNSHARE, couple_of_two
from tests.test_learning import owner_of
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
MEMORIES = """query ($merged: Boolean) { memories(filter: {merged: $merged}) {
  nodes { id content mergedAt mergedIntoId mergedFromIds } } }"""
MERGED = "query ($id: ID!) { node(id: $id) { id ... on Memory { mergedFromIds } } }"
PICNIC = "Picnic with Ana at the lake; we ate strawberries and watched the ducks on the water."
PICNIC_AGAIN = "Picnic with Ana at the lake, we ate strawberries and watched the ducks"


@pytest.fixture
async def kindred(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Instance]:
    """An app with its own vectors and its dispatcher on (the embeddings kept), its scheduler off: the
    test runs the consolidation itself."""
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True, "schedule": False})
    async with started(create_app(own, graph)) as manager, client_of(manager.app) as client:
        state = manager._state
        yield Instance(client, state["dispatcher"], state["vectors"], state["embedder"])


async def remember(k: Instance, token: str, content: str, day: str, people: list[str]) -> str:
    memory = {"kind": "EPISODIC", "content": content, "happenedAt": day, "recipientIds": people}
    return str((await k.client.data(MEMORY, {"input": memory}, token=token))["createMemory"]["id"])


async def with_ana_and_bea(k: Instance, email: str) -> tuple[str, str, str]:
    """A new user with two people, Ana and Bea: the user's token and the two people's ids."""
    token = await k.client.sign_up(email)
    ana = (await create_recipient(k.client, token, "Ana"))["id"]
    bea = (await create_recipient(k.client, token, "Bea"))["id"]
    return token, ana, bea


async def memories(k: Instance, token: str, merged: bool | None = None) -> dict[str, dict[str, Any]]:
    found = await k.client.data(MEMORIES, {"merged": merged}, token=token)
    return {m["id"]: m for m in found["memories"]["nodes"]}


async def test_near_duplicate_memories_are_merged_into_the_fullest_and_every_original_stays(
    kindred: Instance, graph: Graph
) -> None:
    k = kindred
    token, ana, bea = await with_ana_and_bea(k, "merge@example.com")
    fullest = await remember(k, token, PICNIC, "2025-06-01T12:00:00Z", [ana])
    again = await remember(k, token, PICNIC_AGAIN, "2025-06-02T09:00:00Z", [ana])
    await remember(k, token, PICNIC, "2025-09-01T12:00:00Z", [ana])  # the same words, months later
    await remember(k, token, PICNIC, "2025-06-01T12:00:00Z", [bea])  # ... with someone else
    await remember(k, token, "Ana called about her new job in Berlin.", "2025-06-01T18:00:00Z", [ana])
    other = await k.client.sign_up("merge-other@example.com")
    their_ana = (await create_recipient(k.client, other, "Ana"))["id"]
    for day in ("2025-06-01T12:00:00Z", "2025-06-02T09:00:00Z"):
        await remember(k, other, PICNIC, day, [their_ana])
    await k.dispatcher.drain()  # every memory has its vector
    owner = await owner_of(graph, ana)
    services = Services(graph, k.embedder, k.vectors)

    assert await consolidation.merge(services, owner, datetime.now(UTC)) == 1
    found = await memories(k, token)
    assert len(found) == 5  # nothing deleted
    assert found[again]["mergedIntoId"] == fullest and found[again]["mergedAt"] is not None
    assert found[again]["content"] == PICNIC_AGAIN  # its own words kept
    assert found[fullest]["mergedFromIds"] == [again] and found[fullest]["mergedAt"] is None
    untouched = [m for uid, m in found.items() if uid not in (fullest, again)]
    assert all(m["mergedAt"] is None and m["mergedFromIds"] == [] for m in untouched)
    # The other user's duplicates were never this owner's to compare.
    assert all(m["mergedAt"] is None for m in (await memories(k, other)).values())

    # Run again (daily, or a retried run): nothing more to merge.
    assert await consolidation.merge(services, owner, datetime.now(UTC)) == 0
    assert await memories(k, token) == found

    # The merged filter: each moment once, or the merged ones alone.
    assert set(await memories(k, token, merged=False)) == set(found) - {again}
    assert set(await memories(k, token, merged=True)) == {again}

    # A partner reading the shared survivor does not learn the uid of the duplicate its author kept.
    partner = await k.client.sign_up("merge-partner@example.com")
    code = (await k.client.data(INVITE, token=token))["inviteToCouple"]["code"]
    await k.client.data(ACCEPT, {"code": code}, token=partner)
    await k.client.data(SHARE, {"id": fullest}, token=token)
    seen = (await k.client.data(MERGED, {"id": fullest}, token=partner))["node"]
    assert seen == {"id": fullest, "mergedFromIds": []}
    assert (await k.client.data(MERGED, {"id": fullest}, token=token))["node"]["mergedFromIds"] == [again]
    await k.client.data(SHARE, {"id": again}, token=token)
    seen = (await k.client.data(MERGED, {"id": fullest}, token=partner))["node"]
    assert seen["mergedFromIds"] == [again]


class RefusingEmbedder:
    """An embedder that fails the test if it is asked to embed: the job must read stored vectors."""

    model_id, dimensions = "refusing", 0

    async def embed(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"the consolidation embedded {len(texts)} texts")

    async def embed_now(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"the consolidation embedded {len(texts)} texts")

    def missing(self) -> str | None:
        return None

    async def close(self) -> None:
        pass


async def test_the_job_merges_by_the_stored_vectors_without_embedding_and_skips_one_not_stored_yet(
    kindred: Instance, graph: Graph
) -> None:
    k = kindred
    token, ana, bea = await with_ana_and_bea(k, "merge-stored@example.com")
    fullest = await remember(k, token, PICNIC, "2025-06-01T12:00:00Z", [ana])
    again = await remember(k, token, PICNIC_AGAIN, "2025-06-02T09:00:00Z", [ana])
    await remember(k, token, PICNIC, "2025-06-01T12:00:00Z", [bea])
    unstored = await remember(k, token, PICNIC_AGAIN, "2025-06-02T09:00:00Z", [bea])
    await k.dispatcher.drain()  # the embeddings consumer wrote every memory's vector
    await k.vectors.delete(search.vector_kind("Memory"), [uid(unstored)])  # as if not embedded yet
    services = Services(graph, RefusingEmbedder(), k.vectors)

    assert await consolidation.merge(services, await owner_of(graph, ana), datetime.now(UTC)) == 1
    found = await memories(k, token)
    assert found[again]["mergedIntoId"] == fullest and found[fullest]["mergedFromIds"] == [again]
    assert all(m["mergedAt"] is None for key, m in found.items() if key != again)  # Bea's pair waits


def test_candidates_share_their_people_and_happened_within_the_window() -> None:
    window = consolidation.WINDOW
    rows = [
        {"uid": "a", "at": 0, "people": ["p"]},
        {"uid": "b", "at": window, "people": ["p"]},
        {"uid": "c", "at": 2 * window, "people": ["p"]},  # within the window of b, not of a
        {"uid": "d", "at": 0, "people": ["p", "q"]},
    ]
    assert consolidation.candidate_pairs(rows) == {("a", "b"), ("b", "c")}
    people = {"importance": 0.5, "created": 0}
    memories = [{"uid": u, "length": n, **people} for u, n in (("a", 10), ("b", 30), ("c", 20))]
    assert consolidation.groups(memories, {("a", "b"): 0.95, ("b", "c"): 0.93}) == [
        {"survivor": "b", "others": [{"uid": "c"}, {"uid": "a"}]}
    ]


async def test_a_partner_reads_only_the_merged_memories_shared_with_them(
    kindred: Instance, graph: Graph
) -> None:
    """A survivor shared with the couple names to the partner only the merged memories they may read
    (those shared too), never the author's private ones; a stranger reads none of it."""
    k = kindred
    ann, ben, cat = await couple_of_two(k.client, "merged")
    ana = (await create_recipient(k.client, ann, "Ana"))["id"]
    fullest = await remember(k, ann, PICNIC, "2025-06-01T12:00:00Z", [ana])
    again = await remember(k, ann, PICNIC_AGAIN, "2025-06-02T09:00:00Z", [ana])
    await k.dispatcher.drain()
    services = Services(graph, k.embedder, k.vectors)
    assert await consolidation.merge(services, await owner_of(graph, ana), datetime.now(UTC)) == 1
    assert (await memories(k, ann))[fullest]["mergedFromIds"] == [again]  # the author reads both

    await k.client.data(SHARE, {"id": fullest}, token=ann)
    assert (await memories(k, ben))[fullest]["mergedFromIds"] == []  # the merged one is Ann's alone
    await k.client.data(SHARE, {"id": again}, token=ann)
    seen = await memories(k, ben)
    assert seen[fullest]["mergedFromIds"] == [again] and seen[again]["mergedIntoId"] == fullest
    await k.client.data(UNSHARE, {"id": fullest}, token=ann)
    assert (await memories(k, ben))[again]["mergedIntoId"] is None  # what it went into is private again
    assert await memories(k, cat) == {}
