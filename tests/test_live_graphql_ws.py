"""One run of the npm graphql-ws client (Node.js) against a running Kindred: an HTTP mutation reaches
it with its delta, another user's never does."""

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, live_only, live_settings, post, sign_up, ws_url


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def test_the_graphql_ws_client_receives_the_viewers_deltas_only(
    server: LiveServer, project_dir: Path
) -> None:
    client = project_dir / "tests" / "live_client"
    assert shutil.which("node"), "Node.js runs the client"
    assert (client / "node_modules" / "graphql-ws").exists(), "run: npm ci --prefix tests/live_client"
    token = await sign_up(server, "graphql-ws@example.com")
    other = await sign_up(server, "graphql-ws-other@example.com")
    node = await asyncio.create_subprocess_exec(
        "node", "subscribe.mjs", ws_url(server), token, "1", "2", cwd=client, stdout=asyncio.subprocess.PIPE
    )
    assert node.stdout is not None
    assert (await asyncio.wait_for(node.stdout.readline(), 60)).strip() == b"ready"
    # Since 1 (the sign-up): whenever its subscription starts, it misses none of what follows.
    await post(server, CREATE_RECIPIENT, {"name": "Not yours"}, other)
    first = (await post(server, CREATE_RECIPIENT, {"name": "First"}, token))["createRecipient"]["id"]
    second = (await post(server, CREATE_RECIPIENT, {"name": "Second"}, token))["createRecipient"]["id"]
    output, _ = await asyncio.wait_for(node.communicate(), 90)
    assert node.returncode == 0
    results = [json.loads(line) for line in output.decode().splitlines()]
    deltas = [result["data"]["graphChanged"] for result in results]
    assert [d["nodesAdded"] for d in deltas] == [
        [{"__typename": "Recipient", "id": first, "name": "First"}],
        [{"__typename": "Recipient", "id": second, "name": "Second"}],
    ]
    assert deltas[1]["sequence"] == deltas[0]["sequence"] + 1
