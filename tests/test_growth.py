"""Growth: credits on the configured dimensions, append-only in month buckets, summed per card, per person
and per period; cards (concepts and memories) evolve from their growth and links, on their types, in the
3D view and in live deltas; another user's growth is never seen or credited."""

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from errors import BadUserInput, NotFound
from graph import growth
from graph.driver import Graph
from graph.refs import Ref
from graph.series import millis
from settings import GROWTH_DIMENSIONS, Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up
from tests.test_recipients import create as create_recipient
from tests.test_view import concept, link, view

DIMENSIONS = [dimension.key for dimension in GROWTH_DIMENSIONS]
RECORD = """mutation ($credits: [GrowthCreditInput!]!) { recordGrowth(credits: $credits) {
  credits { sequence at dimension delta source sourceId entityId } } }"""
GROWTH = "total engaged dimensions { key total count lastAt lastSource } periods { start total dimensions { key total } }"
PROFILE = f"""query ($from: DateTime, $to: DateTime, $period: SeriesPeriod) {{
  growthProfile(from: $from, to: $to, period: $period) {{ {GROWTH} }} }}"""
CARD = f"""query ($id: ID!, $from: DateTime, $to: DateTime, $period: SeriesPeriod) {{ node(id: $id) {{
  ... on Concept {{ evolution growth(from: $from, to: $to, period: $period) {{ {GROWTH} }} }}
  ... on Memory {{ evolution growth(from: $from, to: $to, period: $period) {{ {GROWTH} }} }} }} }}"""
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
CONCEPTS = "{ concepts { nodes { id name evolution growth { total } } } }"
BUCKETS = "MATCH (b:GrowthBucket) RETURN count(b) AS buckets"


def _ref(global_id: str) -> Ref:
    return Ref.parse(base64.b64decode(global_id).decode())


def _id(label: str, uid: str) -> str:
    return base64.b64encode(f"{label}:{uid}".encode()).decode()


async def _me(client: GraphQLClient, token: str) -> str:
    return (await client.data("{ me { id } }", token=token))["me"]["id"]


async def _memory(client: GraphQLClient, token: str, content: str = "I ran my first 10k") -> str:
    made = {"kind": "EPISODIC", "content": content}
    return (await client.data(MEMORY, {"input": made}, token=token))["createMemory"]["id"]


def _credit(dimension: str, delta: float, **more: Any) -> dict[str, Any]:
    return {"dimension": dimension, "delta": delta, "source": "MANUAL", **more}


async def _record(client: GraphQLClient, token: str, *credits: dict[str, Any]) -> list[dict[str, Any]]:
    return (await client.data(RECORD, {"credits": list(credits)}, token=token))["recordGrowth"]["credits"]


