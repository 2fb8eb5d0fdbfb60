"""Series: dated values kept in month buckets, appended all or nothing (concurrent appends lose none),
read by range a page at a time either way, summarised per period in Cypher (checked here against a
recomputation in Python), removed by range; kept to their owner, deleted with their buckets, erased with
the account. That a series is drawn, captioned and sent as a live delta is tests/test_kinds.py's."""

import asyncio
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph import erasure
from graph.driver import Graph
from tests import test_search
from tests.client import GraphQLClient
from tests.test_insights import _count
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher

FIELDS = "id name kind unit detail entryCount firstAt lastAt title about { name }"
CREATE = f"mutation ($input: CreateSeriesInput!) {{ createSeries(input: $input) {{ {FIELDS} }} }}"
UPDATE = f"mutation ($input: UpdateSeriesInput!) {{ updateSeries(input: $input) {{ {FIELDS} }} }}"
DELETE = "mutation ($id: ID!) { deleteSeries(id: $id) { deletedId deletedCount } }"
APPEND = """mutation ($id: ID!, $entries: [SeriesEntryInput!]!) {
  appendEntries(seriesId: $id, entries: $entries) { count series { entryCount firstAt lastAt } } }"""
REMOVE = """mutation ($id: ID!, $from: DateTime, $to: DateTime) {
  removeEntries(seriesId: $id, from: $from, to: $to) { count series { entryCount firstAt lastAt } } }"""
ENTRIES = """query ($id: ID!, $from: DateTime, $to: DateTime, $order: EntryOrder, $first: Int, $after: String,
    $last: Int, $before: String) {
  node(id: $id) { ... on Series {
    entries(from: $from, to: $to, order: $order, first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
      edges { cursor node { at value delta note detail } } } } } }"""
