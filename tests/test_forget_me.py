"""Forget me: deleteAccount erases a user from every store (Neo4j, the vectors, the blobs, Redis), ends
their credentials and subscriptions at once, and leaves every other user's data as it was, byte for
byte. Proved from outside the API, by reading every store whole."""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.forget_scan import files, neo4j_dump, neo4j_text, redis_text, vector_points
from tests.live import Socket, live_settings, post, sign_up
from tests.test_accounts import CREATE_KEY
from tests.test_documents import pdf_of, upload
from tests.test_sensitive import conflict, owner_of, secret

PASSWORD = "correct horse battery"  # what tests/live.py's sign_up chooses
DELETE = "mutation ($password: String!) { deleteAccount(password: $password) }"
ME = "{ me { id email } }"
RECIPIENT = """mutation ($name: String!) {
  createRecipient(input: {name: $name, relationship: {kind: FRIEND}}) { id } }"""
GIFT = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
CONVERSATION = "mutation ($input: CreateConversationInput!) { createConversation(input: $input) { id } }"
SLOTS = "mutation ($id: ID!, $slots: JSON!) { setWorkingMemorySlots(conversationId: $id, slots: $slots) { rebuilt } }"
SEARCH = 'query { search(query: "quince lighthouse", first: 3) { node { id } } }'
DOCUMENT = "query ($id: ID!) { node(id: $id) { ... on Document { status } } }"
# What only the erased user wrote: none of it may be found anywhere afterwards.
SECRET_MEMORY = "Zephyrine told me about the quince orchard behind the lighthouse in Varnholt"
SECRET_NAME = "Ottoline Quarrender"
SECRET_PAGE = "Plinthwood ledger of the Varnholt lighthouse keepers"
WAIT = 120.0  # seconds: generous, for a loaded machine


async def until(check: Callable[[], Awaitable[bool]], within: float = WAIT) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.2)


async def _no_work_left(graph: Graph) -> bool:
    """Every consumer has every event: no owner is marked due, no document waits for extraction."""
    query = """
    RETURN NOT EXISTS { MATCH (u:User) WHERE u.dispatch_due = true }
       AND NOT EXISTS { MATCH (d:Document) WHERE d.status IN ['pending', 'extracting'] } AS idle
    """
    async with graph.driver.session() as session:
        return bool((await (await session.run(query)).single(strict=True))["idle"])


async def _user_gone(graph: Graph, uid: str) -> bool:
    async with graph.driver.session() as session:
        query = "RETURN EXISTS { MATCH (u:User {uid: $uid}) } AS there"
        return not (await (await session.run(query, uid=uid)).single(strict=True))["there"]


async def _uid(server: LiveServer, token: str) -> str:
    from strawberry.relay import GlobalID

    return GlobalID.from_id((await post(server, ME, None, token))["me"]["id"]).node_id


async def _rich_account(server: LiveServer, token: str, name: str, memory: str) -> str:
    """A recipient, a gift for them, a memory involving them, a conversation whose working memory (kept
    hot in Redis) names them; returns the recipient's id."""
    who = (await post(server, RECIPIENT, {"name": name}, token))["createRecipient"]["id"]
    gift = {"name": f"A quince jam for {name}", "recipientIds": [who]}
    await post(server, GIFT, {"input": gift}, token)
    await post(
        server, MEMORY, {"input": {"kind": "EPISODIC", "content": memory, "recipientIds": [who]}}, token
    )
    talk = (await post(server, CONVERSATION, {"input": {"purpose": "GIFT_SEARCH"}}, token))[
        "createConversation"
    ]
    await post(server, SLOTS, {"id": talk["id"], "slots": {"recipient": name}}, token)
    return who


async def _answer(server: LiveServer, query: str, token: str, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60) as http:
        payload = {"query": query, **body}
        return (
            await http.post(server.url, json=payload, headers={"authorization": f"Bearer {token}"})
        ).json()


def _code(answer: dict[str, Any]) -> str:
    assert answer.get("errors"), answer
    return str(answer["errors"][0]["extensions"]["code"])


