"""Memory as seed 001 describes it: the fields of each kind of memory (emotional, procedural, semantic and
identity), refused on a memory of another kind; a procedural memory's skill history, appended to by
every change of its proficiency; memories that refer to any of the viewer's nodes (REFERS_TO); and the
concept kinds for places, skills and emotions."""

import asyncio
from datetime import datetime
from typing import Any

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_insights import _count
from tests.test_recipients import create as create_recipient

SPECIFIC = "emotion intensity trigger coping steps successRate skill proficiency confidence source"
CREATE = f"""mutation ($input: CreateMemoryInput!) {{ createMemory(input: $input) {{
  id kind {SPECIFIC} skillHistory {{ proficiency at }} }} }}"""
UPDATE = f"""mutation ($input: UpdateMemoryInput!) {{ updateMemory(input: $input) {{
  id kind {SPECIFIC} skillHistory {{ proficiency at }} }} }}"""
HISTORY = """query ($id: ID!, $since: DateTime) { node(id: $id) {
  ... on Memory { skillHistory(since: $since) { proficiency at } } } }"""
LIST = """query ($f: MemoryFilter) { memories(filter: $f) { nodes { content } } }"""
REFERS = """query ($id: ID!) { node(id: $id) { ... on Memory {
  refersTo { totalCount nodes { __typename id } } } } }"""
REFERRING = """query ($id: ID!) { node(id: $id) {
  ... on Recipient { referringMemories { nodes { content } } }
  ... on Gift { referringMemories { nodes { content } } }
  ... on Occasion { referringMemories { nodes { content } } }
  ... on Concept { referringMemories { nodes { content } } }
  ... on Conflict { referringMemories { nodes { content } } }
  ... on Observation { referringMemories { nodes { content } } }
  ... on Insight { referringMemories { nodes { content } } } } }"""


