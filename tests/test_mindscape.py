"""A person's mindscape: the insights about one of the viewer's recipients, or about the viewer
themselves (aboutViewer), laid out in layers by category, the surest first; proposed and confirmed ones
in, rejected and outdated ones out; each item's insight reachable with its evidence; a query over
insights (a change shows at once), in a bounded number of round trips, and kept to its owner."""

from typing import Any

from strawberry.relay import GlobalID

from graph import migrations
from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_insights import _memory
from tests.test_observations import _observation
from tests.test_recipients import create as create_recipient

CREATE = """mutation ($input: CreateInsightInput!) { createInsight(input: $input) {
  id aboutViewer updatedAt } }"""
UPDATE = """mutation ($input: UpdateInsightInput!) { updateInsight(input: $input) {
  id status aboutViewer updatedAt } }"""
DELETE = "mutation ($id: ID!) { deleteInsight(id: $id) { deletedCount } }"
LIST = """query ($f: InsightFilter) { insights(filter: $f) { nodes { statement aboutViewer } } }"""
ITEM = "insight { id statement status } category confidence updatedAt"
MINDSCAPE = f"""query ($of: ID, $proposed: Boolean, $per: Int) {{
  mindscape(of: $of, includeProposed: $proposed, perLayer: $per) {{
    recipient {{ name }}
    traits {{ {ITEM} }} goals {{ {ITEM} }} beliefs {{ {ITEM} }}
    knowledge {{ {ITEM} }} preferences {{ {ITEM} }} patterns {{ {ITEM} }}
    counts {{ traits goals beliefs knowledge preferences patterns total }}
    updatedAt version }} }}"""
PROVENANCE = """query ($of: ID) { mindscape(of: $of) { preferences {
  insight { statement status volatility value evidence { nodes { __typename id } } } } } }"""
LAYERS = ("traits", "goals", "beliefs", "knowledge", "preferences", "patterns")


