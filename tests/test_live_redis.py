"""Live updates across instances: two Kindreds on one Neo4j, fanned out through a real redis-server
(what happens while that Redis is down: test_live_redis_outage.py)."""

import asyncio
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, RENAME, Socket, live_only, live_settings, post, sign_up


@pytest.fixture(scope="module")
def pair(settings: Settings, redis_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    shared = live_settings(settings, redis_url=redis_url)
    with live_only(), LiveServer(shared) as one, LiveServer(shared) as two:
        yield one, two


async def test_a_mutation_on_one_instance_reaches_a_subscriber_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    token = await sign_up(one, "redis-pair@example.com")
    other = await sign_up(two, "redis-other@example.com")
    ws = await Socket.open(two, token)
    await ws.subscribe("1", since=1)
    outsider = await Socket.open(one, other)
    await outsider.subscribe("1", since=1)
    made = (await post(one, CREATE_RECIPIENT, {"name": "Across"}, token))["createRecipient"]["id"]
    (delta,) = await ws.deltas(1)
    assert delta["kind"] == "RecipientCreated"
    assert delta["nodesAdded"] == [{"__typename": "Recipient", "id": made, "name": "Across"}]
    assert await outsider.silent(1.0)  # another user's subscriber, on either instance, gets none of it
    await post(two, RENAME, {"id": made, "nickname": "back"}, token)
    (back,) = await ws.deltas(1)
    assert back["sequence"] == delta["sequence"] + 1
    await ws.close()
    await outsider.close()


async def test_many_subscribers_of_one_instance_share_one_redis_connection(
    pair: tuple[LiveServer, LiveServer], redis_url: str
) -> None:
    one, _ = pair
    token = await sign_up(one, "redis-many@example.com")
    sockets = [await Socket.open(one, token) for _ in range(3)]
    for ws in sockets:
        for operation in ("1", "2"):
            await ws.subscribe(operation, since=1)
    await asyncio.sleep(0.5)
    admin = Redis.from_url(redis_url)
    subscribing = [client for client in await admin.client_list() if int(client.get("sub", 0)) > 0]
    await admin.aclose()
    assert 1 <= len(subscribing) <= 2  # one connection per instance, for its six subscriptions and more
    await post(one, CREATE_RECIPIENT, {"name": "Everyone"}, token)
    for ws in sockets:
        got = {(await ws.receive())["id"] for _ in range(2)}
        assert got == {"1", "2"}
        await ws.close()
