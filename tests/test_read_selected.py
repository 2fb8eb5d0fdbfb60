"""Reads project only what a selection asks for: the answers are the same as reading every property,
for a corpus of queries generated over the schema (every list of the Query type, random selections of
fields, nested lists and to-one relations, fragments on the interfaces, paging) on the demo network."""

import random
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    is_required_argument,
)

from demo import seed
from graph.driver import Graph
from schema import build_schema
from settings import Settings
from tests.client import GraphQLClient
from tests.differential import both_ways, comparable

QUERIES = 60
# Fragments on the interfaces a node type implements (None: on any type).
FRAGMENTS = (
    ("Placed", "... on Placed { title community position { x y z } }"),
    ("Node", "... on Node { id }"),
    (None, "__typename"),
)


def _required_arguments(field: Any) -> bool:
    return any(is_required_argument(argument) for argument in field.args.values())


def _connection_node(field_type: Any) -> GraphQLObjectType | None:
    named = get_named_type(field_type)
    if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "edges" in named.fields:
        node = get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
        return node if isinstance(node, GraphQLObjectType) else None
    return None


def _connection(rng: random.Random, node: GraphQLObjectType, depth: int) -> str:
    page = f"(first: {rng.choice([1, 2, 3, 5, 20] if depth == 2 else [1, 2, 3])})"
    inner = _selection(rng, node, depth)
    body = f"edges {{ cursor node {{ {inner} }} }}" if rng.random() < 0.5 else f"nodes {{ {inner} }}"
    extra = rng.choice(["", "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }", "totalCount"])
    return f"{page} {{ {body} {extra} }}"


def _selection(rng: random.Random, object_type: GraphQLObjectType, depth: int) -> str:
    """A random selection of the type's fields: leaves, and (while `depth` lasts) its objects and lists."""
    parts: list[str] = ["id"] if "id" in object_type.fields and rng.random() < 0.7 else []
    for name, field in object_type.fields.items():
        if _required_arguments(field) or name == "id":
            continue
        named = get_named_type(field.type)
        node = _connection_node(field.type)
        if is_leaf_type(named):
            if rng.random() < 0.45:
                parts.append(name)
        elif node is not None:
            if depth > 0 and rng.random() < 0.3:
                parts.append(f"{name}{_connection(rng, node, depth - 1)}")
        elif isinstance(named, GraphQLObjectType) and not any(f.args for f in named.fields.values()):
            if depth > 0 and rng.random() < 0.35:
                parts.append(f"{name} {{ {_selection(rng, named, depth - 1)} }}")
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType) and depth > 0 and rng.random() < 0.2:
            parts.append(f"{name} {{ __typename ... on Node {{ id }} }}")
    implemented = {interface.name for interface in object_type.interfaces}
    fitting = [fragment for on, fragment in FRAGMENTS if on is None or on in implemented]
    if rng.random() < 0.4:
        parts.append(rng.choice(fitting))
    return " ".join(parts) or "__typename"


def corpus(schema: GraphQLSchema, count: int, seed_value: int = 26) -> list[str]:
    rng = random.Random(seed_value)
    query = schema.query_type
    assert query is not None
    lists = [
        (name, node)
        for name, field in query.fields.items()
        if (node := _connection_node(field.type)) is not None and not _required_arguments(field)
    ]
    assert len(lists) >= 7, lists  # recipients, occasions, gifts, memories, conflicts, concepts, insights
    documents = []
    for index in range(count):
        name, node = lists[index % len(lists)]
        documents.append(f"{{ {name}{_connection(rng, node, 2)} }}")
    return documents


async def test_queries_answer_the_same_read_as_selected_and_read_whole(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> None:
    """One seeded network for the three checks (the seed is the slow part)."""
    await seed.seed(settings, graph)
    login = await client.data(
        'mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
    )
    token = login["logIn"]["token"]
    await _generated(settings, client, token)
    await _errors(settings, client, token)
    await _projected(settings, graph, client, token)


async def _generated(settings: Settings, client: GraphQLClient, token: str) -> None:
    schema = build_schema(settings)._schema
    answered, refused = 0, []
    for document in corpus(schema, QUERIES):
        selected, whole = await both_ways(client, settings, document, None, token)
        assert selected.status_code == whole.status_code, document
        assert comparable(selected.json()) == comparable(whole.json()), (document, selected.text, whole.text)
        if selected.json().get("errors"):
            refused.append(selected.json()["errors"][0])
        else:
            answered += 1
    assert answered >= QUERIES * 0.9, refused  # a corpus of errors would prove nothing


async def _errors(settings: Settings, client: GraphQLClient, token: str) -> None:
    """Errors answer the same too: a bad cursor at the top, a page too large deep inside."""
    bad = '{ recipients(first: 2, after: "not-a-cursor") { nodes { name } } }'
    selected, whole = await both_ways(client, settings, bad, None, token)
    assert selected.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert comparable(selected.json()) == comparable(whole.json())
    nested = "{ recipients(first: 3) { nodes { name gifts(first: 101) { nodes { name } } } } }"
    selected, whole = await both_ways(client, settings, nested, None, token)
    assert selected.json()["errors"], selected.text
    assert comparable(selected.json()) == comparable(whole.json())


async def _projected(settings: Settings, graph: Graph, client: GraphQLClient, token: str) -> None:
    """The statements sent project the selected properties, not every one (what makes them cheaper):
    level by level (compiled reads, which project them too, off)."""
    sent: list[Any] = []
    run = Graph.read

    async def spying(self: Graph, work: Any, *args: Any, **kwargs: Any) -> Any:
        if "reads" in kwargs:
            sent.append(kwargs["reads"])
        return await run(self, work, *args, **kwargs)

    Graph.read = spying  # type: ignore[method-assign]
    compiled, settings.compiled_reads = settings.compiled_reads, False
    try:
        query = (
            "{ recipients(first: 2) { nodes { name gifts(first: 1) { nodes { name giving { date } } } } } }"
        )
        await client.data(query, token=token)
    finally:
        Graph.read = run  # type: ignore[method-assign]
        settings.compiled_reads = compiled
    assert sent == [frozenset({"name"}), frozenset({"name", "gave"})], sent
