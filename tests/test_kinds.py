"""The contract of the kinds (graph/kinds.py): every list that must know every kind knows each, and each
kind's type, inputs and model agree. A kind left out anywhere fails here, never silently."""

import re
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from neomodel import (
    ArrayProperty,
    BooleanProperty,
    DateProperty,
    DateTimeProperty,
    FloatProperty,
    IntegerProperty,
    JSONProperty,
    StringProperty,
)

from graph import changes, events, migrations, models
from graph.driver import Graph
from graph.kinds import (
    BY_LABEL,
    DRAWN,
    ENDS,
    KINDS,
    LINKABLE,
    MENTIONED,
    MENTIONING,
    RELATIONS,
    SEARCHED_LABELS,
    oriented,
)
from schema import build_schema
from settings import Settings
from tests.client import GraphQLClient

SCHEMA: GraphQLSchema = build_schema(Settings(_env_file=None))._schema
# What every owned node has that the API shows otherwise (uid as `id`) or not at all.
SYSTEM = {"uid", "owner", "updated_at"}
# One node of each kind as a client would have made it: a kind without one here fails the tests below.
SAMPLES: dict[str, dict[str, Any]] = {
    "Recipient": {"name": "Ann"},
    "Occasion": {"name": "Ann's birthday", "occasion_type": "birthday", "date": "2026-05-01"},
    "Gift": {"name": "A scarf"},
    "GiftOutcome": {"success": 0.9, "reaction": "thrilled", "was_given": True},
    "Memory": {"kind": "episodic", "content": "Pottery with Ann", "tags": [], "status": "confirmed"},
    "Concept": {"name": "Pottery", "key": "pottery"},
    "Conflict": {"summary": "Who plans the holidays", "status": "active", "started_at": "2026-01-01T10:00Z"},
    "Document": {
        "kind": "pdf",
        "role": "photo",
        "filename": "ann.pdf",
        "mime": "application/pdf",
        "size": 1,
        "sha256": "0" * 64,
        "storage_key": "k",
        "status": "ready",
    },
    "Insight": {
        "category": "preference",
        "statement": "Ann prefers tea",
        "confidence": 0.7,
        "status": "proposed",
    },
    "Observation": {
        "content": "Ann asked for green tea",
        "source": "chat_log",
        "observed_at": "2026-01-01T10:00Z",
        "status": "pending",
    },
    "Conversation": {
        "purpose": "gift_search",
        "title": "A gift for Ann",
        "status": "open",
        "started_at": "2026-01-01T10:00Z",
    },
    "Message": {"role": "user", "text": "Something for Ann?", "sent_at": "2026-01-01T10:01Z", "emotions": []},
    "Series": {
        "name": "Ann's chess rating",
        "kind": "skill",
        "unit": "Elo",
        "entry_count": 0,
        "entry_seq": 0,
    },
    "ConflictAnalysis": {
        "summary": "Ann: criticism",
        "patterns": ["criticism"],
        "triggers": [],
        "generator": "deterministic",
        "generator_version": "1",
        "joint": False,
        "includes_private": False,
    },
    "RepairPlan": {
        "summary": "Two steps to repair",
        "item_done": [],
        "generator": "person",
        "generator_version": "1",
        "joint": False,
        "includes_private": False,
    },
    "CycleEntry": {"date": "2026-01-01", "event_type": "period_start"},
    "IntimacyEntry": {"occurred_at": "2026-01-01T22:00Z", "intimacy_type": "physical_affection"},
    "GiftRecommendation": {
        "title": "A pottery class",
        "category": "experiences",
        "rank": 1,
        "score": 0.4,
        "confidence": 0.5,
        "explanation": "They are into pottery.",
        "list_key": "Recipient-1|-|2026-01-01",
        "generator": "kindred-gift-ranker",
        "generator_version": "1.0",
    },
    "Persona": {
        "name": "Ann (balanced)",
        "detail": "balanced",
        "core": '{"preferences": ["tea"]}',
        "overlay": '{"context": null}',
        "mapper": "mindscape",
        "mapper_version": "1.1.0",
        "mindscape_version": "0-0",
        "about_viewer": False,
        "ttl_hours": 24,
        "expires_at": "2026-01-02T10:00Z",
        "access_count": 1,
        "feedback_ratings": [],
        "feedback_outcomes": [],
    },
    "ChallengeTemplate": {
        "name": "A letter a week",
        "dimension_keys": ["self_show"],
        "dimension_amounts": [0.5],
        "steps": [],
        "target": 4,
        "version": 1,
        "status": "active",
    },
    "Challenge": {
        "title": "A letter a week",
        "status": "active",
        "template_version": 1,
        "target": 4,
        "steps_done": 1,
        "progress": 0.25,
        "started_at": "2026-01-01T10:00Z",
    },
    "Artifact": {"kind": "trophy", "title": "A letter a week"},
}
_SCALARS = {
    IntegerProperty: "Int",
    FloatProperty: "Float",
    BooleanProperty: "Boolean",
    DateProperty: "Date",
    DateTimeProperty: "DateTime",
    JSONProperty: "JSON",
}


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _api_fields(kind: Any) -> dict[str, Any]:
    """The model's properties the API shows, by the API's name for each."""
    declared = kind.model.defined_properties(aliases=False, rels=False)
    return {
        _camel(kind.api_names.get(name, name)): prop
        for name, prop in declared.items()
        if name not in SYSTEM and name not in kind.private
    }


