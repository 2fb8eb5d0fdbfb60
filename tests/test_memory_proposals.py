"""Proposed memories: the moments a conversation, an observation or a document tells of become memories
with status PROPOSED (one per episode, not per message), left out of lists, relations and the view until
the viewer confirms them; a rejected one is never proposed again from the same evidence; another user
can neither see nor decide about them. Against a real Neo4j, with the proposals consumer; and the
episode finder's own cases."""

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from openai import APIError

from extraction import VIEWER, Person, Text
from extraction.episodes import find
from extraction.openai_extractor import OpenAIExtractor
from graph.driver import Graph
from graph.refs import Ref
from tests.client import GraphQLClient
from tests.openai_stand_in import OpenAIStandIn
from tests.test_conversations import _conversation, _say
from tests.test_extraction import drain
from tests.test_insights import _memory
from tests.test_observations import _observation
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance, kindred  # noqa: F401 -- the fixture (its user: noqa F811)

SAM = Person(Ref("Recipient", "sam"), ("Sam",))
LEO = Person(Ref("Recipient", "leo"), ("Leo",))
MEMORIES = """query ($statuses: [MemoryStatus!]) { memories(filter: {statuses: $statuses}) { nodes {
  id content status extractor happenedAt recipients { nodes { name } } concepts { nodes { name } }
  derivedFrom { nodes { __typename id } } } } }"""
STATUS = """mutation ($id: ID!, $status: MemoryStatus) {
  updateMemory(input: {id: $id, status: $status}) { id status } }"""
NODE = "query ($id: ID!) { node(id: $id) { id ... on Memory { status content } } }"
RECIPIENT = "query ($id: ID!) { node(id: $id) { ... on Recipient { memories { nodes { id } } } } }"
VIEW = "{ graphView { nodes { id } } }"
CREATE = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"


def _told(text: str, speaker: Ref | None = VIEWER) -> list[tuple[str, tuple[str, ...], str | None]]:
    episodes = find(Text(Ref("Message", "m"), text, speaker), (SAM, LEO))
    return [(e.content, tuple(p.uid for p in e.people), e.anchor) for e in episodes]


# The finder alone.


def test_one_moment_told_in_several_sentences_is_one_episode_and_a_new_time_starts_another() -> None:
    assert _told("We went to the lake with Sam last Saturday. Sam caught a huge pike. It was lovely.") == [
        ("We went to the lake with Sam last Saturday. Sam caught a huge pike.", ("sam",), "last saturday")
    ]
    assert _told("Yesterday Leo and I had dinner at Luigi's. On Sunday I visited my mum.") == [
        ("Yesterday Leo and I had dinner at Luigi's.", ("leo",), "yesterday"),
        ("On Sunday I visited my mum.", (), "on sunday"),
    ]
    # Who tells a chat log's line was there.
    assert _told("Leo: we celebrated my birthday last night") == [
        ("we celebrated my birthday last night", ("leo",), "last night")
    ]


def test_preferences_plans_habits_questions_and_negations_are_no_moment() -> None:
    for text in (
        "Sam loves jazz.",
        "I think we will go hiking with Leo next week.",
        "Sam always cooks on Fridays.",
        "We didn't go to the party with Sam.",
        "Did you see Sam yesterday?",
        "We used to go camping with Leo.",
        "Went shopping.",  # no one, no time: nothing to remember it by
    ):
        assert _told(text) == [], text


# A Friday afternoon, long before the tests run: a time said counts from it, never from now.
SENT = datetime(2025, 3, 21, 15, 30, tzinfo=UTC)


def _when(text: str) -> datetime | None:
    [episode] = find(Text(Ref("Message", "m"), text, VIEWER, SENT), (SAM, LEO))
    return episode.happened_at


def test_a_time_said_is_when_it_happened_counted_from_the_texts_own_time_in_utc() -> None:
    assert _when("Sam and I went bowling last Tuesday.") == datetime(2025, 3, 18, tzinfo=UTC)
    assert _when("I met Leo on 3 March.") == datetime(2025, 3, 3, tzinfo=UTC)
    assert _when("We visited Sam in Rome two years ago.") == datetime(2023, 3, 21, 15, 30, tzinfo=UTC)
    assert _when("Leo and I hiked the Alps in June 2021.") == datetime(2021, 6, 1, tzinfo=UTC)  # its start
    assert _when("Yesterday Sam baked a cake.") == datetime(2025, 3, 20, 15, 30, tzinfo=UTC)
    assert _when("In June we visited Leo.") == datetime(2024, 6, 1, tzinfo=UTC)  # the June before
    assert _when("Sam and I went bowling.") is None  # nothing said, nothing resolved
    # The time said and the text's time unknown: no guess either.
    [unknown] = find(Text(Ref("Message", "m"), "Sam and I went bowling yesterday.", VIEWER), (SAM,))
    assert (unknown.anchor, unknown.happened_at) == ("yesterday", None)


