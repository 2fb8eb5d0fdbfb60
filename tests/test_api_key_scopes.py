"""API key scopes: a key limited to reading, to personas, or to named kinds, enforced wherever the key
is used (lists, relations, nodes by id, the view, paths, search, live updates), refused with
OUT_OF_SCOPE and nothing written."""

from typing import Any

import pytest

from errors import OutOfScope
from graph import documents as graph_documents
from graph.driver import Graph
from tests import test_conversations as conversations
from tests import test_documents as documents
from tests import test_search
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher
files = documents.kindred  # the fixture: an app that keeps files

CREATE_KEY = """
mutation ($name: String!, $scope: ApiKeyScopeInput) {
  createApiKey(name: $name, scope: $scope) { key apiKey { id scope { readOnly personasOnly kinds } } }
}
"""
CONCEPT = "mutation ($input: ConceptInput!) { createConcept(input: $input) { id } }"
LINK = "mutation ($from: ID!, $to: ID!) { link(from: $from, to: $to, kind: INTERESTED_IN) { changed } }"
RECIPIENTS = "{ recipients { nodes { id name } } }"
CONCEPTS = "{ concepts { nodes { id name } } }"


async def key(client: GraphQLClient, token: str, **scope: Any) -> str:
    created = (await client.data(CREATE_KEY, {"name": "agent", "scope": scope}, token=token))["createApiKey"]
    return created["key"]


async def world(client: GraphQLClient, email: str) -> tuple[str, str, str]:
    """A user with a person (Mia) who is into a concept (pottery): its token and the two ids."""
    token = await client.sign_up(email)
    mia = (await create_recipient(client, token, "Mia"))["id"]
    pottery = (await client.data(CONCEPT, {"input": {"name": "pottery"}}, token=token))["createConcept"]["id"]
    await client.data(LINK, {"from": mia, "to": pottery}, token=token)
    return token, mia, pottery


async def count(graph: Graph, label: str) -> int:
    async with graph.driver.session() as session:
        record = await (await session.run(f"MATCH (n:{label}) RETURN count(n) AS n")).single(strict=True)
    return int(record["n"])


async def test_a_key_keeps_its_scope_and_says_it(client: GraphQLClient) -> None:
    token = await client.sign_up("scope-shown@example.com")
    scope = {"readOnly": True, "personasOnly": False, "kinds": ["RECIPIENT", "GIFT_OUTCOME"]}
    created = (await client.data(CREATE_KEY, {"name": "a", "scope": scope}, token=token))["createApiKey"]
    assert created["apiKey"]["scope"] == {**scope, "kinds": ["GIFT_OUTCOME", "RECIPIENT"]}
    listed = await client.data("{ apiKeys { nodes { scope { readOnly kinds } } } }", token=token)
    assert listed["apiKeys"]["nodes"] == [
        {"scope": {"readOnly": True, "kinds": ["GIFT_OUTCOME", "RECIPIENT"]}}
    ]
    plain = (await client.data(CREATE_KEY, {"name": "b"}, token=token))["createApiKey"]
    assert plain["apiKey"]["scope"] == {"readOnly": False, "personasOnly": False, "kinds": None}