def _agrees(prop: Any, graphql_type: Any) -> bool:
    """Whether a GraphQL type can carry the property's values (a string may be an enum of them)."""
    inner = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(prop, ArrayProperty):
        return isinstance(inner, GraphQLList) and _agrees(prop.base_property, inner.of_type)
    named: GraphQLNamedType = get_named_type(inner)
    if isinstance(prop, StringProperty):
        return named.name in ("String", "ID") or isinstance(named, GraphQLEnumType)
    return named.name == _SCALARS[type(prop)]


def test_every_owned_model_has_a_kind_and_every_kind_a_sample() -> None:
    owned = {m for m in vars(models).values() if isinstance(m, type) and issubclass(m, models.Owned)}
    owned.discard(models.Owned)
    assert owned == {kind.model for kind in KINDS}
    assert set(SAMPLES) == set(BY_LABEL)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.label)
def test_a_kinds_type_and_inputs_agree_with_its_model(kind: Any) -> None:
    """Each property the API shows is a field of the kind's type, of a type that carries it, non-null when
    every node has it; each input field that sets one agrees too (an update's never non-null)."""
    node_type = SCHEMA.type_map[kind.label]
    assert isinstance(node_type, GraphQLObjectType)
    for name, prop in _api_fields(kind).items():
        field = node_type.fields.get(name)
        assert field is not None, f"{kind.label}.{name}: a property of the model the type does not show"
        assert _agrees(prop, field.type), f"{kind.label}.{name} is {field.type}"
        if prop.required or prop.has_default:
            assert isinstance(field.type, GraphQLNonNull), f"{kind.label}.{name}: every node has one"
        assert field.description or prop.required, f"{kind.label}.{name} has no description"
    create, update = (SCHEMA.type_map.get(f"{verb}{kind.label}Input") for verb in ("Create", "Update"))
    properties = _api_fields(kind)
    for given in (create, update):
        for name, field in given.fields.items() if given is not None else ():
            if name in properties:
                assert _agrees(properties[name], field.type), f"{given}.{name} is {field.type}"
    if update is not None:
        for name, field in update.fields.items():
            assert name == "id" or not isinstance(field.type, GraphQLNonNull), f"{update}.{name}"
        if create is not None:  # what can be given when made can be changed after, and the other way
            assert set(create.fields) & set(properties) == set(update.fields) & set(properties)


def _stated(number: float) -> str:
    """A bound as a description writes it: -1, 0.5, 10, 1,000,000,000."""
    return f"{number:,}" if float(number).is_integer() and abs(number) >= 1000 else f"{number:g}"


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.ranges], ids=lambda kind: kind.label)
def test_a_kinds_declared_ranges_are_its_models_numbers_and_what_the_api_says(kind: Any) -> None:
    """What a write may set of a number (graph/kinds.py, checked by resolvers/checks.ranges) is what the
    type and its inputs tell a client, in their descriptions."""
    declared = kind.model.defined_properties(aliases=False, rels=False)
    given = [SCHEMA.type_map.get(f"{verb}{kind.label}Input") for verb in ("Create", "Update")]
    for name, (low, high) in kind.ranges.items():
        assert isinstance(declared.get(name), IntegerProperty | FloatProperty), f"{kind.label}.{name}"
        api_name = _camel(kind.api_names.get(name, name))
        fields = [
            t.fields[api_name] for t in (SCHEMA.type_map[kind.label], *given) if t and api_name in t.fields
        ]
        assert fields, f"{kind.label}.{api_name} is nowhere in the API"
        for field in fields:
            words = re.findall(r"-?[\d,]*\d(?:\.\d+)?", field.description or "")
            stated = {word.rstrip(",") for word in words}
            assert {_stated(low), _stated(high)} <= stated, f"{kind.label}.{api_name}: {field.description!r}"


