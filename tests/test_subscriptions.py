"""Subscriptions over graphql-transport-ws only: authenticated in connection_init, capped, timed out."""

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from auth.tokens import issue_token
from settings import Settings
from tests.client import LOG_IN, GraphQLClient
from tests.conftest import LiveServer

HEARTBEAT = "subscription { heartbeat(everySeconds: 0.05) }"


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    limits = {
        "max_subscriptions_per_connection": 2,
        "connection_init_timeout_seconds": 0.5,
        "ws_credential_check_seconds": 0.2,
    }
    with LiveServer(settings.model_copy(update=limits)) as server:
        yield server


def _ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://")


async def _connect(server: LiveServer, protocol: str = "graphql-transport-ws") -> ClientConnection:
    return await websockets.connect(_ws_url(server), subprotocols=[Subprotocol(protocol)])


async def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def _receive(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))


async def _closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), timeout=10)
    return ws.close_code


async def test_an_authenticated_connection_receives_its_subscription(
    live_server: LiveServer, client: GraphQLClient
) -> None:
    token = await client.sign_up("live@example.com")
    async with await _connect(live_server) as ws:
        await _send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert (await _receive(ws))["type"] == "connection_ack"
        await _send(ws, {"id": "1", "type": "subscribe", "payload": {"query": HEARTBEAT}})
        first, second = await _receive(ws), await _receive(ws)
    assert first["type"] == second["type"] == "next"
    assert first["payload"]["data"]["heartbeat"] < second["payload"]["data"]["heartbeat"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"authorization": "Bearer not.a.token"},
        None,
        {"authorization": 42},
        {"authorization": 0},
        {"authorization": ["Bearer x"]},
        {"authorization": {"Bearer": "x"}},
        {"authorization": None},
        {"authorization": True},
        {"authorization": ""},
        {"Authorization": 3.5},
    ],
)
async def test_a_connection_without_valid_credentials_is_closed_as_forbidden(
    live_server: LiveServer, payload: dict | None
) -> None:
    async with await _connect(live_server) as ws:
        await _send(
            ws,
            {"type": "connection_init", "payload": payload}
            if payload is not None
            else {"type": "connection_init"},
        )
        assert await _closed_with(ws) == 4403


async def test_subscriptions_past_the_cap_of_a_connection_are_refused(
    live_server: LiveServer, client: GraphQLClient
) -> None:
    token = await client.sign_up("many@example.com")
    async with await _connect(live_server) as ws:
        await _send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        await _receive(ws)
        for operation in ("1", "2", "3"):
            await _send(ws, {"id": operation, "type": "subscribe", "payload": {"query": HEARTBEAT}})
        refused = None
        for _ in range(50):
            message = await _receive(ws)
            if message["type"] == "error":
                refused = message
                break
    assert refused is not None and refused["id"] == "3"
    assert "2 operations at once" in refused["payload"][0]["message"]
    assert refused["payload"][0]["extensions"] == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "limit": "subscriptionsPerConnection",
        "maxSubscriptions": 2,
    }


async def test_a_connection_that_does_not_init_in_time_is_closed(live_server: LiveServer) -> None:
    async with await _connect(live_server) as ws:
        assert await _closed_with(ws) == 4408


async def test_the_legacy_graphql_ws_protocol_is_not_spoken(live_server: LiveServer) -> None:
    async with await _connect(live_server, protocol="graphql-ws") as ws:
        assert ws.subprotocol != "graphql-ws"
        with pytest.raises(ConnectionClosed):
            await _send(ws, {"type": "connection_init", "payload": {}})
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert ws.close_code == 4406


async def _subscribed(server: LiveServer, credential: str) -> ClientConnection:
    ws = await _connect(server)
    await _send(ws, {"type": "connection_init", "payload": {"authorization": f"Bearer {credential}"}})
    assert (await _receive(ws))["type"] == "connection_ack"
    await _send(ws, {"id": "1", "type": "subscribe", "payload": {"query": HEARTBEAT}})
    assert (await _receive(ws))["type"] == "next"
    return ws


async def _ended_with(ws: ClientConnection, code: str) -> None:
    """The subscription gets an error with this code, then the socket closes with 4403."""
    error = None
    with pytest.raises(ConnectionClosed):
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            if message["type"] == "error":
                error = message
    assert error is not None and error["id"] == "1"
    assert error["payload"][0]["extensions"]["code"] == code
    assert ws.close_code == 4403


async def _post(server: LiveServer, query: str, token: str, variables: dict | None = None) -> Any:
    """Sent to the live server itself, so the change is seen where the socket is."""
    async with httpx.AsyncClient() as http:
        body = {"query": query, "variables": variables}
        answer = (await http.post(server.url, json=body, headers={"authorization": f"Bearer {token}"})).json()
    assert "errors" not in answer, answer
    return answer["data"]


async def test_log_out_ends_the_subscriptions_of_that_token(
    live_server: LiveServer, client: GraphQLClient
) -> None:
    token = await client.sign_up("ws-out@example.com")
    other = await client.data(LOG_IN, {"email": "ws-out@example.com", "password": "correct horse battery"})
    other_token = other["logIn"]["token"]
    ws = await _subscribed(live_server, token)
    staying = await _subscribed(live_server, other_token)
    await _post(live_server, "mutation { logOut }", token)
    await _ended_with(ws, "UNAUTHENTICATED")
    assert (await _receive(staying))["type"] == "next"  # another session of the same user goes on
    await staying.close()


async def test_log_out_everywhere_ends_every_socket_of_the_user(
    live_server: LiveServer, client: GraphQLClient
) -> None:
    token = await client.sign_up("ws-all@example.com")
    sockets = [await _subscribed(live_server, token) for _ in range(2)]
    await _post(live_server, "mutation { logOutEverywhere }", token)
    for ws in sockets:
        await _ended_with(ws, "UNAUTHENTICATED")


async def test_a_revoked_api_key_ends_its_subscriptions(
    live_server: LiveServer, client: GraphQLClient
) -> None:
    token = await client.sign_up("ws-key@example.com")
    created = await client.data('mutation { createApiKey(name: "ws") { key apiKey { id } } }', token=token)
    ws = await _subscribed(live_server, created["createApiKey"]["key"])
    revoke = "mutation R($id: ID!) { revokeApiKey(id: $id) { status } }"
    await _post(live_server, revoke, token, {"id": created["createApiKey"]["apiKey"]["id"]})
    await _ended_with(ws, "UNAUTHENTICATED")


async def test_an_expiring_token_ends_its_subscriptions_when_it_expires(
    live_server: LiveServer, client: GraphQLClient, settings: Settings
) -> None:
    token = await client.sign_up("ws-exp@example.com")
    me = await client.data("{ me { id } }", token=token)
    uid = base64.b64decode(me["me"]["id"]).decode().partition(":")[2]
    # A token's expiry is kept in whole seconds, so a TTL of 1 could end before the socket is even
    # acknowledged: 3 leaves it 2 to 3 seconds, expiring while the subscription runs.
    short = issue_token(uid, 0, settings.signing_secret, 3)
    ws = await _subscribed(live_server, short)
    await _ended_with(ws, "UNAUTHENTICATED")
