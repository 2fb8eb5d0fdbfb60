"""What a kind of node declares (`Kind`), and what the queries derive from a declaration: the projection
of its nodes, their rows, the checks of its rules, its search text and its cascade.

The declarations themselves are in graph/kinds.py; this module holds no label of its own.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from neomodel import AsyncStructuredNode, JSONProperty

from errors import BadUserInput
from graph.pages import Row
from graph.properties import unclearable
from graph.rows import Computed, Shape, sort_values_of

# A couple's members, and what a member shared with it: (:User)-[:MEMBER_OF]->(:Couple)<-[:SHARED_WITH]-(n)
MEMBER_OF = "MEMBER_OF"
SHARED_WITH = "SHARED_WITH"


# Where the 3D view placed a node, kept on it (graph/view.py): its author's layout.
VIEW_PLACE = ("view_x", "view_y", "view_z", "view_community", "view_rank")


def shared_with_viewer(n: str) -> str:
    """Cypher: the node `n` is shared with a couple the viewer ($owner) is a member of."""
    return f"EXISTS {{ ({n})-[:{SHARED_WITH}]->(:Couple)<-[:{MEMBER_OF}]-(:User {{uid: $owner}}) }}"


# What else a link or an unlink keeps true, in its transaction: (tx, owner=, source=uid, target=uid).
AfterLink = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Relation:
    """A type of link from a node of one kind to a node of another (or the same) kind."""

    type: str
    source: str
    target: str
    linkable: bool = True  # whether a client makes and removes it with link/unlink (else its kind does)
    # For a link that is not linkable and is no part of a write of its kind: what keeps it (a client told).
    kept_by: str = ""
    # What derives from it and must follow a client's link or unlink at once (graph/nodes.py's link and
    # unlink run it; a write that makes or removes such links otherwise keeps it itself, as createGift does).
    after: AfterLink | None = None


@dataclass(frozen=True)
class Searched:
    """How a kind's search text is made: `fields`, a Cypher tail on `n` (and $owner) returning `uid` and a
    map `fields` of strings, lists or nulls; the text is `sentence`'s fields joined as sentences, then
    each of `listed` as "<prefix> a, b, c."; `dependents`, a CALL body binding `d` to the nodes whose
    text names a node `n` of this kind (so a change to it reaches theirs)."""

    description: str  # what a client is told it is searched by
    fields: str
    sentence: tuple[str, ...]
    listed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dependents: str = ""
    salient: bool = False  # ranked by its importance (0-1) and recency as well as by its match
    # The fields that name a node (a person's name and nickname): said in a query, they rank it first.
    named: tuple[str, ...] = ()
    # The fields read from other nodes (the names of the people or concepts it is linked to): a partner
    # who reads a shared node may not read those, so it is searched by them on its own fields alone.
    linked: tuple[str, ...] = ()

    def own(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The fields of the node itself, without those read from the nodes it is linked to."""
        return {name: value for name, value in fields.items() if name not in self.linked}

    def compose(self, fields: Mapping[str, Any]) -> str:
        """The text a node is searched by: its words, without the field names' noise."""

        def words(*names: str) -> list[str]:
            found: list[str] = []
            for name in names:
                value = fields.get(name)
                if isinstance(value, list):
                    found.extend(str(item) for item in value if item)
                elif value:
                    found.append(str(value).replace("_", " "))
            return found

        def listed(prefix: str, names: tuple[str, ...]) -> str:
            items = words(*names)
            return f"{prefix} {', '.join(dict.fromkeys(items))}." if items else ""

        parts = [". ".join(words(*self.sentence)) + ".", *(listed(p, names) for p, names in self.listed)]
        return " ".join(part for part in parts if part and part != ".").strip()


@dataclass(frozen=True)
class Cascade:
    """Nodes deleted with a node `n` of the kind that declares it: those joined to it by `relation`
    (`outgoing` from `n`, or towards it) that no other node of its kind is joined to that way, and, in
    turn, what they cascade to themselves (`then`)."""

    relation: str
    label: str
    outgoing: bool = True
    then: tuple["Cascade", ...] = ()


def _cypher(computed: str | Computed) -> str:
    return computed.cypher if isinstance(computed, Computed) else computed