def _reached(type_name: str) -> set[str]:
    """The node types a type's fields lead to: directly, through a connection's nodes, or through a
    list of entries that each name a node with what is known of it (Recipient.similar's people)."""
    reached = set()
    for field in SCHEMA.type_map[type_name].fields.values():  # type: ignore[union-attr]
        named = get_named_type(field.type)
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            named = get_named_type(named.fields["nodes"].type)
        elif _is_list(field.type) and isinstance(named, GraphQLObjectType) and not named.interfaces:
            reached |= {get_named_type(entry.type).name for entry in named.fields.values()}
        reached.add(named.name)
    return reached


def _is_list(annotation: Any) -> bool:
    return isinstance(getattr(annotation, "of_type", annotation), GraphQLList)


def _reaches(source: str, target: str) -> bool:
    """Whether a field of `source` leads to a `target` (as itself, or as an interface it implements)."""
    as_what = {target, *(i.name for i in SCHEMA.type_map[target].interfaces)}  # type: ignore[union-attr]
    return bool(as_what & _reached(source))


@pytest.mark.parametrize("relation", RELATIONS, ids=lambda r: f"{r.source}-{r.type}-{r.target}")
def test_every_relation_is_traversable_both_ways(relation: Any) -> None:
    assert relation.source in BY_LABEL and relation.target in BY_LABEL
    assert _reaches(relation.source, relation.target), f"{relation.source} reaches no {relation.target}"
    assert _reaches(relation.target, relation.source), f"{relation.target} reaches no {relation.source}"


def test_a_link_is_told_by_its_type_and_the_labels_of_its_ends_named_either_way() -> None:
    for type, pairs in ENDS.items():
        for source, target in pairs:
            assert oriented(type, source, target) is True
            assert oriented(type, target, source) is (source == target)
    # MENTIONS joins each drawn kind with a text to people and concepts: several pairs, one type (a
    # message's mentions are kept too, but it is not drawn: its links are no link of the view's).
    texted = {label for label in MENTIONING if label in BY_LABEL and BY_LABEL[label].drawn}
    assert texted == {"Memory", "Conflict", "Gift"}
    assert "Message" in MENTIONING
    assert ENDS["MENTIONS"] == {(source, target) for source in texted for target in MENTIONED}


def test_the_texts_and_names_mentions_read_are_properties_of_their_models() -> None:
    for label, props in {**MENTIONING, **MENTIONED}.items():
        if label in BY_LABEL:  # a passage (DocumentChunk) has no model: graph/documents.py writes its text
            declared = BY_LABEL[label].model.defined_properties(aliases=False, rels=False)
            assert set(props) <= set(declared), f"{label}: {set(props) - set(declared)}"


def test_the_apis_enums_are_the_kinds() -> None:
    search_kinds = SCHEMA.type_map["SearchKind"]
    link_kinds = SCHEMA.type_map["LinkKind"]
    assert isinstance(search_kinds, GraphQLEnumType) and isinstance(link_kinds, GraphQLEnumType)
    assert {v.value for v in search_kinds.values.values()} == {*SEARCHED_LABELS, "Document"}
    assert set(link_kinds.values) == set(LINKABLE)
    placed = {t.name for t in SCHEMA.get_implementations(SCHEMA.type_map["Placed"]).objects}  # type: ignore[arg-type]
    assert placed == {kind.label for kind in DRAWN}


async def _schema(graph: Graph) -> dict[str, list[str]]:
    async def read(tx: Any) -> dict[str, list[str]]:
        found = await tx.run("SHOW INDEXES YIELD name, labelsOrTypes RETURN name, labelsOrTypes")
        names = {r["name"]: r["labelsOrTypes"] async for r in found}
        found = await tx.run("SHOW CONSTRAINTS YIELD name, labelsOrTypes RETURN name, labelsOrTypes")
        return names | {r["name"]: r["labelsOrTypes"] async for r in found}

    return await graph.read(read)


