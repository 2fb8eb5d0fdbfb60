"""Conversations and their messages: started about someone with whom they are, the gift agent's session
and the mediator's counts as views of them, messages appended in order (concurrently too), immutable and
edited by superseding, refused when closed, deleted with their conversation, searched, read for the
names they mention, sent as deltas, voice notes that wait for their transcript, and kept to their owner."""

import asyncio
from pathlib import Path
from typing import Any

from graph import changes, conversations, documents
from graph.driver import Graph
from tests import test_search
from tests.client import GraphQLClient
from tests.test_documents import PNG, upload
from tests.test_kinds import SCHEMA, _uid
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher

CONVERSATION_FIELDS = """id purpose title status startedAt endedAt messageCount
  giftSession { platform budgetCents urgency emotionalContext outcome }
  about { __typename id } participants { nodes { name } }"""
CREATE = f"""mutation ($input: CreateConversationInput!) {{
  createConversation(input: $input) {{ {CONVERSATION_FIELDS} }} }}"""
UPDATE = f"""mutation ($input: UpdateConversationInput!) {{
  updateConversation(input: $input) {{ {CONVERSATION_FIELDS} }} }}"""
DELETE = "mutation ($id: ID!) { deleteConversation(id: $id) { deletedId deletedCount } }"
APPEND = """mutation ($input: AppendMessageInput!) { appendMessage(input: $input) {
  id seq role text sentiment emotions sentAt conversation { id } recipient { name }
  attachments { nodes { id } } supersedes { id } supersededBy { id } } }"""
MESSAGES = """query ($id: ID!, $all: Boolean, $first: Int, $after: String) { node(id: $id) {
  ... on Conversation { messageCount messages(includeSuperseded: $all, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id seq text supersededBy { id } } } } } }"""
LIST = """query ($f: ConversationFilter) { conversations(filter: $f) { totalCount nodes { title } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"


async def _conversation(client: GraphQLClient, token: str, title: str, **given: Any) -> dict[str, Any]:
    values = {"purpose": "COMPANION", "title": title, **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createConversation"]


async def _say(
    client: GraphQLClient, token: str, conversation: str, text: str, **given: Any
) -> dict[str, Any]:
    values = {"conversationId": conversation, "role": "USER", "text": text, **given}
    return (await client.data(APPEND, {"input": values}, token=token))["appendMessage"]


async def _count(graph: Graph) -> tuple[int, int]:
    """How many nodes (events included) and relationships the graph holds."""
    async with graph.driver.session() as session:
        record = await (
            await session.run(
                "MATCH (n) WHERE NOT n:Migration RETURN count(n) AS nodes, COUNT { ()-[]->() } AS relationships"
            )
        ).single()
    return record["nodes"], record["relationships"]


async def _photo(client: GraphQLClient, token: str) -> str:
    """A document of the viewer's: a photo kept for a memory."""
    memory = await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Beach day"}}, token=token)
    made = await upload(
        client.http, token, memory["createMemory"]["id"], "PHOTO", "beach.png", PNG, "image/png"
    )
    return str(made.json()["data"]["uploadDocument"]["id"])