async def test_a_scope_naming_no_kind_is_refused_and_no_key_is_made(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("scope-bad@example.com")
    error = await client.error(CREATE_KEY, {"name": "a", "scope": {"kinds": []}}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "kinds"}
    bad_kind = await client.execute(CREATE_KEY, {"name": "a", "scope": {"kinds": ["USER"]}}, token=token)
    assert bad_kind["errors"]
    assert await count(graph, "ApiKey") == 0


async def test_a_read_only_key_reads_and_writes_nothing(client: GraphQLClient, graph: Graph) -> None:
    token, mia, _ = await world(client, "scope-read@example.com")
    reader = await key(client, token, readOnly=True)
    assert (await client.data(RECIPIENTS, token=reader))["recipients"]["nodes"] == [
        {"id": mia, "name": "Mia"}
    ]
    before = await count(graph, "Event")
    for write in (
        'mutation { createRecipient(input: {name: "Eve", relationship: {kind: FRIEND}}) { id } }',
        f'mutation {{ deleteRecipient(id: "{mia}") {{ deletedCount }} }}',
    ):
        error = await client.error(write, token=reader)
        assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    assert await count(graph, "Recipient") == 1
    assert await count(graph, "Event") == before


async def test_a_key_limited_to_kinds_reads_only_their_nodes(client: GraphQLClient) -> None:
    token, mia, pottery = await world(client, "scope-kinds@example.com")
    people = await key(client, token, kinds=["RECIPIENT"])
    assert (await client.data(RECIPIENTS, token=people))["recipients"]["nodes"] == [
        {"id": mia, "name": "Mia"}
    ]
    refused = [
        CONCEPTS,
        "{ concepts { totalCount } }",
        "{ recipients { nodes { interests { nodes { name } } } } }",
        f'{{ node(id: "{mia}") {{ ... on Recipient {{ interests {{ totalCount }} }} }} }}',
        f'{{ node(id: "{pottery}") {{ ... on Concept {{ name }} }} }}',
        "query { ...C } fragment C on Query { concepts { nodes { name } } }",
        "{ mindscape { counts { total } } }",
        "{ events { nodes { kind } } }",
        "{ apiKeys { nodes { name } } }",
        'mutation { createConcept(input: {name: "clay"}) { id } }',
    ]
    for query in refused:
        error = await client.error(query, token=people)
        assert error["extensions"]["code"] == "OUT_OF_SCOPE", query
    # What a type does not say is left out where it is read: a node by id of another kind is none.
    by_id = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    found = await client.data(by_id, {"ids": [mia, pottery]}, token=people)
    assert found["nodes"] == [{"id": mia}, None]
    assert (await client.data(by_id, {"ids": [mia, pottery]}, token=token))["nodes"] == [
        {"id": mia},
        {"id": pottery},
    ]


async def test_the_view_and_paths_leave_out_what_a_key_may_not_read(client: GraphQLClient) -> None:
    token, mia, pottery = await world(client, "scope-view@example.com")
    people = await key(client, token, kinds=["RECIPIENT"])
    view = (
        "query ($labels: [ViewLabel!]) { graphView(labels: $labels) { nodes { id label } links { type } } }"
    )
    mine = (await client.data(view, token=token))["graphView"]
    assert {node["id"] for node in mine["nodes"]} == {mia, pottery}
    seen = (await client.data(view, token=people))["graphView"]
    assert [(node["id"], node["label"]) for node in seen["nodes"]] == [(mia, "Recipient")]
    assert seen["links"] == []
    error = await client.error(view, {"labels": ["CONCEPT"]}, token=people)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    path = "query ($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length } }"
    assert (await client.data(path, {"a": mia, "b": pottery}, token=token))["shortestPath"] == {"length": 1}
    assert (await client.data(path, {"a": mia, "b": pottery}, token=people))["shortestPath"] is None


async def test_a_key_limited_to_personas_may_ask_for_nothing_else(
    client: GraphQLClient, graph: Graph
) -> None:
    token, _, _ = await world(client, "scope-personas@example.com")
    agent = await key(client, token, personasOnly=True)
    for query in (RECIPIENTS, "{ me { id } }", "{ __typename recipients { totalCount } }"):
        error = await client.error(query, token=agent)
        assert error["extensions"]["code"] == "OUT_OF_SCOPE", query
    error = await client.error('mutation { createConcept(input: {name: "x"}) { id } }', token=agent)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    assert await count(graph, "Concept") == 1
    assert await client.data("{ __typename }", token=agent) == {"__typename": "Query"}


async def test_search_finds_only_what_a_key_may_read(kindred: Instance) -> None:
    token, mia, pottery = await world(kindred.client, "scope-search@example.com")
    await kindred.dispatcher.drain()
    people = await key(kindred.client, token, kinds=["RECIPIENT"])
    search = 'query ($kinds: [SearchKind!]) { search(query: "Mia pottery", kinds: $kinds, minScore: 0) { node { id } } }'
    mine = {hit["node"]["id"] for hit in (await kindred.client.data(search, token=token))["search"]}
    assert {mia, pottery} <= mine
    theirs = {hit["node"]["id"] for hit in (await kindred.client.data(search, token=people))["search"]}
    assert theirs == {mia}
    error = await kindred.client.error(search, {"kinds": ["CONCEPT"]}, token=people)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"


async def test_a_list_of_several_kinds_gives_a_key_only_the_kinds_it_reads(client: GraphQLClient) -> None:
    """An insight's evidence holds memories and observations too: a key limited to insights reads the
    insight, and of its evidence only what it may read (no memory's caption), and no count of the rest."""
    token = await client.sign_up("scope-evidence@example.com")
    memory = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
    made = {"kind": "EPISODIC", "content": "Uma told me her secret plans"}
    evidence = (await client.data(memory, {"input": made}, token=token))["createMemory"]["id"]
    insight = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
    given = {"category": "GOAL", "statement": "Uma wants to move abroad", "evidenceIds": [evidence]}
    await client.data(insight, {"input": given}, token=token)
    listed = "{ insights { nodes { statement evidence { nodes { __typename ... on Placed { title } } } } } }"
    own = (await client.data(listed, token=token))["insights"]["nodes"]
    assert own[0]["evidence"]["nodes"] == [{"__typename": "Memory", "title": "Uma told me her secret plans"}]
    agent = await key(client, token, kinds=["INSIGHT"])
    seen = (await client.data(listed, token=agent))["insights"]["nodes"]
    assert seen == [{"statement": "Uma wants to move abroad", "evidence": {"nodes": []}}]
    counted = "{ insights { nodes { evidence { totalCount } } } }"
    assert (await client.data(counted, token=agent))["insights"]["nodes"] == [{"evidence": {"totalCount": 0}}]


EVIDENCE_PAGE = """query ($id: ID!, $after: String) { node(id: $id) { ... on Insight {
  evidence(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } } }"""


async def test_a_key_pages_mixed_evidence_to_the_end_seeing_only_its_kinds(client: GraphQLClient) -> None:
    """Evidence of memories and observations, interleaved in time: a key limited to insights and
    observations pages through exactly the observations, each page full until the last, with their count."""
    token = await client.sign_up("scope-evidence-pages@example.com")
    memory = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
    observation = "mutation ($input: CreateObservationInput!) { createObservation(input: $input) { id } }"
    observed = []
    for n in range(5):
        remembered = {"kind": "EPISODIC", "content": f"Uma said thing {n}"}
        await client.data(memory, {"input": remembered}, token=token)
        seen = {"content": f"Uma wrote note {n}", "source": "CHAT_LOG"}
        observed.append(
            (await client.data(observation, {"input": seen}, token=token))["createObservation"]["id"]
        )
    everything = "{ memories { nodes { id } } }"
    memories = [node["id"] for node in (await client.data(everything, token=token))["memories"]["nodes"]]
    insight = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
    given = {"category": "GOAL", "statement": "Uma writes it down", "evidenceIds": [*memories, *observed]}
    uid = (await client.data(insight, {"input": given}, token=token))["createInsight"]["id"]
    agent = await key(client, token, kinds=["INSIGHT", "OBSERVATION"])
    pages, after = [], None
    while True:
        found = (await client.data(EVIDENCE_PAGE, {"id": uid, "after": after}, token=agent))["node"][
            "evidence"
        ]
        assert found["totalCount"] == 5
        pages.append([node["id"] for node in found["nodes"]])
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
        assert after is not None
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(uid for page in pages for uid in page) == sorted(observed)
    # The person themself pages through all ten.
    mine = (await client.data(EVIDENCE_PAGE, {"id": uid}, token=token))["node"]["evidence"]
    assert mine["totalCount"] == 10


OCCASION = """mutation ($input: CreateOccasionInput!) {
  createOccasion(input: $input) { id recipients { nodes { id } } } }"""
RENAME_OCCASION = 'mutation ($id: ID!) { updateOccasion(input: {id: $id, name: "Party"}) { name } }'
LINK_ANY = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!) {
  link(from: $from, to: $to, kind: $kind) { changed } }"""
UNLINK_ANY = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!) {
  unlink(from: $from, to: $to, kind: $kind) { changed } }"""