async def test_after_the_migrations_every_kind_has_its_constraint_and_indexes(graph: Graph) -> None:
    present = await _schema(graph)
    for kind in KINDS:
        assert present[f"{kind.label}_uid"] == [kind.label]
        assert present[f"{kind.label}_owner"] == [kind.label]
        if kind.drawn:
            assert present[f"{kind.label}_view_community"] == [kind.label]
    assert sorted(present[migrations.SEARCH_INDEX]) == sorted(SEARCHED_LABELS)


async def test_a_full_text_index_of_other_kinds_is_replaced_by_one_over_the_searched_ones(
    graph: Graph,
) -> None:
    """A database whose index an earlier version made for fewer kinds (as migration 6 named it) gets one
    over every searched kind beside it, and the old one goes once the new one is online."""

    async def run(tx: Any, statement: str) -> None:
        await (await tx.run(statement)).consume()

    await graph.write(run, f"DROP INDEX {migrations.SEARCH_INDEX}")
    await graph.write(run, migrations._search_index(("Recipient", "Gift"), "search_text"))
    assert sorted((await _schema(graph))["search_text"]) == ["Gift", "Recipient"]
    assert await migrations.apply(graph) == []  # no migration of its own: the declarations call for it
    present = await _schema(graph)
    assert sorted(present[migrations.SEARCH_INDEX]) == sorted(SEARCHED_LABELS)
    assert [name for name in present if name.startswith("search_text")] == [migrations.SEARCH_INDEX]


NODES = """query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Placed { title } } }"""
VIEW = "{ graphView(maxNodes: 100) { nodes { id label name } } }"


async def test_every_kind_round_trips_and_every_drawn_kind_is_in_a_view_and_a_delta(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("kinds@example.com")
    me = await client.data("{ me { id } }", token=token)
    owner = _uid(me["me"]["id"])

    async def make(tx: Any) -> None:
        for label, values in SAMPLES.items():
            await tx.run(
                f"MATCH (u:User {{uid: $owner}}) CREATE (n:{label}) SET n = $values, n.uid = $label + '-1', "
                "n.owner = $owner, n.created_at = datetime(), n.updated_at = datetime()",
                owner=owner,
                label=label,
                values=values,
            )
            await events.append(tx, owner, f"{label}Created", [f"{label}:{label}-1"])
        # What some kinds need of others to be in sight: a recipient known, a document attached, a message
        # in its conversation.
        await tx.run(
            "MATCH (u:User {uid: $owner}), (r:Recipient {uid: 'Recipient-1'}), (d:Document), (m:Memory), "
            "(s:Message), (c:Conversation) "
            "CREATE (u)-[:KNOWS {relationship_type: 'friend'}]->(r), (d)-[:ATTACHED_TO {role: 'photo'}]->(m), "
            "(s)-[:IN {seq: 1}]->(c)",
            owner=owner,
        )
        # A persona is in sight until it expires (a date, not the sample's text).
        await tx.run(
            "MATCH (p:Persona {owner: $owner}) SET p.expires_at = datetime() + duration('P1D')", owner=owner
        )

    await graph.write(make)
    ids = [_global_id(label, f"{label}-1") for label in SAMPLES]
    found = (await client.data(NODES, {"ids": ids}, token=token))["nodes"]
    assert [node and node["__typename"] for node in found] == list(SAMPLES)  # each hydrated as its type
    titles = {node["__typename"]: node.get("title") for node in found}
    for kind in DRAWN:
        assert titles[kind.label] == str(SAMPLES[kind.label][kind.title])
    drawn = {
        node["label"]: node["name"] for node in (await client.data(VIEW, token=token))["graphView"]["nodes"]
    }
    assert drawn == {kind.label: titles[kind.label] for kind in DRAWN}
    deltas = await graph.read(changes.deltas, owner=owner, after=1)
    added = {change.label for delta in deltas for change in delta.added}
    assert added >= {kind.label for kind in DRAWN}


def _uid(global_id: str) -> str:
    import base64

    return base64.b64decode(global_id).decode().partition(":")[2]


def _global_id(label: str, uid: str) -> str:
    import base64

    return base64.b64encode(f"{label}:{uid}".encode()).decode()
