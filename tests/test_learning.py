"""Learning on write and on schedule: which of a viewer's people are alike, memories that fade with age
and recall, a relationship's history and trend, and emotional and seasonal patterns. Each on a small
crafted graph, re-run to show it idempotent, with another user's data alongside that is never used."""

import base64
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from app import create_app
from dispatch import Services, consolidation, history, similarity
from graph.driver import Graph
from graph.events import Event
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_concepts import LINK
from tests.test_concepts import concept as make_concept
from tests.test_recipients import create as create_recipient

DAY = 86400.0
GIFT = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"
UPDATE = "mutation ($input: UpdateRecipientInput!) { updateRecipient(input: $input) { id } }"
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
SIMILAR = """query ($id: ID!) { node(id: $id) { ... on Recipient {
  similar { recipient { name } score basis { kind name } computedAt } } } }"""
HISTORY = """query ($id: ID!, $from: DateTime, $to: DateTime) { node(id: $id) { ... on Recipient {
  relationshipHistory(from: $from, to: $to) { at closeness importance }
  relationshipTrend(from: $from, to: $to) { metric direction slope points } } } }"""
INSIGHT = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
MEMORIES = "{ memories { nodes { content importance effectiveImportance fadedAt } } }"


@pytest.fixture(scope="module")
async def quiet_app(settings: Settings, graph: Graph) -> AsyncIterator[Starlette]:
    """An app whose scheduler is off: each test runs the jobs itself, at the times it chooses."""
    async with started(create_app(settings.model_copy(update={"schedule": False}), graph)) as manager:
        yield manager.app  # type: ignore[misc]  # the app with its lifespan state


@pytest.fixture
async def client(quiet_app: Starlette) -> AsyncIterator[GraphQLClient]:
    async with client_of(quiet_app) as graphql_client:
        yield graphql_client


def services_of(graph: Graph) -> Services:
    return Services(graph, None, None)  # type: ignore[arg-type]  # learning uses the graph alone


async def owner_of(graph: Graph, recipient_id: str) -> str:
    uid = base64.b64decode(recipient_id).decode().partition(":")[2]
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (r:Recipient {uid: $uid}) RETURN r.owner AS o", uid=uid)
        ).single()
    assert record is not None
    return str(record["o"])


async def events_of(graph: Graph, owner: str, after: int = 0) -> list[Event]:
    """The owner's events after a sequence, as the dispatcher hands them to a consumer."""
    query = """MATCH (e:Event {owner: $owner}) WHERE e.sequence > $after
    RETURN e.uid AS uid, e.sequence AS sequence, e.kind AS kind, e.nodes AS nodes ORDER BY sequence"""
    async with graph.driver.session() as session:
        rows = [r.data() async for r in await session.run(query, owner=owner, after=after)]
    return [Event(r["uid"], owner, r["sequence"], r["kind"], tuple(r["nodes"])) for r in rows]


async def person(
    client: GraphQLClient, token: str, name: str, interests: list[str], kind: str = "FRIEND", **rel: Any
) -> str:
    made = await create_recipient(client, token, name, kind=kind, **rel)
    for interest in interests:
        topic = await make_concept(client, token, interest)
        await client.data(LINK, {"from": made["id"], "to": topic["id"], "kind": "INTERESTED_IN"}, token=token)
    return str(made["id"])


async def give(client: GraphQLClient, token: str, to: str, category: str, success: float, day: str) -> None:
    gift = {
        "name": f"a {category} gift",
        "category": category,
        "recipientIds": [to],
        "giving": {"date": day},
        "outcome": {"success": success},
    }
    await client.data(GIFT, {"input": gift}, token=token)


async def similar_to(client: GraphQLClient, token: str, id: str) -> list[dict[str, Any]]:
    return list((await client.data(SIMILAR, {"id": id}, token=token))["node"]["similar"])


async def similar_links(graph: Graph) -> list[tuple[str, str, float]]:
    query = """MATCH (a:Recipient)-[s:SIMILAR_TO]->(b:Recipient)
    RETURN a.name AS a, b.name AS b, s.score AS score ORDER BY a, b"""
    async with graph.driver.session() as session:
        return [(r["a"], r["b"], r["score"]) async for r in await session.run(query)]