DELETE_RECIPIENT = "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }"
DELETE_OCCASION = "mutation ($id: ID!) { deleteOccasion(id: $id) { deletedCount } }"
GIFT = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"


async def test_a_key_limited_to_kinds_writes_those_kinds_and_links_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token, mia, _ = await world(client, "scope-writes@example.com")
    planner = await key(client, token, kinds=["RECIPIENT", "OCCASION"])
    eve = (await create_recipient(client, planner, "Eve"))["id"]
    made = {"name": "Eve's birthday", "kind": "BIRTHDAY", "date": "1990-05-01", "recipientIds": [eve]}
    occasion = (await client.data(OCCASION, {"input": made}, token=planner))["createOccasion"]
    assert occasion["recipients"]["nodes"] == [{"id": eve}]
    renamed = await client.data(RENAME_OCCASION, {"id": occasion["id"]}, token=planner)
    assert renamed["updateOccasion"] == {"name": "Party"}
    ends = {"from": mia, "to": occasion["id"], "kind": "HAS_OCCASION"}
    assert (await client.data(LINK_ANY, ends, token=planner))["link"] == {"changed": True}
    assert (await client.data(UNLINK_ANY, ends, token=planner))["unlink"] == {"changed": True}
    # Eve goes with her occasion (both kinds of the key's); the person sees what the key did.
    assert (await client.data(DELETE_RECIPIENT, {"id": eve}, token=planner))["deleteRecipient"] == {
        "deletedCount": 2
    }
    assert (await client.data(RECIPIENTS, token=token))["recipients"]["nodes"] == [{"id": mia, "name": "Mia"}]
    spare = await client.data(OCCASION, {"input": {**made, "recipientIds": []}}, token=planner)
    deleted = await client.data(DELETE_OCCASION, {"id": spare["createOccasion"]["id"]}, token=planner)
    assert deleted["deleteOccasion"] == {"deletedCount": 1}


