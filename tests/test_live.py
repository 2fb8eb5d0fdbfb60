"""Live updates on one instance (in-process pub/sub): a real WebSocket speaking graphql-transport-ws, and
mutations over HTTP to the same server."""

import asyncio
import base64
from collections.abc import Iterator

import pytest
import websockets

from settings import Settings
from tests.conftest import LiveServer
from tests.live import (
    CREATE_CONCEPT,
    CREATE_RECIPIENT,
    DELETE_RECIPIENT,
    GRAPHQL_TRANSPORT_WS,
    LINK,
    RENAME,
    UNLINK,
    Socket,
    live_only,
    live_settings,
    post,
    sign_up,
    ws_url,
)

NODE_CHANGED = """
subscription ($id: ID!, $since: Int) {
  nodeChanged(id: $id, since: $since) {
    sequence kind
    nodesUpdated { id ... on Recipient { nickname } }
    nodesRemoved { id label }
    linksAdded { type sourceId targetId }
  }
}
"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings, ws_credential_check_seconds=0.2)) as live_server:
        yield live_server


def uid_of(global_id: str) -> str:
    return base64.b64decode(global_id).decode().partition(":")[2]


async def test_an_http_mutation_reaches_the_subscriber_with_its_delta(server: LiveServer) -> None:
    token = await sign_up(server, "live-one@example.com")
    ws = await Socket.open(server, token)
    await ws.subscribe("1", since=1)  # after the sign-up, whenever the subscription starts
    made = await post(server, CREATE_RECIPIENT, {"name": "Mia"}, token)
    (delta,) = await ws.deltas(1)
    assert delta["kind"] == "RecipientCreated"
    assert delta["sequence"] == 2  # after the sign-up's own event
    assert delta["nodesAdded"] == [
        {"__typename": "Recipient", "id": made["createRecipient"]["id"], "name": "Mia"}
    ]
    assert delta["nodesUpdated"] == delta["nodesRemoved"] == delta["linksAdded"] == []
    await ws.close()


async def test_another_users_changes_never_reach_a_subscriber(server: LiveServer) -> None:
    ann, bob = await sign_up(server, "live-ann@example.com"), await sign_up(server, "live-bob@example.com")
    watching = await Socket.open(server, bob)
    await watching.subscribe("1", since=1)
    for name in ("Secret", "Another secret"):
        await post(server, CREATE_RECIPIENT, {"name": name}, ann)
    await post(server, CREATE_RECIPIENT, {"name": "Bob's own"}, bob)
    # The first delta Bob gets is his own: Ann's two, committed before it, never came.
    (first,) = await watching.deltas(1)
    assert first["nodesAdded"][0]["name"] == "Bob's own"
    assert await watching.silent(1.0)
    await watching.close()


async def test_links_arrive_added_updated_and_removed_with_their_properties(server: LiveServer) -> None:
    token = await sign_up(server, "live-links@example.com")
    person = (await post(server, CREATE_RECIPIENT, {"name": "Lea"}, token))["createRecipient"]["id"]
    concept = (await post(server, CREATE_CONCEPT, {"name": "jazz"}, token))["createConcept"]["id"]
    ws = await Socket.open(server, token)
    await ws.subscribe("1", since=3)
    # A delta carries the graph as it is when it is read (at least as new as its event): each change is
    # awaited here before the next, so each delta shows its own.
    deltas = []
    for change, variables in (
        (LINK, {"from": person, "to": concept, "weight": 0.4}),
        (LINK, {"from": person, "to": concept, "weight": 0.9}),
        (UNLINK, {"from": person, "to": concept}),
        (DELETE_RECIPIENT, {"id": person}),
    ):
        await post(server, change, variables, token)
        deltas += await ws.deltas(1)
    added, updated, removed, deleted = deltas
    link = {"type": "INTERESTED_IN", "sourceId": person, "targetId": concept}
    assert added["kind"] == "INTERESTED_INLinked"
    assert added["linksAdded"] == [{**link, "weight": 0.4, "properties": {"weight": 0.4, "since": "spring"}}]
    assert updated["linksAdded"] == [] and updated["linksUpdated"] == [
        {**link, "weight": 0.9, "properties": {"weight": 0.9, "since": "spring"}}
    ]
    assert removed["linksRemoved"] == [{**link, "weight": None, "properties": {}}]
    assert deleted["kind"] == "RecipientDeleted"
    assert deleted["nodesRemoved"] == [{"id": person, "label": "Recipient"}]
    assert [d["sequence"] for d in (added, updated, removed, deleted)] == list(
        range(added["sequence"], added["sequence"] + 4)
    )
    await ws.close()


async def test_a_node_created_with_links_arrives_with_them(server: LiveServer) -> None:
    token = await sign_up(server, "live-gift@example.com")
    person = (await post(server, CREATE_RECIPIENT, {"name": "Noor"}, token))["createRecipient"]["id"]
    ws = await Socket.open(server, token)
    await ws.subscribe("1", since=2)
    gift = """
    mutation ($r: [ID!]) {
      createGift(input: {name: "Scarf", recipientIds: $r, tags: ["wool"]}) { id tags { nodes { id } } }
    }
    """
    made = (await post(server, gift, {"r": [person]}, token))["createGift"]
    wool = made["tags"]["nodes"][0]["id"]
    concept, created = await ws.deltas(2)  # one transaction: the new tag first, then the gift
    assert concept["kind"] == "ConceptCreated"
    assert concept["nodesAdded"] == [{"__typename": "Concept", "id": wool, "name": "wool"}]
    assert created["kind"] == "GiftCreated"
    assert created["nodesAdded"] == [{"__typename": "Gift", "id": made["id"]}]
    assert sorted(created["linksAdded"], key=lambda link: link["type"]) == [
        {
            "type": "INTENDED_FOR",
            "sourceId": made["id"],
            "targetId": person,
            "weight": None,
            "properties": {},
        },
        {"type": "TAGGED_WITH", "sourceId": made["id"], "targetId": wool, "weight": None, "properties": {}},
    ]
    await ws.close()


async def test_a_reconnect_with_since_receives_every_change_once_in_order(server: LiveServer) -> None:
    token = await sign_up(server, "live-resume@example.com")
    ws = await Socket.open(server, token)
    await ws.subscribe("1", since=0)
    (signed_up,) = await ws.deltas(1)  # the log from the start: the sign-up itself
    assert (
        signed_up["kind"] == "UserSignedUp"
        and signed_up["nodesUpdated"][0]["email"] == "live-resume@example.com"
    )
    person = (await post(server, CREATE_RECIPIENT, {"name": "Ida"}, token))["createRecipient"]["id"]
    seen = await ws.deltas(1)
    ws.ws.transport.abort()  # the connection drops mid-stream: no close handshake
    for nickname in ("I", "Idu", "Iddy"):
        await post(server, RENAME, {"id": person, "nickname": nickname}, token)
    again = await Socket.open(server, token)
    await again.subscribe("1", since=seen[-1]["sequence"])
    missed = await again.deltas(3)
    await post(server, RENAME, {"id": person, "nickname": "Ida-Marie"}, token)
    (live,) = await again.deltas(1)
    sequences = [d["sequence"] for d in (signed_up, *seen, *missed, live)]
    assert sequences == list(range(1, 7))
    # Each delta carries the node as it is now: a replayed update reads the current fields.
    assert [d["kind"] for d in missed] == ["RecipientUpdated"] * 3
    assert live["nodesUpdated"] == [
        {"__typename": "Recipient", "id": person, "name": "Ida", "nickname": "Ida-Marie"}
    ]
    assert await again.silent(1.0)
    await again.close()


async def test_node_changed_follows_one_node_and_its_links(server: LiveServer) -> None:
    token = await sign_up(server, "live-node@example.com")
    one = (await post(server, CREATE_RECIPIENT, {"name": "One"}, token))["createRecipient"]["id"]
    other = (await post(server, CREATE_RECIPIENT, {"name": "Other"}, token))["createRecipient"]["id"]
    concept = (await post(server, CREATE_CONCEPT, {"name": "chess"}, token))["createConcept"]["id"]
    ws = await Socket.open(server, token)
    await ws.subscribe("1", NODE_CHANGED, id=one, since=4)
    await post(server, RENAME, {"id": other, "nickname": "not this one"}, token)
    await post(server, RENAME, {"id": one, "nickname": "Uno"}, token)
    changes = [(await ws.next(within=30))["nodeChanged"]]  # each read as it is now: await each
    await post(server, LINK, {"from": one, "to": concept}, token)
    changes.append((await ws.next(within=30))["nodeChanged"])
    await post(server, DELETE_RECIPIENT, {"id": one}, token)
    changes.append((await ws.next(within=30))["nodeChanged"])
    assert [c["kind"] for c in changes] == ["RecipientUpdated", "INTERESTED_INLinked", "RecipientDeleted"]
    assert changes[0]["nodesUpdated"] == [{"id": one, "nickname": "Uno"}]
    assert changes[1]["linksAdded"] == [{"type": "INTERESTED_IN", "sourceId": one, "targetId": concept}]
    assert changes[2]["nodesRemoved"] == [{"id": one, "label": "Recipient"}]
    await ws.close()


async def test_node_changed_on_another_users_node_is_not_found(server: LiveServer) -> None:
    ann, eve = await sign_up(server, "live-owner@example.com"), await sign_up(server, "live-eve@example.com")
    theirs = (await post(server, CREATE_RECIPIENT, {"name": "Private"}, ann))["createRecipient"]["id"]
    ws = await Socket.open(server, eve)
    await ws.subscribe("1", NODE_CHANGED, id=theirs, since=0)
    message = await ws.receive()
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    assert "Private" not in str(message)
    await post(server, RENAME, {"id": theirs, "nickname": "still private"}, ann)
    # The subscription is over: at most its `complete`, never a delta.
    while (after := await ws.quiet(1.0)) is not None:
        assert after["type"] == "complete", after
    await ws.close()


@pytest.mark.parametrize("since", [-1, 1_000_000])
async def test_a_since_out_of_range_is_bad_user_input(server: LiveServer, since: int) -> None:
    """Below zero, or beyond the viewer's newest change (where every live change would be dropped as
    already seen): refused, not a silent stream."""
    ws = await Socket.open(server, await sign_up(server, f"live-range{since}@example.com"))
    await ws.subscribe("1", since=since)
    message = await ws.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == "since"
    await ws.close()


async def test_a_revoked_api_key_ends_its_graph_subscription(server: LiveServer) -> None:
    token = await sign_up(server, "live-key@example.com")
    created = await post(server, 'mutation { createApiKey(name: "live") { key apiKey { id } } }', token=token)
    ws = await Socket.open(server, created["createApiKey"]["key"])
    await ws.subscribe("1", since=2)  # after the sign-up and the key's creation
    await post(server, CREATE_RECIPIENT, {"name": "Before"}, token)
    assert (await ws.deltas(1))[0]["nodesAdded"][0]["name"] == "Before"
    revoke = "mutation ($id: ID!) { revokeApiKey(id: $id) { status } }"
    await post(server, revoke, {"id": created["createApiKey"]["apiKey"]["id"]}, token)
    codes = []
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            message = await ws.receive()
            if message["type"] == "error":
                codes += [e["extensions"]["code"] for e in message["payload"]]
            else:  # the revocation's own event may come first; nothing of the user's after the end
                assert message["type"] == "next", message
    assert codes == ["UNAUTHENTICATED"]
    assert ws.ws.close_code == 4403


async def test_an_invalid_credential_closes_the_socket_as_forbidden(server: LiveServer) -> None:
    async with websockets.connect(ws_url(server), subprotocols=[GRAPHQL_TRANSPORT_WS]) as ws:
        await ws.send('{"type": "connection_init", "payload": {"authorization": "Bearer nope"}}')
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert ws.close_code == 4403