# Through the API.


async def _memories(client: GraphQLClient, token: str, *statuses: str) -> list[dict[str, Any]]:
    found = await client.data(MEMORIES, {"statuses": list(statuses) or None}, token=token)
    return list(found["memories"]["nodes"])


async def test_a_conversations_episode_is_one_proposed_memory_left_out_until_confirmed(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("episode@example.com")
    sam = (await create_recipient(client, token, "Sam"))["id"]
    planted = {"kind": "EPISODIC", "content": "Sam and I planted tomatoes.", "recipientIds": [sam]}
    written = (await client.data(CREATE, {"input": planted}, token=token))["createMemory"]["id"]
    chat = (await _conversation(client, token, "Weekend"))["id"]
    first = await _say(client, token, chat, "We went to the lake with Sam last Saturday.")
    second = await _say(client, token, chat, "Sam caught a huge pike!")
    await _say(client, token, chat, "Sam loves jazz.")  # an insight, no moment
    await drain(graph)

    # What the viewer wrote is confirmed and is all the default list holds.
    assert [(m["id"], m["status"], m["extractor"]) for m in await _memories(client, token)] == [
        (written, "CONFIRMED", None)
    ]
    [proposed] = await _memories(client, token, "PROPOSED")
    assert proposed["content"] == "We went to the lake with Sam last Saturday. Sam caught a huge pike!"
    assert proposed["extractor"] == "deterministic"
    assert proposed["recipients"]["nodes"] == [{"name": "Sam"}]
    assert sorted(e["id"] for e in proposed["derivedFrom"]["nodes"]) == sorted([first["id"], second["id"]])
    # Neither a relation nor the view shows it; its id still reads it.
    person = (await client.data(RECIPIENT, {"id": sam}, token=token))["node"]["memories"]["nodes"]
    assert person == [{"id": written}]
    drawn = {n["id"] for n in (await client.data(VIEW, token=token))["graphView"]["nodes"]}
    assert written in drawn and proposed["id"] not in drawn
    assert (await client.data(NODE, {"id": proposed["id"]}, token=token))["node"]["status"] == "PROPOSED"

    confirmed = await client.data(STATUS, {"id": proposed["id"], "status": "CONFIRMED"}, token=token)
    assert confirmed["updateMemory"]["status"] == "CONFIRMED"
    assert {m["id"] for m in await _memories(client, token)} == {written, proposed["id"]}
    person = (await client.data(RECIPIENT, {"id": sam}, token=token))["node"]["memories"]["nodes"]
    assert {m["id"] for m in person} == {written, proposed["id"]}
    # A confirmed memory's words are the viewer's: a later sentence of the episode adds evidence only.
    third = await _say(client, token, chat, "Sam also swam in the lake last Saturday.")
    await drain(graph)
    [kept] = [m for m in await _memories(client, token) if m["id"] == proposed["id"]]
    assert kept["content"] == proposed["content"]
    assert third["id"] in {e["id"] for e in kept["derivedFrom"]["nodes"]}


async def test_a_rejected_memory_is_never_proposed_again_from_the_same_evidence(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("episode-reject@example.com")
    await create_recipient(client, token, "Leo")
    seen = (await _observation(client, token, "Leo and I climbed Ben Nevis last summer."))["id"]
    await drain(graph)
    [proposed] = await _memories(client, token, "PROPOSED")
    assert [e["id"] for e in proposed["derivedFrom"]["nodes"]] == [seen]
    await client.data(STATUS, {"id": proposed["id"], "status": "REJECTED"}, token=token)
    # Every event handed over again (a replay): the rejection holds.
    async with graph.driver.session() as session:
        await session.run("MATCH (c:Cursor {consumer: 'proposals'}) DELETE c")
    await drain(graph)
    assert await _memories(client, token, "PROPOSED") == []
    assert [m["id"] for m in await _memories(client, token, "REJECTED")] == [proposed["id"]]
    assert await _memories(client, token) == []  # a rejected memory is no memory of the viewer's


async def test_a_proposal_goes_with_its_evidence(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("episode-gone@example.com")
    await create_recipient(client, token, "Ivy")
    chat = (await _conversation(client, token, "Trip"))["id"]
    await _say(client, token, chat, "Ivy and I flew to Lisbon last month.")
    await drain(graph)
    assert len(await _memories(client, token, "PROPOSED")) == 1
    await client.data(
        "mutation ($id: ID!) { deleteConversation(id: $id) { deletedId } }", {"id": chat}, token=token
    )
    await drain(graph)
    assert await _memories(client, token, "PROPOSED") == []


async def test_another_user_neither_sees_nor_decides_about_a_proposed_memory(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("episode-ann@example.com")
    bob = await client.sign_up("episode-bob@example.com")
    await create_recipient(client, ann, "Kim")
    chat = (await _conversation(client, ann, "Kim"))["id"]
    await _say(client, ann, chat, "Kim and I watched the fireworks last night.")
    await drain(graph)
    [proposed] = await _memories(client, ann, "PROPOSED")
    assert await _memories(client, bob, "PROPOSED", "CONFIRMED", "REJECTED") == []
    assert (await client.data(NODE, {"id": proposed["id"]}, token=bob))["node"] is None
    refused = await client.error(STATUS, {"id": proposed["id"], "status": "CONFIRMED"}, token=bob)
    assert refused["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(NODE, {"id": proposed["id"]}, token=ann))["node"]["status"] == "PROPOSED"


async def test_a_status_cleared_or_unknown_is_refused_with_a_code(client: GraphQLClient) -> None:
    token = await client.sign_up("episode-bad@example.com")
    memory = await _memory(client, token, "A quiet day.")
    cleared = await client.error(STATUS, {"id": memory, "status": None}, token=token)
    assert cleared["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await client.error(STATUS, {"id": memory, "status": "MAYBE"}, token=token)
    assert unknown["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")
    assert (await client.data(NODE, {"id": memory}, token=token))["node"]["status"] == "CONFIRMED"


# A model's moments, through the local stand-in of OpenAI's API (a real HTTP server).


@pytest.fixture(scope="module")
def stand_in() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


def _uid(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[1]


async def _told_the_model(client: GraphQLClient, token: str) -> tuple[str, str]:
    """A conversation of two messages sent on SENT telling one moment; their uids."""
    await create_recipient(client, token, "Noor")
    chat = (await _conversation(client, token, "Market"))["id"]
    sent = SENT.isoformat()
    first = await _say(client, token, chat, "Noor and I went to the flower market last Tuesday.", sentAt=sent)
    second = await _say(client, token, chat, "We bought far too many tulips!", sentAt=sent)
    return _uid(first["id"]), _uid(second["id"])


async def test_a_model_proposes_the_moments_with_its_name_time_people_concepts_and_evidence(
    client: GraphQLClient, graph: Graph, stand_in: OpenAIStandIn
) -> None:
    token = await client.sign_up("episode-model@example.com")
    first, second = await _told_the_model(client, token)
    moment = {
        "text": "Went to the flower market with Noor and bought far too many tulips.",
        "when": "last Tuesday",
        "people": ["Noor", "Somebody unknown"],
        "concepts": ["flower market", "tulips"],
        "confidence": 0.9,
        "evidence": [first, second, "not-a-text-given"],
    }
    stand_in.chat_fails, stand_in.chat_answer = False, {"insights": [], "moments": [moment, {"text": ""}]}
    extractor = OpenAIExtractor(api_key="sk-test", base_url=stand_in.url, model="small-model", max_retries=0)
    await drain(graph, extractor)
    await extractor.close()
    [proposed] = await _memories(client, token, "PROPOSED")
    assert proposed["content"] == moment["text"]
    assert proposed["extractor"] == "openai:small-model"
    assert proposed["happenedAt"] == "2025-03-18T00:00:00+00:00"  # the Tuesday before the messages
    assert proposed["recipients"]["nodes"] == [{"name": "Noor"}]
    assert sorted(c["name"] for c in proposed["concepts"]["nodes"]) == ["flower market", "tulips"]
    evidence = {_uid(e["id"]) for e in proposed["derivedFrom"]["nodes"]}
    assert evidence == {first, second}
    asked = [c for c in stand_in.chats if "moments" in c["messages"][0]["content"]]
    assert asked and all(uid in asked[-1]["messages"][1]["content"] for uid in (first, second))
    # Another user sees nothing of it.
    other = await client.sign_up("episode-model-other@example.com")
    assert await _memories(client, other, "PROPOSED", "CONFIRMED", "REJECTED") == []


async def test_a_model_that_fails_leaves_the_moments_to_the_rules(
    client: GraphQLClient, graph: Graph, stand_in: OpenAIStandIn
) -> None:
    token = await client.sign_up("episode-model-down@example.com")
    first, second = await _told_the_model(client, token)
    stand_in.chat_fails = True
    extractor = OpenAIExtractor(api_key="sk-test", base_url=stand_in.url, model="small-model", max_retries=0)
    try:
        with pytest.raises(APIError):  # the insights wait for the model: their event is retried
            await drain(graph, extractor)
    finally:
        stand_in.chat_fails = False
        await extractor.close()
    [proposed] = await _memories(client, token, "PROPOSED")
    assert proposed["extractor"] == "deterministic"
    assert proposed["content"] == (
        "Noor and I went to the flower market last Tuesday. We bought far too many tulips!"
    )
    assert proposed["happenedAt"] == "2025-03-18T00:00:00+00:00"
    assert {_uid(e["id"]) for e in proposed["derivedFrom"]["nodes"]} == {first, second}


# includeProposed: search and the view show the viewer's proposals when asked, never rejected ones.
SEARCH = """query ($q: String!, $proposed: Boolean!) {
  search(query: $q, minScore: 0, first: 50, includeProposed: $proposed) {
    node { id ... on Memory { status } } } }"""
DRAWN = "query ($proposed: Boolean!) { graphView(includeProposed: $proposed) { nodes { id } } }"
SIMILAR = "query ($id: ID!) { similar(id: $id, first: 20) { node { id } } }"


async def _found(client: GraphQLClient, token: str, proposed: bool) -> dict[str, str | None]:
    hits = await client.data(SEARCH, {"q": "flower market tulips", "proposed": proposed}, token=token)
    return {hit["node"]["id"]: hit["node"].get("status") for hit in hits["search"]}


async def _drawn(client: GraphQLClient, token: str, proposed: bool) -> set[str]:
    view = await client.data(DRAWN, {"proposed": proposed}, token=token)
    return {node["id"] for node in view["graphView"]["nodes"]}


async def test_include_proposed_finds_and_draws_the_viewers_proposals_never_rejected_or_anothers(
    kindred: Instance,  # noqa: F811
) -> None:
    # An app whose dispatcher runs every consumer: the proposals, and the search index they feed.
    client = kindred.client
    ann = await client.sign_up("episode-include@example.com")
    await create_recipient(client, ann, "Noor")
    chat = (await _conversation(client, ann, "Market"))["id"]
    await _say(client, ann, chat, "Noor and I went to the flower market last Tuesday and bought tulips.")
    await _observation(client, ann, "Noor and I walked past the flower market tulips yesterday.")
    await kindred.dispatcher.drain(within=300)  # every consumer, on a machine that may be busy
    by_words = {m["content"].split()[3]: m for m in await _memories(client, ann, "PROPOSED")}
    proposed, rejected = by_words["went"], by_words["walked"]
    await client.data(STATUS, {"id": rejected["id"], "status": "REJECTED"}, token=ann)

    # Nor is either answered as like a confirmed memory of the same moment.
    planted = {"kind": "EPISODIC", "content": "Tulips from the flower market with Noor"}
    confirmed = (await client.data(CREATE, {"input": planted}, token=ann))["createMemory"]["id"]
    await kindred.dispatcher.drain(within=300)
    like = await client.data(SIMILAR, {"id": confirmed}, token=ann)
    assert not {proposed["id"], rejected["id"]} & {hit["node"]["id"] for hit in like["similar"]}
    # By default, as before: neither found nor drawn.
    assert proposed["id"] not in await _found(client, ann, False)
    assert proposed["id"] not in await _drawn(client, ann, False)
    # Asked for: found and drawn, marked by its status; the rejected one never.
    found = await _found(client, ann, True)
    assert found[proposed["id"]] == "PROPOSED" and rejected["id"] not in found
    drawn = await _drawn(client, ann, True)
    assert proposed["id"] in drawn and rejected["id"] not in drawn
    # Another user, asking or not, neither finds nor draws either.
    bob = await client.sign_up("episode-include-bob@example.com")
    for asked in (False, True):
        assert not {proposed["id"], rejected["id"]} & set(await _found(client, bob, asked))
        assert not {proposed["id"], rejected["id"]} & await _drawn(client, bob, asked)
    # Confirmed, it is found and drawn by default.
    await client.data(STATUS, {"id": proposed["id"], "status": "CONFIRMED"}, token=ann)
    assert (await _found(client, ann, False))[proposed["id"]] == "CONFIRMED"
    # A past view replays the log: it takes no includeProposed.
    refused = await client.error("{ graphView(asOf: 1, includeProposed: true) { nodes { id } } }", token=ann)
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"
