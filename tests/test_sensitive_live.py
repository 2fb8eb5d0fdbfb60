"""A sensitive field over a live subscription: its owner hears it opened once they turned that on, and
hears nothing of it before; a second user's subscription never hears the owner's conflict at all."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, Socket, live_only, live_settings, post, sign_up
from tests.test_sensitive import CREATE, SHOW, UPDATE, secret

CHANGED = """
subscription ($since: Int) {
  graphChanged(since: $since) {
    sequence kind
    nodesAdded { id ... on Conflict { summary privateNote } }
    nodesUpdated { id ... on Conflict { summary privateNote } }
  }
}
"""


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("sealed-live")
    with live_only(), LiveServer(live_settings(settings, data_dir=folder)) as live_server:
        yield live_server


async def conflict_deltas(socket: Socket, count: int) -> list[dict]:
    """The next `count` deltas that touch a conflict, skipping the others (the recipient's, ...)."""
    found: list[dict] = []
    while len(found) < count:
        delta = (await socket.next(within=60))["graphChanged"]
        if any("summary" in node for node in delta["nodesAdded"] + delta["nodesUpdated"]):
            found.append(delta)
    return found


async def test_a_subscription_opens_the_note_for_its_owner_only_once_they_turned_that_on(
    server: LiveServer,
) -> None:
    token = await sign_up(server, "sealed-live@example.com")
    other = await sign_up(server, "sealed-live-other@example.com")
    mine, theirs = await Socket.open(server, token), await Socket.open(server, other)
    try:
        await mine.subscribe("1", CHANGED, since=None)
        await theirs.subscribe("1", CHANGED, since=None)
        lea = (await post(server, CREATE_RECIPIENT, {"name": "Lea"}, token))["createRecipient"]
        hidden = secret()
        given = {"recipientId": lea["id"], "summary": "Who pays rent", "privateNote": hidden}
        made = (await post(server, CREATE, {"input": given}, token))["createConflict"]

        (created,) = await conflict_deltas(mine, 1)
        node = next(n for n in created["nodesAdded"] if n["id"] == made["id"])
        assert node["summary"] == "Who pays rent" and node["privateNote"] is None

        assert (await post(server, SHOW, {"show": True}, token))["setShowSensitive"] is True
        shown = secret()
        await post(server, UPDATE, {"input": {"id": made["id"], "privateNote": shown}}, token)
        (updated,) = await conflict_deltas(mine, 1)
        node = next(n for n in updated["nodesUpdated"] if n["id"] == made["id"])
        assert node["privateNote"] == shown

        heard = await theirs.quiet(3)
        assert heard is None or made["id"] not in repr(heard), heard
    finally:
        await mine.close()
        await theirs.close()