async def test_a_key_limited_to_kinds_writes_nothing_outside_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token, mia, pottery = await world(client, "scope-writes-refused@example.com")
    gift = {"name": "Vase", "recipientIds": [mia]}
    await client.data(GIFT, {"input": gift}, token=token)  # Mia's alone: it goes if she does
    planner = await key(client, token, kinds=["RECIPIENT", "OCCASION"])
    counted = ("Recipient", "Occasion", "Concept", "Gift", "Event")
    before = {label: await count(graph, label) for label in counted}
    occasion = {"name": "Kiln day", "kind": "OTHER", "date": "2030-01-01"}
    refused: list[tuple[str, dict[str, Any]]] = [
        ('mutation { createConcept(input: {name: "clay"}) { id } }', {}),
        (GIFT, {"input": {"name": "Mug", "recipientIds": [mia]}}),
        (
            GIFT,
            {"input": {"name": "Mug", "newRecipient": {"name": "Ann", "relationship": {"kind": "FRIEND"}}}},
        ),
        (LINK_ANY, {"from": mia, "to": pottery, "kind": "INTERESTED_IN"}),
        (UNLINK_ANY, {"from": mia, "to": pottery, "kind": "INTERESTED_IN"}),
        (OCCASION, {"input": {**occasion, "recipientIds": [pottery]}}),
        # The result reaches another kind; or one of two fields writes one: neither runs.
        (
            'mutation { createRecipient(input: {name: "Ann", relationship: {kind: FRIEND}}) '
            "{ id interests { totalCount } } }",
            {},
        ),
        (
            'mutation { createRecipient(input: {name: "Ann", relationship: {kind: FRIEND}}) { id } '
            'createConcept(input: {name: "clay"}) { id } }',
            {},
        ),
        # Mia's gift would go with her.
        (DELETE_RECIPIENT, {"id": mia}),
    ]
    for mutation, variables in refused:
        error = await client.error(mutation, variables, token=planner)
        assert error["extensions"]["code"] == "OUT_OF_SCOPE", (mutation, variables)
    assert {label: await count(graph, label) for label in counted} == before
    reader = await key(client, token, kinds=["RECIPIENT"], readOnly=True)
    error = await client.error(DELETE_RECIPIENT, {"id": mia}, token=reader)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    assert await count(graph, "Recipient") == 1


