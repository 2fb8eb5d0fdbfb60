"""Compiled reads (schema/compiled.py) answer exactly as field-by-field execution does, in one statement,
and only with the viewer's own nodes.

On one graph of two users (the demo network and a second user's few nodes), every query of a corpus
generated over the schema (tests/test_read_selected.py's), the benchmark's nested read and recipients
list, and list queries of the test suite are answered with KINDRED_COMPILED_READS on and off: the JSON
must be identical, errors included.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_leaf_type
from strawberry.schema.schema_converter import GraphQLCoreConverter

from bench.operations import NESTED
from demo import seed
from graph.driver import Graph
from graph.kinds import BY_LABEL
from schema import build_schema
from schema.compilable import COMPILED
from settings import Settings
from telemetry import metrics
from tests.client import GraphQLClient
from tests.differential import comparable
from tests.test_read_selected import corpus

QUERIES = 80
RECIPIENTS = """query Recipients {
  recipients(first: 20) { edges { cursor node { id name relationship {
    kind label importance closeness emotionalWarmth since
  } } } }
}"""
# List queries as the test suite sends them (tests/test_recipients.py, test_paging.py, test_gifts.py,
# test_occasions.py), with filters, orders, paging backwards and forwards, variables and directives.
SUITE = [
    ("{ recipients(first: 3) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }", None),
    ("{ recipients(last: 2) { nodes { name } pageInfo { hasPreviousPage startCursor } totalCount } }", None),
    (
        "query ($n: String) { recipients(filter: {nameContains: $n}) { nodes { id name nickname } } }",
        {"n": "a"},
    ),
    (
        "{ recipients(orderBy: [{field: IMPORTANCE, direction: DESC}], first: 5) "
        "{ nodes { name relationship { importance kind communicationChannels } } } }",
        None,
    ),
    (
        "query ($skip: Boolean!) { gifts(first: 4) { nodes { name priceCents @skip(if: $skip) "
        "category createdAt recipients(first: 2) { totalCount nodes { name } } } } }",
        {"skip": True},
    ),
    (
        "{ occasions(first: 5, orderBy: [{field: DATE}]) { edges { node { __typename id name date "
        "nextOccurrence kind recurring } } totalCount } }",
        None,
    ),
    ("{ concepts(first: 5) { nodes { name kind recipients(first: 3) { nodes { name } } } } }", None),
    ("{ memories(first: 3) { nodes { content happenedAt recipients { nodes { name } } } } }", None),
    ("{ a: recipients(first: 1) { nodes { name } } b: recipients(first: 2) { nodes { id } } }", None),
    ("{ recipients(first: 2) { nodes { gifts(first: 1) { nodes { name outcome { success } } } } } }", None),
    ("{ __typename recipients(first: 1) { __typename nodes { __typename } pageInfo { __typename } } }", None),
    # Errors: the same codes and paths, whichever way the operation goes.
    ('{ recipients(first: 2, after: "not-a-cursor") { nodes { name } } }', None),
    ("{ recipients(first: 3) { nodes { name gifts(first: 101) { nodes { name } } } } }", None),
    ("{ recipients(first: 2, last: 2) { nodes { name } } }", None),
]

# Queries that go the usual way: a field with a resolver of its own, introspection, a root field no
# list compiles.
FALLBACK = [
    "{ recipients(first: 2) { nodes { name title community } } }",
    "{ __schema { queryType { name } } recipients(first: 1) { nodes { name } } }",
    "{ me { name } recipients(first: 1) { nodes { name } } }",
    "{ __typename }",
]


@contextmanager
def compiled_reads(settings: Settings, on: bool) -> Iterator[None]:
    kept = settings.compiled_reads
    settings.compiled_reads = on
    try:
        yield
    finally:
        settings.compiled_reads = kept


def _count(counter: Any, **labels: str) -> float:
    return float(counter.labels(**labels)._value.get())


async def both_ways(
    client: GraphQLClient, settings: Settings, query: str, variables: dict[str, Any] | None, token: str
) -> tuple[httpx.Response, httpx.Response, bool]:
    """(compiled, field by field, whether the first was compiled)."""
    before = _count(metrics.COMPILED_READS, outcome="compiled")
    with compiled_reads(settings, True):
        compiled = await client.post(query, variables, token=token)
    was_compiled = _count(metrics.COMPILED_READS, outcome="compiled") > before
    with compiled_reads(settings, False):
        plain = await client.post(query, variables, token=token)
    return compiled, plain, was_compiled


async def _same(
    client: GraphQLClient, settings: Settings, query: str, variables: dict[str, Any] | None, token: str
) -> tuple[dict[str, Any], bool]:
    compiled, plain, was_compiled = await both_ways(client, settings, query, variables, token)
    assert compiled.status_code == plain.status_code, query
    assert comparable(compiled.json()) == comparable(plain.json()), (query, compiled.text, plain.text)
    return compiled.json(), was_compiled


async def test_compiled_reads_answer_as_field_by_field(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> None:
    """One seeded graph for every check (the seed is the slow part)."""
    await seed.seed(settings, graph)
    login = await client.data(
        'mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
    )
    token = login["logIn"]["token"]
    other = await _second_user(client)
    await _corpus(settings, client, token)
    await _suite(settings, client, token)
    await _one_statement(settings, client, token)
    await _owner_scoped(settings, graph, client, token, other)


async def _second_user(client: GraphQLClient) -> str:
    """User B: a recipient of theirs with a gift and an interest."""
    token = await client.sign_up("compiled-bea@example.com", name="Bea")
    made = await client.data(
        'mutation { createRecipient(input: {name: "Bea\'s friend", relationship: {kind: FRIEND}}) { id } }',
        token=token,
    )
    recipient = made["createRecipient"]["id"]
    await client.data(
        'mutation ($r: ID!) { createGift(input: {name: "Bea\'s gift", recipientIds: [$r]}) { id } }',
        {"r": recipient},
        token=token,
    )
    return token


async def _corpus(settings: Settings, client: GraphQLClient, token: str) -> None:
    """test_read_selected's corpus (most of it asks for what only resolvers answer, a node's place in
    the view: it goes the usual way), then one of only what compiles: all the same both ways."""
    schema = build_schema(settings)._schema
    corpora = ((corpus(schema, QUERIES, seed_value=126), None), (compilable(schema), 0.9))
    for documents, least in corpora:
        compiled, answered = 0, 0
        for document in documents:
            answer, was_compiled = await _same(client, settings, document, None, token)
            compiled += was_compiled
            answered += not answer.get("errors")
        assert answered >= len(documents) * 0.9
        if least is not None:  # the first corpus mostly goes the usual way: its answers are what count
            assert compiled >= len(documents) * least, compiled


def _compiles(field: Any) -> bool:
    """Whether a field is one a compiled read answers: a data field or a relation's."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.permission_classes:
        return False
    return definition.base_resolver is None or COMPILED in (definition.metadata or {})


