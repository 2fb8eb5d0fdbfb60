"""Observations: raw input written once (never changed after), reviewed once by whoever the request acts
as; the memories derived from them and from documents (DERIVED_FROM), reached both ways; kept to their
owner, searched. That a node of the kind is drawn, captioned and sent as a live delta is
tests/test_kinds.py's."""

from typing import Any

from graph.driver import Graph
from tests import test_documents, test_search
from tests.client import GraphQLClient
from tests.test_documents import PNG, upload
from tests.test_documents import Instance as DocumentsInstance
from tests.test_insights import _count
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher
documents_app = test_documents.kindred  # the fixture: an app with its own blobs, for uploads

FIELDS = """id content source sourceDetail observedAt status reviewedAt reviewReason title
  reviewedBy { kind id } about { name }"""
CREATE = (
    f"""mutation ($input: CreateObservationInput!) {{ createObservation(input: $input) {{ {FIELDS} }} }}"""
)
REVIEW = f"""mutation ($id: ID!, $decision: ReviewDecision!, $reason: String) {{
  reviewObservation(id: $id, decision: $decision, reason: $reason) {{ {FIELDS} }} }}"""
DELETE = "mutation ($id: ID!) { deleteObservation(id: $id) { deletedId deletedCount } }"
LIST = """query ($f: ObservationFilter, $o: [ObservationOrder!]) {
  observations(filter: $f, orderBy: $o) { totalCount nodes { content } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
MEMORY = """mutation ($input: CreateMemoryInput!) { createMemory(input: $input) {
  id derivedFrom { totalCount nodes { __typename id } } } }"""
UPDATE_MEMORY = """mutation ($input: UpdateMemoryInput!) { updateMemory(input: $input) {
  id derivedFrom { totalCount nodes { __typename id } } } }"""
EVIDENCE = """query ($id: ID!, $first: Int, $after: String, $o: [LinkedOrder!]) { node(id: $id) {
  ... on Memory { derivedFrom(first: $first, after: $after, orderBy: $o) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { __typename id ... on Observation { content } ... on Document { filename } } } } } }"""
DERIVED = """query ($id: ID!) { node(id: $id) {
  ... on Observation { memories { totalCount nodes { content } } }
  ... on Document { memories { totalCount nodes { content } } } } }"""
ABOUT_THEM = """query ($id: ID!) { node(id: $id) {
  ... on Recipient { observations { totalCount nodes { content } } } } }"""
LINK = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!, $weight: Float) {
  link(from: $from, to: $to, kind: $kind, weight: $weight) { changed } }"""
SESSIONS = "{ sessions { nodes { id current } } }"
CREATE_KEY = 'mutation { createApiKey(name: "agent") { key apiKey { id } } }'
SEARCH = """query ($q: String!) { search(query: $q, kinds: [OBSERVATION]) {
  matched { text } node { __typename ... on Observation { content } } } }"""


