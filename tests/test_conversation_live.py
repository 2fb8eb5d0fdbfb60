"""A conversation's messages live: in order of position and each once (appended concurrently too),
resumed from a position with none lost or repeated across the seam, heard on one instance when appended
on another through a real Redis, ended when the conversation is deleted, refused for bad input, and
never reaching another user."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graph import documents
from graph.driver import Graph
from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up
from tests.test_conversations import RECORDING
from tests.test_documents import upload
from tests.test_kinds import _uid

MESSAGES = """subscription ($id: ID!, $after: Int) { conversationMessages(conversationId: $id, after: $after) {
  id seq role text supersedes { id text } supersededBy { id } conversation { id } } }"""
HEARD = """subscription ($id: ID!) { conversationMessages(conversationId: $id) {
  id seq text transcribed } }"""
CREATE = """mutation ($title: String!) {
  createConversation(input: {purpose: COMPANION, title: $title}) { id } }"""
APPEND = """mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id seq } }"""
DELETE = "mutation ($id: ID!) { deleteConversation(id: $id) { deletedCount } }"
CREATE_RECIPIENT = 'mutation { createRecipient(input: {name: "Mo", relationship: {kind: FRIEND}}) { id } }'


@pytest.fixture(scope="module")
def pair(settings: Settings, redis_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two instances on one Neo4j, their subscribers fed through one real redis-server."""
    shared = live_settings(settings, redis_url=redis_url)
    with live_only(), LiveServer(shared) as one, LiveServer(shared) as two:
        yield one, two


async def _conversation(server: LiveServer, token: str, title: str = "Chat") -> str:
    return str((await post(server, CREATE, {"title": title}, token))["createConversation"]["id"])


async def _say(server: LiveServer, token: str, conversation: str, text: str, **more: Any) -> dict[str, Any]:
    given = {"conversationId": conversation, "role": "USER", "text": text, **more}
    return dict((await post(server, APPEND, {"input": given}, token))["appendMessage"])


async def _messages(ws: Socket, count: int, within: float = 30) -> list[dict[str, Any]]:
    return [(await ws.next(within))["conversationMessages"] for _ in range(count)]


async def _error(ws: Socket, within: float = 30) -> dict[str, Any]:
    """The error that ends a subscription (sent as `error`, or as a `next` carrying errors)."""
    message = await ws.receive(within)
    assert message["type"] in ("next", "error"), message
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert len(errors) == 1, errors
    return dict(errors[0])


async def _over(ws: Socket) -> None:
    """Nothing more comes of the subscription: at most its `complete`."""
    while (more := await ws.quiet(1.0)) is not None:
        assert more["type"] == "complete", more


