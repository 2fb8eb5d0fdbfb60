"""Personas for agents: built by a versioned mapper from a person's mindscape (core, context overlay,
detail), traceable to the insights used, served again while they hold, never once expired, rated, and
asked for with an API key whose scope allows personas."""

import time
from typing import Any

from strawberry import relay

from dispatch import purge
from graph.driver import Graph
from tests import test_search
from tests.client import GraphQLClient
from tests.test_api_key_scopes import count, key
from tests.test_recipients import create as create_recipient
from tests.test_schedule import services_of
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher

INSIGHT = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
ASKED = """
mutation ($of: ID, $context: String, $detail: PersonaDetail, $version: String, $ttl: Int) {
  requestPersona(of: $of, context: $context, detail: $detail, mapperVersion: $version, ttlHours: $ttl) {
    id name detail context core overlay generator mapperVersion expired expiresAt accessCount ttlHours
    %s
  }
}
"""
PERSONA = ASKED % "recipient { name } insights { nodes { statement } }"
# What an agent's key reads of a persona: the persona alone, not the person or the insights behind it.
AGENT_PERSONA = ASKED % ""
RATE = """
mutation ($id: ID!, $rating: Int!, $outcome: String) {
  ratePersona(id: $id, rating: $rating, outcome: $outcome) {
    feedbackCount averageRating feedbackRatings feedbackOutcomes
  }
}
"""
MAPPERS = """{ personaMappers { name version deprecated replacedBy
  feedback { personas ratings ratingSum averageRating outcomes } } }"""


async def person(client: GraphQLClient, email: str) -> tuple[str, str]:
    """A user and their friend Mia, with what is known of her: lasting things and a passing one; only the
    first confirmed by the user, the rest proposed."""
    token = await client.sign_up(email)
    mia = (await create_recipient(client, token, "Mia"))["id"]
    known = [
        ("TRAIT", "Mia is patient and careful", 0.9, 0.1),
        ("PREFERENCE", "Mia loves pottery and clay work", 0.8, 0.2),
        ("GOAL", "Mia wants to open a ceramics studio", 0.7, None),
        ("PATTERN", "Mia is training for a marathon this month", 0.6, 0.9),
    ]
    for category, statement, confidence, volatility in known:
        given: dict[str, Any] = {"category": category, "statement": statement, "confidence": confidence}
        if volatility is not None:
            given["volatility"] = volatility
        if category == "TRAIT":
            given["status"] = "CONFIRMED"
        await client.data(INSIGHT, {"input": {**given, "recipientIds": [mia]}}, token=token)
    return token, mia