async def test_a_conversation_is_about_someone_with_participants_and_its_gift_session_is_a_view_of_it(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("conversation@example.com")
    lea = await create_recipient(client, token, "Lea")
    sam = await create_recipient(client, token, "Sam")
    session = {"platform": "web", "budgetCents": 5000, "urgency": 7, "emotionalContext": "Say sorry"}
    made = await _conversation(
        client,
        token,
        "A gift for Lea",
        purpose="GIFT_SEARCH",
        aboutId=lea["id"],
        participantIds=[lea["id"]],
        giftSession=session,
    )
    assert made["purpose"] == "GIFT_SEARCH" and made["status"] == "OPEN" and made["endedAt"] is None
    assert made["startedAt"] and made["messageCount"] == 0 and made["title"] == "A gift for Lea"
    assert made["giftSession"] == {**session, "outcome": None}
    assert made["about"] == {"__typename": "Recipient", "id": lea["id"]}
    assert made["participants"]["nodes"] == [{"name": "Lea"}]
    rant = await _conversation(client, token, "About Sam", purpose="RANT", participantIds=[sam["id"]])
    assert rant["giftSession"] is None and rant["about"] is None

    # Only what is given of the session changes; null clears the whole session.
    outcome = {"id": made["id"], "giftSession": {"outcome": "COMPLETED", "urgency": None}}
    changed = (await client.data(UPDATE, {"input": outcome}, token=token))["updateConversation"]
    assert changed["giftSession"] == {**session, "urgency": None, "outcome": "COMPLETED"}
    assert changed["title"] == "A gift for Lea"

    # Closing sets its end; reopening clears it.
    closed = await client.data(UPDATE, {"input": {"id": made["id"], "status": "CLOSED"}}, token=token)
    assert closed["updateConversation"]["status"] == "CLOSED" and closed["updateConversation"]["endedAt"]
    reopened = await client.data(UPDATE, {"input": {"id": made["id"], "status": "OPEN"}}, token=token)
    assert reopened["updateConversation"]["endedAt"] is None
    cleared = await client.data(UPDATE, {"input": {"id": made["id"], "giftSession": None}}, token=token)
    assert cleared["updateConversation"]["giftSession"] is None

    async def titles(filter: dict[str, Any]) -> list[str]:
        found = await client.data(LIST, {"f": filter}, token=token)
        return [node["title"] for node in found["conversations"]["nodes"]]

    assert await titles({}) == ["About Sam", "A gift for Lea"]  # the latest first
    assert await titles({"purposes": ["GIFT_SEARCH"]}) == ["A gift for Lea"]
    assert await titles({"aboutId": lea["id"]}) == ["A gift for Lea"]
    assert await titles({"participantId": sam["id"]}) == ["About Sam"]
    await client.data(UPDATE, {"input": {"id": rant["id"], "status": "CLOSED"}}, token=token)
    assert await titles({"statuses": ["CLOSED"]}) == ["About Sam"]
    # The other ends reach it.
    reached = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { conversations { nodes { title } } } } }",
        {"id": lea["id"]},
        token=token,
    )
    assert reached["node"]["conversations"]["nodes"] == [{"title": "A gift for Lea"}]