async def test_concurrent_appends_arrive_in_order_of_position_each_once(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, _ = pair
    token = await sign_up(one, "conv-live-order@example.com")
    conversation = await _conversation(one, token)
    ws = await Socket.open(one, token)
    await ws.subscribe("1", MESSAGES, id=conversation)  # from now on
    await asyncio.sleep(0.5)  # subscribed before the first append
    texts = [f"turn {i}" for i in range(20)]
    await asyncio.gather(*(_say(one, token, conversation, text) for text in texts))
    got = await _messages(ws, 20)
    assert [m["seq"] for m in got] == list(range(1, 21))
    assert sorted(m["text"] for m in got) == sorted(texts)
    assert {m["conversation"]["id"] for m in got} == {conversation}
    assert await ws.silent(1.5)  # none twice
    await ws.close()


async def test_resuming_after_a_position_loses_none_and_repeats_none_while_appends_go_on(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    token = await sign_up(one, "conv-live-resume@example.com")
    conversation = await _conversation(one, token)
    for i in range(1, 6):
        await _say(one, token, conversation, f"before {i}")
    total = 45

    async def talk() -> None:  # appends keep coming, on the other instance, across every reconnect
        for i in range(6, total + 1):
            await _say(two, token, conversation, f"turn {i}")

    talking = asyncio.create_task(talk())
    heard: list[dict[str, Any]] = []
    last = 2  # the client has the first two
    while last < total:
        ws = await Socket.open(one, token)
        await ws.subscribe("1", MESSAGES, id=conversation, after=last)
        heard += await _messages(ws, min(4, total - last))  # a few, then the connection drops
        last = heard[-1]["seq"]
        await ws.close()
    await talking
    assert [m["seq"] for m in heard] == list(range(3, total + 1))
    assert [m["text"] for m in heard[:3]] == ["before 3", "before 4", "before 5"]
    assert heard[-1]["text"] == f"turn {total}"


async def test_a_subscriber_on_one_instance_hears_what_is_appended_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    token = await sign_up(one, "conv-live-pair@example.com")
    conversation = await _conversation(one, token)
    first = await _say(two, token, conversation, "hello")
    ws = await Socket.open(two, token)
    await ws.subscribe("1", MESSAGES, id=conversation, after=0)
    (replayed,) = await _messages(ws, 1)
    assert replayed["id"] == first["id"] and replayed["seq"] == 1
    said = await _say(one, token, conversation, "across")
    edit = await _say(one, token, conversation, "across!", supersedes=said["id"])
    got = await _messages(ws, 2)
    # The edit is a message of its own, at its own position; the one it replaced still arrived as sent.
    assert [(m["seq"], m["text"]) for m in got] == [(2, "across"), (3, "across!")]
    assert got[1]["id"] == edit["id"] and got[1]["supersededBy"] is None
    assert got[1]["supersedes"] == {"id": said["id"], "text": "across"}  # the one it replaces, on screen
    assert got[0]["supersedes"] is None
    await ws.close()


async def test_another_user_cannot_subscribe_to_a_conversation_and_never_hears_its_messages(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    ann = await sign_up(one, "conv-live-ann@example.com")
    eve = await sign_up(one, "conv-live-eve@example.com")
    annes = await _conversation(one, ann, "Private")
    eves = await _conversation(one, eve, "Eve's own")
    prying = await Socket.open(two, eve)
    await prying.subscribe("1", MESSAGES, id=annes, after=0)
    error = await _error(prying)
    assert error["extensions"]["code"] == "NOT_FOUND"
    await prying.subscribe("2", MESSAGES, id=eves)  # her own, on the same socket
    await _say(one, ann, annes, "a secret")
    await _over(prying)  # neither subscription hears anything of Ann's
    await _say(one, eve, eves, "mine")
    (own,) = await _messages(prying, 1)
    assert own["text"] == "mine"
    assert await prying.silent(1.0)
    await prying.close()


@pytest.mark.parametrize(
    ("after", "field"), [(-1, "after"), (3, "after")], ids=["negative", "beyond-the-newest"]
)
async def test_an_after_out_of_range_is_bad_user_input(
    pair: tuple[LiveServer, LiveServer], after: int, field: str
) -> None:
    one, _ = pair
    token = await sign_up(one, f"conv-live-range{after}@example.com")
    conversation = await _conversation(one, token)
    await _say(one, token, conversation, "only one")
    await _say(one, token, conversation, "and two")
    ws = await Socket.open(one, token)
    await ws.subscribe("1", MESSAGES, id=conversation, after=after)
    error = await _error(ws)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    await ws.close()


async def test_an_id_of_another_kind_or_of_no_conversation_is_refused(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, _ = pair
    token = await sign_up(one, "conv-live-kind@example.com")
    recipient = (await post(one, CREATE_RECIPIENT, token=token))["createRecipient"]["id"]
    ws = await Socket.open(one, token)
    await ws.subscribe("1", MESSAGES, id=recipient)
    refused = (await _error(ws))["extensions"]
    assert (refused["code"], refused["field"]) == ("BAD_USER_INPUT", "conversationId")
    await _over(ws)
    gone = await _conversation(one, token, "Gone")
    await post(one, DELETE, {"id": gone}, token)
    await ws.subscribe("2", MESSAGES, id=gone)
    assert (await _error(ws))["extensions"]["code"] == "NOT_FOUND"
    await ws.close()


async def test_deleting_the_conversation_ends_its_subscription_with_not_found(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    token = await sign_up(one, "conv-live-delete@example.com")
    conversation = await _conversation(one, token)
    ws = await Socket.open(one, token)
    await ws.subscribe("1", MESSAGES, id=conversation)
    await asyncio.sleep(0.5)
    await _say(two, token, conversation, "last words")
    (said,) = await _messages(ws, 1)
    await post(two, DELETE, {"id": conversation}, token)
    error = await _error(ws)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["lastSeq"] == said["seq"] == 1
    await _over(ws)
    await ws.close()


async def test_a_voice_note_comes_again_once_its_transcript_is_its_text(
    pair: tuple[LiveServer, LiveServer], graph: Graph
) -> None:
    """A voice note is sent as it is appended (its text waiting), and once more when the transcript
    becomes its text: a chat screen shows what was said without a second subscription."""
    one, two = pair
    token = await sign_up(one, "conv-live-voice@example.com")
    conversation = await _conversation(one, token)
    async with httpx.AsyncClient(base_url=one.base, timeout=120) as http:
        answer = await upload(
            http, token, conversation, "VOICE_NOTE", "note.flac", RECORDING.read_bytes(), "audio/flac"
        )
    voice = answer.json()["data"]["uploadDocument"]["id"]
    ws = await Socket.open(one, token)
    await ws.subscribe("1", HEARD, id=conversation)
    await asyncio.sleep(0.5)
    note = {"conversationId": conversation, "role": "USER", "attachmentIds": [voice]}
    said = (await post(two, APPEND, {"input": note}, token))["appendMessage"]
    (waiting,) = await _messages(ws, 1)
    assert (waiting["id"], waiting["seq"], waiting["text"], waiting["transcribed"]) == (
        said["id"],
        1,
        "",
        False,
    )

    # The documents consumer's two writes (these apps run only the live one), as it makes them.
    me = (await post(one, "{ me { id } }", None, token))["me"]["id"]
    owner, document = _uid(me), _uid(voice)
    chunk = {"uid": f"{document}:0", "index": 0, "text": "Let us talk on Sunday.", "start_seconds": 0.0,
             "end_seconds": 2.0}  # fmt: skip
    await graph.write(documents.replace_chunks, owner=owner, uid=document, chunks=[chunk])
    await graph.write(
        documents.transcribed, owner=owner, uid=document, transcript="Let us talk on Sunday.", values={}
    )
    (heard,) = await _messages(ws, 1)
    assert (heard["id"], heard["seq"], heard["text"], heard["transcribed"]) == (
        said["id"],
        1,
        "Let us talk on Sunday.",
        True,
    )
    await _say(two, token, conversation, "See you then")
    (after,) = await _messages(ws, 1)
    assert (after["seq"], after["text"]) == (2, "See you then")  # and the voice note not a third time
    assert await ws.silent(1.5)
    await ws.close()
