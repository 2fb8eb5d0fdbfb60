"""Sessions live: a login and an ended session reach the viewer's subscribers as deltas that carry the
Session as it now reads (never as a removed node), over a real WebSocket."""

from collections.abc import Iterator

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up

SESSION_CHANGED = """subscription ($since: Int) { graphChanged(since: $since) {
  sequence kind nodesUpdated { __typename id ... on Session { status current } } nodesRemoved { id } } }"""
LOG_IN = """mutation ($email: String!) {
  logIn(email: $email, password: "correct horse battery") { token } }"""
SESSIONS = "{ sessions { nodes { id current } } }"
END = "mutation ($id: ID!) { endSession(id: $id) { id } }"


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def test_a_login_and_an_ended_session_reach_the_subscriber_with_the_session(
    server: LiveServer,
) -> None:
    token = await sign_up(server, "live-session@example.com")
    ws = await Socket.open(server, token)
    await ws.subscribe("1", SESSION_CHANGED, since=1)  # after the sign-up
    await post(server, LOG_IN, {"email": "live-session@example.com"})
    other = next(
        s for s in (await post(server, SESSIONS, token=token))["sessions"]["nodes"] if not s["current"]
    )

    (logged_in,) = await ws.deltas(1, within=60)
    assert logged_in["kind"] == "LoggedIn" and logged_in["nodesRemoved"] == []
    session = next(n for n in logged_in["nodesUpdated"] if n["__typename"] == "Session")
    assert session == {"__typename": "Session", "id": other["id"], "status": "ACTIVE", "current": False}

    await post(server, END, {"id": other["id"]}, token)
    (ended,) = await ws.deltas(1, within=60)
    assert ended["kind"] == "SessionEnded"
    session = next(n for n in ended["nodesUpdated"] if n["__typename"] == "Session")
    assert session["status"] == "ENDED"
    await ws.close()
