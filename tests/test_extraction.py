"""Extraction: what is written becomes proposed insights (the proposals consumer, with the deterministic
extractor or a model behind OpenAI's API, here its stand-in over real HTTP), and gift outcomes become
preferences whose confidence moves with them. Against a real Neo4j; and the extractor's own cases."""

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from dispatch import Consumer, Services, outcome_preferences, proposals
from dispatch.runner import Dispatcher
from extraction import VIEWER, Extractor, Person, Text
from extraction.factory import create_extractor
from extraction.openai_extractor import OpenAIExtractor
from extraction.patterns import PatternExtractor, extract
from graph.driver import Graph
from graph.refs import Ref
from settings import Settings
from tests.client import GraphQLClient
from tests.openai_stand_in import OpenAIStandIn
from tests.test_conversations import _conversation, _say
from tests.test_gifts import CREATE as CREATE_GIFT
from tests.test_gifts import OUTCOME
from tests.test_insights import _memory
from tests.test_observations import _observation
from tests.test_recipients import create as create_recipient

INSIGHTS = """query ($statuses: [InsightStatus!]) { insights(filter: {statuses: $statuses}) { nodes {
  id category statement value confidence status extractor recipients { nodes { name } }
  evidence { nodes { __typename id } } } } }"""
UPDATE = (
    "mutation ($id: ID!, $status: InsightStatus) { updateInsight(input: {id: $id, status: $status}) { id } }"
)
UPDATE_MEMORY = """mutation ($id: ID!, $content: String!) {
  updateMemory(input: {id: $id, content: $content}) { id } }"""
DELETE_MEMORY = "mutation ($id: ID!) { deleteMemory(id: $id) { deletedId } }"
REVIEW = "mutation ($id: ID!) { reviewObservation(id: $id, decision: REJECT) { id } }"
ADA = Person(Ref("Recipient", "ada"), ("Ada Lovelace", "Addie", "Ada"))
BEN = Person(Ref("Recipient", "ben"), ("Ben",))


async def drain(graph: Graph, extractor: Extractor | None = None) -> None:
    """Delivers every pending event to the learning consumers alone, as the app's dispatcher would."""
    services = Services(graph, embedder=None, vectors=None, extractor=extractor)  # type: ignore[arg-type]
    await Dispatcher(services, [Consumer.of(proposals), Consumer.of(outcome_preferences)]).drain()


async def _insights(client: GraphQLClient, token: str, *statuses: str) -> list[dict[str, Any]]:
    found = await client.data(INSIGHTS, {"statuses": list(statuses) or None}, token=token)
    return sorted(found["insights"]["nodes"], key=lambda n: n["statement"])


def _said(text: str, *people: Person, speaker: Ref | None = VIEWER) -> list[tuple[str, str, str]]:
    found = extract(Text(Ref("Message", "m"), text, speaker), people or (ADA, BEN))
    return sorted((p.category, p.statement, p.concerns[0].uid) for p in found)


# The extractor alone.


def test_preferences_facts_goals_traits_and_patterns_are_read_with_whom_they_concern() -> None:
    assert _said("Ada loves Thai food, but she hates cilantro.") == [
        ("preference", "Ada Lovelace hates cilantro", "ada"),
        ("preference", "Ada Lovelace loves Thai food", "ada"),
    ]
    assert _said("My sister Addie is allergic to peanuts.") == [
        ("fact", "Ada Lovelace is allergic to peanuts", "ada"),
        ("fact", "Ada Lovelace is your sister", "ada"),
    ]
    assert _said("ADA'S BIRTHDAY IS 3rd of March") == [("fact", "Ada Lovelace's birthday is March 3", "ada")]
    assert _said("Ben is training for a triathlon") == [("goal", "Ben is training for a triathlon", "ben")]
    assert _said("Ada and Ben love hiking.") == [
        ("preference", "Ada Lovelace loves hiking", "ada"),
        ("preference", "Ben loves hiking", "ben"),
    ]
    assert _said("Ben is very generous. He always gets anxious before flights.") == [
        ("pattern", "Ben gets anxious before flights", "ben"),
        ("trait", "Ben is generous", "ben"),
    ]