SUMMARY = """query ($id: ID!, $period: SeriesPeriod!, $from: DateTime, $to: DateTime) {
  node(id: $id) { ... on Series {
    summary(period: $period, from: $from, to: $to) { start count sum min max mean first last } } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
LIST = """query ($f: SeriesFilter) { series(filter: $f) { totalCount nodes { name } } }"""
ABOUT_THEM = """query ($id: ID!) { node(id: $id) { ... on Recipient { series { nodes { name } } } } }"""
BUCKETS = "MATCH (b:SeriesBucket) RETURN count(b) AS buckets, sum(size(b.times)) AS entries"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _series(client: GraphQLClient, token: str, name: str = "Net worth", **given: Any) -> dict[str, Any]:
    values = {"name": name, "kind": "SNAPSHOT", "unit": "USD", **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createSeries"]


async def _append(client: GraphQLClient, token: str, uid: str, entries: list[dict[str, Any]]) -> Any:
    return (await client.data(APPEND, {"id": uid, "entries": entries}, token=token))["appendEntries"]


async def _buckets(graph: Graph) -> tuple[int, int]:
    async with graph.driver.session() as session:
        record = await (await session.run(BUCKETS)).single(strict=True)
    return record["buckets"], record["entries"] or 0


def _entries(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` entries at random times over about fourteen months of 2025-26, out of order, with values
    that repeat a time now and then (two trades at one instant)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = []
    for i in range(count):
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 425))
        if made and rng.random() < 0.1:
            at = _at(made[-1]["at"])
        made.append({"at": _iso(at), "value": round(rng.uniform(-50, 200), 2), "note": f"n{i}"})
    return made


async def _all_entries(client: GraphQLClient, token: str, uid: str, **args: Any) -> list[dict[str, Any]]:
    """Every entry, page by page (20 at a time) forwards."""
    found, after = [], None
    while True:
        page = await client.data(ENTRIES, {"id": uid, "first": 20, "after": after, **args}, token=token)
        entries = page["node"]["entries"]
        found += [edge["node"] for edge in entries["edges"]]
        if not entries["pageInfo"]["hasNextPage"]:
            return found
        after = entries["pageInfo"]["endCursor"]


async def test_a_series_is_made_about_a_person_changed_and_listed(client: GraphQLClient) -> None:
    token = await client.sign_up("series-make@example.com")
    mia = await create_recipient(client, token, "Mia")
    made = await _series(
        client, token, " Mia's chess rating ", kind="SKILL", unit="Elo", aboutId=mia["id"], detail={"fide": 1}
    )
    assert made["name"] == "Mia's chess rating" and made["kind"] == "SKILL" and made["unit"] == "Elo"
    assert made["about"] == {"name": "Mia"} and made["title"] == "Mia's chess rating"
    assert made["entryCount"] == 0 and made["firstAt"] is None and made["lastAt"] is None
    assert made["detail"] == {"fide": 1}
    mine = await _series(client, token, "Push-ups", kind="GROWTH", unit=None)
    assert mine["about"] is None

    changed = await client.data(
        UPDATE, {"input": {"id": made["id"], "unit": None, "aboutId": None}}, token=token
    )
    assert changed["updateSeries"]["unit"] is None and changed["updateSeries"]["about"] is None
    assert changed["updateSeries"]["name"] == "Mia's chess rating"
    back = await client.data(UPDATE, {"input": {"id": made["id"], "aboutId": mia["id"]}}, token=token)
    assert back["updateSeries"]["about"] == {"name": "Mia"}
    listed = await client.data(LIST, {"f": {"kinds": ["SKILL"]}}, token=token)
    assert listed["series"] == {"totalCount": 1, "nodes": [{"name": "Mia's chess rating"}]}
    listed = await client.data(LIST, {"f": {"aboutId": mia["id"]}}, token=token)
    assert listed["series"]["nodes"] == [{"name": "Mia's chess rating"}]
    assert (await client.data(ABOUT_THEM, {"id": mia["id"]}, token=token))["node"]["series"]["nodes"] == [
        {"name": "Mia's chess rating"}
    ]


async def test_appended_entries_read_back_by_range_in_order_and_are_kept_in_month_buckets(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("series-range@example.com")
    made = await _series(client, token)
    entries = _entries(300, seed=1)
    for chunk in (entries[:120], entries[120:]):  # two appends, each out of order
        await _append(client, token, made["id"], chunk)
    entries[0] |= {"delta": -1.5, "detail": {"shares": 3}}  # one more, with the optional fields
    extra = {**entries[0], "at": "2024-12-31T23:59:59.999+00:00", "note": "first"}
    answer = await _append(client, token, made["id"], [extra])
    assert answer["count"] == 1
    assert answer["series"]["entryCount"] == 301
    assert _at(answer["series"]["firstAt"]) == _at(extra["at"])
    assert _at(answer["series"]["lastAt"]) == max(_at(e["at"]) for e in entries)
    months = {(_at(e["at"]).year, _at(e["at"]).month) for e in [*entries, extra]}
    assert await _buckets(graph) == (len(months), 301)  # one node per month, not per entry

    # Oldest first, all of it: by time, and entries at one instant in the order they were appended.
    every = [*entries[:120], *entries[120:], extra]
    indexed = sorted(range(len(every)), key=lambda i: (_at(every[i]["at"]), i))
    oldest = await _all_entries(client, token, made["id"], order="OLDEST_FIRST")
    assert [(e["at"], e["note"]) for e in oldest] == [
        (_iso(_at(every[i]["at"])), every[i]["note"]) for i in indexed
    ]
    assert oldest[0] == {
        "at": "2024-12-31T23:59:59.999000+00:00",
        "value": extra["value"],
        "delta": -1.5,
        "note": "first",
        "detail": {"shares": 3},
    }
    # A range, newest first (the default), paged: [from, to).
    low, high = datetime(2025, 3, 15, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC)
    newest = await _all_entries(client, token, made["id"], **{"from": _iso(low), "to": _iso(high)})
    expected = [every[i] for i in reversed(indexed) if low <= _at(every[i]["at"]) < high]
    assert [(e["at"], e["value"]) for e in newest] == [(_iso(_at(e["at"])), e["value"]) for e in expected]
    page = await client.data(ENTRIES, {"id": made["id"], "from": _iso(low), "to": _iso(high)}, token=token)
    assert page["node"]["entries"]["totalCount"] == len(expected)
    # Backwards from a cursor: the page before it, in the same order.
    cursor = page["node"]["entries"]["edges"][5]["cursor"]
    before = await client.data(
        ENTRIES,
        {"id": made["id"], "from": _iso(low), "to": _iso(high), "last": 3, "before": cursor},
        token=token,
    )
    assert [e["node"]["note"] for e in before["node"]["entries"]["edges"]] == [
        e["note"] for e in expected[2:5]
    ]


@pytest.mark.parametrize("period", ["DAY", "WEEK", "MONTH", "YEAR"])
async def test_a_summary_per_period_is_what_python_computes_from_the_same_entries(
    client: GraphQLClient, period: str
) -> None:
    token = await client.sign_up(f"series-sum-{period.lower()}@example.com")
    made = await _series(client, token)
    entries = _entries(400, seed=2)
    await _append(client, token, made["id"], entries)
    low, high = datetime(2025, 2, 10, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC)
    answer = await client.data(
        SUMMARY, {"id": made["id"], "period": period, "from": _iso(low), "to": _iso(high)}, token=token
    )

    def start(at: datetime) -> datetime:
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "DAY":
            return day
        if period == "WEEK":
            return day - timedelta(days=day.weekday())
        return day.replace(day=1) if period == "MONTH" else day.replace(month=1, day=1)

    groups: dict[datetime, list[tuple[datetime, int, float]]] = defaultdict(list)
    for i, entry in enumerate(entries):
        at = _at(entry["at"])
        if low <= at < high:
            groups[start(at)].append((at, i, entry["value"]))
    expected = []
    for begins in sorted(groups):
        values = [value for _, _, value in sorted(groups[begins])]
        expected.append(
            {
                "start": _iso(begins),
                "count": len(values),
                "sum": pytest.approx(sum(values)),
                "min": min(values),
                "max": max(values),
                "mean": pytest.approx(sum(values) / len(values)),
                "first": values[0],
                "last": values[-1],
            }
        )
    assert answer["node"]["summary"] == expected
    assert len(expected) > 1


async def test_concurrent_appends_lose_no_entry(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("series-race@example.com")
    made = await _series(client, token)
    batches = [
        [
            {
                "at": _iso(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=task * 7 + i)),
                "value": task * 100 + i,
            }
            for i in range(25)
        ]
        for task in range(8)
    ]
    answers = await asyncio.gather(*(_append(client, token, made["id"], batch) for batch in batches))
    assert sorted(answer["count"] for answer in answers) == [25] * 8
    found = await _all_entries(client, token, made["id"], order="OLDEST_FIRST")
    assert sorted(e["value"] for e in found) == sorted(float(e["value"]) for b in batches for e in b)
    final = await client.data(ENTRIES, {"id": made["id"], "first": 0}, token=token)
    assert final["node"]["entries"]["totalCount"] == 200
    assert (await _buckets(graph))[1] == 200


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"at": "1899-12-31T23:59:59Z", "value": 1}, "entries.1.at"),
        ({"at": "2100-01-01T00:00:00Z", "value": 1}, "entries.1.at"),
        ({"at": "2026-01-01T00:00:00Z", "value": 1e16}, "entries.1.value"),
        ({"at": "2026-01-01T00:00:00Z", "value": 1, "delta": -2e15}, "entries.1.delta"),
        ({"at": "2026-01-01T00:00:00Z", "value": 1, "note": "x" * 501}, "entries.1.note"),
        ({"at": "2026-01-01T00:00:00Z", "value": 1, "detail": [1, 2]}, "entries.1.detail"),
        ({"at": "2026-01-01T00:00:00Z", "value": 1, "detail": {"x": "y" * 2_000}}, "entries.1.detail"),
    ],
)
async def test_a_bad_entry_refuses_the_whole_append_naming_it(
    client: GraphQLClient, graph: Graph, entry: dict[str, Any], field: str
) -> None:
    token = await client.sign_up("series-bad@example.com")
    made = await _series(client, token)
    good = {"at": "2026-01-02T00:00:00Z", "value": 5}
    before = await _count(graph)
    error = await client.error(APPEND, {"id": made["id"], "entries": [good, entry]}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await _count(graph) == before
    assert (await client.data(ENTRIES, {"id": made["id"]}, token=token))["node"]["entries"]["edges"] == []


async def test_appends_too_many_or_none_and_bad_ranges_are_refused(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("series-limits@example.com")
    made = await _series(client, token)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    before = await _count(graph)
    many = [{"at": _iso(at + timedelta(seconds=i)), "value": i} for i in range(1_001)]
    for entries in (many, []):
        error = await client.error(APPEND, {"id": made["id"], "entries": entries}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "entries"}
    backwards = {"id": made["id"], "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    error = await client.error(ENTRIES, backwards, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    error = await client.error(SUMMARY, {**backwards, "period": "DAY"}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    error = await client.error(REMOVE, backwards, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}
    error = await client.error(ENTRIES, {"id": made["id"], "after": "not-a-cursor"}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    for bad in ({"name": " "}, {"name": "x" * 201}, {"unit": "u" * 51}, {"detail": [1]}):
        error = await client.error(CREATE, {"input": {"name": "n", "kind": "OTHER", **bad}}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(UPDATE, {"input": {"id": made["id"], "name": None}}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert await _count(graph) == before


async def test_a_summary_of_more_than_a_thousand_periods_is_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("series-periods@example.com")
    made = await _series(client, token)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    daily = [{"at": _iso(start + timedelta(days=i)), "value": 1} for i in range(1_001)]
    for chunk in (daily[:500], daily[500:]):
        await _append(client, token, made["id"], chunk)
    error = await client.error(SUMMARY, {"id": made["id"], "period": "DAY"}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "period"}
    yearly = await client.data(SUMMARY, {"id": made["id"], "period": "YEAR"}, token=token)
    assert [(y["start"][:4], y["count"]) for y in yearly["node"]["summary"]] == [
        ("2020", 366),
        ("2021", 365),
        ("2022", 270),
    ]


async def test_removing_a_range_keeps_the_rest_and_drops_emptied_months(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("series-remove@example.com")
    made = await _series(client, token)
    days = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=10 * i) for i in range(12)]  # Jan..Apr
    await _append(client, token, made["id"], [{"at": _iso(day), "value": i} for i, day in enumerate(days)])
    assert await _buckets(graph) == (4, 12)
    removed = await client.data(
        REMOVE, {"id": made["id"], "from": "2026-01-25T00:00:00Z", "to": "2026-03-05T00:00:00Z"}, token=token
    )
    gone = [
        day for day in days if datetime(2026, 1, 25, tzinfo=UTC) <= day < datetime(2026, 3, 5, tzinfo=UTC)
    ]
    assert removed["removeEntries"]["count"] == len(gone)
    assert removed["removeEntries"]["series"]["entryCount"] == 12 - len(gone)
    left = await _all_entries(client, token, made["id"], order="OLDEST_FIRST")
    assert [_at(e["at"]) for e in left] == [day for day in days if day not in gone]
    assert await _buckets(graph) == (3, 12 - len(gone))  # February held nothing else: it went
    everything = await client.data(REMOVE, {"id": made["id"]}, token=token)
    assert everything["removeEntries"]["series"] == {"entryCount": 0, "firstAt": None, "lastAt": None}
    assert await _buckets(graph) == (0, 0)


async def test_deleting_a_series_or_the_person_it_is_about_deletes_its_buckets(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("series-delete@example.com")
    ivo = await create_recipient(client, token, "Ivo")
    mine = await _series(client, token, "Savings")
    his = await _series(client, token, "Ivo's running", kind="GROWTH", aboutId=ivo["id"])
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for made in (mine, his):
        await _append(
            client,
            token,
            made["id"],
            [{"at": _iso(at + timedelta(days=40 * i)), "value": i} for i in range(3)],
        )
    assert await _buckets(graph) == (6, 6)
    deleted = await client.data(DELETE, {"id": mine["id"]}, token=token)
    assert deleted["deleteSeries"] == {"deletedId": mine["id"], "deletedCount": 4}  # it and its 3 months
    assert (await client.data(NODE, {"id": mine["id"]}, token=token))["node"] is None
    assert await _buckets(graph) == (3, 3)
    gone = await client.data(
        "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }", {"id": ivo["id"]}, token=token
    )
    assert gone["deleteRecipient"]["deletedCount"] == 5  # Ivo, his series, its 3 months
    assert (await client.data(NODE, {"id": his["id"]}, token=token))["node"] is None
    assert await _buckets(graph) == (0, 0)


async def test_another_users_series_is_out_of_sight_and_reach(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("ann-series@example.com")
    bob = await client.sign_up("bob-series@example.com")
    anns = await _series(client, ann, "Ann's portfolio")
    await _append(client, ann, anns["id"], [{"at": "2026-01-01T00:00:00Z", "value": 10}])
    bobs_friend = await create_recipient(client, bob, "Ben")
    before = await _count(graph)

    assert (await client.data(NODE, {"id": anns["id"]}, token=bob))["node"] is None
    assert (await client.data(ENTRIES, {"id": anns["id"]}, token=bob))["node"] is None
    assert (await client.data(SUMMARY, {"id": anns["id"], "period": "DAY"}, token=bob))["node"] is None
    assert (await client.data(LIST, {}, token=bob))["series"]["totalCount"] == 0
    tries = [
        (APPEND, {"id": anns["id"], "entries": [{"at": "2026-01-02T00:00:00Z", "value": 1}]}),
        (REMOVE, {"id": anns["id"]}),
        (UPDATE, {"input": {"id": anns["id"], "name": "Mine now"}}),
        (DELETE, {"id": anns["id"]}),
    ]
    for query, variables in tries:
        error = await client.error(query, variables, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", query
    # Nor can Ann's series be made about Bob's person.
    error = await client.error(
        CREATE, {"input": {"name": "x", "kind": "OTHER", "aboutId": bobs_friend["id"]}}, token=ann
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await _count(graph) == before
    kept = await client.data(ENTRIES, {"id": anns["id"]}, token=ann)
    assert [e["node"]["value"] for e in kept["node"]["entries"]["edges"]] == [10.0]


async def test_erasing_the_account_deletes_its_series_buckets_in_the_labelled_passes(
    client: GraphQLClient, graph: Graph
) -> None:
    """The eraser's passes by label (dispatch/erasure.py) reach the buckets, before its sweep of any label."""
    ann = await client.sign_up("erase-series@example.com")
    bob = await client.sign_up("keep-series@example.com")
    for token in (ann, bob):
        made = await _series(client, token)
        await _append(client, token, made["id"], [{"at": "2026-01-01T00:00:00Z", "value": 1}])
    me = await client.data("{ me { id } }", token=ann)
    from strawberry.relay import GlobalID

    uid = GlobalID.from_id(me["me"]["id"]).node_id
    assert await graph.write(erasure.begin, uid) is not None
    for label in erasure.OWNED:
        await graph.write(erasure.delete_owned, owner=uid, label=label, limit=1_000)

    async def left(tx: Any) -> list[str]:
        query = "MATCH (n) WHERE n.owner = $uid RETURN DISTINCT labels(n)[0] AS label"
        return [record["label"] async for record in await tx.run(query, uid=uid)]

    assert await graph.read(left) == []
    assert await _buckets(graph) == (1, 1)  # Bob's