async def _insight(client: GraphQLClient, token: str, statement: str, **given: Any) -> dict[str, Any]:
    values = {"category": "TRAIT", "statement": statement, **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createInsight"]


async def _mindscape(client: GraphQLClient, token: str, of: str | None = None, **args: Any) -> Any:
    return (await client.data(MINDSCAPE, {"of": of, **args}, token=token))["mindscape"]


def _statements(mindscape: dict[str, Any], layer: str) -> list[str]:
    return [item["insight"]["statement"] for item in mindscape[layer]]


async def test_a_recipients_mindscape_lays_out_what_is_known_of_them_by_layer(client: GraphQLClient) -> None:
    token = await client.sign_up("layers@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    sam = (await create_recipient(client, token, "Sam"))["id"]
    made = {}
    for category, statement in [
        ("TRAIT", "Lea is patient"),
        ("GOAL", "Lea wants to run a marathon"),
        ("BELIEF", "Lea believes in second chances"),
        ("FACT", "Lea works as a nurse"),
        ("PREFERENCE", "Lea loves Thai food"),
        ("PATTERN", "Lea calls her mother on Sundays"),
    ]:
        made[statement] = await _insight(
            client, token, statement, category=category, recipientIds=[lea], confidence=0.7
        )
    await _insight(client, token, "Sam is impatient", recipientIds=[sam])
    await _insight(client, token, "I am patient", aboutViewer=True)

    found = await _mindscape(client, token, lea)
    assert found["recipient"] == {"name": "Lea"}
    assert {layer: _statements(found, layer) for layer in LAYERS} == {
        "traits": ["Lea is patient"],
        "goals": ["Lea wants to run a marathon"],
        "beliefs": ["Lea believes in second chances"],
        "knowledge": ["Lea works as a nurse"],
        "preferences": ["Lea loves Thai food"],
        "patterns": ["Lea calls her mother on Sundays"],
    }
    assert [found[layer][0]["category"] for layer in LAYERS] == [
        "TRAIT",
        "GOAL",
        "BELIEF",
        "FACT",
        "PREFERENCE",
        "PATTERN",
    ]
    assert found["counts"] == {layer: 1 for layer in LAYERS} | {"total": 6}
    item = found["knowledge"][0]
    assert item["confidence"] == 0.7 and item["insight"]["status"] == "PROPOSED"
    assert item["insight"]["id"] == made["Lea works as a nurse"]["id"]
    assert item["updatedAt"] == made["Lea works as a nurse"]["updatedAt"]
    assert found["updatedAt"] == max(insight["updatedAt"] for insight in made.values())

    empty = await _mindscape(client, token, (await create_recipient(client, token, "Ivo"))["id"])
    assert empty["recipient"] == {"name": "Ivo"} and empty["updatedAt"] is None
    assert empty["counts"]["total"] == 0 and all(empty[layer] == [] for layer in LAYERS)


async def test_rejected_and_outdated_insights_are_left_out_and_confirming_one_moves_it_in(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("status@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    proposed = await _insight(client, token, "Lea is shy", recipientIds=[lea])
    confirmed = await _insight(client, token, "Lea is kind", recipientIds=[lea], status="CONFIRMED")
    await _insight(client, token, "Lea is rude", recipientIds=[lea], status="REJECTED")
    await _insight(client, token, "Lea is a student", recipientIds=[lea], status="OUTDATED")

    found = await _mindscape(client, token, lea)
    assert sorted(_statements(found, "traits")) == ["Lea is kind", "Lea is shy"]
    assert found["counts"]["traits"] == 2
    sure = await _mindscape(client, token, lea, proposed=False)
    assert _statements(sure, "traits") == ["Lea is kind"] and sure["counts"]["total"] == 1

    before = found["version"]
    await client.data(UPDATE, {"input": {"id": proposed["id"], "status": "CONFIRMED"}}, token=token)
    sure = await _mindscape(client, token, lea, proposed=False)
    assert sorted(_statements(sure, "traits")) == ["Lea is kind", "Lea is shy"]
    assert [item["insight"]["status"] for item in sure["traits"]] == ["CONFIRMED", "CONFIRMED"]
    assert (await _mindscape(client, token, lea))["version"] != before

    await client.data(UPDATE, {"input": {"id": confirmed["id"], "status": "REJECTED"}}, token=token)
    found = await _mindscape(client, token, lea)
    assert _statements(found, "traits") == ["Lea is shy"] and found["counts"]["total"] == 1
    version = found["version"]
    assert (await _mindscape(client, token, lea))["version"] == version  # unchanged when nothing is

    await client.data(DELETE, {"id": proposed["id"]}, token=token)
    found = await _mindscape(client, token, lea)
    assert found["counts"]["total"] == 0 and found["version"] != version


async def test_each_layer_lists_the_surest_first_and_counts_them_all(client: GraphQLClient) -> None:
    token = await client.sign_up("surest@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    for statement, confidence in [("fairly sure", 0.6), ("a guess", 0.2), ("certain", 1.0), ("likely", 0.8)]:
        await _insight(client, token, statement, recipientIds=[lea], confidence=confidence)
    await _insight(client, token, "a goal", category="GOAL", recipientIds=[lea], confidence=0.1)

    found = await _mindscape(client, token, lea)
    assert _statements(found, "traits") == ["certain", "likely", "fairly sure", "a guess"]
    assert [item["confidence"] for item in found["traits"]] == [1.0, 0.8, 0.6, 0.2]

    cut = await _mindscape(client, token, lea, per=2)
    assert _statements(cut, "traits") == ["certain", "likely"] and _statements(cut, "goals") == ["a goal"]
    assert cut["counts"]["traits"] == 4 and cut["counts"]["total"] == 5


async def test_the_viewers_own_mindscape_holds_the_insights_about_them(client: GraphQLClient) -> None:
    token = await client.sign_up("self@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    mine = await _insight(client, token, "I want to learn the cello", category="GOAL", aboutViewer=True)
    assert mine["aboutViewer"] is True
    await _insight(
        client, token, "Lea and I argue about money", category="PATTERN", aboutViewer=True, recipientIds=[lea]
    )
    await _insight(client, token, "Lea wants a dog", category="GOAL", recipientIds=[lea])

    own = await _mindscape(client, token)
    assert own["recipient"] is None
    assert _statements(own, "goals") == ["I want to learn the cello"]
    assert _statements(own, "patterns") == ["Lea and I argue about money"]
    assert own["counts"]["total"] == 2
    leas = await _mindscape(client, token, lea)
    assert _statements(leas, "goals") == ["Lea wants a dog"]
    assert _statements(leas, "patterns") == ["Lea and I argue about money"]  # about both

    about_me = await client.data(LIST, {"f": {"aboutViewer": True}}, token=token)
    assert sorted(n["statement"] for n in about_me["insights"]["nodes"]) == [
        "I want to learn the cello",
        "Lea and I argue about money",
    ]
    others = await client.data(LIST, {"f": {"aboutViewer": False}}, token=token)
    assert others["insights"]["nodes"] == [{"statement": "Lea wants a dog", "aboutViewer": False}]

    moved = await client.data(UPDATE, {"input": {"id": mine["id"], "aboutViewer": False}}, token=token)
    assert moved["updateInsight"]["aboutViewer"] is False
    assert (await _mindscape(client, token))["counts"]["goals"] == 0


async def test_an_items_provenance_is_its_insights_evidence(client: GraphQLClient) -> None:
    token = await client.sign_up("provenance@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    memory = await _memory(client, token, "Lea ordered the green curry")
    observation = (await _observation(client, token, "Lea: Thai food is the best"))["id"]
    await _insight(
        client,
        token,
        "Lea loves Thai food",
        category="PREFERENCE",
        recipientIds=[lea],
        evidenceIds=[memory, observation],
        volatility=0.2,
        value={"cuisine": "Thai"},
    )
    found = (await client.data(PROVENANCE, {"of": lea}, token=token))["mindscape"]
    insight = found["preferences"][0]["insight"]
    assert insight["status"] == "PROPOSED" and insight["volatility"] == 0.2
    assert insight["value"] == {"cuisine": "Thai"}
    assert sorted((n["__typename"], n["id"]) for n in insight["evidence"]["nodes"]) == sorted(
        [("Memory", memory), ("Observation", observation)]
    )


async def test_another_users_recipient_has_no_mindscape_and_cannot_be_the_subject_of_an_insight(
    client: GraphQLClient,
) -> None:
    ann = await client.sign_up("ann-mind@example.com")
    bob = await client.sign_up("bob-mind@example.com")
    lea = (await create_recipient(client, ann, "Lea"))["id"]
    about_lea = await _insight(client, ann, "Lea is patient", recipientIds=[lea])
    await _insight(client, ann, "I am Ann and I am tired", aboutViewer=True)

    assert (await client.data(MINDSCAPE, {"of": lea}, token=bob))["mindscape"] is None
    assert (await _mindscape(client, bob))["counts"]["total"] == 0  # Ann's own is not Bob's
    refused = await client.error(
        CREATE, {"input": {"category": "TRAIT", "statement": "x", "recipientIds": [lea]}}, token=bob
    )
    assert refused["extensions"]["code"] == "NOT_FOUND"
    taken = await client.error(UPDATE, {"input": {"id": about_lea["id"], "aboutViewer": True}}, token=bob)
    assert taken["extensions"]["code"] == "NOT_FOUND"
    assert (await _mindscape(client, bob))["counts"]["total"] == 0
    assert _statements(await _mindscape(client, ann), "traits") == ["I am Ann and I am tired"]
    assert _statements(await _mindscape(client, ann, lea), "traits") == ["Lea is patient"]


async def test_bad_arguments_are_refused_with_a_code_and_an_unknown_recipient_is_null(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("bad-mind@example.com")
    memory = await _memory(client, token, "Something happened")
    wrong = await client.error(MINDSCAPE, {"of": memory}, token=token)
    assert wrong["extensions"]["code"] == "BAD_USER_INPUT" and wrong["extensions"]["field"] == "of"
    garbage = await client.error(MINDSCAPE, {"of": "not an id"}, token=token)
    assert garbage["extensions"]["code"] == "BAD_USER_INPUT"
    for per in (0, 101):
        refused = await client.error(MINDSCAPE, {"per": per}, token=token)
        assert refused["extensions"]["code"] == "BAD_USER_INPUT"
        assert refused["extensions"]["field"] == "perLayer"
    unknown = str(GlobalID("Recipient", "00000000-0000-0000-0000-000000000000"))
    assert (await client.data(MINDSCAPE, {"of": unknown}, token=token))["mindscape"] is None
    mine = await _insight(client, token, "I am curious", aboutViewer=True)
    cleared = await client.error(UPDATE, {"input": {"id": mine["id"], "aboutViewer": None}}, token=token)
    assert cleared["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await _mindscape(client, token))["counts"]["traits"] == 1


TRIPS = """query ($of: ID) { mindscape(of: $of) {
  traits { insight { statement evidence { nodes { __typename id } } } }
  goals { insight { statement evidence { nodes { __typename id } } } } } }"""


async def _trips(client: GraphQLClient, graph: Graph, token: str, of: str) -> tuple[int, list[Any]]:
    """The round trips of one read of a mindscape's traits and goals with their evidence, and the items."""
    before = graph.transactions
    found = (await client.data(TRIPS, {"of": of}, token=token))["mindscape"]
    return graph.transactions - before, [*found["traits"], *found["goals"]]


async def test_a_mindscape_costs_the_same_round_trips_for_2_or_20_items(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("trips@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    memory = await _memory(client, token, "Lea said so")
    observation = (await _observation(client, token, "Lea: I said so"))["id"]

    async def add(count: int) -> None:
        for index in range(count):
            category = ("TRAIT", "GOAL")[index % 2]
            evidence = [memory, observation]
            await _insight(
                client, token, f"{index}", category=category, recipientIds=[lea], evidenceIds=evidence
            )

    await add(2)
    few, items = await _trips(client, graph, token, lea)
    assert len(items) == 2
    await add(18)
    many, items = await _trips(client, graph, token, lea)
    assert len(items) == 20
    assert all(len(item["insight"]["evidence"]["nodes"]) == 2 for item in items)
    assert many == few


async def test_an_insight_an_earlier_version_wrote_is_about_someone_else_after_migration_12(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("earlier@example.com")
    lea = (await create_recipient(client, token, "Lea"))["id"]
    made = await _insight(client, token, "Lea is patient", recipientIds=[lea])
    async with graph.driver.session() as session:  # as an earlier version wrote it: no about_viewer
        await (await session.run("MATCH (n:Insight) REMOVE n.about_viewer")).consume()
    twelve = next(m for m in migrations.MIGRATIONS if m.version == 12)
    for statement in twelve.statements:
        async with graph.driver.session() as session:
            await (await session.run(statement)).consume()
    read = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Insight { aboutViewer } } }",
        {"id": made["id"]},
        token=token,
    )
    assert read["node"] == {"aboutViewer": False}
    assert _statements(await _mindscape(client, token, lea), "traits") == ["Lea is patient"]
    assert (await _mindscape(client, token))["counts"]["total"] == 0
