"""The embedders: the local all-MiniLM-L6-v2 gives the reference model's vectors; OpenAI's path, against a
local stand-in of its HTTP API, batches, passes the dimensions and rides out a rate limit."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from localneo4j import free_port
from settings import Settings
from storage.embeddings import EmbeddingsUnavailable
from storage.embeddings.factory import create_embedder
from storage.embeddings.minilm import MiniLM
from storage.embeddings.openai_embedder import OpenAIEmbedder
from storage.embeddings.query_cache import QueryCache
from tests.openai_stand_in import OpenAIStandIn, vector_of

REFERENCE = json.loads((Path(__file__).parent / "reference" / "minilm_all_l6_v2.json").read_text())


@pytest.fixture(autouse=True)
def empty_graph() -> None:
    """These tests need no Neo4j: this replaces conftest's fixture that empties it."""


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return MiniLM()


async def test_local_vectors_match_an_independent_implementation_of_the_model(minilm: MiniLM) -> None:
    reference = REFERENCE["mean_pooled"]["vectors"]
    ours = np.array(await minilm.embed(list(reference)))
    theirs = np.array(list(reference.values()))
    theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.9999, cosines


async def test_local_vectors_reproduce_the_published_similarities(minilm: MiniLM) -> None:
    published = REFERENCE["similarities"]
    vectors = np.array(await minilm.embed(published["sentences"]))
    assert np.abs(vectors @ vectors.T - np.array(published["matrix"])).max() < 5e-4
    prefix = REFERENCE["prefix"]
    (hello,) = await minilm.embed([prefix["text"]])
    assert np.abs(np.array(hello[:5]) - prefix["values"]).max() < 1e-4


async def test_local_vectors_are_unit_length_and_the_same_alone_or_in_a_batch(minilm: MiniLM) -> None:
    texts = ["Mom loves gardening", "hiking in the Alps " * 200, "", "a gift: a pair of red wool socks"]
    batch = np.array(await minilm.embed(texts))
    alone = np.array([(await minilm.embed([text]))[0] for text in texts])
    assert batch.shape == (4, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1, atol=1e-5)
    assert np.abs(batch - alone).max() < 1e-5
    assert await minilm.embed([]) == []


async def test_local_embedding_leaves_the_event_loop_free(minilm: MiniLM) -> None:
    await minilm.embed(["load the model first"])
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await minilm.embed([f"a sentence about topic number {i}, with some more words" for i in range(96)])
    elapsed = time.perf_counter() - started
    ticker.cancel()
    assert ticks >= elapsed / 0.005 / 4, (ticks, elapsed)


HOLD = "a background text whose batch is held until the test lets it go"


