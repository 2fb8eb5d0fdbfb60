"""Reactions to gift recommendations are learned as preferences, as gift outcomes are: each a lighter data
point with its weight, counted by the person's preference of the category (LEARNED_FROM, shown as the
insight's `reactions`), so the next list ranks by it; a reaction changed or taken back is counted anew.
Against a real Neo4j, with the outcome-preferences consumer."""

from typing import Any

from dispatch.outcome_preferences import confidence
from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recommendations import by_category, drain, recommend, world

REACT = """mutation ($id: ID!, $reaction: RecommendationReaction) {
  reactToRecommendation(id: $id, reaction: $reaction) { id reaction } }"""
PREFERENCES = """{ insights(filter: {categories: [PREFERENCE]}) { nodes {
  id statement value confidence status extractor reactions { nodes { id reaction } } } } }"""
LEARNED = """query ($id: ID!) { node(id: $id) { ... on GiftRecommendation {
  learnedPreferences { nodes { statement } } } } }"""


async def _preferences(client: GraphQLClient, token: str) -> dict[str, dict[str, Any]]:
    found = (await client.data(PREFERENCES, token=token))["insights"]["nodes"]
    return {n["value"]["category"].lower(): n for n in found}


async def test_a_reaction_is_learned_with_its_weight_and_follows_a_change_or_an_undo(
    client: GraphQLClient, graph: Graph
) -> None:
    token, ana, _ = await world(client, graph, "react-learn@example.com")
    first = by_category(await recommend(client, token, ana))
    pottery, books = first["pottery"], first["books"]
    assert "pottery" not in await _preferences(client, token)  # an interest, no preference yet

    await client.data(REACT, {"id": pottery["id"], "reaction": "LOVED"}, token=token)
    await client.data(REACT, {"id": books["id"], "reaction": "NOT_FOR_THEM"}, token=token)
    await drain(graph)
    learned = await _preferences(client, token)
    loved = learned["pottery"]
    assert loved["statement"] == "Ana likes Pottery gifts" and loved["extractor"] == "outcomes"
    assert loved["value"]["dataPoints"] == 0.5 and loved["value"]["reactions"] == 1
    assert loved["confidence"] == confidence(0.5, 0.5, 0)  # one reaction: a faint leaning
    assert loved["reactions"]["nodes"] == [{"id": pottery["id"], "reaction": "LOVED"}]
    back = (await client.data(LEARNED, {"id": pottery["id"]}, token=token))["node"]["learnedPreferences"]
    assert back["nodes"] == [{"statement": "Ana likes Pottery gifts"}]
    # Two happy outcomes outweigh one "not for them", which still counts against.
    assert learned["books"]["statement"] == "Ana likes books gifts"
    assert (learned["books"]["value"]["positive"], learned["books"]["value"]["negative"]) == (2, 0.5)
    assert learned["books"]["confidence"] < confidence(2, 2, 0)

    # The next list ranks pottery by the learned preference, naming it.
    after = by_category(await recommend(client, token, ana))
    reasons = {r["signal"]: r for r in after["pottery"]["reasons"]}
    assert reasons["preference"]["evidenceIds"] == [loved["id"]]

    # Changed: the preference turns; taken back: nothing is left to rest on, and it goes.
    await client.data(REACT, {"id": pottery["id"], "reaction": "NOT_FOR_THEM"}, token=token)
    await drain(graph)
    turned = (await _preferences(client, token))["pottery"]
    assert turned["id"] == loved["id"] and turned["statement"] == "Ana does not like Pottery gifts"
    await client.data(REACT, {"id": pottery["id"], "reaction": None}, token=token)
    await drain(graph)
    assert "pottery" not in await _preferences(client, token)
    assert (await _preferences(client, token))["books"]["value"]["negative"] == 0.5


async def test_already_have_says_nothing_of_the_category_and_another_user_learns_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token, ana, _ = await world(client, graph, "react-have@example.com")
    other = await client.sign_up("react-have-other@example.com")
    pottery = by_category(await recommend(client, token, ana))["pottery"]
    await client.data(REACT, {"id": pottery["id"], "reaction": "ALREADY_HAVE"}, token=token)
    refused = await client.error(REACT, {"id": pottery["id"], "reaction": "LOVED"}, token=other)
    assert refused["extensions"]["code"] == "NOT_FOUND"
    await drain(graph)
    assert "pottery" not in await _preferences(client, token)
    assert await _preferences(client, other) == {}
    assert (await client.data(LEARNED, {"id": pottery["id"]}, token=other))["node"] is None