async def _profile(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    return (await client.data(PROFILE, variables, token=token))["growthProfile"]


async def _card(client: GraphQLClient, token: str, id: str, **variables: Any) -> dict[str, Any]:
    return (await client.data(CARD, {"id": id, **variables}, token=token))["node"]


def _totals(found: dict[str, Any]) -> dict[str, float]:
    return {d["key"]: round(d["total"], 6) for d in found["dimensions"] if d["count"]}


async def test_the_store_records_credits_in_month_buckets_and_sums_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("store@example.com")
    owner = _ref(await _me(client, token)).uid
    card = _ref(await concept(client, token, "patience"))
    jan, feb = millis(datetime(2026, 1, 5, tzinfo=UTC)), millis(datetime(2026, 2, 7, tzinfo=UTC))
    credits = [
        growth.Credit("self_know", 0.25, growth.MANUAL, entity=card, at=feb),
        growth.Credit("self_know", 0.1, growth.MANUAL, entity=card, at=jan),
        growth.Credit("world_act", 0.5, growth.MANUAL, at=jan),
    ]
    made = await graph.write(growth.record, owner=owner, credits=credits, dimensions=DIMENSIONS)
    assert [m["seq"] for m in made] == [1, 2, 3]
    start, end = millis(datetime(2000, 1, 1, tzinfo=UTC)), millis(datetime(2100, 1, 1, tzinfo=UTC))
    found: dict[str, Any] = await graph.read(
        growth.sums, owner=owner, entities=[card.uid, owner], start=start, end=end, period="month"
    )
    assert found[card.uid]["dimensions"]["self_know"][:2] == (pytest.approx(0.35), 2)
    assert found[owner]["dimensions"] == {
        "self_know": (pytest.approx(0.35), 2, feb, "manual"),
        "world_act": (pytest.approx(0.5), 1, jan, "manual"),
    }
    months = [p for p, _ in found[owner]["periods"]]
    assert months == [millis(datetime(2026, 1, 1, tzinfo=UTC)), millis(datetime(2026, 2, 1, tzinfo=UTC))]
    async with graph.driver.session() as session:  # a card's month each, and the person's January
        assert (await (await session.run(BUCKETS)).single(strict=True))["buckets"] == 3
    with pytest.raises(BadUserInput):
        await graph.write(
            growth.record,
            owner=owner,
            credits=[growth.Credit("nope", 0.1, growth.MANUAL)],
            dimensions=DIMENSIONS,
        )
    other = _ref(await _me(client, await client.sign_up("store-other@example.com"))).uid
    with pytest.raises(NotFound):
        await graph.write(growth.record, owner=other, credits=[credits[0]], dimensions=DIMENSIONS)


async def test_credits_are_recorded_on_cards_and_on_the_person_with_their_sources(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("record@example.com")
    dims = (await client.data("{ growthDimensions { key name description } }", token=token))[
        "growthDimensions"
    ]
    assert [d["key"] for d in dims] == DIMENSIONS
    assert all(d["name"] and d["description"] for d in dims)
    card, memory = await concept(client, token, "courage"), await _memory(client, token)
    me = await _me(client, token)
    made = await _record(
        client,
        token,
        _credit("self_act", 0.2, entityId=card),
        {"dimension": "self_know", "delta": 0.1, "source": "MEMORY", "sourceId": memory, "entityId": memory},
        _credit("world_show", -0.05),
        _credit("world_know", 0.3, entityId=me),  # the viewer's own id: the person, as none
    )
    assert [c["sequence"] for c in made] == [1, 2, 3, 4]
    assert [c["entityId"] for c in made] == [card, memory, None, None]
    assert made[1]["sourceId"] == memory and made[1]["source"] == "MEMORY"
    assert made[0]["sourceId"] is None and made[0]["source"] == "MANUAL"
    profile = await _profile(client, token)
    assert _totals(profile) == {"self_act": 0.2, "self_know": 0.1, "world_show": -0.05, "world_know": 0.3}
    assert profile["engaged"] == 3 and profile["total"] == pytest.approx(0.55)
    assert [d["key"] for d in profile["dimensions"]] == DIMENSIONS  # every dimension, in the model's order
    assert profile["periods"] == []
    assert _totals((await _card(client, token, card))["growth"]) == {"self_act": 0.2}
    memory_growth = (await _card(client, token, memory))["growth"]
    assert _totals(memory_growth) == {"self_know": 0.1}
    assert memory_growth["dimensions"][0]["lastSource"] == "MEMORY"
    # Appended, never replaced: a second credit adds to the first.
    await _record(client, token, _credit("self_act", 0.3, entityId=card))
    assert _totals((await _card(client, token, card))["growth"]) == {"self_act": 0.5}


@pytest.mark.parametrize(
    ("credit", "field"),
    [
        (_credit("self_grow", 0.1), "credits.1.dimension"),
        (_credit("self_act", 0), "credits.1.delta"),
        (_credit("self_act", 1.5), "credits.1.delta"),
        (_credit("self_act", -2), "credits.1.delta"),
        ({"dimension": "self_act", "delta": 0.1, "source": "MEMORY"}, "credits.1.sourceId"),
        (_credit("self_act", 0.1, at="2999-01-01T00:00:00Z"), "credits.1.at"),
        (_credit("self_act", 0.1, at="1800-01-01T00:00:00Z"), "credits.1.at"),
    ],
)
async def test_a_bad_credit_refuses_them_all_naming_it(
    client: GraphQLClient, credit: dict[str, Any], field: str
) -> None:
    token = await client.sign_up("bad-credit@example.com")
    error = await client.error(RECORD, {"credits": [_credit("self_act", 0.1), credit]}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field
    assert (await _profile(client, token))["dimensions"][1]["count"] == 0  # not even the good one


async def test_sources_and_cards_of_the_wrong_kind_are_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("wrong-kind@example.com")
    card, memory = await concept(client, token, "focus"), await _memory(client, token)
    person = (await create_recipient(client, token, "Ida"))["id"]
    cases = [
        ({**_credit("self_act", 0.1), "source": "MEMORY", "sourceId": card}, "credits.0.sourceId"),
        (_credit("self_act", 0.1, sourceId=memory), "credits.0.sourceId"),  # a manual credit names none
        (_credit("self_act", 0.1, entityId=person), "credits.0.entityId"),
    ]
    for credit, field in cases:
        error = await client.error(RECORD, {"credits": [credit]}, token=token)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field)
    assert (await _profile(client, token))["total"] == 0


async def test_another_users_growth_is_never_seen_or_credited(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("grow-ann@example.com")
    bob = await client.sign_up("grow-bob@example.com")
    card, memory = await concept(client, ann, "kindness"), await _memory(client, ann)
    await _record(client, ann, _credit("world_act", 0.4, entityId=card), _credit("self_know", 0.2))
    bobs = await concept(client, bob, "bob's own")
    # Bob cannot credit Ann's card or memory, cite her memory as a source, or credit Ann herself.
    for credit in (
        _credit("world_act", 0.1, entityId=card),
        _credit("world_act", 0.1, entityId=memory),
        {"dimension": "self_know", "delta": 0.1, "source": "MEMORY", "sourceId": memory, "entityId": bobs},
        _credit("world_act", 0.1, entityId=await _me(client, ann)),
    ):
        error = await client.error(RECORD, {"credits": [credit]}, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", error
    # Nothing of Ann's reaches Bob: not her card by id, nor her growth in his profile or his lists.
    assert (await client.data(CARD, {"id": card}, token=bob))["node"] is None
    assert (await _profile(client, bob))["total"] == 0
    assert [c["name"] for c in (await client.data(CONCEPTS, token=bob))["concepts"]["nodes"]] == ["bob's own"]
    # And Ann's is as she left it.
    assert _totals(await _profile(client, ann)) == {"world_act": 0.4, "self_know": 0.2}
    async with graph.driver.session() as session:  # Bob's refused credits wrote nothing
        assert (await (await session.run(BUCKETS)).single(strict=True))["buckets"] == 2


async def test_growth_is_summed_per_period_and_range(client: GraphQLClient) -> None:
    token = await client.sign_up("periods@example.com")
    card = await concept(client, token, "craft")
    given = [
        ("2026-01-05T09:00:00Z", "self_act", 0.1),  # a Monday
        ("2026-01-07T18:00:00Z", "self_act", 0.2),  # the same week
        ("2026-01-07T19:00:00Z", "world_know", 0.3),  # the same day
        ("2026-01-14T08:00:00Z", "self_act", -0.05),  # the next week
        ("2026-02-02T10:00:00Z", "world_know", 0.4),  # the next month
    ]
    await _record(client, token, *(_credit(dim, delta, at=at, entityId=card) for at, dim, delta in given))
    months = (await _profile(client, token, period="MONTH"))["periods"]
    assert [(p["start"], round(p["total"], 6)) for p in months] == [
        ("2026-01-01T00:00:00+00:00", 0.55),
        ("2026-02-01T00:00:00+00:00", 0.4),
    ]
    assert months[0]["dimensions"] == [
        {"key": "self_act", "total": pytest.approx(0.25)},
        {"key": "world_know", "total": pytest.approx(0.3)},
    ]
    weeks = (await _card(client, token, card, period="WEEK"))["growth"]["periods"]
    assert [(p["start"][:10], round(p["total"], 6)) for p in weeks] == [
        ("2026-01-05", 0.6),
        ("2026-01-12", -0.05),
        ("2026-02-02", 0.4),
    ]
    days = (await _profile(client, token, period="DAY", **{"from": "2026-01-07T00:00:00Z"}))["periods"]
    assert [p["start"][:10] for p in days] == ["2026-01-07", "2026-01-14", "2026-02-02"]
    january = await _profile(client, token, **{"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"})
    assert _totals(january) == {"self_act": 0.25, "world_know": 0.3}
    assert (
        next(d for d in january["dimensions"] if d["key"] == "self_act")["lastAt"]
        == "2026-01-14T08:00:00+00:00"
    )
    error = await client.error(
        PROFILE, {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, token=token
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_card_evolves_from_seed_to_supernova_as_it_grows_and_links(client: GraphQLClient) -> None:
    token = await client.sign_up("evolve-growth@example.com")
    card = await concept(client, token, "music")

    async def state() -> str:
        return str((await _card(client, token, card))["evolution"])

    async def drawn() -> str:
        nodes = (await view(client, token, max=500))["nodes"]
        return str(next(node["evolution"] for node in nodes if node["id"] == card))

    assert await state() == await drawn() == "SEED"
    await _record(client, token, _credit("self_know", 0.4, entityId=card))
    assert await state() == await drawn() == "SPROUT"  # grown in one dimension, no link yet
    await _record(
        client, token, _credit("self_act", 0.2, entityId=card), _credit("self_show", 0.1, entityId=card)
    )
    assert await state() == await drawn() == "BLOOM"  # three dimensions
    # Shrinking one back to nothing takes it out of the dimensions grown in.
    await _record(client, token, _credit("self_show", -0.1, entityId=card))
    assert await state() == "SPROUT"
    await _record(client, token, _credit("self_show", 0.5, entityId=card))
    others = [await concept(client, token, f"note {i}") for i in range(5)]
    for other in others:
        await link(client, token, card, other)
    assert await state() == await drawn() == "CONSTELLATION"  # five links and three dimensions
    # Every dimension, but under 3 in total: still a constellation.
    await _record(
        client, token, *(_credit(d, 0.3, entityId=card) for d in ("world_know", "world_act", "world_show"))
    )
    assert await state() == "CONSTELLATION"
    await _record(
        client, token, _credit("world_show", 1.0, entityId=card), _credit("world_act", 0.5, entityId=card)
    )
    assert await state() == await drawn() == "SUPERNOVA"
    # A memory is a card too; the person's own growth leaves every card as it was.
    memory = await _memory(client, token)
    await _record(client, token, *(_credit(d, 0.5) for d in DIMENSIONS))
    assert (await _card(client, token, memory))["evolution"] == "SEED"
    await _record(client, token, *(_credit(d, 0.2, entityId=memory) for d in DIMENSIONS[:3]))
    assert (await _card(client, token, memory))["evolution"] == "BLOOM"
    listed = {c["id"]: c for c in (await client.data(CONCEPTS, token=token))["concepts"]["nodes"]}
    assert listed[card]["evolution"] == "SUPERNOVA" and listed[others[0]]["evolution"] == "SEED"
    assert listed[card]["growth"]["total"] == pytest.approx(3.5)


async def test_credits_go_with_their_card(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("cascade@example.com")
    card, kept = await concept(client, token, "temporary"), await concept(client, token, "kept")
    await _record(
        client, token, _credit("self_know", 0.2, entityId=card), _credit("self_know", 0.3, entityId=kept)
    )
    deleted = await client.data(
        "mutation ($id: ID!) { deleteConcept(id: $id) { deletedCount } }", {"id": card}, token=token
    )
    assert deleted["deleteConcept"]["deletedCount"] == 2  # the concept and its one month of credits
    assert _totals(await _profile(client, token)) == {"self_know": 0.3}
    async with graph.driver.session() as session:
        assert (await (await session.run(BUCKETS)).single(strict=True))["buckets"] == 1


# Live: a client following graphChanged sees a card change state when growth is recorded.
GRAPH_CHANGED = """subscription ($since: Int) { graphChanged(since: $since, layout: false) {
  kind nodesUpdated { id ... on Concept { evolution growth { engaged } } } } }"""
CREATE_CONCEPT = "mutation ($name: String!) { createConcept(input: {name: $name}) { id } }"


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def test_a_subscriber_sees_a_card_change_state_as_growth_is_recorded(server: LiveServer) -> None:
    ann, bob = (
        await sign_up(server, "live-grow-ann@example.com"),
        await sign_up(server, "live-grow-bob@example.com"),
    )
    card = (await post(server, CREATE_CONCEPT, {"name": "painting"}, ann))["createConcept"]["id"]
    watching, other = await Socket.open(server, ann), await Socket.open(server, bob)
    await watching.subscribe("1", GRAPH_CHANGED, since=2)  # after the sign-up and the concept
    await other.subscribe("1", GRAPH_CHANGED, since=1)
    await post(server, RECORD, {"credits": [_credit("self_show", 0.3, entityId=card)]}, ann)
    (delta,) = await watching.deltas(1)
    assert delta["kind"] == "GrowthRecorded"
    me = (await post(server, "{ me { id } }", {}, ann))["me"]["id"]
    # The card, with its new state; and the person, whose profile grew too.
    assert delta["nodesUpdated"] == [
        {"id": me},
        {"id": card, "evolution": "SPROUT", "growth": {"engaged": 1}},
    ]
    credits = [_credit(d, 0.3, entityId=card) for d in ("self_know", "world_know")]
    await post(server, RECORD, {"credits": credits}, ann)
    (delta,) = await watching.deltas(1)
    assert delta["nodesUpdated"][1] == {"id": card, "evolution": "BLOOM", "growth": {"engaged": 3}}
    assert await other.silent(1.0)  # Bob hears nothing of Ann's growth
    await watching.close()
    await other.close()