async def test_people_who_share_interests_and_gift_outcomes_are_found_alike_with_what_they_share(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("alike@example.com")
    ana = await person(client, token, "Ana", ["Tea", "Hiking", "Jazz"])
    bea = await person(client, token, "Bea", ["tea", "hiking"])
    cid = await person(client, token, "Cid", ["Chess"], kind="COLLEAGUE")
    await give(client, token, ana, "books", 0.9, "2025-05-01")
    await give(client, token, bea, "books", 0.8, "2025-06-01")
    await give(client, token, cid, "books", 0.2, "2025-06-01")
    # Another viewer's person with the same interests, by the same names: never compared with Ana.
    other = await client.sign_up("alike-other@example.com")
    dan = await person(client, other, "Dan", ["Tea", "Hiking", "Jazz"])
    await person(client, other, "Eve", ["Tea", "Hiking", "Jazz"])
    owner, stranger = await owner_of(graph, ana), await owner_of(graph, dan)

    await similarity.handle(services_of(graph), await events_of(graph, owner))
    found = await similar_to(client, token, ana)
    assert [(p["recipient"]["name"], p["score"]) for p in found] == [
        ("Bea", round(0.2 + 0.5 * 2 / 3 + 0.2, 4))
    ]
    assert found[0]["basis"] == [
        {"kind": "INTEREST", "name": "Hiking"},
        {"kind": "INTEREST", "name": "Tea"},
        {"kind": "RELATIONSHIP", "name": "friend"},
        {"kind": "GIFT", "name": "books"},
    ]
    assert [p["recipient"]["name"] for p in await similar_to(client, token, bea)] == ["Ana"]
    assert await similar_to(client, token, cid) == []  # nothing shared but a gift category
    # Only the owner whose events came was recomputed: the other viewer's people have no links yet.
    assert [(a, b) for a, b, _ in await similar_links(graph)] == [("Ana", "Bea"), ("Bea", "Ana")]
    assert await similar_to(client, other, dan) == []

    # Delivered again (at least once), or run by the daily job: nothing changes, computedAt neither.
    await similarity.handle(services_of(graph), await events_of(graph, owner))
    assert await similarity.run(services_of(graph), time.time()) == 2  # the other viewer's pair, now
    assert await similar_to(client, token, ana) == found
    assert [p["recipient"]["name"] for p in await similar_to(client, other, dan)] == ["Eve"]
    assert await similarity.recompute(graph, owner) == 0
    assert await similarity.recompute(graph, stranger) == 0

    # Cid comes to share Ana's interests: after his events, he is alike too (Bea first, scored higher).
    seen = max(e.sequence for e in await events_of(graph, owner))
    for interest in ("Tea", "Jazz"):
        topic = await make_concept(client, token, interest)
        await client.data(LINK, {"from": cid, "to": topic["id"], "kind": "INTERESTED_IN"}, token=token)
    await similarity.handle(services_of(graph), await events_of(graph, owner, seen))
    assert [p["recipient"]["name"] for p in await similar_to(client, token, ana)] == ["Bea", "Cid"]
    assert (await client.data(SIMILAR, {"id": ana}, token=other))["node"] is None


async def test_a_client_cannot_link_people_as_similar_by_hand(client: GraphQLClient) -> None:
    token = await client.sign_up("alike-by-hand@example.com")
    ana = await person(client, token, "Ana", [])
    bea = await person(client, token, "Bea", [])
    error = await client.error(LINK, {"from": ana, "to": bea, "kind": "SIMILAR_TO"}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "A Recipient's SIMILAR_TO is kept by Kindred as it learns, not linked by hand."


async def age(graph: Graph, content: str, days: float) -> None:
    """Makes a memory as old as `days`: recorded, and last changed, that long ago."""
    query = """MATCH (m:Memory {content: $content}) WITH m, datetime() - duration({seconds: $s}) AS then
    SET m.created_at = then, m.updated_at = then"""
    async with graph.driver.session() as session:
        await session.run(query, content=content, s=int(days * DAY))


async def test_memories_decay_by_age_slower_when_lasting_or_recalled_and_fade_without_being_deleted(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("fading@example.com")
    plain = {"kind": "EPISODIC", "importance": 0.4}
    await client.data(MEMORY, {"input": {**plain, "content": "a rainy tuesday"}}, token=token)
    await client.data(MEMORY, {"input": {**plain, "content": "a concert", "importance": 0.9}}, token=token)
    recalled = (await client.data(MEMORY, {"input": {**plain, "content": "a dinner"}}, token=token))[
        "createMemory"
    ]
    await client.data(
        INSIGHT,
        {"input": {"category": "PATTERN", "statement": "dinners matter", "evidenceIds": [recalled["id"]]}},
        token=token,
    )
    await client.data(MEMORY, {"input": {**plain, "content": "this morning"}}, token=token)
    for content in ("a rainy tuesday", "a concert", "a dinner"):
        await age(graph, content, 120)
    other = await client.sign_up("fading-other@example.com")
    await client.data(MEMORY, {"input": {**plain, "content": "someone else's day"}}, token=other)
    await age(graph, "someone else's day", 120)

    def by_content(found: Any) -> dict[str, dict[str, Any]]:
        return {m["content"]: m for m in found["memories"]["nodes"]}

    memories = by_content(await client.data(MEMORIES, token=token))
    # 120 days: four half-lives of 30 days; a lasting one (0.9) one of 120; a recalled one 45-day ones.
    assert abs(memories["a rainy tuesday"]["effectiveImportance"] - 0.4 / 16) < 1e-3
    assert abs(memories["a concert"]["effectiveImportance"] - 0.9 / 2) < 1e-3
    assert abs(memories["a dinner"]["effectiveImportance"] - 0.4 * 0.5 ** (120 / 45)) < 1e-3
    assert abs(memories["this morning"]["effectiveImportance"] - 0.4) < 1e-3
    assert all(m["fadedAt"] is None for m in memories.values()), memories

    now = time.time()
    assert await consolidation.run(services_of(graph), now) == 2  # this viewer's one, and the other's
    memories = by_content(await client.data(MEMORIES, token=token))
    assert [c for c, m in memories.items() if m["fadedAt"]] == ["a rainy tuesday"]  # still listed
    faded_at = memories["a rainy tuesday"]["fadedAt"]
    assert await consolidation.run(services_of(graph), now + 3600) == 0  # idempotent
    assert by_content(await client.data(MEMORIES, token=token))["a rainy tuesday"]["fadedAt"] == faded_at
    others = by_content(await client.data(MEMORIES, token=other))
    assert list(others) == ["someone else's day"] and others["someone else's day"]["fadedAt"]

    # Recalled (an insight is drawn from it), it rises over the floor and is unmarked.
    faded = next(
        m
        for m in (await client.data("{ memories { nodes { id content } } }", token=token))["memories"][
            "nodes"
        ]
        if m["content"] == "a rainy tuesday"
    )
    await client.data(
        INSIGHT,
        {"input": {"category": "PATTERN", "statement": "rain matters", "evidenceIds": [faded["id"]]}},
        token=token,
    )
    await age(graph, "a rainy tuesday", 100)  # recall keeps it longer: 45-day half-lives
    assert await consolidation.run(services_of(graph), time.time()) == 1
    assert by_content(await client.data(MEMORIES, token=token))["a rainy tuesday"]["fadedAt"] is None


async def test_a_relationships_history_is_snapshotted_on_change_and_on_schedule_with_its_trend(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("history@example.com")
    ana = await person(client, token, "Ana", [], closeness=4)
    bea = await person(client, token, "Bea", [], closeness=6)
    other = await client.sign_up("history-other@example.com")
    dan = await person(client, other, "Dan", [], closeness=9)
    owner = await owner_of(graph, ana)
    services = services_of(graph)
    start = time.time()

    assert await history.run(services, start) == 3  # every relationship's first snapshot, each owner's
    for step, closeness in ((1, 6), (2, 8)):
        await client.data(
            UPDATE, {"input": {"id": ana, "relationship": {"closeness": closeness}}}, token=token
        )
        assert await history.run(services, start + step * 3 * DAY) == 1  # Ana's alone changed
    assert await history.run(services, start + 6 * DAY + 3600) == 0  # the same day again: nothing new

    found = (await client.data(HISTORY, {"id": ana}, token=token))["node"]
    assert [s["closeness"] for s in found["relationshipHistory"]] == [4, 6, 8]
    assert found["relationshipTrend"]["direction"] == "RISING"
    assert abs(found["relationshipTrend"]["slope"] - 0.2 / 3 * 30) < 1e-3  # 2 (of 10) every 3 days
    assert found["relationshipTrend"]["points"] == 3
    steady = (await client.data(HISTORY, {"id": bea}, token=token))["node"]
    assert steady["relationshipTrend"] == {
        "metric": "CLOSENESS",
        "direction": "STEADY",
        "slope": 0.0,
        "points": 1,
    }
    since = datetime.fromtimestamp(start + 1.5 * DAY, UTC).isoformat()
    window = (await client.data(HISTORY, {"id": ana, "from": since}, token=token))["node"]
    assert [s["closeness"] for s in window["relationshipHistory"]] == [6, 8]

    # On change: the consumer snapshots the people its events name, and no one else.
    seen = max(e.sequence for e in await events_of(graph, owner))
    await client.data(UPDATE, {"input": {"id": bea, "relationship": {"closeness": 3}}}, token=token)
    events = await events_of(graph, owner, seen)
    await history.handle(services, events)
    await history.handle(services, events)  # delivered twice: one snapshot
    assert await closeness_history(client, token, bea) == [6, 3]
    assert await closeness_history(client, token, ana) == [4, 6, 8]

    # A week without change: the schedule still takes one, so a steady stretch shows as steady.
    assert await history.run(services, start + 14 * DAY) == 3
    assert await closeness_history(client, other, dan) == [9, 9]
    assert await closeness_history(client, token, bea) == [6, 3, 3]

    bad = await client.error(
        HISTORY, {"id": ana, "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, token=token
    )
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await client.data(HISTORY, {"id": ana}, token=other))["node"] is None


async def closeness_history(client: GraphQLClient, token: str, id: str) -> list[int]:
    found = (await client.data(HISTORY, {"id": id}, token=token))["node"]["relationshipHistory"]
    return [snapshot["closeness"] for snapshot in found]


PATTERNS = """{ patterns { emotionsByMonth { month emotion count meanValence }
  emotionsByWeekday { weekday emotion count } giftsBySeason { season category count meanSuccess }
  occasionsBySeason { season kind count } } }"""
PERSON_PATTERNS = """query ($id: ID!) { node(id: $id) { ... on Recipient { patterns {
  emotionsByMonth { month emotion count meanValence } giftsBySeason { season category count meanSuccess }
  occasionsBySeason { season kind count } } } } }"""


async def test_emotional_and_seasonal_patterns_are_counted_for_a_person_and_for_the_viewer(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("patterns@example.com")
    ana = await person(client, token, "Ana", [])
    bea = await person(client, token, "Bea", [])
    feel = {"kind": "EMOTIONAL", "emotion": "joy", "valence": 0.8, "recipientIds": [ana]}
    # Two joyful Decembers (Mondays), one anxious June day (a Saturday), one memory of no one's.
    for content, when, extra in (
        ("skating", "2024-12-02T10:00:00Z", {}),
        ("lights", "2025-12-01T10:00:00Z", {"valence": 0.6}),
        ("exam", "2025-06-07T10:00:00Z", {"emotion": "anxiety", "valence": -0.6}),
    ):
        await client.data(
            MEMORY, {"input": {**feel, **extra, "content": content, "happenedAt": when}}, token=token
        )
    await client.data(
        MEMORY,
        {
            "input": {
                "kind": "EPISODIC",
                "content": "a calm walk",
                "valence": 0.0,
                "happenedAt": "2025-12-03T10:00:00Z",
            }
        },
        token=token,
    )
    await give(client, token, ana, "books", 0.9, "2025-12-20")
    await give(client, token, ana, "books", 0.5, "2024-01-10")
    await give(client, token, bea, "tea", 0.7, "2025-07-01")
    birthday = {"name": "Ana's birthday", "kind": "BIRTHDAY", "date": "1990-07-14", "recipientIds": [ana]}
    await client.data(
        "mutation ($input: CreateOccasionInput!) { createOccasion(input: $input) { id } }",
        {"input": birthday},
        token=token,
    )
    other = await client.sign_up("patterns-other@example.com")
    await client.data(
        MEMORY,
        {
            "input": {
                "kind": "EMOTIONAL",
                "content": "x",
                "emotion": "joy",
                "happenedAt": "2025-12-05T10:00:00Z",
            }
        },
        token=other,
    )

    hers = (await client.data(PERSON_PATTERNS, {"id": ana}, token=token))["node"]["patterns"]
    assert hers["emotionsByMonth"] == [
        {"month": 6, "emotion": "anxiety", "count": 1, "meanValence": -0.6},
        {"month": 12, "emotion": "joy", "count": 2, "meanValence": 0.7},
    ]
    assert hers["giftsBySeason"] == [
        {"season": "WINTER", "category": "books", "count": 2, "meanSuccess": 0.7}
    ]
    assert hers["occasionsBySeason"] == [{"season": "SUMMER", "kind": "BIRTHDAY", "count": 1}]

    mine = (await client.data(PATTERNS, token=token))["patterns"]
    assert mine["emotionsByMonth"] == [
        {"month": 6, "emotion": "anxiety", "count": 1, "meanValence": -0.6},
        {"month": 12, "emotion": "joy", "count": 2, "meanValence": 0.7},
        {"month": 12, "emotion": "neutral", "count": 1, "meanValence": 0.0},
    ]
    assert mine["emotionsByWeekday"] == [
        {"weekday": 1, "emotion": "joy", "count": 2},
        {"weekday": 3, "emotion": "neutral", "count": 1},
        {"weekday": 6, "emotion": "anxiety", "count": 1},
    ]
    assert mine["giftsBySeason"] == [
        {"season": "SUMMER", "category": "tea", "count": 1, "meanSuccess": 0.7},
        {"season": "WINTER", "category": "books", "count": 2, "meanSuccess": 0.7},
    ]
    theirs = (await client.data(PATTERNS, token=other))["patterns"]
    assert theirs["emotionsByMonth"] == [{"month": 12, "emotion": "joy", "count": 1, "meanValence": None}]
    assert theirs["giftsBySeason"] == [] and theirs["occasionsBySeason"] == []


LISTED = """query ($n: Int) { recipients(first: $n) { nodes { name
  similar { score recipient { name } } relationshipHistory { closeness }
  relationshipTrend { direction } patterns { emotionsByMonth { count } } } } }"""


async def test_what_is_learned_of_a_page_of_people_costs_the_same_round_trips_as_of_one(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("learned-page@example.com")
    ids = [await person(client, token, name, ["Tea", "Jazz"]) for name in ("Ana", "Bea", "Cid")]
    owner = await owner_of(graph, ids[0])
    await similarity.recompute(graph, owner)
    await history.run(services_of(graph), time.time())

    async def cost(n: int) -> tuple[int, list[dict[str, Any]]]:
        before = graph.transactions
        found = (await client.data(LISTED, {"n": n}, token=token))["recipients"]["nodes"]
        return graph.transactions - before, found

    one, _ = await cost(1)
    three, found = await cost(3)
    assert one == three
    # Equal scores (the same interests and relationship): in no order of names.
    assert [(p["name"], sorted(s["recipient"]["name"] for s in p["similar"])) for p in found] == [
        ("Ana", ["Bea", "Cid"]),
        ("Bea", ["Ana", "Cid"]),
        ("Cid", ["Ana", "Bea"]),
    ]
    assert all(p["relationshipHistory"] == [{"closeness": 5}] for p in found)
    assert all(p["relationshipTrend"] == {"direction": "STEADY"} for p in found)
