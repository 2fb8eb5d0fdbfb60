"""Messages searched in their window: a message's text is embedded with the (up to) two current turns
before it, so a short reply is found by what it answers; its own words stay first and still match by
keyword; an edit reaches the window of the messages after it; and no window crosses to another user."""

from typing import Any

from tests import test_search
from tests.test_conversations import _conversation, _say
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher

SEARCH = """query ($q: String!) { search(query: $q, kinds: [MESSAGE], first: 20) {
  matched { text fields } node { ... on Message { id seq conversation { id } } } } }"""

QUESTION = "Should I book a table at Luigi's for Mom's birthday dinner on Friday?"
REPLY = "Yes, go ahead"


async def _hits(k: Instance, token: str, query: str) -> list[dict[str, Any]]:
    return list((await k.client.data(SEARCH, {"q": query}, token=token))["search"])


def _hit(hits: list[dict[str, Any]], message: dict[str, Any]) -> dict[str, Any] | None:
    return next((hit for hit in hits if hit["node"].get("id") == message["id"]), None)


async def test_a_short_reply_is_found_by_what_it_answers_and_only_by_its_owner(kindred: Instance) -> None:
    client = kindred.client
    ann = await client.sign_up("ann-window@example.com")
    bob = await client.sign_up("bob-window@example.com")
    lea = await create_recipient(client, ann, "Lea")
    talk = await _conversation(client, ann, "Friday", participantIds=[lea["id"]])
    question = await _say(client, ann, talk["id"], QUESTION)
    offer = await _say(
        client, ann, talk["id"], "I could ask for the window seat", role="PARTICIPANT", recipientId=lea["id"]
    )
    reply = await _say(client, ann, talk["id"], REPLY)
    other = await _conversation(client, ann, "Garden")
    await _say(client, ann, other["id"], "The tomatoes need water every morning")
    await _say(client, ann, other["id"], "Yes, go ahead and buy the hose")
    bobs = await _conversation(client, bob, "Bob's")
    await _say(client, bob, bobs["id"], QUESTION)
    await _say(client, bob, bobs["id"], REPLY)
    await kindred.dispatcher.drain()

    # Found by what it answers: the restaurant and the birthday are only in the turns before it.
    hits = await _hits(kindred, ann, "Luigi's birthday dinner")
    found = _hit(hits, reply)
    assert found is not None, [hit["matched"]["text"] for hit in hits]
    assert found["node"] == {"id": reply["id"], "seq": 3, "conversation": {"id": talk["id"]}}
    # Its own words first, then the two turns before it, by who said them (the viewer is "user").
    text = found["matched"]["text"]
    assert text == f"{REPLY}. After user: {QUESTION} / Lea: I could ask for the window seat."
    assert "context" in found["matched"]["fields"]
    # The question itself, whose own words they are, ranks above the reply.
    assert _hit(hits, question) is not None and hits.index(_hit(hits, question)) < hits.index(found)
    # Nothing of Bob's, though his words are the same.
    assert all(hit["node"]["conversation"]["id"] in (talk["id"], other["id"]) for hit in hits)

    # The keyword side still matches its own words, in its own field.
    own = _hit(await _hits(kindred, ann, "go ahead"), reply)
    assert own is not None and "text" in own["matched"]["fields"]

    # A window looks back only: the first message has none, and appending did not change it.
    first = _hit(await _hits(kindred, ann, "table at Luigi's"), question)
    assert first is not None and first["matched"]["text"] == f"{QUESTION}."
    second = _hit(await _hits(kindred, ann, "window seat"), offer)
    assert second is not None and second["matched"]["text"] == (
        f"I could ask for the window seat. After user: {QUESTION}."
    )

    # Bob's own reply is his, with his window; Ann's is never his.
    bobs_hits = await _hits(kindred, bob, "Luigi's birthday dinner")
    assert bobs_hits and all(hit["node"]["conversation"]["id"] == bobs["id"] for hit in bobs_hits)
    assert _hit(bobs_hits, reply) is None


async def test_an_edit_reaches_the_window_of_the_messages_after_it(kindred: Instance) -> None:
    client = kindred.client
    ann = await client.sign_up("ann-window-edit@example.com")
    talk = await _conversation(client, ann, "Friday")
    question = await _say(client, ann, talk["id"], QUESTION)
    reply = await _say(client, ann, talk["id"], REPLY, role="ASSISTANT")
    await kindred.dispatcher.drain()
    # The question is edited: the new version stands in its place, so the reply now answers it.
    edit = await _say(
        client,
        ann,
        talk["id"],
        "Should I book the sushi bar for Dad's retirement?",
        supersedes=question["id"],
    )
    await kindred.dispatcher.drain()
    hits = await _hits(kindred, ann, "sushi bar retirement")
    found = _hit(hits, reply)
    assert found is not None
    assert (
        found["matched"]["text"] == f"{REPLY}. After user: Should I book the sushi bar for Dad's retirement?."
    )
    # The edit stands at the first place: nothing is before it, not even the reply appended earlier.
    edited = _hit(hits, edit)
    assert (
        edited is not None
        and edited["matched"]["text"] == "Should I book the sushi bar for Dad's retirement?."
    )