async def test_concurrent_appends_get_distinct_gap_free_positions_and_read_in_order(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("order@example.com")
    talk = await _conversation(client, token, "Many voices")
    texts = [f"Turn number {i}" for i in range(20)]
    made = await asyncio.gather(*(_say(client, token, talk["id"], text) for text in texts))
    assert sorted(message["seq"] for message in made) == list(range(1, 21))
    by_seq = {message["seq"]: message["text"] for message in made}
    read = (await client.data(MESSAGES, {"id": talk["id"], "first": 50}, token=token))["node"]
    assert read["messageCount"] == 20 and read["messages"]["totalCount"] == 20
    assert [m["seq"] for m in read["messages"]["nodes"]] == list(range(1, 21))
    assert [m["text"] for m in read["messages"]["nodes"]] == [by_seq[seq] for seq in range(1, 21)]
    # Paged in order: the second page goes on where the first stopped.
    first = (await client.data(MESSAGES, {"id": talk["id"], "first": 8}, token=token))["node"]["messages"]
    assert first["pageInfo"]["hasNextPage"]
    after = {"id": talk["id"], "first": 50, "after": first["pageInfo"]["endCursor"]}
    rest = (await client.data(MESSAGES, after, token=token))["node"]["messages"]
    assert [m["seq"] for m in first["nodes"] + rest["nodes"]] == list(range(1, 21))
    # The next one after all of them is 21.
    assert (await _say(client, token, talk["id"], "And one more"))["seq"] == 21


async def test_a_message_never_changes_and_an_edit_supersedes_it(client: GraphQLClient, graph: Graph) -> None:
    assert not [name for name in SCHEMA.mutation_type.fields if "Message" in name and name != "appendMessage"]
    token = await client.sign_up("edit@example.com")
    talk = await _conversation(client, token, "Plans")
    hello = await _say(client, token, talk["id"], "Let us meet on Monday", sentiment=0.2, emotions=["hope"])
    assert hello["emotions"] == ["hope"] and hello["sentiment"] == 0.2 and hello["supersededBy"] is None
    other = await _say(client, token, talk["id"], "Bring the map")
    edit = await _say(client, token, talk["id"], "Let us meet on Tuesday", supersedes=hello["id"])
    assert edit["seq"] == 3 and edit["supersededBy"] is None
    assert edit["supersedes"] == {"id": hello["id"]} and other["supersedes"] is None
    read = (await client.data(MESSAGES, {"id": talk["id"]}, token=token))["node"]
    assert read["messageCount"] == 2
    assert [m["text"] for m in read["messages"]["nodes"]] == ["Bring the map", "Let us meet on Tuesday"]
    every = (await client.data(MESSAGES, {"id": talk["id"], "all": True}, token=token))["node"]["messages"]
    assert [(m["seq"], m["supersededBy"]) for m in every["nodes"]] == [
        (1, {"id": edit["id"]}),
        (2, None),
        (3, None),
    ]
    before = await _count(graph)
    # An old version is edited no more; a message of another conversation is not this one's to edit.
    again = await client.error(
        APPEND,
        {
            "input": {
                "conversationId": talk["id"],
                "role": "USER",
                "text": "Wednesday",
                "supersedes": hello["id"],
            }
        },
        token=token,
    )
    assert again["extensions"] == {"code": "BAD_USER_INPUT", "field": "supersedes"}
    elsewhere = await _conversation(client, token, "Elsewhere")
    before = await _count(graph)
    stray = await client.error(
        APPEND,
        {
            "input": {
                "conversationId": elsewhere["id"],
                "role": "USER",
                "text": "x",
                "supersedes": other["id"],
            }
        },
        token=token,
    )
    assert stray["extensions"]["code"] == "NOT_FOUND"
    assert await _count(graph) == before
    # A refused append used no position: the next one is still 4.
    assert (await _say(client, token, talk["id"], "See you"))["seq"] == 4


async def test_a_closed_conversation_refuses_messages_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("closed@example.com")
    talk = await _conversation(client, token, "Done talking")
    await _say(client, token, talk["id"], "Goodbye")
    await client.data(UPDATE, {"input": {"id": talk["id"], "status": "CLOSED"}}, token=token)
    before = await _count(graph)
    refused = await client.error(
        APPEND,
        {"input": {"conversationId": talk["id"], "role": "USER", "text": "One more thing"}},
        token=token,
    )
    assert refused["extensions"]["code"] == "CLOSED"
    assert await _count(graph) == before
    born_closed = await _conversation(client, token, "Imported", status="CLOSED")
    assert born_closed["status"] == "CLOSED" and born_closed["endedAt"]


async def test_deleting_a_conversation_deletes_its_messages(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("cascade-talk@example.com")
    lea = await create_recipient(client, token, "Lea")
    talk = await _conversation(client, token, "Short", aboutId=lea["id"])
    said = [await _say(client, token, talk["id"], f"Line {i}") for i in range(3)]
    await _say(client, token, talk["id"], "Line one", supersedes=said[1]["id"])
    deleted = await client.data(DELETE, {"id": talk["id"]}, token=token)
    assert deleted["deleteConversation"] == {"deletedId": talk["id"], "deletedCount": 5}
    for message in said:
        assert (await client.data(NODE, {"id": message["id"]}, token=token))["node"] is None
    assert (await client.data(NODE, {"id": lea["id"]}, token=token))["node"] == {"id": lea["id"]}
    async with graph.driver.session() as session:
        left = await (
            await session.run("MATCH (m:Message) WHERE m.text STARTS WITH 'Line' RETURN count(m) AS n")
        ).single()
    assert left["n"] == 0


async def test_bad_input_is_refused_with_its_field_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("bad-talk@example.com")
    lea = await create_recipient(client, token, "Lea")
    memory = await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "A walk"}}, token=token)
    talk = await _conversation(client, token, "Fine")
    photo = await _photo(client, token)
    before = await _count(graph)
    conversations = [
        ({"title": "x" * 81}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"startedAt": "2024-05-02T10:00:00Z", "endedAt": "2024-05-01T10:00:00Z"}, "endedAt"),
        ({"giftSession": {"budgetCents": -1}}, "budgetCents"),
        ({"giftSession": {"urgency": 11}}, "urgency"),
        ({"giftSession": {"platform": ""}}, "platform"),
        ({"aboutId": memory["createMemory"]["id"]}, "aboutId"),  # a memory is no subject of a conversation
        ({"participantIds": [talk["id"]]}, "participantIds"),
    ]
    for given, field in conversations:
        error = await client.error(CREATE, {"input": {"purpose": "OTHER", **given}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    for given, field in conversations[:6]:
        error = await client.error(UPDATE, {"input": {"id": talk["id"], **given}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    for field in ("purpose", "status", "startedAt"):
        error = await client.error(UPDATE, {"input": {"id": talk["id"], field: None}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    messages = [
        ({"sentiment": 1.5}, "sentiment"),
        ({"sentiment": -1.01}, "sentiment"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"emotions": ["joy"] * 21}, "emotions"),
        ({"emotions": [""]}, "emotions"),
        ({"recipientId": lea["id"]}, "recipientId"),  # a USER message is the viewer's own
        ({"conversationId": lea["id"]}, "conversationId"),
        ({"attachmentIds": [lea["id"]]}, "attachmentIds"),
        ({"supersedes": talk["id"]}, "supersedes"),
        ({"text": None}, "text"),  # no text and no voice note to take it from
        ({"text": None, "attachmentIds": [photo]}, "text"),  # a photo is no voice note
    ]
    for given, field in messages:
        values = {"conversationId": talk["id"], "role": "USER", "text": "Hello", **given}
        error = await client.error(APPEND, {"input": values}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    assert await _count(graph) == before


async def test_speakers_attachments_and_the_mediators_counts(client: GraphQLClient) -> None:
    token = await client.sign_up("mediation@example.com")
    lea = await create_recipient(client, token, "Lea")
    sam = await create_recipient(client, token, "Sam")
    photo = await _photo(client, token)
    talk = await _conversation(
        client, token, "Sunday", purpose="MEDIATION", participantIds=[lea["id"], sam["id"]]
    )
    await _say(client, token, talk["id"], "I felt left out", sentiment=-0.5)
    said = await _say(
        client,
        token,
        talk["id"],
        "That was not my plan",
        role="PARTICIPANT",
        recipientId=lea["id"],
        sentiment=0.1,
    )
    assert said["recipient"] == {"name": "Lea"}
    await _say(client, token, talk["id"], "Here is the photo", sentiment=0.5, attachmentIds=[photo])
    await _say(
        client, token, talk["id"], "Fine then", role="PARTICIPANT", recipientId=lea["id"], sentiment=0.3
    )
    await _say(client, token, talk["id"], "Noted.", role="ASSISTANT")
    view = await client.data(
        """query ($id: ID!) { node(id: $id) { ... on Conversation { mediation { speakers {
          recipient { name } messageCount averageSentiment sentimentTrend } } } } }""",
        {"id": talk["id"]},
        token=token,
    )
    speakers = view["node"]["mediation"]["speakers"]
    assert speakers[0] == {
        "recipient": None,
        "messageCount": 2,
        "averageSentiment": 0.0,
        "sentimentTrend": [-0.5, 0.5],
    }
    by_name = {s["recipient"]["name"]: s for s in speakers[1:]}
    assert by_name["Lea"]["messageCount"] == 2 and by_name["Lea"]["sentimentTrend"] == [0.1, 0.3]
    assert abs(by_name["Lea"]["averageSentiment"] - 0.2) < 1e-9
    assert by_name["Sam"] == {
        "recipient": {"name": "Sam"},
        "messageCount": 0,
        "averageSentiment": None,
        "sentimentTrend": [],
    }
    carried = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Document { messages { nodes { text attachments { nodes { id } } } } } } }",
        {"id": photo},
        token=token,
    )
    assert carried["node"]["messages"]["nodes"] == [
        {"text": "Here is the photo", "attachments": {"nodes": [{"id": photo}]}}
    ]
    theirs = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { messages { nodes { text } } } } }",
        {"id": lea["id"]},
        token=token,
    )
    assert sorted(m["text"] for m in theirs["node"]["messages"]["nodes"]) == [
        "Fine then",
        "That was not my plan",
    ]