def _state(server: LiveServer) -> Any:
    """The running app's lifespan state: its stores, as the server holds them."""
    return server.server.lifespan.state  # type: ignore[attr-defined]


async def test_delete_account_erases_the_user_from_every_store_and_leaves_the_other_untouched(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    own = live_settings(
        settings,
        redis_url=redis_url,
        data_dir=tmp_path,
        ws_credential_check_seconds=1.0,
        erasure_batch_size=7,  # several batches even for this small account
    )
    with LiveServer(own) as server:
        token = await sign_up(server, "forget-ann@example.com")
        other = await sign_up(server, "forget-bob@example.com")
        uid, other_uid = await _uid(server, token), await _uid(server, other)
        ann_friend = await _rich_account(server, token, SECRET_NAME, SECRET_MEMORY)
        await _rich_account(server, other, "Bartholomew", "Bob's own memory of the harbour at dawn")
        pdf = pdf_of(SECRET_PAGE, "A second page")
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
            made = (
                await upload(http, token, ann_friend, "PROFILE", "ledger.pdf", pdf, "application/pdf")
            ).json()
        document_id = made["data"]["uploadDocument"]["id"]
        key = (await post(server, CREATE_KEY, {"name": "laptop", "days": None}, token))["createApiKey"]["key"]
        assert "me" in (await _answer(server, ME, key))["data"]  # its record now cached in Redis
        query = "{ me { email } }"
        digest = hashlib.sha256(query.encode()).hexdigest()
        persisted = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
        assert "errors" not in await _answer(server, query, token, **persisted)
        await until(lambda: _no_work_left(graph))
        assert (await post(server, DOCUMENT, {"id": document_id}, token))["node"]["status"] == "READY"
        assert (await post(server, SEARCH, None, token))["search"]  # the vectors exist
        assert (await post(server, SEARCH, None, other))["search"]
        shards = _state(server)["vectors"]._shards
        points_before = await asyncio.to_thread(vector_points, shards)
        assert any(uid in point for point in points_before)  # the scan does see the user's points
        assert SECRET_MEMORY in await neo4j_text(graph) and uid in await redis_text(redis_url)
        assert SECRET_NAME in await redis_text(redis_url)  # the scan sees the working memory kept hot
        other_before = await neo4j_dump(graph, other_uid)
        other_points = [point for point in points_before if other_uid in point]
        blobs_before = files(own.blobs_dir)
        assert any(content == pdf for content in blobs_before.values())
        ws = await Socket.open(server, token)
        await ws.subscribe("1", since=0)

        assert (await post(server, DELETE, {"password": PASSWORD}, token))["deleteAccount"] is True

        # At once: the token and the key are refused, and the subscription is ended with the code.
        assert _code(await _answer(server, ME, token)) == "UNAUTHENTICATED"
        assert _code(await _answer(server, ME, key)) == "UNAUTHENTICATED"
        ended = await ws.receive(within=WAIT)
        heard = [ended]
        while ended["type"] == "next" and "errors" not in ended["payload"]:  # what the log held before
            ended = await ws.receive(within=WAIT)
            heard.append(ended)
        # Ended by the credential check (an `error`), or by the stream itself when a delta reached it first
        # and its fields were refused (a `next` with errors, then `complete`): UNAUTHENTICATED either way.
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"].get("errors")
        assert ended["type"] in ("error", "next") and errors, heard[-3:]
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", heard[-3:]
        await ws.close()

        await until(lambda: _user_gone(graph, uid))
        await until(lambda: _no_work_left(graph))
        # Used again after the erasure: still refused, and they leave nothing of the user behind.
        assert _code(await _answer(server, ME, token)) == "UNAUTHENTICATED"
        assert _code(await _answer(server, ME, key)) == "UNAUTHENTICATED"
        points_after = await asyncio.to_thread(vector_points, shards)
        stored = {
            "neo4j": await neo4j_text(graph),
            "redis": await redis_text(redis_url),
            "vectors": "\n".join(points_after),
        }
        assert await neo4j_dump(graph, other_uid) == other_before
        assert [point for point in points_after if other_uid in point] == other_points
    blobs_after = files(own.blobs_dir)
    stored["blobs"] = "\n".join(blobs_after)
    for name, text in stored.items():
        for needle in (uid, "forget-ann@example.com", SECRET_MEMORY, SECRET_NAME, SECRET_PAGE, "Plinthwood"):
            assert needle not in text, f"{name} still holds {needle!r}"
    assert not any(pdf == content or SECRET_PAGE.encode() in content for content in blobs_after.values())
    assert {path: content for path, content in blobs_before.items() if path.startswith(other_uid)} == {
        path: content for path, content in blobs_after.items() if path.startswith(other_uid)
    }


async def test_delete_account_refuses_an_api_key_and_a_wrong_password_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("forget-refused@example.com", PASSWORD)
    key = (await client.data(CREATE_KEY, {"name": "k", "days": None}, token=token))["createApiKey"]["key"]
    await client.data(ME, token=key)  # its first use is recorded (last_used_at): before the snapshot
    before = await neo4j_text(graph)
    refused = await client.error(DELETE, {"password": PASSWORD}, token=key)
    assert refused["extensions"]["code"] == "FORBIDDEN"
    wrong = await client.error(DELETE, {"password": "not the password at all"}, token=token)
    assert wrong["extensions"]["code"] == "BAD_USER_INPUT" and wrong["extensions"]["field"] == "password"
    anonymous = await client.error(DELETE, {"password": PASSWORD})
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    assert await neo4j_text(graph) == before  # nothing changed, the account still works
    assert (await client.data(ME, token=token))["me"]["email"] == "forget-refused@example.com"


async def test_a_second_delete_account_is_refused_as_its_token_no_longer_holds(client: GraphQLClient) -> None:
    token = await client.sign_up("forget-twice@example.com", PASSWORD)
    other = await client.sign_up("forget-stays@example.com", PASSWORD)
    assert (await client.data(DELETE, {"password": PASSWORD}, token=token))["deleteAccount"] is True
    again = await client.error(DELETE, {"password": PASSWORD}, token=token)
    assert again["extensions"]["code"] == "UNAUTHENTICATED"
    relogged = await client.error(
        "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }",
        {"e": "forget-twice@example.com", "p": PASSWORD},
    )
    assert relogged["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    # The other user's account goes on.
    assert (await client.data(ME, token=other))["me"]["email"] == "forget-stays@example.com"


async def test_delete_account_drops_the_data_key_at_once_so_no_copy_of_a_sealed_note_opens(
    client: GraphQLClient, graph: Graph
) -> None:
    """Crypto-shredding: the sealed notes still in the graph (the eraser has not run here), and those in
    any backup, cannot be opened once the account is deleted, because its data key is gone."""
    token = await client.sign_up("forget-sealed@example.com", PASSWORD)
    note = secret()
    await conflict(client, token, note)
    uid = await owner_of(graph, "forget-sealed@example.com")
    query = "MATCH (u:User {uid: $uid}) RETURN u.data_key AS key, u.status AS status"
    async with graph.driver.session() as session:
        assert (await (await session.run(query, uid=uid)).single(strict=True))["key"] is not None
    assert (await client.data(DELETE, {"password": PASSWORD}, token=token))["deleteAccount"] is True
    async with graph.driver.session() as session:
        user = (await (await session.run(query, uid=uid)).single(strict=True)).data()
        sealed = "MATCH (c:Conflict {owner: $uid}) RETURN c.private_note AS note"
        stored = (await (await session.run(sealed, uid=uid)).single(strict=True))["note"]
    assert user == {"key": None, "status": "erasing"}
    assert stored and note not in stored  # still there, sealed, with nothing left that opens it


@pytest.fixture(autouse=True)
def _no_leftover_servers() -> None:
    """LiveServer refuses two dispatching servers with different pub/subs at once: none runs here."""
    assert not LiveServer.dispatching