LEVEL = """{ series(first: 20) { nodes { name
  entries(first: 3, order: OLDEST_FIRST) { nodes { value } }
  summary(period: MONTH) { count } } } }"""


@pytest.mark.parametrize("count", [2, 8])
async def test_the_entries_and_summaries_of_a_list_of_series_cost_the_same_round_trips_for_2_or_8(
    client: GraphQLClient, graph: Graph, count: int
) -> None:
    token = await client.sign_up(f"series-trips-{count}@example.com")
    for index in range(count):
        made = await _series(client, token, f"Series {index}")
        days = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=20 * i) for i in range(4)]
        await _append(
            client, token, made["id"], [{"at": _iso(d), "value": index + i} for i, d in enumerate(days)]
        )
    before = graph.transactions
    data = await client.data(LEVEL, token=token)
    trips = graph.transactions - before
    found = {node["name"]: node for node in data["series"]["nodes"]}
    assert len(found) == count
    for index in range(count):
        node = found[f"Series {index}"]
        assert [e["value"] for e in node["entries"]["nodes"]] == [index, index + 1, index + 2]
        assert [month["count"] for month in node["summary"]] == [2, 1, 1]  # Jan 1 and 21, Feb 10, Mar 2
    assert trips <= 3  # the page of series, one for every one's entries, one for every one's summary


SEARCH = """query ($q: String!) { search(query: $q, kinds: [SERIES]) {
  matched { text } node { __typename ... on Series { name } } } }"""


async def test_a_series_is_found_by_its_name_kind_and_whom_it_is_about_and_by_its_owner_alone(
    kindred: Instance,
) -> None:
    client = kindred.client
    ann = await client.sign_up("ann-finds-series@example.com")
    bob = await client.sign_up("bob-finds-series@example.com")
    odile = await create_recipient(client, ann, "Odile")
    made = await _series(client, ann, "Barometer collection value", kind="HOLDING", aboutId=odile["id"])
    await _append(client, ann, made["id"], [{"at": "2026-01-01T00:00:00Z", "value": 1200}])
    await kindred.dispatcher.drain()
    mine = (await client.data(SEARCH, {"q": "Odile barometer"}, token=ann))["search"]
    assert mine[0]["node"] == {"__typename": "Series", "name": "Barometer collection value"}
    assert "Odile" in mine[0]["matched"]["text"] and "holding" in mine[0]["matched"]["text"]
    assert (await client.data(SEARCH, {"q": "Odile barometer"}, token=bob))["search"] == []