def test_questions_hedges_moods_of_a_moment_and_names_inside_words_yield_nothing() -> None:
    for text in (
        "Does Ada like jazz?",
        "If Ada likes it, we keep it.",
        "Ada used to love skating.",
        "Ada was so sad today.",
        "Adam loves jazz.",  # not Ada: a name matches whole words only
        "Ben loves it.",  # a bare pronoun is no object
        "Ada wants to know when we land.",  # a wish of the moment, no goal
        "Ada is not allergic to nuts.",
        "Ada no longer likes jazz.",
        "Ada's dog loves the beach.",  # the dog's, not Ada's
    ):
        assert _said(text) == [], text


def test_the_first_person_is_the_speaker_of_the_text_or_of_its_line() -> None:
    assert _said("I can't stand mornings", speaker=BEN.ref) == [("preference", "Ben hates mornings", "ben")]
    log = "Addie: I'm allergic to cats.\nBen: my favourite band is Queen"
    assert _said(log) == [
        ("fact", "Ada Lovelace is allergic to cats", "ada"),
        ("preference", "Ben's favourite band is Queen", "ben"),
    ]
    # Only the viewer's "my sister" is a relation to the viewer.
    assert _said("Ada is my sister", speaker=BEN.ref) == []


def test_the_viewers_own_first_person_is_about_the_viewer_and_an_assistants_about_nobody() -> None:
    assert _said("I love jazz. My favourite band is Queen. I'm allergic to cats.") == [
        ("fact", "You are allergic to cats", "viewer"),
        ("preference", "You love jazz", "viewer"),
        ("preference", "Your favourite band is Queen", "viewer"),
    ]
    assert _said("my goal is to run a marathon, and i always get nervous before exams") == [
        ("goal", "You want to run a marathon", "viewer"),
        ("pattern", "You get nervous before exams", "viewer"),
    ]
    # The viewer's words about a person stay the person's; a line said by a person is theirs.
    assert _said("I hate rain but Ada loves it\nBen: I'm vegan") == [
        ("fact", "Ben is vegan", "ben"),
        ("preference", "You hate rain", "viewer"),
    ]
    # An assistant's turn (no speaker) says nothing of the viewer, and no relation of theirs.
    assert _said("I love helping you. My sister Ada is kind.", speaker=None) == [
        ("trait", "Ada Lovelace is kind", "ada")
    ]
    for text in ("I think I like jazz.", "I hope you like it!", "I want to call Ada tonight."):
        assert _said(text) == [], text


def test_the_same_claim_in_other_words_has_one_key() -> None:
    first = extract(Text(Ref("Message", "a"), "Ada loves jazz"), [ADA])
    second = extract(Text(Ref("Message", "b"), "Addie really likes Jazz."), [ADA])
    assert first[0].key == second[0].key
    assert first[0].key_from(Ref("Message", "a")) != second[0].key_from(Ref("Message", "b"))


# The proposals consumer.


async def test_a_message_proposes_insights_with_their_evidence_and_extractor_and_a_replay_adds_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("extract-message@example.com")
    await create_recipient(client, token, "Uma")
    chat = await _conversation(client, token, "Catching up")
    said = await _say(client, token, chat["id"], "Uma loves oolong tea. Uma is allergic to cats.")
    await drain(graph)
    found = await _insights(client, token)
    assert [(i["category"], i["statement"], i["status"], i["extractor"]) for i in found] == [
        ("FACT", "Uma is allergic to cats", "PROPOSED", "deterministic"),
        ("PREFERENCE", "Uma loves oolong tea", "PROPOSED", "deterministic"),
    ]
    assert all(i["evidence"]["nodes"] == [{"__typename": "Message", "id": said["id"]}] for i in found)
    assert all(i["recipients"]["nodes"] == [{"name": "Uma"}] for i in found)
    assert found[1]["value"] == {"attitude": "likes", "object": "oolong tea", "strength": "strong"}

    # Delivered again (at least once): nothing new.
    async with graph.driver.session() as session:
        await session.run("MATCH (c:Cursor) DETACH DELETE c")  # every consumer's place forgotten
        await session.run("MATCH (l:Lease) DETACH DELETE l")
    await drain(graph)
    assert await _insights(client, token) == found