@dataclass(frozen=True)
class Invariant:
    """A rule over a node's stored properties (Cypher on `n`) that every write must leave true."""

    holds: str
    field: str
    message: str


@dataclass(frozen=True, eq=False)  # one Kind per label: compared and hashed as itself
class Kind:
    """What one label is: its model, what is computed with every node of it, what of it is out of sight,
    what a list of it may be ordered by, the rules its writes keep, its caption, its links, how it is
    searched and what goes with it when it is deleted. Declared once, in graph/kinds.py."""

    label: str
    model: type[AsyncStructuredNode]
    joins: str = ""  # a MATCH from `n` that its computed properties and sorts read (always matches)
    # name -> Cypher on `n` (and $owner), or a Computed that says how to decode it
    computed: Mapping[str, str | Computed] = field(default_factory=dict)
    visible: str = "true"
    # What lists, relations, search and the view show unless a filter asks for more (a memory an extractor
    # proposed, or one the viewer rejected, is read by its id and listed by its status alone): Cypher on `n`.
    listed: str = "true"
    # Cypher on `n`: among what is not listed, what an extractor proposed: what search and the view show
    # too when asked (includeProposed), of the viewer's own alone (`listed_or_proposed`).
    proposal: str = "false"
    # Cypher on `n`: whether a node it keeps (listed, read by id) is also drawn in the view and found by
    # search; an expired persona is kept until the purge but is out of sight.
    shown: str = "true"
    sorts: Mapping[str, str] = field(default_factory=dict)  # order field -> Cypher on `n`, never null
    invariants: tuple[Invariant, ...] = ()
    # The bounds (inclusive) of its numeric properties: what a write may set, and what the API says.
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    title: str = "name"  # the property a person knows a node of this kind by (its caption)
    drawn: bool = True  # laid out and drawn in the 3D view, a link end, a path's step, a search's `near`
    evolves: bool = False  # a card: drawn with an evolution state (seed .. supernova) from links and growth
    relations: tuple[Relation, ...] = ()  # the links that start at a node of this kind
    searched: Searched | None = None  # how its text for search is made (None: not searched as a node)
    cascade: tuple[Cascade, ...] = ()  # what is deleted with it: what belonged to it alone
    # How the API names a property where the names differ (occasion_type is an occasion's `kind`), and
    # the properties the API never shows (kept for the server's own use).
    api_names: Mapping[str, str] = field(default_factory=dict)
    private: tuple[str, ...] = ()
    # The properties stored sealed (vault/): opened for their owner alone, never searched, drawn or
    # sent in a live delta unless the owner chose to (graph/data_keys.py's show_sensitive).
    sensitive: tuple[str, ...] = ()
    # Whether its author may share a node of it with their couple (shareWithCouple): then a partner
    # reads it too (its `scope`), and only its author changes it.
    shareable: bool = False
    # Of a shareable kind, the nodes its author may never share (a rant is its author's alone): a Cypher
    # condition on `n`, and why, as the refusal says it.
    kept_private: tuple[str, str] | None = None
    # A kind that is shared with what it belongs to (a message, with its conversation): a pattern from
    # `n` to `via`, a node of a shareable kind; while `via` is shared, the partner reads `n` too.
    shared_through: str = ""
    # Its author's alone (a cycle or intimacy entry): never shared, searched or drawn, and its sealed
    # fields never in a delta, whatever the author chose for other kinds' (graph/changes.py).
    personal: bool = False
    # Of a shareable kind, whether a node of it may be made together (its `made_together` set: a joint
    # mediation session): then either member of a couple it is shared with changes it, not only its author.
    co_authored: bool = False

    @property
    def widened(self) -> bool:
        """Whether a partner may read some nodes of this kind (shared, or shared through another)."""
        return self.shareable or bool(self.shared_through)

    @property
    def listed_or_proposed(self) -> str:
        """Cypher on `n`: listed, or (with `$proposed` true) one of the owner's proposals."""
        if self.proposal == "false":
            return self.listed
        return f"(({self.listed}) OR ($proposed AND n.owner = $owner AND ({self.proposal})))"

    def scope(self, n: str = "n") -> str:
        """Cypher: the viewer ($owner) may read the node `n` of this kind: it is theirs, or its author
        shared it (or, `shared_through`, what it belongs to) with a couple the viewer is a member of.
        Every read of a kind's nodes is scoped by this (or by `scoped`, its list form); a kind that is
        never shared reads exactly as it always did."""
        if self.shareable:
            return f"({n}.owner = $owner OR {shared_with_viewer(n)})"
        if self.shared_through:
            through = self.shared_through.replace("(n)", f"({n})", 1)
            return f"({n}.owner = $owner OR EXISTS {{ MATCH {through} WHERE {shared_with_viewer('via')} }})"
        return f"{n}.owner = $owner"

    def changeable(self, uid: str = "uid") -> str:
        """A MATCH binding `n` to the node of this kind with the uid `$<uid>` that the viewer ($owner)
        may change: their own, or, of a co-authored kind, one made together and shared with a couple the
        viewer is a member of. Every write that changes a node (an update, an append to a conversation)
        finds it by this, so who may change what is said here once."""
        if not self.co_authored:
            return f"MATCH (n:{self.label} {{uid: ${uid}, owner: $owner}})"
        together = f"(coalesce(n.made_together, false) AND {shared_with_viewer('n')})"
        return f"MATCH (n:{self.label} {{uid: ${uid}}}) WHERE (n.owner = $owner OR {together})"

    @cached_property
    def scoped(self) -> str:
        """A clause binding `n` to each node of this kind the viewer may read (its `scope`): the owner's
        through the owner index and those shared with the viewer's couple (or shared through another)."""
        if not self.widened:
            return f"MATCH (n:{self.label} {{owner: $owner}})"
        own = f"MATCH (n:{self.label} {{owner: $owner}}) RETURN n"
        return f"CALL () {{ {own} UNION {self.shared} RETURN n }} WITH n"

    @cached_property
    def shared(self) -> str:
        """A clause binding `n` to each node of this (widened) kind that a partner shared with the
        viewer's couple, or shared through another node."""
        if not self.widened:
            raise ValueError(f"{self.label} is never shared")
        couple = f"(:User {{uid: $owner}})-[:{MEMBER_OF}]->(:Couple)<-[:{SHARED_WITH}]-"
        if self.shareable:
            return f"MATCH {couple}(n:{self.label})"
        through = self.shared_through.replace("(n)", f"(n:{self.label})", 1)
        return f"MATCH {couple}(via) MATCH {through}"

    def __post_init__(self) -> None:
        if self.personal and (self.drawn or self.searched is not None or self.widened):
            raise ValueError(f"{self.label}: a personal kind is neither drawn, searched nor shared")
        if self.co_authored and not self.shareable:
            raise ValueError(f"{self.label}: only what is shared is made together")
        searched = self.searched
        exposed = {self.title, *(searched.sentence if searched else ())}
        exposed |= {name for _, names in (searched.listed if searched else ()) for name in names}
        if exposed & set(self.sensitive):
            raise ValueError(f"{self.label}: a sensitive field is its title or in its search text")

    @cached_property
    def projection(self) -> str:
        """The properties of `n` and what its label computes, as one map, in the model's Shape."""
        computed = "".join(f", {name}: {_cypher(expression)}" for name, expression in self.computed.items())
        authors = "".join(f", {name}: {expression}" for name, expression in self.authors_only.items())
        return self._shape.map("n", computed + authors)

    @cached_property
    def authors_only(self) -> dict[str, str]:
        """The sensitive fields of a kind a partner may read, and its place in its author's 3D view (made
        from the author's whole graph: the partner's view places it anew), each read as null by anyone
        but the node's author (the partner reads the rest): name -> Cypher on `n`."""
        if not self.widened:
            return {}
        hidden = (*self.sensitive, *(VIEW_PLACE if self.drawn else ()))
        return {name: f"CASE WHEN n.owner = $owner THEN n.{name} END" for name in hidden}

    def projection_of(self, reads: "Reads") -> str:
        """The projection of `n` a selection needs: the properties and computed values it `reads` (and
        the uid), or, for None, every one (`projection`). Computed values cost joins and temporals cost
        decoding, so what is not asked for is not read."""
        return self.projection if reads is None else _projection(self, reads)

    def reads_known(self, names: frozenset[str]) -> bool:
        """Whether every one of `names` is a stored property or a computed value of this kind."""
        return names <= self._readable

    @cached_property
    def _readable(self) -> frozenset[str]:
        declared = self.model.defined_properties(aliases=False, rels=False)
        return frozenset(declared) | frozenset(self.computed)

    @cached_property
    def _shape(self) -> Shape:
        return Shape.of(self.model)

    @cached_property
    def _decoders(self) -> tuple[tuple[str, Any], ...]:
        return tuple((name, c.decode) for name, c in self.computed.items() if isinstance(c, Computed))

    @cached_property
    def unclearable(self) -> tuple[str, ...]:
        return unclearable(self.model)

    @cached_property
    def _json(self) -> tuple[str, ...]:
        declared = self.model.defined_properties(aliases=False, rels=False)
        return tuple(name for name, prop in declared.items() if isinstance(prop, JSONProperty))

    def row(self, properties: dict[str, Any], sort: Any = ()) -> Row:
        node = self._shape.decode(dict(properties))
        for name, decode in self._decoders:
            node[name] = decode(node.get(name))
        for name in self._json:
            if isinstance(node.get(name), str):
                node[name] = json.loads(node[name])
        return Row(node, sort_values_of(sort))

    @property
    def broken(self) -> str:
        """A Cypher list of the fields whose invariants `n` breaks (empty when all hold)."""
        rules = enumerate(self.invariants)
        checks = ", ".join(f"CASE WHEN {rule.holds} THEN null ELSE {i} END" for i, rule in rules)
        return f"[x IN [{checks}] WHERE x IS NOT NULL]" if checks else "[]"

    def refuse_broken(self, broken: list[int]) -> None:
        if broken:
            rule = self.invariants[broken[0]]
            raise BadUserInput(rule.message, field=rule.field)

    @cached_property
    def deletes(self) -> str:
        """Cypher after `MATCH (n)` binding `d` to each node its cascade deletes with it (or null)."""
        if not self.cascade:
            return "WITH n, null AS d"
        found = " + ".join(f"COLLECT {{ {_cascaded('n', self.label, c, 0)} }}" for c in self.cascade)
        return f"WITH n, {found} AS ds\n    UNWIND CASE WHEN ds = [] THEN [null] ELSE ds END AS d"


