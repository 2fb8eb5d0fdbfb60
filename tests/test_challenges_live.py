"""A completed challenge is news to its owner's subscriptions (the challenge changed, a trophy made) and to
no one else's."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up

HEARD = """subscription ($since: Int) { graphChanged(since: $since) { sequence kind
  nodesAdded { __typename id ... on Artifact { kind title } }
  nodesUpdated { __typename id ... on Challenge { status } }
  linksAdded { type sourceId targetId } } }"""
TEMPLATE = """mutation { createChallengeTemplate(input: {name: "Call a grandparent",
  dimensions: [{dimension: "self_show", amount: 0.2}]}) { id } }"""
START = "mutation ($t: ID!) { startChallenge(input: {templateId: $t}) { id } }"
COMPLETE = "mutation ($id: ID!) { completeChallenge(id: $id) { id trophy { id } } }"


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("challenges-live")
    with live_only(), LiveServer(live_settings(settings, data_dir=folder)) as live_server:
        yield live_server


async def until(socket: Socket, kind: str) -> list[dict[str, Any]]:
    """The deltas heard up to and with the first of this kind."""
    heard = [(await socket.next(within=60))["graphChanged"]]
    while heard[-1]["kind"] != kind:
        heard.append((await socket.next(within=60))["graphChanged"])
    return heard


async def test_the_owner_hears_a_trophy_earned_and_no_one_else_does(server: LiveServer) -> None:
    owner = await sign_up(server, "challenge-live@example.com")
    stranger = await sign_up(server, "challenge-live-stranger@example.com")
    template = (await post(server, TEMPLATE, token=owner))["createChallengeTemplate"]["id"]
    challenge = (await post(server, START, {"t": template}, token=owner))["startChallenge"]["id"]
    mine, theirs = await Socket.open(server, owner), await Socket.open(server, stranger)
    await mine.subscribe("1", HEARD)
    await theirs.subscribe("1", HEARD)
    trophy = (await post(server, COMPLETE, {"id": challenge}, token=owner))["completeChallenge"]["trophy"][
        "id"
    ]
    heard = await until(mine, "ArtifactCreated")
    added = [node for delta in heard for node in delta["nodesAdded"]]
    assert {"__typename": "Artifact", "id": trophy, "kind": "TROPHY", "title": "Call a grandparent"} in added
    updated = [node for delta in heard for node in delta["nodesUpdated"]]
    assert {"__typename": "Challenge", "id": challenge, "status": "COMPLETED"} in updated
    assert await theirs.silent(3)
    await mine.close()
    await theirs.close()