async def test_the_same_claim_from_new_evidence_joins_its_insight_and_a_rejected_one_is_not_proposed_again(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("extract-reject@example.com")
    await create_recipient(client, token, "Uma")
    memory = await _memory(client, token, "Uma loves jazz.")
    await drain(graph)
    (first,) = await _insights(client, token)
    observation = (await _observation(client, token, "Uma: I really like jazz"))["id"]
    await drain(graph)
    (joined,) = await _insights(client, token)
    assert joined["id"] == first["id"]
    assert {n["id"] for n in joined["evidence"]["nodes"]} == {memory, observation}
    assert joined["confidence"] > first["confidence"]  # two texts say it

    await client.data(UPDATE, {"id": first["id"], "status": "REJECTED"}, token=token)
    # Edited so the claim is said again from the same memory: still rejected, nothing proposed.
    await client.data(UPDATE_MEMORY, {"id": memory, "content": "Uma loves jazz. Truly!"}, token=token)
    await drain(graph)
    assert [(i["id"], i["status"]) for i in await _insights(client, token)] == [(first["id"], "REJECTED")]


async def test_an_edit_that_drops_the_sentence_withdraws_a_proposal_and_leaves_a_confirmed_one(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("extract-edit@example.com")
    await create_recipient(client, token, "Uma")
    chat = await _conversation(client, token, "Plans")
    said = await _say(client, token, chat["id"], "Uma wants to learn Italian. Uma hates rain.")
    await drain(graph)
    by_statement = {i["statement"]: i for i in await _insights(client, token)}
    await client.data(
        UPDATE, {"id": by_statement["Uma hates rain"]["id"], "status": "CONFIRMED"}, token=token
    )

    edit = await _say(client, token, chat["id"], "Uma wants to learn Italian.", supersedes=said["id"])
    await drain(graph)
    after = {i["statement"]: i for i in await _insights(client, token)}
    # The proposal moved to the edit; the confirmed one is the person's and keeps its evidence.
    assert after["Uma wants to learn Italian"]["evidence"]["nodes"] == [
        {"__typename": "Message", "id": edit["id"]}
    ]
    assert after["Uma hates rain"]["status"] == "CONFIRMED"
    assert after["Uma hates rain"]["evidence"]["nodes"] == [{"__typename": "Message", "id": said["id"]}]

    memory = await _memory(client, token, "Uma is a fan of opera.")
    await drain(graph)
    assert "Uma is a fan of opera" in {i["statement"] for i in await _insights(client, token)}
    await client.data(UPDATE_MEMORY, {"id": memory, "content": "We went to the opera."}, token=token)
    await drain(graph)
    assert "Uma is a fan of opera" not in {i["statement"] for i in await _insights(client, token)}

    # An observation its review rejects is no evidence any more.
    seen = (await _observation(client, token, "Uma is vegan."))["id"]
    await drain(graph)
    assert "Uma is vegan" in {i["statement"] for i in await _insights(client, token)}
    await client.data(REVIEW, {"id": seen}, token=token)
    await drain(graph)
    assert "Uma is vegan" not in {i["statement"] for i in await _insights(client, token)}


async def test_a_proposal_goes_with_its_last_evidence_and_a_confirmed_insight_stays(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("extract-delete@example.com")
    await create_recipient(client, token, "Uma")
    first = await _memory(client, token, "Uma loves jazz. Uma is shy.")
    second = await _memory(client, token, "Uma really likes jazz")
    await drain(graph)
    by_statement = {i["statement"]: i for i in await _insights(client, token)}
    await client.data(UPDATE, {"id": by_statement["Uma is shy"]["id"], "status": "CONFIRMED"}, token=token)
    await client.data(DELETE_MEMORY, {"id": first}, token=token)
    await drain(graph)
    left = {i["statement"]: i["evidence"]["nodes"] for i in await _insights(client, token)}
    assert left == {"Uma loves jazz": [{"__typename": "Memory", "id": second}], "Uma is shy": []}
    await client.data(DELETE_MEMORY, {"id": second}, token=token)
    await drain(graph)
    assert [i["statement"] for i in await _insights(client, token)] == ["Uma is shy"]


async def test_a_proposal_whose_evidence_was_taken_by_hand_stays_when_other_evidence_goes(
    client: GraphQLClient, graph: Graph
) -> None:
    """Deleting a text sweeps only the proposals that rested on it: one whose evidence the person took
    away by hand (it rests on nothing too) is theirs to keep or delete."""
    token = await client.sign_up("extract-kept@example.com")
    await create_recipient(client, token, "Ivo")
    await _memory(client, token, "Ivo loves chess.")
    other = await _memory(client, token, "Ivo hates olives.")
    await drain(graph)
    by_statement = {i["statement"]: i for i in await _insights(client, token)}
    bare = "mutation ($id: ID!) { updateInsight(input: {id: $id, evidenceIds: []}) { id } }"
    await client.data(bare, {"id": by_statement["Ivo loves chess"]["id"]}, token=token)
    await client.data(DELETE_MEMORY, {"id": other}, token=token)
    await drain(graph)
    left = {i["statement"]: i["evidence"]["nodes"] for i in await _insights(client, token)}
    assert left == {"Ivo loves chess": []}


def test_a_models_confidence_that_is_no_number_reads_as_a_guess() -> None:
    from extraction import confidence_of

    assert [confidence_of(v) for v in (float("nan"), float("inf"), True, "0.9", None, 1.7, -2, 0.25)] == [
        0.5, 0.5, 0.5, 0.5, 0.5, 1.0, 0.0, 0.25,
    ]  # fmt: skip


async def test_another_users_people_are_never_matched_or_linked(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("extract-ann@example.com")
    bob = await client.sign_up("extract-bob@example.com")
    await create_recipient(client, ann, "Clara")
    await _memory(client, bob, "Clara loves sailing.")
    await drain(graph)
    assert await _insights(client, bob) == [] and await _insights(client, ann) == []
    await create_recipient(client, bob, "Clara")
    await _memory(client, bob, "Clara hates sailing.")
    await drain(graph)
    assert [i["statement"] for i in await _insights(client, bob)] == ["Clara hates sailing"]
    assert await _insights(client, ann) == []
    async with graph.driver.session() as session:
        query = "MATCH (i:Insight)-[]->(n) RETURN count(*) AS links, all(x IN collect(n.owner = i.owner) WHERE x) AS same"
        record = await (await session.run(query)).single(strict=True)
    assert record["links"] == 2 and record["same"]


@pytest.fixture(scope="module")
def stand_in() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


async def test_the_model_extractor_asks_the_chat_api_for_json_and_keeps_only_what_checks_out(
    client: GraphQLClient, graph: Graph, stand_in: OpenAIStandIn
) -> None:
    token = await client.sign_up("extract-model@example.com")
    await create_recipient(client, token, "Uma")
    said = await _memory(client, token, "Dinner with Uma: she kept talking about her pottery class.")
    stand_in.chat_answer = {
        "insights": [
            {"person": "Uma", "category": "preference", "statement": "Uma enjoys pottery",
             "claim": "likes pottery", "value": {"object": "pottery"}, "confidence": 0.8},
            {"person": "Somebody else", "category": "fact", "statement": "Not one of yours"},
            {"person": "Uma", "category": "mood", "statement": "Not a category"},
        ]
    }  # fmt: skip
    extractor = OpenAIExtractor(api_key="sk-test", base_url=stand_in.url, model="small-model")
    await drain(graph, extractor)
    await extractor.close()
    (made,) = await _insights(client, token)
    assert (made["statement"], made["extractor"], made["confidence"]) == (
        "Uma enjoys pottery",
        "openai:small-model",
        0.8,
    )
    assert made["evidence"]["nodes"] == [{"__typename": "Memory", "id": said}]
    (asked,) = stand_in.chats
    assert asked["model"] == "small-model" and asked["response_format"] == {"type": "json_object"}
    assert "- Uma" in asked["messages"][1]["content"] and "pottery class" in asked["messages"][1]["content"]


# Preferences learned from gift outcomes.


async def test_outcomes_teach_a_preference_whose_confidence_moves_with_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("extract-outcomes@example.com")
    sam = await create_recipient(client, token, "Sam")

    async def give(name: str, success: float, category: str = "Experiential") -> None:
        gift = {"name": name, "category": category, "recipientIds": [sam["id"]]}
        made = (await client.data(CREATE_GIFT, {"input": gift}, token=token))["createGift"]
        await client.data(OUTCOME, {"gift": made["id"], "outcome": {"success": success}}, token=token)
        await drain(graph)

    await give("Concert tickets", 0.9)
    (one,) = await _insights(client, token)
    assert (one["statement"], one["status"], one["extractor"]) == (
        "Sam likes Experiential gifts",
        "PROPOSED",
        "outcomes",
    )
    assert one["value"]["dataPoints"] == 1 and one["confidence"] == outcome_preferences.confidence(1, 1, 0)
    await give("Cooking class", 0.8, "experiential")
    await give("Escape room", 0.95)
    (three,) = await _insights(client, token)
    assert three["id"] == one["id"] and three["confidence"] > one["confidence"]
    assert {k: three["value"][k] for k in ("category", "dataPoints", "positive", "negative")} == {
        "category": "Experiential", "dataPoints": 3, "positive": 3, "negative": 0,
    }  # fmt: skip
    assert len(three["evidence"]["nodes"]) == 3
    assert {n["__typename"] for n in three["evidence"]["nodes"]} == {"GiftOutcome"}

    await client.data(UPDATE, {"id": one["id"], "status": "REJECTED"}, token=token)
    await give("Spa day", 0.1)  # a new outcome: new evidence, proposed again, less sure
    (four,) = await _insights(client, token)
    assert four["status"] == "PROPOSED" and four["confidence"] < three["confidence"]
    assert four["value"]["negative"] == 1


def test_the_outcome_confidence_formula() -> None:
    confidence = outcome_preferences.confidence
    assert [confidence(n, n, 0) for n in (1, 3, 5, 10)] == [0.333, 0.6, 0.714, 0.833]
    assert confidence(4, 3, 1) == 0.533
    assert confidence(0, 0, 0) == 0.0


def test_the_model_is_used_when_a_key_is_set_and_the_patterns_otherwise(settings: Settings) -> None:
    assert isinstance(
        create_extractor(settings.model_copy(update={"openai_api_key": None})), PatternExtractor
    )
    keyed = settings.model_copy(update={"openai_api_key": SecretStr("sk-test"), "openai_insight_model": "m"})
    assert create_extractor(keyed).name == "openai:m"
    chosen = keyed.model_copy(update={"insight_extractor": "deterministic"})
    assert create_extractor(chosen).name == "deterministic"


def test_a_models_claim_about_me_is_the_viewers_only_in_the_viewers_own_words() -> None:
    from extraction.openai_extractor import proposals_of

    answer = """{"insights": [
      {"person": "me", "category": "preference", "statement": "You love hiking", "claim": "likes hiking"},
      {"person": "Ben", "category": "goal", "statement": "Ben wants a dog", "claim": "goal dog"}]}"""
    mine = proposals_of(answer, [ADA, BEN], viewer=True)
    assert [(p.statement, p.concerns, p.about_viewer) for p in mine] == [
        ("You love hiking", (VIEWER,), True),
        ("Ben wants a dog", (BEN.ref,), False),
    ]
    # An assistant's or a participant's words: a claim about "me" is dropped, the rest kept.
    assert [p.statement for p in proposals_of(answer, [ADA, BEN])] == ["Ben wants a dog"]
