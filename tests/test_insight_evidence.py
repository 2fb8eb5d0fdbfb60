"""An insight's evidence: the memories, observations, documents and messages it is derived from
(DERIVED_FROM, with a weight), given when it is made or changed, linked and unlinked by hand, listed as
one `evidence`, reached back from each (`insights`), refused when of another kind or not the viewer's
(nothing written), and kept to its owner."""

from typing import Any

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_conversations import _conversation, _photo, _say
from tests.test_insights import _count, _memory
from tests.test_observations import _observation
from tests.test_recipients import create as create_recipient

FIELDS = "id statement evidence { totalCount nodes { __typename id } } memories { totalCount }"
CREATE = f"""mutation ($input: CreateInsightInput!) {{ createInsight(input: $input) {{ {FIELDS} }} }}"""
UPDATE = f"""mutation ($input: UpdateInsightInput!) {{ updateInsight(input: $input) {{ {FIELDS} }} }}"""
EVIDENCE = """query ($id: ID!, $o: [LinkedOrder!]) { node(id: $id) { ... on Insight {
  evidence(orderBy: $o) { totalCount nodes { __typename id } } } } }"""
BACK = """query ($id: ID!) { node(id: $id) {
  ... on Memory { insights { totalCount nodes { statement } } }
  ... on Observation { insights { totalCount nodes { statement } } }
  ... on Document { insights { totalCount nodes { statement } } }
  ... on Message { insights { totalCount nodes { statement } } } } }"""
LINK = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!, $weight: Float) {
  link(from: $from, to: $to, kind: $kind, weight: $weight) { changed } }"""
UNLINK = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!) {
  unlink(from: $from, to: $to, kind: $kind) { changed } }"""
DELETE_CONVERSATION = "mutation ($id: ID!) { deleteConversation(id: $id) { deletedCount } }"
MESSAGE_IN = "query ($id: ID!) { node(id: $id) { ... on Message { conversation { id } } } }"
CONFIDENCE = "query ($id: ID!) { node(id: $id) { ... on Insight { confidence } } }"