class Held(MiniLM):
    """The local model, whose batch holding HOLD stops half-way until released: a long background batch
    (the dispatcher's, a scheduled job's) in the middle of its work."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        if HOLD in texts:
            self.holding.set()
            self.release.wait(60)
        return super()._embed_batch(texts)


async def test_a_search_query_is_not_queued_behind_the_background_batches() -> None:
    held = Held()
    await held.embed_now(["the model loaded first"])
    embedder = QueryCache(held)
    background = asyncio.create_task(embedder.embed([HOLD, "a memory of the lake"]))
    assert await asyncio.to_thread(held.holding.wait, 30)
    try:
        query = await asyncio.wait_for(embedder.query("pottery with Clara", "asker"), 30)
        queued = asyncio.create_task(embedder.embed(["the next background batch"]))
        await asyncio.sleep(0.2)
        assert not queued.done()  # the background's batches still run one at a time
    finally:
        held.release.set()
    await asyncio.gather(background, queued)
    assert np.allclose(query, (await held.embed(["pottery with Clara"]))[0], atol=1e-5)


async def test_both_lanes_at_once_give_the_vectors_each_gives_alone(minilm: MiniLM) -> None:
    texts = [f"a memory about the lake, number {i}" for i in range(64)]
    queries = [f"a search for number {i}" for i in range(8)]
    alone = np.array(await minilm.embed(texts)), np.array(await minilm.embed_now(queries))
    together = await asyncio.gather(minilm.embed(texts), minilm.embed_now(queries))
    for one, other in zip(alone, together, strict=True):
        assert np.allclose(one, np.array(other), atol=1e-5)


async def test_a_paraphrase_is_nearer_than_a_lexical_trap(minilm: MiniLM) -> None:
    memory, paraphrase, trap = await minilm.embed(
        ["We went hiking in the Alps last summer", "mountain trip", "Alps brand cough drops in the cupboard"]
    )
    assert np.dot(memory, paraphrase) > np.dot(trap, paraphrase)


# --- OpenAI, against a stand-in of its API on a real port ---------------------------------------------


@pytest.fixture(scope="module")
def stand_in() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


@pytest.fixture
def fresh(stand_in: OpenAIStandIn) -> OpenAIStandIn:
    stand_in.requests.clear()
    stand_in.rate_limit_first = False
    return stand_in


async def test_openai_embeddings_are_batched_and_in_order(fresh: OpenAIStandIn) -> None:
    embedder = OpenAIEmbedder(api_key="sk-test", base_url=fresh.url, dimensions=256, batch_size=2)
    texts = ["one", "two", "three", "four", "five"]
    vectors = await embedder.embed(texts)
    await embedder.close()
    assert vectors == [vector_of(text, 256) for text in texts]
    assert [request["input"] for request in fresh.requests] == [["one", "two"], ["three", "four"], ["five"]]
    assert {(request["model"], request["dimensions"]) for request in fresh.requests} == {
        ("text-embedding-3-small", 256)
    }
    assert (embedder.model_id, embedder.dimensions) == ("openai/text-embedding-3-small", 256)


async def test_openai_rate_limit_is_retried_with_backoff(fresh: OpenAIStandIn) -> None:
    fresh.rate_limit_first = True
    embedder = OpenAIEmbedder(api_key="sk-test", base_url=fresh.url, max_retries=3)
    (vector,) = await embedder.embed(["retried"])
    await embedder.close()
    assert vector == vector_of("retried", 1536)
    assert len(fresh.requests) == 2


async def test_openai_rate_limit_past_the_retries_says_unavailable(fresh: OpenAIStandIn) -> None:
    fresh.rate_limit_first = True
    embedder = OpenAIEmbedder(api_key="sk-test", base_url=fresh.url, max_retries=0)
    with pytest.raises(EmbeddingsUnavailable):
        await embedder.embed(["refused"])
    await embedder.close()


async def test_openai_unreachable_says_unavailable() -> None:
    embedder = OpenAIEmbedder(api_key="sk-test", base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=0)
    with pytest.raises(EmbeddingsUnavailable):
        await embedder.embed(["nobody there"])
    await embedder.close()


def test_openai_is_used_when_its_key_is_set_else_the_local_model(stand_in: OpenAIStandIn) -> None:
    local = create_embedder(Settings(OPENAI_API_KEY=None))
    remote = create_embedder(
        Settings(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=stand_in.url, openai_embedding_dimensions=512)
    )
    assert (local.model_id, local.dimensions) == ("sentence-transformers/all-MiniLM-L6-v2", 384)
    assert (remote.model_id, remote.dimensions) == ("openai/text-embedding-3-small", 512)


# --- the query cache ---------------------------------------------------------------------------------


async def test_a_repeated_query_is_embedded_once_per_asker_and_batches_pass_through(
    fresh: OpenAIStandIn,
) -> None:
    settings = Settings(
        _env_file=None, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=fresh.url, query_cache_size=2
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, QueryCache)
    first = await embedder.query("pottery with Clara", "ann")
    again = await embedder.query("pottery with Clara", "ann")
    assert first == again == vector_of("pottery with Clara", 1536)
    assert [request["input"] for request in fresh.requests] == [["pottery with Clara"]]
    # Another asker's same words are embedded for them: nobody learns what others asked by its speed.
    await embedder.query("pottery with Clara", "bob")
    assert len(fresh.requests) == 2
    # A batch (the dispatcher's) is embedded every time and leaves the kept queries alone.
    await embedder.embed(["one", "two"])
    await embedder.embed(["one", "two"])
    await embedder.query("pottery with Clara", "bob")
    assert len(fresh.requests) == 4
    # The least recently asked of more queries than it keeps is embedded again.
    await embedder.query("hiking boots", "ann")
    await embedder.query("pottery with Clara", "ann")
    assert [request["input"] for request in fresh.requests[4:]] == [["hiking boots"], ["pottery with Clara"]]
    await embedder.close()


async def test_without_the_query_cache_every_query_is_embedded(fresh: OpenAIStandIn) -> None:
    settings = Settings(
        _env_file=None, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=fresh.url, query_cache_size=0
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, QueryCache)
    await embedder.query("pottery with Clara", "ann")
    await embedder.query("pottery with Clara", "ann")
    assert len(fresh.requests) == 2
    await embedder.close()
