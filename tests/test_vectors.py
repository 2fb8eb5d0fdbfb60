"""One contract for every vector store that runs here (qdrant-edge, qdrant-client's local mode), and the
server path's outage: every search by owner inside the engine, points replaced by uid, two models apart."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest

from localneo4j import free_port
from settings import Settings
from storage.vectors import VectorPoint, VectorSpace, VectorStore, VectorsUnavailable
from storage.vectors.edge_store import EdgeStore
from storage.vectors.factory import create_vector_store
from storage.vectors.qdrant_client_store import QdrantStore

SPACE = VectorSpace("test/model-a", 16)
ANN, BOB = "owner-ann", "owner-bob"
Opener = Callable[[VectorSpace], VectorStore]


@pytest.fixture(autouse=True)
def empty_graph() -> None:
    """These tests need no Neo4j: this replaces conftest's fixture that empties it."""


@pytest.fixture(params=["edge", "local"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    if request.param == "edge":
        return lambda space: EdgeStore(tmp_path / "edge", space)
    return lambda space: QdrantStore.local(tmp_path / "local", space)


@pytest.fixture
async def store(opener: Opener) -> AsyncIterator[VectorStore]:
    opened = opener(SPACE)
    yield opened
    await opened.close()


def unit(seed: int, dimensions: int = 16) -> list[float]:
    vector = np.random.default_rng(seed).standard_normal(dimensions)
    return (vector / np.linalg.norm(vector)).tolist()


def near(vector: list[float], by: float, seed: int = 99) -> list[float]:
    moved = np.array(vector) + by * np.random.default_rng(seed).standard_normal(len(vector))
    return (moved / np.linalg.norm(moved)).tolist()


def point(uid: str, owner: str, vector: list[float], label: str = "Memory", text: str = "") -> VectorPoint:
    return VectorPoint(uid=uid, owner=owner, label=label, text=text or f"text of {uid}", vector=vector)


async def test_search_finds_the_nearest_of_the_owners_points_best_first(store: VectorStore) -> None:
    query = unit(1)
    await store.upsert(
        "memories",
        [
            point("far", ANN, unit(2)),
            point("close", ANN, near(query, 0.1)),
            point("closer", ANN, near(query, 0.01)),
        ],
    )
    hits = await store.search(["memories"], query, owner=ANN, limit=2)
    assert [hit.uid for hit in hits] == ["closer", "close"]
    assert hits[0].score > hits[1].score > 0.5
    assert (hits[0].kind, hits[0].label, hits[0].text) == ("memories", "Memory", "text of closer")
    assert hits[0].payload["owner"] == ANN


async def test_another_owners_points_never_appear_even_when_they_match_best(store: VectorStore) -> None:
    query = unit(1)
    # Bob's points are nearer than Ann's only one: a filter applied after the top-k would find nothing.
    await store.upsert("memories", [point(f"bob-{i}", BOB, near(query, 0.001, seed=i)) for i in range(50)])
    await store.upsert("memories", [point("ann", ANN, unit(3))])
    hits = await store.search(["memories"], query, owner=ANN, limit=1)
    assert [hit.uid for hit in hits] == ["ann"]
    assert await store.search(["memories"], query, owner="owner-nobody", limit=5) == []
    assert (await store.count("memories", ANN), await store.count("memories", BOB)) == (1, 50)
    assert await store.count("memories") == 51


async def test_writing_a_node_again_replaces_its_point(store: VectorStore) -> None:
    await store.upsert("gifts", [point("g1", ANN, unit(1), label="Gift", text="red socks")])
    await store.upsert("gifts", [point("g1", ANN, unit(2), label="Gift", text="blue scarf")])
    assert await store.count("gifts") == 1
    (hit,) = await store.search(["gifts"], unit(2), owner=ANN, limit=5)
    assert (hit.uid, hit.text) == ("g1", "blue scarf")
    assert hit.score == pytest.approx(1, abs=1e-4)


async def test_deleted_points_leave_the_results(store: VectorStore) -> None:
    await store.upsert("memories", [point(uid, ANN, unit(i)) for i, uid in enumerate(["a", "b", "c"])])
    await store.delete("memories", ["a", "never-written"])
    hits = await store.search(["memories"], unit(0), owner=ANN, limit=5)
    assert sorted(hit.uid for hit in hits) == ["b", "c"]


async def test_deleting_an_owner_empties_their_points_of_every_kind_only(store: VectorStore) -> None:
    await store.upsert("memories", [point("m-ann", ANN, unit(1)), point("m-bob", BOB, unit(1))])
    await store.upsert("gifts", [point("g-ann", ANN, unit(2), label="Gift")])
    await store.delete_owner(ANN)
    assert await store.count("memories", ANN) + await store.count("gifts", ANN) == 0
    assert [hit.uid for hit in await store.search(["memories"], unit(1), owner=BOB)] == ["m-bob"]


async def test_stored_vectors_are_read_back_by_uid_for_their_owner_only(store: VectorStore) -> None:
    ann = {f"ann-{i}": unit(i) for i in range(1_205)}  # more than one batch of ids
    await store.upsert("memories", [point(uid, ANN, vector) for uid, vector in ann.items()])
    await store.upsert("memories", [point("bob", BOB, unit(7))])
    asked = [*ann, "bob", "never-written"]
    found = await store.vectors("memories", asked, owner=ANN)
    assert set(found) == set(ann)  # Bob's uid and an unknown one are left out
    assert all(np.allclose(found[uid], vector, atol=1e-5) for uid, vector in ann.items())
    assert set(await store.vectors("memories", asked, owner=BOB)) == {"bob"}
    assert await store.vectors("memories", ["ann-1"], owner="owner-nobody") == {}
    # A kind never written holds nothing.
    assert await store.vectors("conflicts", ["ann-1"], owner=ANN) == {}
    assert await store.count("memories") == 1_206


async def test_reading_vectors_of_a_kind_never_written_creates_no_collection(
    opener: Opener, tmp_path: Path
) -> None:
    store = opener(SPACE)
    try:
        await store.upsert("memories", [point("m", ANN, unit(1))])
        assert await store.vectors("conflicts", ["c"], owner=ANN) == {}
        kept = {path.name for path in await asyncio.to_thread(lambda: list(tmp_path.rglob("*")))}
        assert SPACE.collection("memories") in kept  # where a store keeps a collection it made
        assert SPACE.collection("conflicts") not in kept
    finally:
        await store.close()


async def test_search_over_several_kinds_merges_them_by_score(store: VectorStore) -> None:
    query = unit(1)
    await store.upsert("memories", [point("memory", ANN, near(query, 0.05)), point("other", ANN, unit(5))])
    await store.upsert("gifts", [point("gift", ANN, near(query, 0.01), label="Gift")])
    await store.upsert("recipients", [point("mom", ANN, near(query, 0.02), label="Recipient")])
    hits = await store.search(["memories", "gifts", "recipients"], query, owner=ANN, limit=3)
    assert [(hit.kind, hit.uid) for hit in hits] == [
        ("gifts", "gift"),
        ("recipients", "mom"),
        ("memories", "memory"),
    ]


async def test_search_keeps_only_the_labels_asked_for_and_drops_excluded_uids(store: VectorStore) -> None:
    query = unit(1)
    await store.upsert(
        "concepts",
        [
            point("self", ANN, query, label="Concept"),
            point("interest", ANN, near(query, 0.05), label="Concept"),
            point("value", ANN, near(query, 0.01), label="Value"),
        ],
    )
    hits = await store.search(["concepts"], query, owner=ANN, labels=["Concept"], exclude=["self"])
    assert [hit.uid for hit in hits] == ["interest"]


async def test_vectors_of_two_models_never_mix(opener: Opener) -> None:
    first, second = opener(SPACE), None
    try:
        await first.upsert("memories", [point("a", ANN, unit(1))])
        await first.close()
        second = opener(VectorSpace("test/model-b", 16))
        assert await second.search(["memories"], unit(1), owner=ANN) == []
        assert await second.count("memories") == 0
        await second.upsert("memories", [point("b", ANN, unit(1))])
        await second.delete_owner(ANN)
        await second.close()
        first = opener(SPACE)  # model a's points are untouched by model b's writes and deletes
        assert [hit.uid for hit in await first.search(["memories"], unit(1), owner=ANN)] == ["a"]
    finally:
        await first.close()
        if second is not None:
            await second.close()


async def test_points_are_kept_on_disk_across_a_restart(opener: Opener) -> None:
    store = opener(SPACE)
    await store.upsert("memories", [point(f"m{i}", ANN, unit(i)) for i in range(20)])
    await store.delete("memories", ["m3"])
    await store.close()
    reopened = opener(SPACE)
    try:
        assert await reopened.count("memories", ANN) == 19
        assert [hit.uid for hit in await reopened.search(["memories"], unit(7), owner=ANN, limit=1)] == ["m7"]
    finally:
        await reopened.close()


async def test_a_kind_never_written_has_no_hits_and_a_dropped_kind_starts_empty(store: VectorStore) -> None:
    assert await store.search(["conflicts"], unit(1), owner=ANN) == []
    await store.upsert("conflicts", [point("c", ANN, unit(1), label="Conflict")])
    await store.drop("conflicts")
    assert await store.count("conflicts") == 0
    await store.upsert("conflicts", [point("d", ANN, unit(2), label="Conflict")])
    assert [hit.uid for hit in await store.search(["conflicts"], unit(2), owner=ANN)] == ["d"]


async def test_a_vector_of_the_wrong_size_is_refused(store: VectorStore) -> None:
    with pytest.raises(ValueError, match="dimensions"):
        await store.upsert("memories", [point("a", ANN, unit(1, dimensions=8))])
    with pytest.raises(ValueError, match="dimensions"):
        await store.search(["memories"], unit(1, dimensions=32), owner=ANN)


async def test_a_qdrant_server_that_cannot_be_reached_says_unavailable() -> None:
    settings = Settings(QDRANT_URL=f"http://127.0.0.1:{free_port()}", qdrant_timeout_seconds=1)
    store = create_vector_store(settings, SPACE)
    try:
        with pytest.raises(VectorsUnavailable):
            await store.search(["memories"], unit(1), owner=ANN)
        with pytest.raises(VectorsUnavailable):
            await store.upsert("memories", [point("a", ANN, unit(1))])
        with pytest.raises(VectorsUnavailable):
            await store.delete_owner(ANN)
    finally:
        await store.close()


def test_the_embedded_default_is_qdrant_edge_in_the_data_folder(tmp_path: Path) -> None:
    assert isinstance(create_vector_store(Settings(data_dir=tmp_path, QDRANT_URL=None), SPACE), EdgeStore)
    local = Settings(data_dir=tmp_path, QDRANT_URL=None, embedded_vectors="local")
    assert isinstance(create_vector_store(local, SPACE), QdrantStore)


async def test_an_indexed_collection_answers_as_an_exact_scan_does(tmp_path: Path) -> None:
    # A threshold of 32 KB indexes a segment past 500 points of 16 dimensions.
    store = EdgeStore(tmp_path / "edge", SPACE, indexing_threshold_kb=32)
    ann = [point(f"ann-{i}", ANN, unit(i)) for i in range(3000)]
    bob = [point(f"bob-{i}", BOB, unit(10_000 + i)) for i in range(1000)]
    for at in range(0, 3000, 500):
        await store.upsert("memories", ann[at : at + 500])
    await store.upsert("memories", bob)
    await store.optimize()
    shard = store._shard(SPACE.collection("memories"))
    assert shard.info().indexed_vectors_count >= 4000
    found = wanted = 0
    for i in range(0, 3000, 100):
        indexed = await store.search(["memories"], unit(i), owner=ANN, limit=10)
        store.exact = True
        exact = await store.search(["memories"], unit(i), owner=ANN, limit=10)
        store.exact = False
        assert indexed[0].uid == f"ann-{i}"  # a point's own vector finds it first
        assert {hit.payload["owner"] for hit in indexed} == {ANN}
        found, wanted = found + len({h.uid for h in indexed} & {h.uid for h in exact}), wanted + 10
    assert found / wanted >= 0.95
    # Bob's search, over the same index, never answers Ann's points, however near.
    hits = await store.search(["memories"], unit(5), owner=BOB, limit=10)
    assert {hit.payload["owner"] for hit in hits} == {BOB}
    # Points written after the index was built are found too (an unindexed segment beside it).
    await store.upsert("memories", [point("late", ANN, unit(99_999))])
    assert (await store.search(["memories"], unit(99_999), owner=ANN, limit=1))[0].uid == "late"
    await store.close()
