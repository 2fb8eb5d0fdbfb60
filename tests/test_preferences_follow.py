"""Preferences learned from gift outcomes follow their gifts: a gift's category changed, its outcome
recorded again, the gift given to someone else, or deleted, and the person's preference of the old and
the new category are counted again from what is left; one with no data point left is gone. A replay
writes nothing, and another user's preferences are never touched."""

from typing import Any

from dispatch import Consumer, Event, Services, outcome_preferences
from dispatch.runner import Dispatcher
from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_concepts import LINK, UNLINK
from tests.test_gifts import CREATE as CREATE_GIFT
from tests.test_gifts import OUTCOME
from tests.test_recipients import create as create_recipient

PREFERENCES = """{ insights(filter: {categories: [PREFERENCE]}) { nodes {
  statement value confidence status recipients { nodes { name } } evidence { nodes { id } } } } }"""
UPDATE_GIFT = (
    "mutation ($id: ID!, $category: String) { updateGift(input: {id: $id, category: $category}) { id } }"
)
DELETE_GIFT = "mutation ($id: ID!) { deleteGift(id: $id) { deletedCount } }"
RENAME = "mutation ($id: ID!, $name: String) { updateRecipient(input: {id: $id, name: $name}) { id } }"


async def drain(graph: Graph) -> None:
    """Every pending event delivered to the preferences consumer alone, as the app's dispatcher would."""
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # the graph alone
    await Dispatcher(services, [Consumer.of(outcome_preferences)]).drain()


async def preferences(client: GraphQLClient, token: str) -> dict[str, dict[str, Any]]:
    """The viewer's learned preferences by statement: their data points and evidence count."""
    found = (await client.data(PREFERENCES, token=token))["insights"]["nodes"]
    return {
        n["statement"]: {"points": n["value"]["dataPoints"], "evidence": len(n["evidence"]["nodes"])}
        for n in found
    }


async def give(client: GraphQLClient, token: str, to: str, category: str, success: float) -> str:
    gift = {"name": f"a {category} gift", "category": category, "recipientIds": [to]}
    made = (await client.data(CREATE_GIFT, {"input": gift}, token=token))["createGift"]["id"]
    await client.data(OUTCOME, {"gift": made, "outcome": {"success": success}}, token=token)
    return str(made)


async def event_count(graph: Graph) -> int:
    async with graph.driver.session() as session:
        return int((await (await session.run("MATCH (e:Event) RETURN count(e) AS n")).single())["n"])


async def test_a_preference_is_counted_again_when_its_gifts_change_and_goes_with_its_last_data_point(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("follow@example.com")
    sam = (await create_recipient(client, token, "Sam"))["id"]
    kim = (await create_recipient(client, token, "Kim"))["id"]
    novel = await give(client, token, sam, "Books", 0.9)
    atlas = await give(client, token, sam, "books", 0.8)
    # Another user's preference of the same category: no change of ours may touch it.
    other = await client.sign_up("follow-other@example.com")
    ola = (await create_recipient(client, other, "Ola"))["id"]
    await give(client, other, ola, "Books", 0.9)
    await drain(graph)
    assert await preferences(client, token) == {"Sam likes Books gifts": {"points": 2, "evidence": 2}}
    theirs = await preferences(client, other)

    # A replay (at least once) writes nothing: no event, so nothing downstream hears of it again.
    before = await event_count(graph)
    await outcome_preferences.handle(
        Services(graph, embedder=None, vectors=None),  # type: ignore[arg-type]
        await _all_events(graph),
    )
    assert await event_count(graph) == before

    # The atlas was a map after all: Books drops to one data point, Maps learns one.
    await client.data(UPDATE_GIFT, {"id": atlas, "category": "Maps"}, token=token)
    await drain(graph)
    assert await preferences(client, token) == {
        "Sam likes Books gifts": {"points": 1, "evidence": 1},
        "Sam likes Maps gifts": {"points": 1, "evidence": 1},
    }

    # The novel's outcome recorded again, as a flop: the same one data point, turned.
    await client.data(OUTCOME, {"gift": novel, "outcome": {"success": 0.1}}, token=token)
    await drain(graph)
    assert await preferences(client, token) == {
        "Sam does not like Books gifts": {"points": 1, "evidence": 1},
        "Sam likes Maps gifts": {"points": 1, "evidence": 1},
    }

    # The atlas was Kim's: Sam's Maps preference has nothing left and goes; Kim's is learned.
    await client.data(UNLINK, {"from": atlas, "to": sam, "kind": "INTENDED_FOR"}, token=token)
    await client.data(LINK, {"from": atlas, "to": kim, "kind": "INTENDED_FOR"}, token=token)
    await drain(graph)
    assert await preferences(client, token) == {
        "Sam does not like Books gifts": {"points": 1, "evidence": 1},
        "Kim likes Maps gifts": {"points": 1, "evidence": 1},
    }

    # Kim is renamed: her preference says so.
    await client.data(RENAME, {"id": kim, "name": "Kimberly"}, token=token)
    await drain(graph)
    assert "Kimberly likes Maps gifts" in await preferences(client, token)

    # The novel is deleted: Sam's last Books data point with it, and his preference.
    await client.data(DELETE_GIFT, {"id": novel}, token=token)
    await drain(graph)
    assert await preferences(client, token) == {"Kimberly likes Maps gifts": {"points": 1, "evidence": 1}}
    assert await preferences(client, other) == theirs  # the other user's, untouched


async def _all_events(graph: Graph) -> list[Event]:
    """Every event written, as the dispatcher hands them over."""
    query = """MATCH (e:Event)
    RETURN e.uid AS uid, e.owner AS owner, e.sequence AS s, e.kind AS kind, e.nodes AS nodes"""
    async with graph.driver.session() as session:
        rows = [r.data() async for r in await session.run(query)]
    return [Event(r["uid"], r["owner"], r["s"], r["kind"], tuple(r["nodes"])) for r in rows]
