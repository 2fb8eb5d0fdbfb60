"""What the live-update tests share: Kindred served with its dispatcher on, a graphql-transport-ws client
over a real socket, and the mutations a user makes over HTTP."""

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

import app
from dispatch import Consumer, live
from graph.driver import Graph
from settings import Settings
from tests.conftest import LiveServer

GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
GRAPH_CHANGED = """
subscription ($since: Int) {
  graphChanged(since: $since) {
    sequence kind at
    nodesAdded { __typename id ... on Recipient { name } ... on Concept { name } ... on Memory { content } }
    nodesUpdated { __typename id ... on Recipient { name nickname } ... on User { email } }
    nodesRemoved { id label }
    linksAdded { type sourceId targetId weight properties }
    linksUpdated { type sourceId targetId weight properties }
    linksRemoved { type sourceId targetId weight properties }
  }
}
"""
CREATE_RECIPIENT = """
mutation ($name: String!) {
  createRecipient(input: {name: $name, relationship: {kind: FRIEND}}) { id name }
}
"""
CREATE_CONCEPT = "mutation ($name: String!) { createConcept(input: {name: $name}) { id } }"
RENAME = (
    "mutation ($id: ID!, $nickname: String) { updateRecipient(input: {id: $id, nickname: $nickname}) { id } }"
)
LINK = """
mutation ($from: ID!, $to: ID!, $weight: Float) {
  link(from: $from, to: $to, kind: INTERESTED_IN, weight: $weight, properties: {since: "spring"}) { changed }
}
"""
UNLINK = "mutation ($from: ID!, $to: ID!) { unlink(from: $from, to: $to, kind: INTERESTED_IN) { changed } }"
DELETE_RECIPIENT = "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }"
SIGN_UP = """
mutation ($email: String!) {
  signUp(email: $email, password: "correct horse battery", name: "Ann") { token }
}
"""


def live_settings(settings: Settings, **more: Any) -> Settings:
    """The suite's settings with the dispatcher on, looking for other instances' events often. No
    scheduled jobs unless asked (`schedule=True`): their system events (a relationship snapshot, a faded
    memory) would land in the logs these tests read event by event, whenever the machine's load puts them."""
    return settings.model_copy(
        update={"dispatch": True, "dispatch_poll_seconds": 0.5, "schedule": False, **more}
    )


@contextmanager
def live_only() -> Iterator[None]:
    """Apps made meanwhile run only the live consumer: embedding every node these tests write would
    cost the machine minutes and prove nothing here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "CONSUMERS", [Consumer.of(live)])
        yield


def ws_url(server: LiveServer) -> str:
    return server.url.replace("http://", "ws://")


async def post(
    server: LiveServer, query: str, variables: dict | None = None, token: str | None = None
) -> Any:
    """An operation over HTTP to this server; its data (it must succeed)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as http:
        answer = (
            await http.post(server.url, json={"query": query, "variables": variables}, headers=headers)
        ).json()
    assert "errors" not in answer, answer
    return answer["data"]


async def stuck_report(server: LiveServer) -> str:
    """Why the dispatcher may not have done what a test waited for: its consumers (LiveServer's
    dispatch_report) and the transactions Neo4j is running now, with what each waits for."""
    assert server.settings.neo4j_uri is not None
    graph = Graph.connect(server.settings.neo4j_uri, None, server.settings.neo4j_database)
    try:
        async with graph.driver.session() as session:
            query = """SHOW TRANSACTIONS YIELD transactionId, status, elapsedTime, currentQuery, metaData
                       RETURN transactionId, status, toString(elapsedTime) AS elapsed,
                              left(currentQuery, 200) AS query"""
            running = [record.data() async for record in await session.run(query)]
    finally:
        await graph.close()
    listed = "\n".join(str(row) for row in running)
    return f"{server.dispatch_report()}\nNeo4j's transactions:\n{listed}"


async def sign_up(server: LiveServer, email: str) -> str:
    return (await post(server, SIGN_UP, {"email": email}))["signUp"]["token"]


class Socket:
    """A graphql-transport-ws client on a real WebSocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, server: LiveServer, token: str, **options: Any) -> "Socket":
        ws = await websockets.connect(ws_url(server), subprotocols=[GRAPHQL_TRANSPORT_WS], **options)
        socket = cls(ws)
        await socket.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert (await socket.receive())["type"] == "connection_ack"
        return socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, within: float = 15) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout=within))

    async def subscribe(self, operation: str, query: str = GRAPH_CHANGED, **variables: Any) -> None:
        await self.send(
            {"id": operation, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def next(self, within: float = 15) -> dict[str, Any]:
        """The data of the next `next` message (any other message fails the test)."""
        message = await self.receive(within)
        assert message["type"] == "next" and "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def deltas(self, count: int, within: float = 15) -> list[dict[str, Any]]:
        return [(await self.next(within))["graphChanged"] for _ in range(count)]

    async def quiet(self, seconds: float) -> dict[str, Any] | None:
        """The next message if one arrives within this long, else None."""
        try:
            return json.loads(await asyncio.wait_for(self.ws.recv(), timeout=seconds))
        except TimeoutError:
            return None

    async def silent(self, seconds: float) -> bool:
        """Whether nothing arrives for this long."""
        return await self.quiet(seconds) is None

    async def close(self) -> None:
        await self.ws.close()