async def test_another_users_conversations_and_messages_are_out_of_sight_and_reach(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("ann-talk@example.com")
    bob = await client.sign_up("bob-talk@example.com")
    anns_friend = await create_recipient(client, ann, "Ada")
    anns_photo = await _photo(client, ann)
    anns = await _conversation(client, ann, "Ann and Ada", participantIds=[anns_friend["id"]])
    anns_message = await _say(client, ann, anns["id"], "Ada is moving to Lisbon", attachmentIds=[anns_photo])
    bobs = await _conversation(client, bob, "Bob alone")
    bobs_message = await _say(client, bob, bobs["id"], "Nothing much")
    before = await _count(graph)

    for hidden in (anns["id"], anns_message["id"]):
        assert (await client.data(NODE, {"id": hidden}, token=bob))["node"] is None
    assert (await client.data(LIST, {}, token=bob))["conversations"]["nodes"] == [{"title": "Bob alone"}]
    assert (await client.data(LIST, {"f": {"aboutId": anns_friend["id"]}}, token=bob))["conversations"][
        "totalCount"
    ] == 0
    refused = [
        (APPEND, {"input": {"conversationId": anns["id"], "role": "USER", "text": "Hi"}}),
        (
            APPEND,
            {
                "input": {
                    "conversationId": bobs["id"],
                    "role": "USER",
                    "text": "Hi",
                    "attachmentIds": [anns_photo],
                }
            },
        ),
        (
            APPEND,
            {
                "input": {
                    "conversationId": bobs["id"],
                    "role": "PARTICIPANT",
                    "text": "Hi",
                    "recipientId": anns_friend["id"],
                }
            },
        ),
        (
            APPEND,
            {
                "input": {
                    "conversationId": bobs["id"],
                    "role": "USER",
                    "text": "Hi",
                    "supersedes": anns_message["id"],
                }
            },
        ),
        (CREATE, {"input": {"purpose": "OTHER", "aboutId": anns_friend["id"]}}),
        (CREATE, {"input": {"purpose": "OTHER", "participantIds": [anns_friend["id"]]}}),
        (UPDATE, {"input": {"id": anns["id"], "status": "CLOSED"}}),
        (DELETE, {"id": anns["id"]}),
    ]
    for operation, variables in refused:
        error = await client.error(operation, variables, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", (variables, error)
    assert await _count(graph) == before
    still = (await client.data(MESSAGES, {"id": anns["id"]}, token=ann))["node"]["messages"]["nodes"]
    assert [m["id"] for m in still] == [anns_message["id"]]
    assert bobs_message["seq"] == 1


SEARCH_MESSAGES = """query ($q: String!) { search(query: $q, kinds: [MESSAGE]) { matched { text } node {
  __typename ... on Message { id seq text conversation { id title } } } } }"""


async def test_messages_are_found_by_search_with_their_conversation_and_their_names_become_mentions(
    kindred: Instance, graph: Graph
) -> None:
    client = kindred.client
    ann = await client.sign_up("ann-search-talk@example.com")
    bob = await client.sign_up("bob-search-talk@example.com")
    mira = await create_recipient(client, ann, "Mira")
    talk = await _conversation(client, ann, "Weekend plans")
    await _say(client, ann, talk["id"], "We should book the train tickets")
    said = await _say(client, ann, talk["id"], "Mira wants to go sailing on the lake this weekend")
    await kindred.dispatcher.drain()

    found = (await client.data(SEARCH_MESSAGES, {"q": "boat trip on the water"}, token=ann))["search"]
    assert found and found[0]["node"] == {
        "__typename": "Message",
        "id": said["id"],
        "seq": 2,
        "text": "Mira wants to go sailing on the lake this weekend",
        "conversation": {"id": talk["id"], "title": "Weekend plans"},
    }
    assert (await client.data(SEARCH_MESSAGES, {"q": "sailing on the lake"}, token=bob))["search"] == []

    mentions = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Message { mentions { text automatic node { id } } } } }",
        {"id": said["id"]},
        token=ann,
    )
    assert mentions["node"]["mentions"] == [{"text": "Mira", "automatic": True, "node": {"id": mira["id"]}}]

    # The log carries the messages to live clients: added with their place; the view draws the
    # conversation alone.
    me = await client.data("{ me { id } }", token=ann)
    deltas = await graph.read(changes.deltas, owner=_uid(me["me"]["id"]), after=0, limit=1000)
    added = {c.uid: c.properties for d in deltas for c in d.added if c.label == "Message"}
    assert added[_uid(said["id"])]["seq"] == 2 and added[_uid(said["id"])]["conversation_uid"] == _uid(
        talk["id"]
    )
    assert any(c.uid == _uid(said["id"]) for d in deltas if d.kind == "MentionsFound" for c in d.updated)
    view = await client.data("{ graphView(maxNodes: 100) { nodes { label name } } }", token=ann)
    labels = {node["label"] for node in view["graphView"]["nodes"]}
    assert "Conversation" in labels and "Message" not in labels

    # Deleting the conversation drops its messages' vectors too.
    owner = _uid(me["me"]["id"])
    assert await kindred.vectors.count("message", owner) == 2
    await client.data(DELETE, {"id": talk["id"]}, token=ann)
    await kindred.dispatcher.drain()
    assert await kindred.vectors.count("message", owner) == 0
    assert (await client.data(SEARCH_MESSAGES, {"q": "sailing on the lake"}, token=ann))["search"] == []