async def _create(client: GraphQLClient, token: str, kind: str, content: str, **given: Any) -> dict[str, Any]:
    values = {"kind": kind, "content": content, **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createMemory"]


def _specific(memory: dict[str, Any]) -> dict[str, Any]:
    """The kind-specific fields a memory holds (those not null)."""
    return {name: memory[name] for name in SPECIFIC.split() if memory[name] is not None}


async def test_each_kind_of_memory_keeps_its_own_fields(client: GraphQLClient) -> None:
    token = await client.sign_up("fields@example.com")
    emotional = await _create(
        client,
        token,
        "EMOTIONAL",
        "Dread before the board meeting",
        emotion=" anxiety ",
        intensity=0.8,
        trigger="The quarterly numbers were late",
        coping="A walk around the block,\nthen breathing",
    )
    assert _specific(emotional) == {
        "emotion": "anxiety",
        "intensity": 0.8,
        "trigger": "The quarterly numbers were late",
        "coping": "A walk around the block,\nthen breathing",
    }
    procedural = await _create(
        client,
        token,
        "PROCEDURAL",
        "How I tune the guitar",
        steps=["Pluck the low E", "Match it to the tuner", " Work up the strings "],
        successRate=0.9,
        skill="Guitar",
        proficiency=0.3,
    )
    assert _specific(procedural) == {
        "steps": ["Pluck the low E", "Match it to the tuner", "Work up the strings"],
        "successRate": 0.9,
        "skill": "Guitar",
        "proficiency": 0.3,
    }
    for kind in ("SEMANTIC", "IDENTITY"):
        made = await _create(client, token, kind, f"A {kind.lower()} memory", confidence=0.6, source="Mom")
        assert _specific(made) == {"confidence": 0.6, "source": "Mom"}
    plain = await _create(client, token, "EPISODIC", "A day at the lake")
    assert _specific(plain) == {} and plain["skillHistory"] == []
    # Every field of its kind can be changed, and cleared.
    changed = await client.data(
        UPDATE, {"input": {"id": emotional["id"], "intensity": 0.4, "coping": None}}, token=token
    )
    assert changed["updateMemory"]["intensity"] == 0.4 and changed["updateMemory"]["coping"] is None
    assert changed["updateMemory"]["emotion"] == "anxiety"


async def test_a_field_of_another_kind_of_memory_is_refused_naming_it_and_nothing_is_written(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("wrong-fields@example.com")
    before = await _count(graph)
    refused = [
        ("EPISODIC", {"emotion": "joy"}, "emotion"),
        ("SEMANTIC", {"intensity": 0.5}, "intensity"),
        ("IDENTITY", {"trigger": "x"}, "trigger"),
        ("PROCEDURAL", {"coping": "x"}, "coping"),
        ("EMOTIONAL", {"steps": ["one"]}, "steps"),
        ("EMOTIONAL", {"successRate": 0.5}, "successRate"),
        ("SEMANTIC", {"skill": "chess"}, "skill"),
        ("SHORT_TERM", {"proficiency": 0.5}, "proficiency"),
        ("PROCEDURAL", {"confidence": 0.5}, "confidence"),
        ("EMOTIONAL", {"source": "a book"}, "source"),
        # and out of range or badly formed, on the kind that holds them
        ("EMOTIONAL", {"intensity": 1.5}, "intensity"),
        ("PROCEDURAL", {"successRate": -0.1}, "successRate"),
        ("PROCEDURAL", {"proficiency": 2}, "proficiency"),
        ("SEMANTIC", {"confidence": 1.01}, "confidence"),
        ("EMOTIONAL", {"emotion": ""}, "emotion"),
        ("EMOTIONAL", {"emotion": "x" * 101}, "emotion"),
        ("EMOTIONAL", {"emotion": "two\nlines"}, "emotion"),
        ("EMOTIONAL", {"trigger": "x" * 2_001}, "trigger"),
        ("PROCEDURAL", {"steps": ["fine", "  "]}, "steps"),
        ("PROCEDURAL", {"steps": ["a"] * 101}, "steps"),
        ("PROCEDURAL", {"skill": "x" * 101}, "skill"),
        ("IDENTITY", {"source": "x" * 501}, "source"),
    ]
    for kind, given, field in refused:
        error = await client.error(CREATE, {"input": {"kind": kind, "content": "x", **given}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (kind, given, error)
        assert field in error["message"]
    assert await _count(graph) == before

    emotional = await _create(client, token, "EMOTIONAL", "Joy at the finish line", emotion="joy")
    after_create = await _count(graph)
    for given, field in (
        ({"skill": "running"}, "skill"),
        ({"confidence": 0.9}, "confidence"),
        # A memory that becomes episodic must let go of its emotion in the same change.
        ({"kind": "EPISODIC"}, "emotion"),
        ({"intensity": -1}, "intensity"),
    ):
        error = await client.error(UPDATE, {"input": {"id": emotional["id"], **given}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    assert await _count(graph) == after_create
    read = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Memory { kind emotion skill } } }",
        {"id": emotional["id"]},
        token=token,
    )
    assert read["node"] == {"kind": "EMOTIONAL", "emotion": "joy", "skill": None}
    became = await client.data(
        UPDATE, {"input": {"id": emotional["id"], "kind": "EPISODIC", "emotion": None}}, token=token
    )
    assert became["updateMemory"]["kind"] == "EPISODIC" and _specific(became["updateMemory"]) == {}


async def test_a_skill_keeps_each_proficiency_it_had_with_when(client: GraphQLClient) -> None:
    token = await client.sign_up("skills@example.com")
    chess = await _create(client, token, "PROCEDURAL", "Openings I know", skill="Chess", proficiency=0.2)
    await _create(client, token, "PROCEDURAL", "Knots", skill="sailing", proficiency=0.5)
    assert [level["proficiency"] for level in chess["skillHistory"]] == [0.2]

    async def update(**given: Any) -> dict[str, Any]:
        changed = await client.data(UPDATE, {"input": {"id": chess["id"], **given}}, token=token)
        return changed["updateMemory"]

    await update(proficiency=0.35)
    await update(successRate=0.5)  # no change of proficiency: no entry
    await update(proficiency=0.35)  # the same level again: no entry
    middle = datetime.fromisoformat((await update(proficiency=0.5))["skillHistory"][-1]["at"])
    last = await update(proficiency=0.7, content="Openings and endgames I know")
    history = last["skillHistory"]
    assert [level["proficiency"] for level in history] == [0.2, 0.35, 0.5, 0.7]
    times = [datetime.fromisoformat(level["at"]) for level in history]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    since = await client.data(HISTORY, {"id": chess["id"], "since": middle.isoformat()}, token=token)
    assert [level["proficiency"] for level in since["node"]["skillHistory"]] == [0.5, 0.7]
    # Cleared, it keeps what it had; set again, it goes on.
    assert (await update(proficiency=None))["skillHistory"] == history
    assert [level["proficiency"] for level in (await update(proficiency=0.75))["skillHistory"]][-1] == 0.75

    # Changes at once each leave their entry: none is lost to another.
    levels = [0.8, 0.81, 0.82, 0.83, 0.84, 0.85]
    await asyncio.gather(*(update(proficiency=level) for level in levels))
    final = (await client.data(HISTORY, {"id": chess["id"]}, token=token))["node"]["skillHistory"]
    assert sorted(level["proficiency"] for level in final[-len(levels) :]) == levels
    assert len(final) == 5 + len(levels)

    found = await client.data(LIST, {"f": {"skill": "CHESS"}}, token=token)
    assert found["memories"]["nodes"] == [{"content": "Openings and endgames I know"}]


async def test_a_memory_refers_to_any_of_the_viewers_nodes_and_each_reaches_it_back(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("refers@example.com")
    lea = await create_recipient(client, token, "Lea")
    ids: dict[str, str] = {"Recipient": lea["id"]}
    made = await client.data(
        "mutation ($i: CreateGiftInput!) { createGift(input: $i) { id } }",
        {"i": {"name": "Kite"}},
        token=token,
    )
    ids["Gift"] = made["createGift"]["id"]
    made = await client.data(
        "mutation ($i: CreateOccasionInput!) { createOccasion(input: $i) { id } }",
        {"i": {"name": "Lea's birthday", "kind": "BIRTHDAY", "date": "2026-05-01"}},
        token=token,
    )
    ids["Occasion"] = made["createOccasion"]["id"]
    made = await client.data(
        'mutation { createConcept(input: {name: "kites", kind: SKILL}) { id } }', token=token
    )
    ids["Concept"] = made["createConcept"]["id"]
    made = await client.data(
        "mutation ($i: CreateConflictInput!) { createConflict(input: $i) { id } }",
        {"i": {"recipientId": lea["id"], "summary": "Tangled lines"}},
        token=token,
    )
    ids["Conflict"] = made["createConflict"]["id"]
    made = await client.data(
        'mutation { createObservation(input: {content: "Lea flew it", source: MANUAL}) { id } }', token=token
    )
    ids["Observation"] = made["createObservation"]["id"]
    made = await client.data(
        'mutation { createInsight(input: {category: FACT, statement: "Lea loves kites"}) { id } }',
        token=token,
    )
    ids["Insight"] = made["createInsight"]["id"]

    memory = await _create(client, token, "EPISODIC", "The kite day", refersToIds=list(ids.values()))
    refers = (await client.data(REFERS, {"id": memory["id"]}, token=token))["node"]["refersTo"]
    assert refers["totalCount"] == len(ids)
    assert {(n["__typename"], n["id"]) for n in refers["nodes"]} == set(ids.items())
    for node in ids.values():
        back = (await client.data(REFERRING, {"id": node}, token=token))["node"]["referringMemories"]
        assert back["nodes"] == [{"content": "The kite day"}], node
    # Whom it involves stays apart from what it refers to.
    involves = "query ($id: ID!) { node(id: $id) { ... on Recipient { memories { totalCount } } } }"
    assert (await client.data(involves, {"id": lea["id"]}, token=token))["node"]["memories"][
        "totalCount"
    ] == 0

    # An update makes them exactly what is given; a link by hand adds one.
    await client.data(UPDATE, {"input": {"id": memory["id"], "refersToIds": [ids["Gift"]]}}, token=token)
    refers = (await client.data(REFERS, {"id": memory["id"]}, token=token))["node"]["refersTo"]
    assert [n["id"] for n in refers["nodes"]] == [ids["Gift"]]
    link = "mutation ($from: ID!, $to: ID!) { link(from: $from, to: $to, kind: REFERS_TO) { changed } }"
    await client.data(link, {"from": memory["id"], "to": ids["Insight"]}, token=token)
    refers = (await client.data(REFERS, {"id": memory["id"]}, token=token))["node"]["refersTo"]
    assert refers["totalCount"] == 2

    # Refused: a kind it does not refer to (an account's node), another user's node. (A memory may refer
    # to a memory: a note on it, a reflection about it.)
    other = await client.sign_up("refers-other@example.com")
    theirs = await create_recipient(client, other, "Mallory")
    before = await _count(graph)
    session = (await client.data("{ sessions { nodes { id } } }", token=token))["sessions"]["nodes"][0]["id"]
    for refs, code in (
        ([session], "BAD_USER_INPUT"),
        ([theirs["id"]], "NOT_FOUND"),
    ):
        error = await client.error(
            CREATE, {"input": {"kind": "EPISODIC", "content": "x", "refersToIds": refs}}, token=token
        )
        assert error["extensions"]["code"] == code, error
        error = await client.error(UPDATE, {"input": {"id": memory["id"], "refersToIds": refs}}, token=token)
        assert error["extensions"]["code"] == code, error
        if code == "BAD_USER_INPUT":
            assert error["extensions"]["field"] == "refersToIds"
    # Nor does the other user reach this memory from their own node, or link their memory to this one's.
    their_memory = await _create(client, other, "EPISODIC", "Mine")
    before = await _count(graph)
    error = await client.error(link, {"from": their_memory["id"], "to": ids["Gift"]}, token=other)
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await client.error(
        UPDATE, {"input": {"id": their_memory["id"], "refersToIds": [ids["Concept"]]}}, token=other
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(REFERRING, {"id": ids["Gift"]}, token=other))["node"] is None
    assert await _count(graph) == before
    refers = (await client.data(REFERS, {"id": memory["id"]}, token=token))["node"]["refersTo"]
    assert refers["totalCount"] == 2


async def test_concepts_name_places_skills_and_emotions(client: GraphQLClient) -> None:
    token = await client.sign_up("concept-kinds@example.com")
    create = "mutation ($name: String!, $kind: ConceptKind) { createConcept(input: {name: $name, kind: $kind}) { kind } }"
    for name, kind in (
        ("Lisbon", "PLACE"),
        ("Sourdough", "SKILL"),
        ("Nostalgia", "EMOTION"),
        ("Tea", "INTEREST"),
    ):
        made = await client.data(create, {"name": name, "kind": kind}, token=token)
        assert made["createConcept"]["kind"] == kind
    listed = "query ($kinds: [ConceptKind!]) { concepts(filter: {kinds: $kinds}) { nodes { name } } }"
    found = await client.data(listed, {"kinds": ["PLACE", "EMOTION"]}, token=token)
    assert sorted(n["name"] for n in found["concepts"]["nodes"]) == ["Lisbon", "Nostalgia"]