# What a read projects of each node: these properties and computed values (the uid always), or None
# for every one.
Reads = frozenset[str] | None


@lru_cache(maxsize=1024)
def _projection(kind: Kind, reads: frozenset[str]) -> str:
    wanted = {name: expression for name, expression in kind.computed.items() if name in reads}
    wanted |= {name: expression for name, expression in kind.authors_only.items() if name in reads}
    computed = "".join(f", {name}: {_cypher(expression)}" for name, expression in wanted.items())
    return kind._shape.map(
        "n", computed, only=reads - frozenset(kind.computed) - frozenset(kind.authors_only)
    )


def _cascaded(anchor: str, label: str, cascade: Cascade, depth: int) -> str:
    """A query body returning as `d` what `cascade` deletes with `anchor`, a node of `label`."""
    x = f"x{depth}"
    if cascade.outgoing:
        match = f"MATCH ({anchor})-[:{cascade.relation}]->({x}:{cascade.label})"
        alone = f"NOT EXISTS {{ (other:{label})-[:{cascade.relation}]->({x}) WHERE other <> {anchor} }}"
    else:
        match = f"MATCH ({x}:{cascade.label})-[:{cascade.relation}]->({anchor})"
        alone = f"NOT EXISTS {{ ({x})-[:{cascade.relation}]->(other:{label}) WHERE other <> {anchor} }}"
    if not cascade.then:
        return f"{match} WHERE {alone} RETURN {x} AS d"
    more = " UNION ".join(
        [f"RETURN {x} AS d", *(_cascaded(x, cascade.label, then, depth + 1) for then in cascade.then)]
    )
    return f"{match} WHERE {alone} CALL ({x}) {{ {more} }} RETURN d"
