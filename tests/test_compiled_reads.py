"""Compiled reads (schema/compiled.py) answer exactly as field-by-field execution does, in one statement,
and only with the viewer's own nodes; what the statement cannot answer is resolved the usual way per
subtree (schema/subtrees.py), batched per field and level, its errors where field by field puts them.

On one graph of two users (the demo network and a second user's few nodes), every query of a corpus
generated over the schema (tests/test_read_selected.py's), one of only what compiles and one mixing
fields that do not compile in at every depth, the benchmark's nested read and recipients list, list
queries of the test suite and queries mixing compiled and usual fields (errors among them) are answered
with KINDRED_COMPILED_READS on and off: the JSON must be identical, errors included.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type, is_leaf_type, is_required_argument
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

# Queries that go wholly the usual way: no top-level list compiles.
FALLBACK = [
    "{ __typename }",
    "{ me { name } }",
    "{ recipients(orderBy: [{field: NAME}, {field: NAME}]) { nodes { name } } }",
]

# Queries read in one statement with fields resolved the usual way (partial): computed fields, lists
# and relations that are not walked in the statement, root fields beside a list, at every depth, in
# fragments, and with errors (nulled up to the nearest nullable position, or the whole answer).
MIXED = [
    "{ recipients(first: 2) { nodes { name title community } } }",
    "{ __schema { queryType { name } } recipients(first: 1) { nodes { name } } }",
    "{ me { name } recipients(first: 1) { nodes { name } } }",
    "{ recipients(first: 4) { edges { cursor node { id title ... on Placed { community position { x } } "
    "gifts(first: 3) { totalCount nodes { name title mentions { text field node { id } } "
    "outcome { success title gift { title name } } } } } } } }",
    "{ gifts(first: 6) { nodes { name similar(first: 2) { nodes { id name title } } "
    "complements(first: 2) { nodes { name } } occasion { name title } } } me { email } }",
    "{ concepts(first: 4) { nodes { name title recipients(first: 2) { nodes { name title "
    "interests(first: 2) { nodes { title } } } } } } memories(first: 2) { nodes { title content } } }",
    "{ a: recipients(first: 1) { nodes { t: title } } "
    "b: recipients(orderBy: [{field: NAME}, {field: NAME}]) { nodes { name } } }",
    # A bad order (known when resolved): under a nullable to-one relation it nulls that relation,
    # under lists of required items the whole answer, whichever field comes first.
    "{ gifts(first: 5) { nodes { name outcome { success gift { name "
    "recipients(orderBy: [{field: NAME}, {field: NAME}]) { nodes { name } } } } } } }",
    "{ recipients(first: 3) { nodes { name title "
    "gifts(orderBy: [{field: NAME}, {field: NAME}]) { nodes { name } } } } }",
    "{ recipients(first: 3) { nodes { name gifts(first: 2, orderBy: [{field: NAME}, {field: NAME}]) "
    "{ nodes { name } } } } me { name } }",
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


OUTCOMES = ("compiled", "partial", "fallback", "error")


async def both_ways(
    client: GraphQLClient, settings: Settings, query: str, variables: dict[str, Any] | None, token: str
) -> tuple[httpx.Response, httpx.Response, str]:
    """(compiled, field by field, which way the first went: an outcome of kindred_compiled_reads)."""
    before = {outcome: _count(metrics.COMPILED_READS, outcome=outcome) for outcome in OUTCOMES}
    with compiled_reads(settings, True):
        compiled = await client.post(query, variables, token=token)
    went = [o for o in OUTCOMES if _count(metrics.COMPILED_READS, outcome=o) > before[o]]
    # None: refused before it ran (too costly, invalid), as it is either way.
    assert len(went) == 1 or (not went and "data" not in compiled.json()), (query, went)
    with compiled_reads(settings, False):
        plain = await client.post(query, variables, token=token)
    return compiled, plain, went[0] if went else "refused"


async def _same(
    client: GraphQLClient, settings: Settings, query: str, variables: dict[str, Any] | None, token: str
) -> tuple[dict[str, Any], str]:
    compiled, plain, went = await both_ways(client, settings, query, variables, token)
    assert compiled.status_code == plain.status_code, query
    assert comparable(compiled.json()) == comparable(plain.json()), (query, compiled.text, plain.text)
    return compiled.json(), went


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
    await _mixed(settings, client, token)
    await _one_statement(settings, client, token)
    await _usual_fields_batched(settings, client, token)
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
    the view: compiled but for those), one of only what compiles, and one of that with fields that do
    not compile mixed in at every depth: all the same both ways, and each gone the way expected."""
    schema = build_schema(settings)._schema
    # The first corpus's lists that are not a kind's (apiKeys, sessions, ...) go wholly the usual way;
    # a fifth of the mixed one asks too much (refused by the cost limit, as it is either way).
    corpora = (
        (corpus(schema, QUERIES, seed_value=126), ("compiled", "partial"), 0.6, 0.9),
        (compilable(schema), ("compiled",), 0.9, 0.9),
        (compilable(schema, usual=0.25), ("partial",), 0.6, 0.7),
    )
    for documents, expected, least, answering in corpora:
        went, answered = [], 0
        for document in documents:
            answer, outcome = await _same(client, settings, document, None, token)
            went.append(outcome)
            answered += not answer.get("errors")
        assert answered >= len(documents) * answering, went
        assert sum(outcome in expected for outcome in went) >= len(documents) * least, went