def _pick(rng: random.Random, object_type: GraphQLObjectType, depth: int) -> str:
    """A random selection of the fields of a node type that compile: leaves, objects of leaves, and
    (while `depth` lasts) relations, each a connection or a to-one node."""
    parts = ["id"] if rng.random() < 0.7 else []
    for name, field in object_type.fields.items():
        if name == "id" or not _compiles(field) or rng.random() > 0.4:
            continue
        named = get_named_type(field.type)
        if is_leaf_type(named):
            parts.append(name)
        elif named.name.endswith("Connection") and depth > 0:
            node = get_named_type(named.fields["nodes"].type)
            inner = _pick(rng, node, depth - 1)
            page = f"(first: {rng.choice([1, 2, 3, 5])})"
            body = rng.choice([f"nodes {{ {inner} }}", f"edges {{ cursor node {{ {inner} }} }}"])
            extra = rng.choice(["", "totalCount", "pageInfo { hasNextPage endCursor }"])
            parts.append(f"{name}{page} {{ {body} {extra} }}")
        elif isinstance(named, GraphQLObjectType) and "Connection" not in named.name:
            if BY_LABEL.get(named.name) is not None:
                if depth > 0:
                    parts.append(f"{name} {{ {_pick(rng, named, depth - 1)} }}")
            elif all(_compiles(f) and is_leaf_type(get_named_type(f.type)) for f in named.fields.values()):
                parts.append(f"{name} {{ {' '.join(named.fields)} }}")
    if rng.random() < 0.3:
        parts.append(rng.choice(["__typename", "... on Node { id }"]))
    return " ".join(parts) or "__typename"


