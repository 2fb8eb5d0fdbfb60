"""Vectors unreachable: mutations commit, search answers SEARCH_UNAVAILABLE, and once the store is back
(after a restart) every change made meanwhile is searchable, each event applied once."""

from pathlib import Path
from typing import Any

from app import create_app
from graph import dispatcher as progress
from graph.driver import Graph
from localneo4j import free_port
from settings import Settings
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_search import MEMORY, SEARCH


async def test_an_outage_loses_no_change_and_applies_none_twice(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    down = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True, "qdrant_url": dead})
    down = down.model_copy(update={"qdrant_timeout_seconds": 1.0})
    contents = ["Sailing off the coast of Brittany", "Baking sourdough bread", "Learning the cello"]
    async with started(create_app(down, graph)) as manager, client_of(manager.app) as client:
        token = await client.sign_up("outage@example.com")
        for content in contents:
            await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": content}}, token=token)
        error = await client.error(SEARCH, {"q": "boat trip"}, token=token)
        assert error["extensions"]["code"] == "SEARCH_UNAVAILABLE"
    # Read once the app has stopped, so that no pass moves the cursor after it: the memories' events wait
    # (the sign-up's, before them, may have gone through on its own, or may wait with them in one batch).
    user = await _user(graph)
    done = (await graph.read(progress.cursors, consumer="embeddings")).get(user["uid"], 0)
    assert done <= user["n"] - len(contents)

    fixed = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True})  # vectors embedded again
    async with started(create_app(fixed, graph)) as manager, client_of(manager.app) as client:
        dispatcher = manager._state["dispatcher"]
        await dispatcher.drain()
        # Each event after the consumer's cursor once, none lost: those that waited, and any appended
        # since (the layout consumer announces the positions it gave the memories).
        assert dispatcher.delivered["embeddings"] == (await _user(graph))["n"] - done
        found = await client.data(SEARCH, {"q": "boat trip", "first": 1}, token=token)
        assert found["search"][0]["node"]["content"] == "Sailing off the coast of Brittany"
        for content in contents:
            found = await client.data(SEARCH, {"q": content, "first": 1}, token=token)
            assert found["search"][0]["node"]["content"] == content
        await dispatcher.drain()
        assert dispatcher.delivered["embeddings"] == (await _user(graph))["n"] - done


async def _user(graph: Graph) -> dict[str, Any]:
    """The outage user's uid and the number of their newest event."""
    async with graph.driver.session() as session:
        query = "MATCH (u:User {email: 'outage@example.com'}) RETURN u.uid AS uid, u.event_sequence AS n"
        return (await (await session.run(query)).single(strict=True)).data()