async def ask(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    return (await client.data(PERSONA, variables, token=token))["requestPersona"]


async def test_a_persona_has_a_core_an_overlay_for_the_task_and_its_evidence(client: GraphQLClient) -> None:
    token, mia = await person(client, "persona-built@example.com")
    built = await ask(client, token, of=mia, context="Plan a pottery weekend", detail="BALANCED")
    assert built["name"] == "Mia (balanced)" and built["recipient"] == {"name": "Mia"}
    assert (built["generator"], built["expired"], built["ttlHours"]) == ("mindscape@1.1.0", False, 24)
    core = built["core"]
    assert core["identity"]["name"] == "Mia"
    assert core["identity"]["fundamentalGoals"] == ["Mia wants to open a ceramics studio"]
    assert core["preferences"] == ["Mia loves pottery and clay work"]
    # The passing thing is in the overlay, not the core; the task's words pick what it touches.
    assert "Mia is training for a marathon this month" not in str(core)
    assert built["overlay"]["currentFocus"] == ["Mia is training for a marathon this month"]
    assert built["overlay"]["relevantToContext"] == ["Mia loves pottery and clay work"]
    used = {node["statement"] for node in built["insights"]["nodes"]}
    assert len(used) == 4
    instant = await ask(client, token, of=mia, detail="INSTANT")
    assert instant["id"] != built["id"] and instant["detail"] == "INSTANT"


async def test_the_same_ask_is_served_again_until_the_mindscape_changes_or_it_expires(
    client: GraphQLClient, graph: Graph
) -> None:
    token, mia = await person(client, "persona-again@example.com")
    first = await ask(client, token, of=mia, context="a gift")
    again = await ask(client, token, of=mia, context="a gift")
    assert again["id"] == first["id"] and again["accessCount"] == 2
    await client.data(
        INSIGHT,
        {"input": {"category": "FACT", "statement": "Mia moved to Lisbon", "recipientIds": [mia]}},
        token=token,
    )
    changed = await ask(client, token, of=mia, context="a gift")
    assert changed["id"] != first["id"]
    async with graph.driver.session() as session:
        await session.run("MATCH (p:Persona) SET p.expires_at = datetime() - duration('PT1M')")
    fresh = await ask(client, token, of=mia, context="a gift")
    assert fresh["id"] not in (first["id"], changed["id"]) and fresh["expired"] is False
    listed = await client.data("{ personas(filter: {expired: true}) { nodes { id expired } } }", token=token)
    assert {node["id"] for node in listed["personas"]["nodes"]} == {first["id"], changed["id"]}


async def test_a_deprecated_mapper_version_builds_nothing_and_says_so(
    client: GraphQLClient, graph: Graph
) -> None:
    token, mia = await person(client, "persona-deprecated@example.com")
    error = await client.error(PERSONA, {"of": mia, "version": "1.0.0"}, token=token)
    assert error["extensions"]["code"] == "MAPPER_DEPRECATED"
    assert error["extensions"]["replacedBy"] == "1.1.0"
    unknown = await client.error(PERSONA, {"of": mia, "version": "9.9.9"}, token=token)
    assert unknown["extensions"] == {"code": "BAD_USER_INPUT", "field": "mapperVersion"}
    assert await count(graph, "Persona") == 0
    mappers = (await client.data(MAPPERS, token=token))["personaMappers"]
    assert [(m["version"], m["deprecated"], m["replacedBy"]) for m in mappers] == [
        ("1.0.0", True, "1.1.0"),
        ("1.1.0", False, None),
    ]


async def test_feedback_is_kept_and_summed_per_mapper_version(client: GraphQLClient, graph: Graph) -> None:
    token, mia = await person(client, "persona-feedback@example.com")
    built = await ask(client, token, of=mia)
    await client.data(RATE, {"id": built["id"], "rating": 5, "outcome": "The gift landed"}, token=token)
    rated = (await client.data(RATE, {"id": built["id"], "rating": 2}, token=token))["ratePersona"]
    assert rated == {
        "feedbackCount": 2,
        "averageRating": 3.5,
        "feedbackRatings": [5, 2],
        "feedbackOutcomes": ["The gift landed", ""],
    }
    error = await client.error(RATE, {"id": built["id"], "rating": 6}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "rating"}
    mappers = {
        m["version"]: m["feedback"] for m in (await client.data(MAPPERS, token=token))["personaMappers"]
    }
    assert mappers["1.1.0"] == {
        "personas": 1,
        "ratings": 2,
        "ratingSum": 7,
        "averageRating": 3.5,
        "outcomes": 1,
    }
    assert mappers["1.0.0"]["personas"] == 0


async def test_another_users_person_or_persona_is_not_found(client: GraphQLClient, graph: Graph) -> None:
    token, mia = await person(client, "persona-owner@example.com")
    built = await ask(client, token, of=mia)
    other = await client.sign_up("persona-other@example.com")
    error = await client.error(PERSONA, {"of": mia}, token=other)
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await client.error(RATE, {"id": built["id"], "rating": 4}, token=other)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await count(graph, "Persona") == 1
    assert (
        await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": built["id"]}, token=other)
    ) == {"node": None}


async def test_bad_input_is_coded_and_writes_nothing(client: GraphQLClient, graph: Graph) -> None:
    token, mia = await person(client, "persona-bad@example.com")
    for variables, field in (({"ttl": 0}, "ttlHours"), ({"context": "x" * 2001}, "context")):
        error = await client.error(PERSONA, {"of": mia, **variables}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await count(graph, "Persona") == 0


async def test_an_agent_whose_key_allows_personas_gets_them_and_nothing_else(client: GraphQLClient) -> None:
    token, mia = await person(client, "persona-agent@example.com")
    agent = await key(client, token, personasOnly=True)
    asked = {"of": mia, "context": "a birthday dinner"}
    built = (await client.data(AGENT_PERSONA, asked, token=agent))["requestPersona"]
    assert built["core"]["identity"]["name"] == "Mia"
    # An agent is told only what the user confirmed, never what Kindred merely proposed.
    assert "Mia is patient and careful" in str(built["core"])
    assert "pottery" not in str(built) and "ceramics" not in str(built)
    rated = (await client.data(RATE, {"id": built["id"], "rating": 4}, token=agent))["ratePersona"]
    assert rated["feedbackCount"] == 1
    # Nothing else of the account, not even through the persona: its person and insights hold the rest.
    assert (await client.error("{ recipients { totalCount } }", token=agent))["extensions"][
        "code"
    ] == "OUT_OF_SCOPE"
    assert (await client.error(PERSONA, asked, token=agent))["extensions"]["code"] == "OUT_OF_SCOPE"
    # Asking builds or counts: a key that may not write may not ask.
    reader = await key(client, token, personasOnly=True, readOnly=True)
    assert (await client.error(AGENT_PERSONA, asked, token=reader))["extensions"]["code"] == "OUT_OF_SCOPE"
    error = await client.error(RATE, {"id": built["id"], "rating": 4}, token=reader)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    people = await key(client, token, kinds=["RECIPIENT"])
    assert (await client.error(PERSONA, {"of": mia}, token=people))["extensions"]["code"] == "OUT_OF_SCOPE"


PERSONAS = "{ personas { totalCount nodes { id expired } } }"
NODE = "query ($id: ID!) { node(id: $id) { id } }"
SEARCH = 'query { search(query: "pottery weekend", kinds: [PERSONA], minScore: 0) { node { id } } }'
VIEW = "{ graphView(labels: [PERSONA]) { nodes { id } } }"
PAST_VIEW = "query ($asOf: Int) { graphView(asOf: $asOf, labels: [PERSONA]) { nodes { id } } }"


async def test_a_key_reads_only_personas_built_from_confirmed_insights(client: GraphQLClient) -> None:
    token, mia = await person(client, "persona-confirmed@example.com")
    own = await ask(client, token, of=mia, context="a gift")  # the person's: what is proposed is in it
    agent = await key(client, token, personasOnly=True)
    told = (await client.data(AGENT_PERSONA, {"of": mia, "context": "a gift"}, token=agent))["requestPersona"]
    assert told["id"] != own["id"]
    mine = (await client.data(PERSONAS, token=token))["personas"]
    assert {node["id"] for node in mine["nodes"]} == {own["id"], told["id"]}
    lister = await key(client, token, kinds=["PERSONA"])
    theirs = (await client.data(PERSONAS, token=lister))["personas"]
    assert theirs == {"totalCount": 1, "nodes": [{"id": told["id"], "expired": False}]}
    assert (await client.data(NODE, {"id": own["id"]}, token=lister))["node"] is None
    assert (await client.data(NODE, {"id": told["id"]}, token=lister))["node"] == {"id": told["id"]}
    # So does the view as it was at the last change (the person's has both).
    last = (await client.data("{ graphView { sequence } }", token=token))["graphView"]["sequence"]
    past = {"asOf": last}
    drawn = (await client.data(PAST_VIEW, past, token=token))["graphView"]["nodes"]
    assert {node["id"] for node in drawn} == {own["id"], told["id"]}
    assert (await client.data(PAST_VIEW, past, token=lister))["graphView"]["nodes"] == [{"id": told["id"]}]
    error = await client.error(RATE, {"id": own["id"], "rating": 5}, token=agent)
    assert error["extensions"]["code"] == "NOT_FOUND"
    # The person's own persona is not served again to the agent, whatever it asks.
    again = (await client.data(AGENT_PERSONA, {"of": mia, "context": "a gift"}, token=agent))[
        "requestPersona"
    ]
    assert again["id"] == told["id"] and again["accessCount"] == 2


async def test_an_expired_persona_leaves_the_view_and_search_and_goes_after_its_grace(
    kindred: Instance, graph: Graph
) -> None:
    client = kindred.client
    token, mia = await person(client, "persona-expired@example.com")
    old = await ask(client, token, of=mia, context="Plan a pottery weekend")
    recent = await ask(client, token, of=mia, context="Plan a pottery weekend", detail="INSTANT")
    agent = await key(client, token, personasOnly=True)
    told = await client.data(AGENT_PERSONA, {"of": mia, "context": "Plan a pottery weekend"}, token=agent)
    told_id = told["requestPersona"]["id"]
    await kindred.dispatcher.drain()
    both = {old["id"], recent["id"], told_id}
    assert {hit["node"]["id"] for hit in (await client.data(SEARCH, token=token))["search"]} == both
    assert {node["id"] for node in (await client.data(VIEW, token=token))["graphView"]["nodes"]} == both
    # A key finds only the persona built from confirmed insights.
    lister = await key(client, token, kinds=["PERSONA"])
    assert [hit["node"]["id"] for hit in (await client.data(SEARCH, token=lister))["search"]] == [told_id]

    async with graph.driver.session() as session:  # a week cannot pass in a test: expiries are moved
        query = "MATCH (p:Persona {uid: $uid}) SET p.expires_at = datetime() - duration($ago)"
        await session.run(query, uid=_uid(old["id"]), ago="P8D")
        await session.run(query, uid=_uid(recent["id"]), ago="PT1M")
    assert {hit["node"]["id"] for hit in (await client.data(SEARCH, token=token))["search"]} == {told_id}
    assert {node["id"] for node in (await client.data(VIEW, token=token))["graphView"]["nodes"]} == {told_id}
    listed = (await client.data(PERSONAS, token=token))["personas"]["nodes"]
    assert {node["id"] for node in listed if node["expired"]} == {old["id"], recent["id"]}

    # The purge takes the one whose grace is over; the one that just expired stays listed (rateable).
    assert await purge.run(services_of(graph), time.time()) == 1
    await kindred.dispatcher.drain()
    listed = (await client.data(PERSONAS, token=token))["personas"]["nodes"]
    assert {node["id"] for node in listed} == {recent["id"], told_id}
    assert await count(graph, "Persona") == 2


def _uid(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


async def test_a_key_sees_in_the_view_only_the_personas_it_reads(client: GraphQLClient) -> None:
    token, mia = await person(client, "persona-view@example.com")
    own = await ask(client, token, of=mia, context="a gift")  # built from proposed insights too
    agent = await key(client, token, personasOnly=True)
    told = (await client.data(AGENT_PERSONA, {"of": mia, "context": "a gift"}, token=agent))["requestPersona"]
    mine = (await client.data(VIEW, token=token))["graphView"]["nodes"]
    assert {node["id"] for node in mine} == {own["id"], told["id"]}
    for scope in ({}, {"kinds": ["PERSONA"]}):
        reader = await key(client, token, **scope)
        seen = (await client.data(VIEW, token=reader))["graphView"]["nodes"]
        assert [node["id"] for node in seen] == [told["id"]], scope
        # Nor around the person, nor as a centre of its own.
        near = "query ($id: ID!) { neighbourhood(id: $id) { nodes { id } } }"
        if not scope:
            around = (await client.data(near, {"id": mia}, token=reader))["neighbourhood"]["nodes"]
            assert own["id"] not in [node["id"] for node in around]