RECORDING = Path(__file__).parent / "audio" / "spoken_argument.flac"
VOICE = """mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id text transcribed } }"""
HEARD = "query ($id: ID!) { node(id: $id) { ... on Message { text transcribed } } }"


async def test_a_voice_note_waits_for_its_transcript_then_takes_it_once_as_one_update(
    client: GraphQLClient, graph: Graph
) -> None:
    # The suite's app extracts nothing (no dispatcher): the transcript is written here as the documents
    # consumer writes it (tests/test_local_transcription.py hears a real one).
    token = await client.sign_up("voice-wait@example.com")
    talk = await _conversation(client, token, "Chores")
    answer = await upload(
        client.http, token, talk["id"], "VOICE_NOTE", "note.flac", RECORDING.read_bytes(), "audio/flac"
    )
    voice = answer.json()["data"]["uploadDocument"]["id"]
    note = {"conversationId": talk["id"], "role": "USER", "attachmentIds": [voice]}
    said = (await client.data(VOICE, {"input": note}, token=token))["appendMessage"]
    assert (said["text"], said["transcribed"]) == ("", False)
    listed = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Conversation { documents { nodes { id role } } } } }",
        {"id": talk["id"]},
        token=token,
    )
    assert listed["node"]["documents"]["nodes"] == [{"id": voice, "role": "VOICE_NOTE"}]

    owner, document = _uid((await client.data("{ me { id } }", token=token))["me"]["id"]), _uid(voice)
    chunks = [
        {
            "uid": f"{document}:{i}",
            "index": i,
            "text": text,
            "start_seconds": 3.0 * i,
            "end_seconds": 3.0 * i + 2,
        }
        for i, text in enumerate(["We argued about the dishes.", "Let us talk on Sunday."])
    ]
    await graph.write(documents.replace_chunks, owner=owner, uid=document, chunks=chunks)
    transcript = "We argued about the dishes. Let us talk on Sunday."
    for _ in range(2):  # delivered twice: the second finds nothing waiting
        await graph.write(documents.transcribed, owner=owner, uid=document, transcript=transcript, values={})
    heard = (await client.data(HEARD, {"id": said["id"]}, token=token))["node"]
    assert heard == {"text": transcript, "transcribed": True}
    async with graph.driver.session() as session:
        result = await session.run(
            "MATCH (e:Event {owner: $owner}) WHERE e.kind = 'MessageUpdated' RETURN e.nodes AS nodes",
            owner=owner,
        )
        updates = [record["nodes"] async for record in result]
    assert updates == [[f"Message:{_uid(said['id'])}", f"Document:{document}"]]
    # Appended now, a voice note carrying it takes the transcript at once.
    again = (await client.data(VOICE, {"input": note}, token=token))["appendMessage"]
    assert (again["text"], again["transcribed"]) == (transcript, True)
    # Another user's voice note is none of theirs to carry.
    bob = await client.sign_up("voice-wait-bob@example.com")
    bobs = await _conversation(client, bob, "Bob's")
    stolen = {**note, "conversationId": bobs["id"]}
    assert (await client.error(VOICE, {"input": stolen}, token=bob))["extensions"]["code"] == "NOT_FOUND"


