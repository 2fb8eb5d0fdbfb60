"""Cypher for Concept nodes: one per name per user, the typed links between them, and the relations that
reach concepts (interests, tags, mentions, topics)."""

from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph import events, nodes
from graph.events import EventKind
from graph.kind import Kind
from graph.kinds import CONCEPT, CONCEPT_LINKS, joins
from graph.pages import Condition, Page, Row, Rows
from graph.refs import Ref
from graph.traversals import Traversal

# The relations that reach concepts.
OF_RECIPIENT = Traversal("Recipient", "(p)-[:INTERESTED_IN]->(n:Concept)", CONCEPT)
OF_GIFT = Traversal("Gift", "(p)-[:TAGGED_WITH]->(n:Concept)", CONCEPT)
OF_MEMORY = Traversal("Memory", "(p)-[:MENTIONS]->(n:Concept)", CONCEPT)
OF_CONFLICT = Traversal("Conflict", "(p)-[:ABOUT]->(n:Concept)", CONCEPT)
MAX_DEPTH = 4
# What a concept's neighbors may be ordered by: how far they are, and their name.
NEIGHBOR_SORTS = {"distance": "distance", "name": "n.key"}


def key(name: str) -> str:
    """What makes two names one concept: case and surrounding space do not count."""
    return " ".join(name.split()).lower()


def key_of(name: str | None) -> str | None:
    """The key of a name given to filter by, if one was given."""
    return key(name) if name else None


def condition(kinds: list[str] | None = None, name_contains: str | None = None) -> Condition:
    return Condition.of(
        ("n.concept_type IN $kinds", "kinds", kinds),
        ("n.key CONTAINS $name", "name", key_of(name_contains)),
    )


async def ensure(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    name: str,
    concept_type: str = "interest",
    description: str | None = None,
) -> Row:
    """The owner's concept of this name, made if there is none (the constraint keeps it to one)."""
    query = f"""
    MERGE (n:Concept {{owner: $owner, key: $key}})
    ON CREATE SET n.uid = $uid, n.name = $name, n.concept_type = $type, n.description = $description,
                  n.created_at = datetime(), n.updated_at = datetime(), n._created = true
    WITH n, coalesce(n._created, false) AS created
    REMOVE n._created
    RETURN {CONCEPT.projection} AS n, created
    """
    params = dict(
        owner=owner,
        key=key(name),
        uid=str(uuid4()),
        name=spaced(name),
        type=concept_type,
        description=description,
    )
    record = await (await tx.run(query, params)).single(strict=True)
    row = CONCEPT.row(record["n"])
    if record["created"]:
        await events.append(tx, owner, EventKind.created("Concept"), [Ref("Concept", row.uid)])
    return row


async def tag(
    tx: AsyncManagedTransaction,
    label: str,
    *,
    owner: str,
    uid: str,
    rel: str,
    names: list[str],
    concept_type: str,
) -> list[Ref]:
    """Links the node to the owner's concepts of these names, making the missing ones, in one statement
    of the caller's transaction; returns the refs of the concepts made (their Events are the caller's)."""
    if not names:
        return []
    if not joins(rel, label, "Concept"):
        raise ValueError(f"{rel} does not join a {label} to a Concept")
    wanted = {key(name): spaced(name) for name in names}
    query = f"""
    MATCH (s:{label} {{uid: $uid, owner: $owner}})
    UNWIND $concepts AS concept
    MERGE (n:Concept {{owner: $owner, key: concept.key}})
    ON CREATE SET n.uid = concept.uid, n.name = concept.name, n.concept_type = $type,
                  n.created_at = datetime(), n.updated_at = datetime(), n._created = true
    MERGE (s)-[r:{rel}]->(n)
    REMOVE r.auto  // named by the client: a hand link, which the mentions consumer keeps
    WITH n, coalesce(n._created, false) AS created
    REMOVE n._created
    RETURN collect(CASE WHEN created THEN n.uid END) AS created
    """
    concepts = [{"key": k, "name": name, "uid": str(uuid4())} for k, name in wanted.items()]
    params = dict(uid=uid, owner=owner, concepts=concepts, type=concept_type)
    record = await (await tx.run(query, params)).single(strict=True)
    return [Ref("Concept", made) for made in record["created"]]


async def neighbors(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, depth: int, types: list[str], page: Page
) -> Rows:
    """Concepts within `depth` links of this one (any direction), nearest first, with their distance
    (as the row's first sort value)."""
    rels = "|".join(t for t in types if t in CONCEPT_LINKS) or "|".join(CONCEPT_LINKS)
    depth = max(1, min(depth, MAX_DEPTH))
    keyset, order, params = page.clauses("n.uid")
    query = f"""
    MATCH (c:Concept {{uid: $uid, owner: $owner}})
    MATCH path = (c)-[:{rels}*1..{depth}]-(n:Concept {{owner: $owner}})
    WHERE n <> c AND all(x IN nodes(path) WHERE x.owner = $owner)
    WITH n, min(length(path)) AS distance
    WITH n, distance WHERE {keyset}
    WITH n, distance ORDER BY {order} LIMIT $page_limit
    RETURN collect([{CONCEPT.projection}, {page.sort_values}]) AS rows
    """
    record = await (await tx.run(query, uid=uid, owner=owner, **params)).single(strict=True)
    return Rows.of([CONCEPT.row(*row) for row in record["rows"]], page)


async def count_neighbors(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, depth: int, types: list[str]
) -> int:
    rels = "|".join(t for t in types if t in CONCEPT_LINKS) or "|".join(CONCEPT_LINKS)
    depth = max(1, min(depth, MAX_DEPTH))
    query = f"""
    MATCH (c:Concept {{uid: $uid, owner: $owner}})
    MATCH path = (c)-[:{rels}*1..{depth}]-(n:Concept {{owner: $owner}})
    WHERE n <> c AND all(x IN nodes(path) WHERE x.owner = $owner)
    RETURN count(DISTINCT n) AS total
    """
    return (await (await tx.run(query, uid=uid, owner=owner)).single(strict=True))["total"]


def spaced(name: str) -> str:
    """A name as it is kept: inner runs of space made one."""
    return " ".join(name.split())


async def create_tagged(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    links: list[nodes.Link],
    rel: str,
    names: list[str],
    concept_type: str,
) -> Row:
    """Creates a node with its links and its concepts (made where missing) in the caller's transaction,
    and the Events of all it made."""
    row = await nodes.create(tx, kind, owner=owner, uid=uid, values=values, links=links, event=False)
    made = await tag(tx, kind.label, owner=owner, uid=uid, rel=rel, names=names, concept_type=concept_type)
    refs = [Ref(kind.label, uid), *nodes.refs(links)]
    concept_created = EventKind.created("Concept")
    await events.append_all(
        tx, owner, [*((concept_created, [ref]) for ref in made), (EventKind.created(kind.label), refs)]
    )
    return row
