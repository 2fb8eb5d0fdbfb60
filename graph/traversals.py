"""Walking from many nodes at once: one query per level of a GraphQL selection, not per row.

A domain module declares each relation that reaches its nodes as a `Traversal`: a fixed pattern from a
parent `p` to its nodes `n`, written by hand or, for a relation as graph/kinds.py declares it, by
`Traversal.along`. A batch returns one keyset page of `n` for every parent.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.kind import Kind, Reads, Relation
from graph.kinds import BY_LABEL
from graph.pages import Page, Rows


@dataclass(frozen=True)
class Traversal:
    parent: str  # the label of p
    pattern: str  # from (p) to (n); each n is read once, however many ways it is reached
    kind: Kind  # what n is

    @classmethod
    def along(cls, relation: Relation, kind: Kind) -> "Traversal":
        """A declared relation walked to its end of `kind` from its other end: the traversal written
        from the declaration (graph/kinds.py), for a relation between two different kinds."""
        if relation.source == relation.target:
            raise ValueError(f"{relation.type} joins {kind.label} to itself: say which way to walk it")
        if kind.label == relation.target:
            return cls(relation.source, f"(p)-[:{relation.type}]->(n:{kind.label})", kind)
        if kind.label == relation.source:
            return cls(relation.target, f"(p)<-[:{relation.type}]-(n:{kind.label})", kind)
        raise ValueError(f"{relation.type} does not reach a {kind.label}")

    @classmethod
    def each(cls, kind: Kind, rel: str, towards: bool) -> Mapping[str, "Traversal"]:
        """For each label `kind`'s relation `rel` is declared to (a memory's evidence, of several
        kinds): the traversal from a node of that label to the nodes of `kind` linked to it (`towards`
        them), or from a node of `kind` to the nodes of that label."""
        return {
            relation.target: cls._walk(relation, kind if towards else BY_LABEL[relation.target], towards)
            for relation in kind.relations
            if relation.type == rel
        }

    @classmethod
    def _walk(cls, relation: Relation, kind: Kind, towards: bool) -> "Traversal":
        """`along`, and for a relation from a kind to itself (a memory that refers to a memory), the
        way `towards` says: to the nodes linked to the parent, or from it."""
        if relation.source != relation.target:
            return cls.along(relation, kind)
        arrow = f"<-[:{relation.type}]-" if towards else f"-[:{relation.type}]->"
        return cls(relation.source, f"(p){arrow}(n:{kind.label})", kind)


def parent_of(traversal: Traversal) -> str:
    """The MATCH of a traversal's parent `p` (uid `parent`) the viewer may read: theirs, or, of a
    shareable kind, shared with their couple (graph/kind.py's `scope`)."""
    kind = BY_LABEL.get(traversal.parent)
    if kind is None or not kind.widened:
        return f"MATCH (p:{traversal.parent} {{uid: parent, owner: $owner}})"
    return f"MATCH (p:{traversal.parent} {{uid: parent}}) WHERE {kind.scope('p')}"


async def neighbors(
    tx: AsyncManagedTransaction,
    traversal: Traversal,
    *,
    owner: str,
    parents: list[str],
    page: Page,
    reads: Reads = None,
) -> dict[str, Rows]:
    """A page of neighbors for each parent uid (every parent present, an empty page where there are
    none), each projected to what the selection `reads` (every property when None)."""
    kind = traversal.kind
    keyset, order, params = page.clauses("n.uid")
    query = f"""
    UNWIND $parents AS parent
    CALL (parent) {{
      {parent_of(traversal)}
      MATCH {traversal.pattern}
      WITH DISTINCT n
      {kind.joins}
      WHERE {kind.scope()} AND {keyset} AND {kind.visible} AND {kind.listed}
      WITH * ORDER BY {order} LIMIT $page_limit
      RETURN {kind.projection_of(reads)} AS n, {page.sort_values} AS sort
    }}
    WITH parent, collect([n, sort]) AS rows
    RETURN collect([parent, rows]) AS found
    """
    # One record holding every parent's page: the driver decodes a list at once, far faster than record
    # by record.
    record = await (await tx.run(query, owner=owner, parents=parents, **params)).single(strict=True)
    found = dict(record["found"])
    return {parent: Rows.of([kind.row(*row) for row in found.get(parent, [])], page) for parent in parents}


async def counts(
    tx: AsyncManagedTransaction, traversal: Traversal, *, owner: str, parents: list[str]
) -> dict[str, int]:
    query = f"""
    UNWIND $parents AS parent
    OPTIONAL {parent_of(traversal)}
    OPTIONAL MATCH {traversal.pattern}
    WITH parent, n {traversal.kind.joins}
    WHERE n IS NULL OR ({traversal.kind.scope()} AND {traversal.kind.visible} AND {traversal.kind.listed})
    RETURN parent, count(DISTINCT n) AS total
    """
    result = await tx.run(query, owner=owner, parents=parents)
    return {record["parent"]: record["total"] async for record in result}
