"""Subscriptions over graphql-transport-ws only: authenticated in connection_init, capped, timed out."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer

HEARTBEAT = "subscription { heartbeat(everySeconds: 0.05) }"


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    limits = {"max_subscriptions_per_connection": 2, "connection_init_timeout_seconds": 0.5}
    with LiveServer(settings.model_copy(update=limits)) as server:
        yield server


def _ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://")


async def _connect(server: LiveServer, protocol: str = "graphql-transport-ws") -> ClientConnection:
    return await websockets.connect(_ws_url(server), subprotocols=[protocol])  # type: ignore[list-item]


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


@pytest.mark.parametrize("payload", [{}, {"authorization": "Bearer not.a.token"}, None])
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
    assert "limit" in refused["payload"][0]["message"].lower()


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