async def test_a_key_limited_to_conversations_deletes_none_with_its_messages(
    client: GraphQLClient, graph: Graph
) -> None:
    """A conversation's messages go with it: a key that may not write messages deletes neither."""
    token = await client.sign_up("scope-conversation-delete@example.com")
    talk = (await conversations._conversation(client, token, "Planning the trip"))["id"]
    await conversations._say(client, token, talk, "Shall we take the night train?")
    keeper = await key(client, token, kinds=["CONVERSATION"])
    before = (await count(graph, "Conversation"), await count(graph, "Message"))
    error = await client.error(conversations.DELETE, {"id": talk}, token=keeper)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    assert (await count(graph, "Conversation"), await count(graph, "Message")) == before
    both = await key(client, token, kinds=["CONVERSATION", "MESSAGE"])
    deleted = (await client.data(conversations.DELETE, {"id": talk}, token=both))["deleteConversation"]
    assert deleted["deletedCount"] == 2


async def test_a_key_limited_to_kinds_reads_no_growth_profile(client: GraphQLClient) -> None:
    """The growth profile sums every credit of the account: a key limited to some kinds reads none of it,
    while a concept's own growth stays readable to a key for concepts."""
    token, _, pottery = await world(client, "scope-growth@example.com")
    credit = {"dimension": "self_know", "delta": 0.5, "source": "MANUAL", "entityId": pottery}
    await client.data(
        "mutation ($c: [GrowthCreditInput!]!) { recordGrowth(credits: $c) { __typename } }",
        {"c": [credit, {**credit, "entityId": None}]},
        token=token,
    )
    concepts = await key(client, token, kinds=["CONCEPT"])
    error = await client.error("{ growthProfile { total } }", token=concepts)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    grown = await client.data("{ concepts { nodes { growth { total } } } }", token=concepts)
    assert grown["concepts"]["nodes"] == [{"growth": {"total": 0.5}}]
    assert (await client.data("{ growthProfile { total } }", token=token))["growthProfile"]["total"] == 1.0


async def test_a_key_limited_to_other_kinds_deletes_no_document(
    files: documents.Instance, graph: Graph
) -> None:
    """A key for concepts may not delete a document (it stays), neither as it asks (the mutation's scope)
    nor where the delete is written (the kinds it passes down); a key for documents may."""
    token = await files.client.sign_up("scope-document-delete@example.com")
    ann = await documents.recipient(files, token)
    answer = await documents.upload(files.http, token, ann, "PROFILE", "p.pdf", documents.profile_pdf())
    made = answer.json()["data"]["uploadDocument"]
    concepts = await key(files.client, token, kinds=["CONCEPT"])
    error = await files.client.error(documents.DELETE, {"id": made["id"]}, token=concepts)
    assert error["extensions"]["code"] == "OUT_OF_SCOPE"
    assert await documents.document(files, token, made["id"]) is not None
    uid, owner = await _owned(graph, "Document")
    with pytest.raises(OutOfScope):
        await graph.write(graph_documents.mark_deleted, owner=owner, uid=uid, within=frozenset({"Concept"}))
    assert await documents.document(files, token, made["id"]) is not None
    keeper = await key(files.client, token, kinds=["DOCUMENT"])
    deleted = await files.client.data(documents.DELETE, {"id": made["id"]}, token=keeper)
    assert deleted["deleteDocument"] == {"deletedId": made["id"]}
    assert await documents.document(files, token, made["id"]) is None


async def _owned(graph: Graph, label: str) -> tuple[str, str]:
    """The uid and owner of the one node of `label`."""
    async with graph.driver.session() as session:
        found = await session.run(f"MATCH (n:{label}) RETURN n.uid AS uid, n.owner AS owner")
        record = await found.single(strict=True)
    return str(record["uid"]), str(record["owner"])