def compilable(schema: GraphQLSchema, count: int = QUERIES) -> list[str]:
    """Queries over every top-level list of a kind, of the fields that compile alone."""
    rng = random.Random(226)
    query = schema.query_type
    assert query is not None
    lists = [
        (name, get_named_type(get_named_type(field.type).fields["nodes"].type))
        for name, field in query.fields.items()
        if isinstance(field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF), object)
        and COMPILED
        in (getattr(field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF), "metadata", None) or {})
    ]
    assert len(lists) >= 7, lists
    documents = []
    for index in range(count):
        name, node = lists[index % len(lists)]
        page = rng.choice(
            ["", "(first: 3)", "(last: 2)", "(first: 5, orderBy: [{field: CREATED_AT, direction: DESC}])"]
        )
        documents.append(f"{{ {name}{page} {{ nodes {{ {_pick(rng, node, 2)} }} totalCount }} }}")
    return documents


async def _suite(settings: Settings, client: GraphQLClient, token: str) -> None:
    for query, variables in [(NESTED, None), (RECIPIENTS, None), *SUITE]:
        answer, was_compiled = await _same(client, settings, query, variables, token)
        if not answer.get("errors"):
            assert was_compiled, query
    for query in FALLBACK:
        answer, was_compiled = await _same(client, settings, query, None, token)
        assert not answer.get("errors") and not was_compiled, query


async def _one_statement(settings: Settings, client: GraphQLClient, token: str) -> None:
    """The nested read (four lists, three levels) is one statement compiled, more field by field."""
    await client.data(NESTED, token=token)  # the credential's auth state cached
    counts = {}
    for on in (True, False):
        with compiled_reads(settings, on):
            before = _count(metrics.NEO4J_STATEMENTS, access="read")
            data = await client.data(NESTED, token=token)
            counts[on] = _count(metrics.NEO4J_STATEMENTS, access="read") - before
    assert data["recipients"]["edges"], data
    assert counts[True] == 1, counts
    assert counts[False] > 1, counts


async def _owner_scoped(
    settings: Settings, graph: Graph, client: GraphQLClient, token: str, other: str
) -> None:
    """B's nodes reach no answer of A's at any level, even joined to A's nodes by a link no API makes."""
    async with graph.driver.session() as session:
        result = await session.run(
            """
            MATCH (a:Recipient)<-[:KNOWS]-(:User {email: 'demo@example.com'})
            MATCH (g:Gift {name: "Bea's gift"}), (r:Recipient {name: "Bea's friend"})
            MATCH (c:Concept)<-[:INTERESTED_IN]-(a)
            MERGE (g)-[:INTENDED_FOR]->(a)
            MERGE (r)-[:INTERESTED_IN]->(c)
            """
        )
        assert (await result.consume()).counters.relationships_created > 1
    query = """{ recipients(first: 30) { totalCount nodes { name
        gifts(first: 5) { totalCount nodes { name recipients(first: 3) { nodes { name } } } }
        interests(first: 5) { nodes { name recipients(first: 5) { totalCount nodes { name } } } }
    } } }"""
    answers = {}
    for viewer in (token, other):
        answer, was_compiled = await _same(client, settings, query, None, viewer)
        assert was_compiled and not answer.get("errors"), answer
        answers[viewer] = _names(answer["data"])
    assert answers[other] == {"Bea's friend", "Bea's gift"}, answers[other]
    assert not answers[token] & answers[other], answers[token] & answers[other]
    assert len(answers[token]) > 20  # the demo network's people, gifts and interests


def _names(value: Any) -> set[str]:
    """Every `name` anywhere in an answer."""
    if isinstance(value, list):
        return {name for item in value for name in _names(item)}
    if isinstance(value, dict):
        found = {value["name"]} if isinstance(value.get("name"), str) else set()
        return found | {name for item in value.values() for name in _names(item)}
    return set()