async def _observation(client: GraphQLClient, token: str, content: str, **given: Any) -> dict[str, Any]:
    values = {"content": content, "source": "CHAT_LOG", **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createObservation"]


async def _memory(client: GraphQLClient, token: str, content: str, **given: Any) -> dict[str, Any]:
    values = {"kind": "SEMANTIC", "content": content, **given}
    return (await client.data(MEMORY, {"input": values}, token=token))["createMemory"]


async def test_an_observation_is_written_pending_with_its_source_and_whom_it_is_about(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("observer@example.com")
    mia = await create_recipient(client, token, "Mia")
    made = await _observation(
        client,
        token,
        " Mia said she hates surprise parties \n",
        source="CHAT_LOG",
        sourceDetail="whatsapp family group",
        observedAt="2026-03-01T20:15:00+01:00",
        aboutId=mia["id"],
    )
    assert made["content"] == "Mia said she hates surprise parties"
    assert made["source"] == "CHAT_LOG" and made["sourceDetail"] == "whatsapp family group"
    assert made["observedAt"] == "2026-03-01T19:15:00+00:00"
    assert made["status"] == "PENDING" and made["reviewedBy"] is None and made["reviewedAt"] is None
    assert made["about"] == {"name": "Mia"} and made["title"] == "Mia said she hates surprise parties"
    # Seen now unless told when; about no one unless told whom.
    noted = await _observation(client, token, "Rain all week", source="MANUAL")
    assert noted["observedAt"] and noted["about"] is None
    await _observation(
        client, token, "An MBTI result: INFJ", source="ASSESSMENT", observedAt="2025-01-01T00:00Z"
    )

    about_mia = (await client.data(ABOUT_THEM, {"id": mia["id"]}, token=token))["node"]["observations"]
    assert about_mia == {"totalCount": 1, "nodes": [{"content": "Mia said she hates surprise parties"}]}

    async def contents(filter: dict[str, Any] | None = None, order: Any = None) -> list[str]:
        found = await client.data(LIST, {"f": filter, "o": order}, token=token)
        return [node["content"] for node in found["observations"]["nodes"]]

    assert await contents() == [
        "Rain all week",
        "Mia said she hates surprise parties",
        "An MBTI result: INFJ",
    ]
    assert (await contents(order=[{"field": "OBSERVED_AT", "direction": "ASC"}]))[0] == "An MBTI result: INFJ"
    assert await contents({"sources": ["ASSESSMENT", "MANUAL"]}) == ["Rain all week", "An MBTI result: INFJ"]
    assert await contents({"aboutId": mia["id"]}) == ["Mia said she hates surprise parties"]
    assert await contents({"until": "2025-06-01T00:00:00Z"}) == ["An MBTI result: INFJ"]
    assert await contents({"statuses": ["APPROVED"]}) == []


async def test_an_observation_is_immutable_there_is_nothing_to_change_it_with(client: GraphQLClient) -> None:
    token = await client.sign_up("immutable@example.com")
    made = await _observation(client, token, "He always calls on Sundays")
    # No update mutation exists: a client cannot even ask for one.
    error = await client.error(
        'mutation ($id: ID!) { updateObservation(input: {id: $id, content: "x"}) { id } }',
        {"id": made["id"]},
        token=token,
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # Nor is its subject linked or unlinked after it was written.
    sam = await create_recipient(client, token, "Sam")
    refused = await client.error(LINK, {"from": made["id"], "to": sam["id"], "kind": "ABOUT"}, token=token)
    assert refused["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}
    unlink = "mutation ($from: ID!, $to: ID!) { unlink(from: $from, to: $to, kind: ABOUT) { changed } }"
    refused = await client.error(unlink, {"from": made["id"], "to": sam["id"]}, token=token)
    assert refused["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}
    # A conflict's topics (ABOUT too) are still linked by hand.
    conflict = await client.data(
        "mutation ($i: CreateConflictInput!) { createConflict(input: $i) { id } }",
        {"i": {"recipientId": sam["id"], "summary": "Chores"}},
        token=token,
    )
    topic = await client.data('mutation { createConcept(input: {name: "chores"}) { id } }', token=token)
    linked = await client.data(
        LINK,
        {"from": conflict["createConflict"]["id"], "to": topic["createConcept"]["id"], "kind": "ABOUT"},
        token=token,
    )
    assert linked["link"]["changed"]


async def test_a_review_names_who_decided_and_when_and_is_final(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("reviewer@example.com")
    session = [
        s["id"] for s in (await client.data(SESSIONS, token=token))["sessions"]["nodes"] if s["current"]
    ]
    created = (await client.data(CREATE_KEY, token=token))["createApiKey"]
    key, key_id = created["key"], created["apiKey"]["id"]
    first = await _observation(client, token, "She lights up talking about bees")
    second = await _observation(client, token, "Maybe allergic to cats?")

    approved = (
        await client.data(
            REVIEW, {"id": first["id"], "decision": "APPROVE", "reason": " Seen it twice "}, token=token
        )
    )["reviewObservation"]
    assert approved["status"] == "APPROVED" and approved["reviewReason"] == "Seen it twice"
    assert approved["reviewedBy"] == {"kind": "SESSION", "id": session[0]}
    assert approved["reviewedAt"] is not None
    assert approved["content"] == first["content"]
    # An agent with an API key decides as that key.
    rejected = (await client.data(REVIEW, {"id": second["id"], "decision": "REJECT"}, token=key))[
        "reviewObservation"
    ]
    assert rejected["status"] == "REJECTED" and rejected["reviewReason"] is None
    assert rejected["reviewedBy"] == {"kind": "API_KEY", "id": key_id}

    before = await _count(graph)
    for observation, decision in ((first, "REJECT"), (first, "APPROVE"), (second, "APPROVE")):
        error = await client.error(REVIEW, {"id": observation["id"], "decision": decision}, token=token)
        assert error["extensions"]["code"] == "ALREADY_DECIDED", error
    assert await _count(graph) == before
    kept = await client.data(LIST, {"f": {"statuses": ["APPROVED"]}}, token=token)
    assert kept["observations"]["nodes"] == [{"content": "She lights up talking about bees"}]

    # Bad reviews: a reason too long, an id of another type, an id of nothing.
    pending = await _observation(client, token, "Left early again")
    before = await _count(graph)
    too_long = await client.error(
        REVIEW, {"id": pending["id"], "decision": "APPROVE", "reason": "x" * 2_001}, token=token
    )
    assert too_long["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
    wrong = await client.error(REVIEW, {"id": created["apiKey"]["id"], "decision": "APPROVE"}, token=token)
    assert wrong["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    await client.data(DELETE, {"id": pending["id"]}, token=token)
    gone = await client.error(REVIEW, {"id": pending["id"], "decision": "APPROVE"}, token=token)
    assert gone["extensions"]["code"] == "NOT_FOUND"


async def test_bad_observations_are_refused_and_write_nothing(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("bad-observation@example.com")
    memory = await _memory(client, token, "Cats make Ivo sneeze")
    before = await _count(graph)
    cases = [
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content": "x" * 20_001}, "content"),
        ({"content": "a\x00b"}, "content"),
        ({"sourceDetail": ""}, "sourceDetail"),
        ({"sourceDetail": "x" * 201}, "sourceDetail"),
        ({"sourceDetail": "two\nlines"}, "sourceDetail"),
        ({"aboutId": memory["id"]}, "aboutId"),  # a memory is no person
    ]
    for given, field in cases:
        values = {"content": "Ivo sneezed near the cat", "source": "OTHER", **given}
        error = await client.error(CREATE, {"input": values}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    no_zone = await client.error(
        CREATE,
        {"input": {"content": "x", "source": "OTHER", "observedAt": "2026-01-01T10:00:00"}},
        token=token,
    )
    assert no_zone["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _count(graph) == before


async def test_a_memory_rests_on_observations_and_documents_reached_both_ways(
    documents_app: DocumentsInstance, graph: Graph
) -> None:
    client = documents_app.client
    token = await client.sign_up("evidence-memory@example.com")
    chat = await _observation(client, token, "Ivo: I sneeze whenever the cat is near")
    vet = await _observation(client, token, "The vet's note says Ivo is allergic", source="DOCUMENT")
    scan = (
        await upload(documents_app.http, token, vet["id"], "EVIDENCE", "note.png", PNG, "image/png")
    ).json()
    document = scan["data"]["uploadDocument"]["id"]
    docs = "query ($id: ID!) { node(id: $id) { ... on Observation { documents { nodes { id role } } } } }"
    attached = (await client.data(docs, {"id": vet["id"]}, token=token))["node"]["documents"]["nodes"]
    assert attached == [{"id": document, "role": "EVIDENCE"}]

    made = await _memory(
        client, token, "Ivo is allergic to cats", derivedFromIds=[chat["id"], vet["id"], document]
    )
    assert made["derivedFrom"]["totalCount"] == 3
    assert [n["id"] for n in made["derivedFrom"]["nodes"]] == [chat["id"], vet["id"], document]
    assert [n["__typename"] for n in made["derivedFrom"]["nodes"]] == [
        "Observation",
        "Observation",
        "Document",
    ]

    # One list of every kind, paged and ordered as any list.
    page = (await client.data(EVIDENCE, {"id": made["id"], "first": 2}, token=token))["node"]["derivedFrom"]
    assert [n["id"] for n in page["nodes"]] == [chat["id"], vet["id"]] and page["pageInfo"]["hasNextPage"]
    rest = await client.data(
        EVIDENCE, {"id": made["id"], "first": 2, "after": page["pageInfo"]["endCursor"]}, token=token
    )
    assert [n["filename"] for n in rest["node"]["derivedFrom"]["nodes"]] == ["note.png"]
    assert not rest["node"]["derivedFrom"]["pageInfo"]["hasNextPage"]
    newest = await client.data(
        EVIDENCE, {"id": made["id"], "o": [{"field": "CREATED_AT", "direction": "DESC"}]}, token=token
    )
    assert [n["id"] for n in newest["node"]["derivedFrom"]["nodes"]] == [document, vet["id"], chat["id"]]

    # And the other way: what rests on an observation, on a document.
    for source in (chat["id"], document):
        back = (await client.data(DERIVED, {"id": source}, token=token))["node"]["memories"]
        assert back == {"totalCount": 1, "nodes": [{"content": "Ivo is allergic to cats"}]}

    # An update replaces the set (null keeps it, [] empties it), with a link event for each change.
    kept = await client.data(UPDATE_MEMORY, {"input": {"id": made["id"], "importance": 0.9}}, token=token)
    assert kept["updateMemory"]["derivedFrom"]["totalCount"] == 3
    changed = await client.data(
        UPDATE_MEMORY, {"input": {"id": made["id"], "derivedFromIds": [vet["id"]]}}, token=token
    )
    assert [n["id"] for n in changed["updateMemory"]["derivedFrom"]["nodes"]] == [vet["id"]]
    assert (await client.data(DERIVED, {"id": chat["id"]}, token=token))["node"]["memories"][
        "totalCount"
    ] == 0
    events = await client.data("{ events(last: 3) { nodes { kind } } }", token=token)
    assert sorted(e["kind"] for e in events["events"]["nodes"]) == [
        "DERIVED_FROMUnlinked",
        "DERIVED_FROMUnlinked",
        "MemoryUpdated",
    ]
    emptied = await client.data(
        UPDATE_MEMORY, {"input": {"id": made["id"], "derivedFromIds": []}}, token=token
    )
    assert emptied["updateMemory"]["derivedFrom"]["totalCount"] == 0

    # An observation is linked as evidence by hand too, with a weight; never from the other end.
    linked = await client.data(
        LINK, {"from": made["id"], "to": chat["id"], "kind": "DERIVED_FROM", "weight": 0.4}, token=token
    )
    assert linked["link"]["changed"]
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (:Memory)-[r:DERIVED_FROM]->(:Observation) RETURN r.weight AS w")
        ).single()
    assert record["w"] == 0.4
    backwards = await client.error(
        LINK, {"from": chat["id"], "to": made["id"], "kind": "DERIVED_FROM"}, token=token
    )
    assert backwards["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}

    # Deleting the observation leaves the memory; its documents go with it.
    deleted = await client.data(DELETE, {"id": vet["id"]}, token=token)
    assert deleted["deleteObservation"] == {"deletedId": vet["id"], "deletedCount": 1}
    assert (await client.data(NODE, {"id": made["id"]}, token=token))["node"] == {"id": made["id"]}
    assert (await client.data(NODE, {"id": document}, token=token))["node"] is None


async def test_evidence_of_the_wrong_kind_or_of_nothing_is_refused_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("bad-evidence@example.com")
    ada = await create_recipient(client, token, "Ada")
    seen = await _observation(client, token, "Ada hums while cooking")
    made = await _memory(client, token, "Ada hums", derivedFromIds=[seen["id"]])
    before = await _count(graph)
    missing = seen["id"][:-4] + "AAAA"
    for ids, code in (([ada["id"]], "BAD_USER_INPUT"), (["not an id"], "BAD_USER_INPUT"), ([missing], None)):
        error = await client.error(
            MEMORY, {"input": {"kind": "EPISODIC", "content": "x", "derivedFromIds": ids}}, token=token
        )
        assert error["extensions"]["code"] in ({code} if code else {"BAD_USER_INPUT", "NOT_FOUND"}), error
        error = await client.error(
            UPDATE_MEMORY, {"input": {"id": made["id"], "derivedFromIds": ids}}, token=token
        )
        assert error["extensions"]["code"] in ({code} if code else {"BAD_USER_INPUT", "NOT_FOUND"}), error
    too_many = [seen["id"]] * 51
    error = await client.error(
        UPDATE_MEMORY, {"input": {"id": made["id"], "derivedFromIds": too_many}}, token=token
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "derivedFromIds"}
    assert await _count(graph) == before
    still = (await client.data(EVIDENCE, {"id": made["id"]}, token=token))["node"]["derivedFrom"]
    assert [n["id"] for n in still["nodes"]] == [seen["id"]]


async def test_another_users_observations_are_out_of_sight_reach_and_search(
    kindred: Instance, graph: Graph
) -> None:
    client = kindred.client
    ann = await client.sign_up("ann-observes@example.com")
    bob = await client.sign_up("bob-observes@example.com")
    anns_friend = await create_recipient(client, ann, "Odile")
    anns = await _observation(client, ann, "Odile collects antique barometers", aboutId=anns_friend["id"])
    bobs_memory = await _memory(client, bob, "Barometers are fun")
    bobs_friend = await create_recipient(client, bob, "Bram")
    await kindred.dispatcher.drain()
    before = await _count(graph)

    assert (await client.data(NODE, {"id": anns["id"]}, token=bob))["node"] is None
    assert (await client.data(LIST, {}, token=bob))["observations"]["totalCount"] == 0
    assert (await client.data(LIST, {"f": {"aboutId": anns_friend["id"]}}, token=bob))["observations"][
        "totalCount"
    ] == 0
    refused = [
        (REVIEW, {"id": anns["id"], "decision": "APPROVE"}),
        (DELETE, {"id": anns["id"]}),
        (LINK, {"from": bobs_memory["id"], "to": anns["id"], "kind": "DERIVED_FROM"}),
        (MEMORY, {"input": {"kind": "EPISODIC", "content": "?", "derivedFromIds": [anns["id"]]}}),
        (UPDATE_MEMORY, {"input": {"id": bobs_memory["id"], "derivedFromIds": [anns["id"]]}}),
        (CREATE, {"input": {"content": "?", "source": "OTHER", "aboutId": anns_friend["id"]}}),
    ]
    for operation, variables in refused:
        error = await client.error(operation, variables, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", (variables, error)
    assert await _count(graph) == before
    found = (await client.data(SEARCH, {"q": "antique barometers"}, token=bob))["search"]
    assert found == []
    # Bob's own people see none of it either.
    theirs = (await client.data(ABOUT_THEM, {"id": bobs_friend["id"]}, token=bob))["node"]["observations"]
    assert theirs["totalCount"] == 0
    # Ann's is still pending, and found by her: by its words and whom it is about.
    mine = (await client.data(SEARCH, {"q": "Odile barometers"}, token=ann))["search"]
    assert mine[0]["node"] == {"__typename": "Observation", "content": "Odile collects antique barometers"}
    assert "Odile" in mine[0]["matched"]["text"] and "chat log" in mine[0]["matched"]["text"]