async def test_a_voice_note_whose_recording_will_never_be_heard_is_refused_and_nothing_is_kept(
    client: GraphQLClient, graph: Graph
) -> None:
    """A recording that failed (or that this server left untranscribed) would leave its message without
    text for good: such a voice note is refused, with its field, and nothing is written."""
    token = await client.sign_up("voice-failed@example.com")
    talk = await _conversation(client, token, "Chores")
    answer = await upload(
        client.http, token, talk["id"], "VOICE_NOTE", "note.flac", RECORDING.read_bytes(), "audio/flac"
    )
    voice = answer.json()["data"]["uploadDocument"]["id"]
    async with graph.driver.session() as session:
        await session.run("MATCH (d:Document {uid: $uid}) SET d.status = 'failed'", uid=_uid(voice))
    note = {"conversationId": talk["id"], "role": "USER", "attachmentIds": [voice]}
    error = await client.error(VOICE, {"input": note}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["field"] == "text"
    assert error["message"] == conversations.NO_TEXT
    counted = "query ($id: ID!) { node(id: $id) { ... on Conversation { messageCount } } }"
    assert (await client.data(counted, {"id": talk["id"]}, token=token))["node"]["messageCount"] == 0
    said = {**note, "text": "What the note said, typed"}  # with its text, the same note is kept
    assert (await client.data(VOICE, {"input": said}, token=token))["appendMessage"]["transcribed"] is False