async def _insight(client: GraphQLClient, token: str, statement: str, **given: Any) -> dict[str, Any]:
    values = {"category": "PREFERENCE", "statement": statement, **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createInsight"]


async def _evidence(client: GraphQLClient, token: str, insight: str, **order: str) -> list[str]:
    given = [{"field": "CREATED_AT", **order}] if order else None
    found = await client.data(EVIDENCE, {"id": insight, "o": given}, token=token)
    return [node["id"] for node in found["node"]["evidence"]["nodes"]]


async def _back(client: GraphQLClient, token: str, source: str) -> list[str]:
    """The statements of the insights derived from a node of evidence."""
    found = (await client.data(BACK, {"id": source}, token=token))["node"]
    return [node["statement"] for node in found["insights"]["nodes"]]


async def _weight(graph: Graph, label: str) -> Any:
    async with graph.driver.session() as session:
        query = f"MATCH (:Insight)-[r:DERIVED_FROM]->(:{label}) RETURN r.weight AS w"
        return (await (await session.run(query)).single(strict=True))["w"]


async def _evidence_of_every_kind(client: GraphQLClient, token: str) -> dict[str, str]:
    """One node of each kind an insight rests on, by kind, made in this order."""
    memory = await _memory(client, token, "Uma ordered oolong again")
    observation = (await _observation(client, token, "Uma: nothing beats a pot of green tea"))["id"]
    document = await _photo(client, token)
    chat = await _conversation(client, token, "Catching up with Uma")
    message = (await _say(client, token, chat["id"], "Uma brought her own tea to the picnic"))["id"]
    return {"Memory": memory, "Observation": observation, "Document": document, "Message": message}


async def test_an_insight_rests_on_memories_observations_documents_and_messages_reached_both_ways(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("insight-evidence@example.com")
    given = await _evidence_of_every_kind(client, token)
    made = await _insight(client, token, "Uma loves tea", evidenceIds=list(given.values()))

    # One list of every kind, in the order asked for (by creation, ascending by default).
    assert made["evidence"]["totalCount"] == 4
    assert [(n["__typename"], n["id"]) for n in made["evidence"]["nodes"]] == list(given.items())
    assert made["memories"]["totalCount"] == 1  # its memories alone, as before
    newest = await _evidence(client, token, made["id"], direction="DESC")
    assert newest == list(reversed(given.values()))

    # And the other way: each node of evidence reaches the insights derived from it.
    for source in given.values():
        assert await _back(client, token, source) == ["Uma loves tea"]

    # An update replaces the set (null keeps it, [] empties it), with a link event for each change.
    kept = await client.data(UPDATE, {"input": {"id": made["id"], "confidence": 0.9}}, token=token)
    assert kept["updateInsight"]["evidence"]["totalCount"] == 4
    changed = await client.data(
        UPDATE,
        {"input": {"id": made["id"], "evidenceIds": [given["Observation"], given["Message"]]}},
        token=token,
    )
    assert [n["id"] for n in changed["updateInsight"]["evidence"]["nodes"]] == [
        given["Observation"],
        given["Message"],
    ]
    assert await _back(client, token, given["Memory"]) == []
    assert await _back(client, token, given["Document"]) == []
    events = await client.data("{ events(last: 3) { nodes { kind } } }", token=token)
    assert sorted(e["kind"] for e in events["events"]["nodes"]) == [
        "DERIVED_FROMUnlinked",
        "DERIVED_FROMUnlinked",
        "InsightUpdated",
    ]

    # A memory or an observation is linked by hand too, with a weight, and unlinked.
    linked = await client.data(
        LINK, {"from": made["id"], "to": given["Memory"], "kind": "DERIVED_FROM", "weight": 0.6}, token=token
    )
    assert linked["link"]["changed"]
    assert await _weight(graph, "Memory") == 0.6
    await client.data(
        LINK,
        {"from": made["id"], "to": given["Observation"], "kind": "DERIVED_FROM", "weight": 0.3},
        token=token,
    )
    assert await _weight(graph, "Observation") == 0.3
    unlinked = await client.data(
        UNLINK, {"from": made["id"], "to": given["Observation"], "kind": "DERIVED_FROM"}, token=token
    )
    assert unlinked["unlink"]["changed"]
    assert await _evidence(client, token, made["id"]) == [given["Memory"], given["Message"]]
    assert await _back(client, token, given["Observation"]) == []
    # Never from the other end; and a document or a message (never drawn) is given by evidenceIds alone.
    before = await _count(graph)
    for variables in (
        {"from": given["Observation"], "to": made["id"], "kind": "DERIVED_FROM"},
        {"from": made["id"], "to": given["Document"], "kind": "DERIVED_FROM"},
    ):
        error = await client.error(LINK, variables, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}, variables
    assert await _count(graph) == before

    # Evidence going does not take the insight with it: deleting the conversation deletes its message.
    held = await client.data(MESSAGE_IN, {"id": given["Message"]}, token=token)
    await client.data(DELETE_CONVERSATION, {"id": held["node"]["conversation"]["id"]}, token=token)
    assert await _evidence(client, token, made["id"]) == [given["Memory"]]
    emptied = await client.data(UPDATE, {"input": {"id": made["id"], "evidenceIds": []}}, token=token)
    assert emptied["updateInsight"]["evidence"]["totalCount"] == 0
    assert emptied["updateInsight"]["statement"] == "Uma loves tea"


async def test_evidence_of_another_kind_or_of_nothing_is_refused_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("insight-bad-evidence@example.com")
    ada = await create_recipient(client, token, "Ada")
    seen = (await _observation(client, token, "Ada hums while cooking"))["id"]
    chat = await _conversation(client, token, "With Ada")
    other = await _insight(client, token, "Ada hums")
    made = await _insight(client, token, "Ada is cheerful", evidenceIds=[seen])
    before = await _count(graph)
    missing = seen[:-4] + "AAAA"
    # A person, a conversation, an insight are no evidence; alone or among good ones, nothing is kept.
    for ids in ([ada["id"]], [seen, chat["id"]], [other["id"]], ["not an id"], [seen] * 51):
        create = {"category": "TRAIT", "statement": "x", "evidenceIds": ids}
        error = await client.error(CREATE, {"input": create}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "evidenceIds"}, (ids, error)
        error = await client.error(UPDATE, {"input": {"id": made["id"], "evidenceIds": ids}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "evidenceIds"}, (ids, error)
    for ids in ([missing], [seen, missing]):
        create = {"category": "TRAIT", "statement": "x", "evidenceIds": ids}
        error = await client.error(CREATE, {"input": create}, token=token)
        assert error["extensions"]["code"] == "NOT_FOUND", (ids, error)
        error = await client.error(
            UPDATE, {"input": {"id": made["id"], "evidenceIds": ids, "confidence": 1.0}}, token=token
        )
        assert error["extensions"]["code"] == "NOT_FOUND", (ids, error)
    assert await _count(graph) == before
    assert await _evidence(client, token, made["id"]) == [seen]
    still = await client.data(CONFIDENCE, {"id": made["id"]}, token=token)
    assert still["node"] == {"confidence": 0.5}


async def test_another_users_evidence_is_out_of_reach_and_their_insights_out_of_sight(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("ann-insight-evidence@example.com")
    bob = await client.sign_up("bob-insight-evidence@example.com")
    anns = await _evidence_of_every_kind(client, ann)
    anns_insight = await _insight(client, ann, "Uma loves tea", evidenceIds=list(anns.values()))
    bobs_memory = await _memory(client, bob, "Uma spilled her tea")
    bobs_insight = await _insight(client, bob, "Uma is clumsy", evidenceIds=[bobs_memory])
    before = await _count(graph)

    # Bob cannot rest an insight on any of Ann's nodes: not when made (alone or beside his own), not by
    # an update, not by a link.
    for label, uid in anns.items():
        refused: list[tuple[str, dict[str, Any]]] = [
            (CREATE, {"input": {"category": "FACT", "statement": "?", "evidenceIds": [uid]}}),
            (CREATE, {"input": {"category": "FACT", "statement": "?", "evidenceIds": [bobs_memory, uid]}}),
            (UPDATE, {"input": {"id": bobs_insight["id"], "evidenceIds": [uid]}}),
        ]
        if label in ("Memory", "Observation"):
            refused.append((LINK, {"from": bobs_insight["id"], "to": uid, "kind": "DERIVED_FROM"}))
        for operation, variables in refused:
            error = await client.error(operation, variables, token=bob)
            assert error["extensions"]["code"] == "NOT_FOUND", (label, variables, error)
    # Nor touch Ann's insight's evidence.
    error = await client.error(UPDATE, {"input": {"id": anns_insight["id"], "evidenceIds": []}}, token=bob)
    assert error["extensions"]["code"] == "NOT_FOUND"
    unlink = {"from": anns_insight["id"], "to": anns["Memory"], "kind": "DERIVED_FROM"}
    assert (await client.data(UNLINK, unlink, token=bob))["unlink"] == {"changed": False}
    assert await _count(graph) == before

    # Ann's nodes and what rests on them are out of Bob's sight; his own insight rests on his alone.
    for uid in (*anns.values(), anns_insight["id"]):
        assert (await client.data(BACK, {"id": uid}, token=bob))["node"] is None
    assert await _evidence(client, bob, bobs_insight["id"]) == [bobs_memory]
    assert await _evidence(client, ann, anns_insight["id"]) == list(anns.values())
    for uid in anns.values():
        assert await _back(client, ann, uid) == ["Uma loves tea"]
