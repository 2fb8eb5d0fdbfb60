"""A conversation's working memory: its last turns and the slots an agent fills, kept hot (in Redis, or in
process without it) with a time to live, written and read through the API, rebuilt from the graph once
it has expired, kept to its owner, dropped with its conversation and with an erased account."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import running
from tests.test_conversations import _conversation, _count, _say
from tests.test_kinds import _uid

TTL = 2.0  # seconds: the short time to live of the expiry tests
TURNS = 3  # the turns those tests keep

MEMORY = """query ($id: ID!) { node(id: $id) { ... on Conversation {
  workingMemory { turns { id seq text } slots expiresAt rebuilt } } } }"""
SET = """mutation ($id: ID!, $slots: JSON!, $merge: Boolean) {
  setWorkingMemorySlots(conversationId: $id, slots: $slots, merge: $merge) {
    turns { id text } slots expiresAt rebuilt } }"""
CLEAR = """mutation ($id: ID!) { clearWorkingMemory(conversationId: $id) { turns { text } slots rebuilt } }"""
DELETE = "mutation ($id: ID!) { deleteConversation(id: $id) { deletedCount } }"
DELETE_ACCOUNT = "mutation ($password: String!) { deleteAccount(password: $password) }"
ME = "{ me { id } }"


class Backend:
    """A client of an app keeping working memory in Redis (redis_url set) or in process (None)."""

    def __init__(self, client: GraphQLClient, redis_url: str | None) -> None:
        self.client, self.redis_url = client, redis_url

    async def keys(self, owner: str) -> dict[str, Any]:
        """The working memory Redis holds for this owner: key -> (value, milliseconds left)."""
        assert self.redis_url is not None
        redis = Redis.from_url(self.redis_url)
        try:
            found = {}
            async for key in redis.scan_iter(match=f"kindred:wm:user:{owner}:*"):
                found[key.decode()] = (json.loads(await redis.get(key)), await redis.pttl(key))
            return found
        finally:
            await redis.aclose()


@pytest.fixture(scope="module", params=["in process", "redis"])
async def backend(
    request: pytest.FixtureRequest, settings: Settings, graph: Graph, redis_url: str
) -> AsyncIterator[Backend]:
    used = redis_url if request.param == "redis" else None
    async with running(settings.model_copy(update={"redis_url": used}), graph) as client:
        yield Backend(client, used)


@pytest.fixture(scope="module", params=["in process", "redis"])
async def short_lived(
    request: pytest.FixtureRequest, settings: Settings, graph: Graph, redis_url: str
) -> AsyncIterator[Backend]:
    """An app whose working memory lives TTL seconds and holds TURNS turns."""
    used = redis_url if request.param == "redis" else None
    own = {"redis_url": used, "working_memory_ttl_seconds": TTL, "working_memory_turns": TURNS}
    async with running(settings.model_copy(update=own), graph) as client:
        yield Backend(client, used)


async def _memory(client: GraphQLClient, token: str, conversation: str) -> dict[str, Any]:
    found = await client.data(MEMORY, {"id": conversation}, token=token)
    return dict(found["node"]["workingMemory"])


async def _set(
    client: GraphQLClient, token: str, conversation: str, slots: Any, merge: bool | None = None
) -> dict[str, Any]:
    given = {"id": conversation, "slots": slots} | ({} if merge is None else {"merge": merge})
    answer = await client.data(SET, given, token=token)
    return dict(answer["setWorkingMemorySlots"])


async def _owner(client: GraphQLClient, token: str) -> str:
    return _uid((await client.data(ME, token=token))["me"]["id"])


def _seconds_left(expires_at: str) -> float:
    return (datetime.fromisoformat(expires_at) - datetime.now(UTC)).total_seconds()


async def test_slots_written_are_read_back_with_the_last_turns_in_order(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-slots@example.com")
    conversation = (await _conversation(client, token, "Gift for Lea"))["id"]
    said = [(await _say(client, token, conversation, text))["id"] for text in ("Hi", "A gift?", "For Lea")]

    written = await _set(client, token, conversation, {"budget": 5000, "recipient": {"name": "Lea"}})
    assert written["slots"] == {"budget": 5000, "recipient": {"name": "Lea"}}
    assert 3500 < _seconds_left(written["expiresAt"]) <= 3600  # the default time to live
    read = await _memory(client, token, conversation)
    assert read["slots"] == {"budget": 5000, "recipient": {"name": "Lea"}}
    assert [turn["id"] for turn in read["turns"]] == said
    assert [turn["text"] for turn in read["turns"]] == ["Hi", "A gift?", "For Lea"]
    assert read["rebuilt"] is False and read["expiresAt"] == written["expiresAt"]

    # Merged: a slot given null goes, the others stay; or replaced whole.
    merged = await _set(client, token, conversation, {"budget": None, "tone": "warm"})
    assert merged["slots"] == {"recipient": {"name": "Lea"}, "tone": "warm"}
    replaced = await _set(client, token, conversation, {"step": 2}, merge=False)
    assert replaced["slots"] == {"step": 2}
    assert (await _memory(client, token, conversation))["slots"] == {"step": 2}

    cleared = (await client.data(CLEAR, {"id": conversation}, token=token))["clearWorkingMemory"]
    assert cleared["slots"] == {} and [turn["text"] for turn in cleared["turns"]] == [
        "Hi",
        "A gift?",
        "For Lea",
    ]
    assert (await _memory(client, token, conversation))["slots"] == {}


async def test_a_new_conversation_has_an_empty_working_memory_built_from_the_graph(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-new@example.com")
    conversation = (await _conversation(client, token, "Fresh"))["id"]
    first = await _memory(client, token, conversation)
    assert first["turns"] == [] and first["slots"] == {} and first["rebuilt"] is True
    again = await _memory(client, token, conversation)
    assert again["rebuilt"] is False  # kept hot by the first read


@pytest.mark.parametrize("backend", ["redis"], indirect=True)  # what is kept in process is not seen
async def test_the_hot_copy_lives_in_redis_under_the_owner_with_its_ttl(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-redis@example.com")
    owner = await _owner(client, token)
    conversation = (await _conversation(client, token, "Kept in Redis"))["id"]
    await _set(client, token, conversation, {"occasion": "birthday"})
    kept = await backend.keys(owner)
    assert list(kept) == [f"kindred:wm:user:{owner}:conversation:{_uid(conversation)}"]
    value, left = next(iter(kept.values()))
    assert value["slots"] == {"occasion": "birthday"} and 3_500_000 < left <= 3_600_000

    # An appended message is pushed into the hot copy (not only read again from the graph later), and
    # each write starts the time to live again.
    message = await _say(client, token, conversation, "She loves tea")
    value, _left = next(iter((await backend.keys(owner)).values()))
    assert [uid for _seq, uid in value["turns"]] == [_uid(message["id"])]
    assert "She loves tea" not in json.dumps(value)  # the hot copy names messages, never holds their text


async def test_an_appended_message_appears_in_the_turns_and_an_edit_replaces_its_original(
    backend: Backend,
) -> None:
    client = backend.client
    token = await client.sign_up("wm-append@example.com")
    conversation = (await _conversation(client, token, "Plans"))["id"]
    await _say(client, token, conversation, "Dinner on Friday?")
    before = await _memory(client, token, conversation)  # hot from here on
    assert [turn["text"] for turn in before["turns"]] == ["Dinner on Friday?"]

    typo = await _say(client, token, conversation, "At 8 at the Thia place")
    after = await _memory(client, token, conversation)
    assert [turn["text"] for turn in after["turns"]] == ["Dinner on Friday?", "At 8 at the Thia place"]
    assert after["rebuilt"] is False
    await _say(client, token, conversation, "At 8 at the Thai place", supersedes=typo["id"])
    edited = await _memory(client, token, conversation)
    assert [turn["text"] for turn in edited["turns"]] == ["Dinner on Friday?", "At 8 at the Thai place"]
    assert edited["rebuilt"] is False


async def test_many_appends_at_once_leave_the_turns_right(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-race@example.com")
    conversation = (await _conversation(client, token, "Busy"))["id"]
    await _memory(client, token, conversation)  # a hot copy, which racing appends update or leave behind
    await asyncio.gather(*(_say(client, token, conversation, f"Message {i}") for i in range(8)))
    turns = (await _memory(client, token, conversation))["turns"]
    assert [turn["seq"] for turn in turns] == list(range(1, 9))


async def test_an_expired_working_memory_is_rebuilt_from_the_graph(short_lived: Backend) -> None:
    client = short_lived.client
    token = await client.sign_up("wm-expiry@example.com")
    owner = await _owner(client, token)
    conversation = (await _conversation(client, token, "Long chat"))["id"]
    for i in range(1, 6):
        await _say(client, token, conversation, f"Turn {i}")
    written = await _set(client, token, conversation, {"budget": 3000})
    assert [turn["text"] for turn in written["turns"]] == ["Turn 3", "Turn 4", "Turn 5"]  # the last TURNS
    assert _seconds_left(written["expiresAt"]) <= TTL

    await asyncio.sleep(TTL + 0.5)
    if short_lived.redis_url is not None:
        assert await short_lived.keys(owner) == {}  # Redis let it expire
    started = time.monotonic()
    rebuilt = await _memory(client, token, conversation)
    assert rebuilt["rebuilt"] is True
    assert [turn["text"] for turn in rebuilt["turns"]] == ["Turn 3", "Turn 4", "Turn 5"]
    assert rebuilt["slots"] == {"budget": 3000}  # kept on the conversation, so restored
    assert 0 < _seconds_left(rebuilt["expiresAt"]) <= TTL
    if time.monotonic() - started < TTL / 2:  # read again while surely still hot (a loaded machine is slow)
        assert (await _memory(client, token, conversation))["rebuilt"] is False


async def test_another_user_can_neither_read_nor_write_a_working_memory(
    backend: Backend, graph: Graph
) -> None:
    client = backend.client
    ann = await client.sign_up("wm-ann@example.com")
    bob = await client.sign_up("wm-bob@example.com")
    conversation = (await _conversation(client, ann, "Ann's"))["id"]
    await _say(client, ann, conversation, "Only mine")
    await _set(client, ann, conversation, {"secret": "surprise party"})
    graph_before = await _count(graph)

    assert (await client.data(MEMORY, {"id": conversation}, token=bob))["node"] is None
    refused = await client.error(SET, {"id": conversation, "slots": {"secret": "spoiled"}}, token=bob)
    assert refused["extensions"]["code"] == "NOT_FOUND"
    cleared = await client.error(CLEAR, {"id": conversation}, token=bob)
    assert cleared["extensions"]["code"] == "NOT_FOUND"

    assert await _count(graph) == graph_before
    kept = await _memory(client, ann, conversation)
    assert kept["slots"] == {"secret": "surprise party"} and [t["text"] for t in kept["turns"]] == [
        "Only mine"
    ]


@pytest.mark.parametrize(
    ("slots", "merge"),
    [
        ([1, 2], True),  # not an object
        ("text", True),
        ({f"slot{i}": i for i in range(51)}, True),  # too many
        ({f"more{i}": i for i in range(30)}, True),  # too many with the 30 kept
        ({"big": "x" * (64 * 1024)}, False),  # too large
        ({"": 1}, True),  # a slot with no name
        ({"deep": json.loads("[" * 30 + "]" * 30)}, True),  # nested too deeply
    ],
)
async def test_bad_slots_are_refused_and_nothing_is_written(
    backend: Backend, graph: Graph, slots: Any, merge: bool
) -> None:
    client = backend.client
    token = await client.sign_up("wm-bad@example.com")
    conversation = (await _conversation(client, token, "Checked"))["id"]
    kept = {f"kept{i}": i for i in range(30)}
    await _set(client, token, conversation, kept)
    before = await _memory(client, token, conversation)
    graph_before = await _count(graph)

    refused = await client.error(SET, {"id": conversation, "slots": slots, "merge": merge}, token=token)
    assert refused["extensions"]["code"] == "BAD_USER_INPUT", refused

    assert await _count(graph) == graph_before  # no event, nothing else
    after = await _memory(client, token, conversation)
    assert after["slots"] == kept and after["expiresAt"] == before["expiresAt"]


async def test_slots_of_what_is_not_a_conversation_are_refused(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-wrong-id@example.com")
    made = await client.data(
        'mutation { createRecipient(input: {name: "Lea", relationship: {kind: FRIEND}}) { id } }', token=token
    )
    refused = await client.error(SET, {"id": made["createRecipient"]["id"], "slots": {}}, token=token)
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert refused["extensions"]["field"] == "conversationId"


async def test_deleting_a_conversation_drops_its_working_memory(backend: Backend) -> None:
    client = backend.client
    token = await client.sign_up("wm-delete@example.com")
    owner = await _owner(client, token)
    conversation = (await _conversation(client, token, "Short-lived"))["id"]
    await _say(client, token, conversation, "Soon gone")
    await _set(client, token, conversation, {"note": "gone with it"})
    if backend.redis_url is not None:
        assert len(await backend.keys(owner)) == 1

    assert (await client.data(DELETE, {"id": conversation}, token=token))["deleteConversation"][
        "deletedCount"
    ] == 2

    assert (await client.data(MEMORY, {"id": conversation}, token=token))["node"] is None
    refused = await client.error(SET, {"id": conversation, "slots": {"note": "back?"}}, token=token)
    assert refused["extensions"]["code"] == "NOT_FOUND"
    if backend.redis_url is not None:
        assert await backend.keys(owner) == {}


async def test_an_erased_account_leaves_no_working_memory_in_redis(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    # Its eraser deletes vectors: a data folder of its own, as a second instance has (the suite's app
    # holds the shared folder's vector store open, and an embedded store is one process's at a time).
    own = {
        "redis_url": redis_url,
        "dispatch": True,
        "dispatch_poll_seconds": 0.3,
        "schedule": False,
        "data_dir": tmp_path,
    }
    async with running(settings.model_copy(update=own), graph) as client:
        backend = Backend(client, redis_url)
        token = await client.sign_up("wm-erased@example.com")
        owner = await _owner(client, token)
        for title in ("First", "Second"):
            conversation = (await _conversation(client, token, title))["id"]
            await _say(client, token, conversation, "Remember this")
            await _set(client, token, conversation, {"plan": title})
        assert len(await backend.keys(owner)) == 2

        assert (await client.data(DELETE_ACCOUNT, {"password": "correct horse battery"}, token=token))[
            "deleteAccount"
        ] is True

        deadline = time.monotonic() + 120
        while await backend.keys(owner) or await _user_exists(graph, owner):
            assert time.monotonic() < deadline, "the account was not erased in time"
            await asyncio.sleep(0.2)


async def _user_exists(graph: Graph, uid: str) -> bool:
    async with graph.driver.session() as session:
        record = await (
            await session.run("RETURN EXISTS { MATCH (u:User {uid: $uid}) } AS there", uid=uid)
        ).single()
        return bool(record and record["there"])


LIST = """{ conversations(first: 50) { nodes { title
  workingMemory { turns { text } slots rebuilt } } } }"""


@pytest.mark.parametrize("count", [2, 8])
async def test_a_list_of_working_memories_costs_the_same_round_trips_however_long(
    backend: Backend, graph: Graph, count: int
) -> None:
    client = backend.client
    token = await client.sign_up(f"wm-list-{count}@example.com")
    for i in range(count):
        conversation = (await _conversation(client, token, f"Chat {i}"))["id"]
        await _say(client, token, conversation, f"Hello {i}")
    trips = []
    for rebuilt in (True, False):  # built from the graph, then hot
        before = graph.transactions
        listed = (await client.data(LIST, token=token))["conversations"]["nodes"]
        trips.append(graph.transactions - before)
        assert len(listed) == count
        for node in listed:
            memory = node["workingMemory"]
            assert memory["rebuilt"] is rebuilt
            assert [turn["text"] for turn in memory["turns"]] == [f"Hello {node['title'].split()[1]}"]
    # The page; then, built from the graph, every working memory of the page read at once; and every turn
    # of them at once: never one read per conversation.
    assert trips == [3, 2], trips