def _compiles(field: Any) -> bool:
    """Whether a field is one a compiled read answers: a data field or a relation's."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.permission_classes:
        return False
    return definition.base_resolver is None or COMPILED in (definition.metadata or {})


def _usual(field: Any) -> str | None:
    """A selection of a field that does not compile and takes no arguments it must be given (a computed
    field, a list with a resolver of its own), or None if it cannot be asked simply."""
    if _compiles(field) or any(is_required_argument(a) for a in field.args.values()):
        return None
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return ""
    if named.name.endswith("Connection"):
        return "(first: 2) { nodes { __typename ... on Node { id } } }"
    if isinstance(named, GraphQLObjectType) and all(
        is_leaf_type(get_named_type(f.type)) for f in named.fields.values()
    ):
        return f"{{ {' '.join(named.fields)} }}"
    return "{ __typename }"


def _pick(rng: random.Random, object_type: GraphQLObjectType, depth: int, usual: float = 0.0) -> str:
    """A random selection of the fields of a node type that compile: leaves, objects of leaves, and
    (while `depth` lasts) relations, each a connection or a to-one node; and, each with the chance
    `usual`, of the fields that do not (`_usual`)."""
    parts = ["id"] if rng.random() < 0.7 else []
    for name, field in object_type.fields.items():
        if usual and not _compiles(field) and (asked := _usual(field)) is not None and rng.random() < usual:
            parts.append(f"{name}{asked}")
        if name == "id" or not _compiles(field) or rng.random() > 0.4:
            continue
        named = get_named_type(field.type)
        if is_leaf_type(named):
            parts.append(name)
        elif named.name.endswith("Connection") and depth > 0:
            node = get_named_type(named.fields["nodes"].type)
            inner = _pick(rng, node, depth - 1, usual)
            page = f"(first: {rng.choice([1, 2, 3, 5])})"
            body = rng.choice([f"nodes {{ {inner} }}", f"edges {{ cursor node {{ {inner} }} }}"])
            extra = rng.choice(["", "totalCount", "pageInfo { hasNextPage endCursor }"])
            parts.append(f"{name}{page} {{ {body} {extra} }}")
        elif isinstance(named, GraphQLObjectType) and "Connection" not in named.name:
            if BY_LABEL.get(named.name) is not None:
                if depth > 0:
                    parts.append(f"{name} {{ {_pick(rng, named, depth - 1, usual)} }}")
            elif all(_compiles(f) and is_leaf_type(get_named_type(f.type)) for f in named.fields.values()):
                parts.append(f"{name} {{ {' '.join(named.fields)} }}")
    if rng.random() < 0.3:
        parts.append(rng.choice(["__typename", "... on Node { id }"]))
    return " ".join(parts) or "__typename"


def compilable(schema: GraphQLSchema, count: int = QUERIES, usual: float = 0.0) -> list[str]:
    """Queries over every top-level list of a kind, of the fields that compile alone (and, with
    `usual`, of fields that do not, mixed in at every depth)."""
    rng = random.Random(226 + int(usual * 100))
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
        documents.append(f"{{ {name}{page} {{ nodes {{ {_pick(rng, node, 2, usual)} }} totalCount }} }}")
    return documents


async def _suite(settings: Settings, client: GraphQLClient, token: str) -> None:
    for query, variables in [(NESTED, None), (RECIPIENTS, None), *SUITE]:
        answer, went = await _same(client, settings, query, variables, token)
        if not answer.get("errors"):
            assert went == "compiled", query
    for query in FALLBACK:
        answer, went = await _same(client, settings, query, None, token)
        assert went == "fallback", query


async def _mixed(settings: Settings, client: GraphQLClient, token: str) -> None:
    """Compiled with fields resolved the usual way: the same answers and errors (codes, paths, the
    nulls they leave) as field by field."""
    answers = []
    for query in MIXED:
        answer, went = await _same(client, settings, query, None, token)
        assert went == "partial", query
        answers.append(answer)
    assert all(a.get("data") and not a.get("errors") for a in answers[:6]), answers[:6]
    assert {e["extensions"]["code"] for a in answers[6:] for e in a["errors"]} == {"BAD_USER_INPUT"}
    assert answers[3]["data"]["recipients"]["edges"][0]["node"]["title"]  # a computed field, answered
    assert answers[6]["data"] is None and answers[6]["errors"][0]["path"] == ["b"], answers[6]
    nulled, whole, ordered = answers[7], answers[8], answers[9]
    assert nulled["data"]["gifts"]["nodes"] and len(nulled["errors"]) >= 1, nulled
    outcomes = [g["outcome"] for g in nulled["data"]["gifts"]["nodes"] if g["outcome"]]
    assert outcomes and all(o["gift"] is None and o["success"] is not None for o in outcomes), nulled
    assert whole["data"] is None and len(whole["errors"]) == 1, whole
    assert whole["errors"][0]["path"] == ["recipients", "nodes", 0, "gifts"], whole
    assert ordered["data"] is None and ordered["errors"][0]["path"][-1] == "gifts", ordered


async def _usual_fields_batched(settings: Settings, client: GraphQLClient, token: str) -> None:
    """20 recipients -> their gifts with a field that reads from Neo4j (its mentions): one compiled
    statement and one for that field, whatever the number of gifts; a second such field on the
    recipients, batched with it or one more, never one per row; a computed field reads nothing."""
    gifts = "gifts(first: 5) { nodes { name %s } }"
    cases = [
        ("{ recipients(first: 20) { nodes { name %s } } }" % (gifts % "title"), 1),
        ("{ recipients(first: 20) { nodes { name %s } } }" % (gifts % "mentions { text }"), 2),
        (
            "{ recipients(first: 20) { nodes { name similar { score } %s } } }"
            % (gifts % "mentions { text }"),
            3,
        ),
    ]
    for query, statements in cases:
        await client.data(query, token=token)  # the credential's auth state cached
        counted = {}
        for on in (True, False):
            with compiled_reads(settings, on):
                before = _count(metrics.NEO4J_STATEMENTS, access="read")
                data = await client.data(query, token=token)
                counted[on] = _count(metrics.NEO4J_STATEMENTS, access="read") - before
        assert sum(len(r["gifts"]["nodes"]) for r in data["recipients"]["nodes"]) > 20, data
        assert counted[True] <= statements and counted[True] < counted[False], (query, counted)


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
        answer, went = await _same(client, settings, query, None, viewer)
        assert went == "compiled" and not answer.get("errors"), answer
        answers[viewer] = _names(answer["data"])
        # The same with fields resolved the usual way at each level: nothing more of anyone else's.
        mixed = query.replace("{ name", "{ name title")[:-1] + " me { name } }"
        answer, went = await _same(client, settings, mixed, None, viewer)
        assert went == "partial" and not answer.get("errors"), answer
        assert _names(answer["data"]) - {answer["data"]["me"]["name"]} == answers[viewer]
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
