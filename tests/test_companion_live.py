"""The companion's state across instances: two Kindreds sharing a real redis-server read the same state,
and a change made on one reaches a companionChanged subscriber on the other (and no other user's)."""

from collections.abc import Iterator

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up
from tests.test_companion import COMPANION, CREATE_KEY, SET_ORB, SET_SCENE, STATE

FOLLOW = f"subscription {{ companionChanged {{ changed transition {{ fromScene toScene kind }} {STATE} }} }}"


@pytest.fixture(scope="module")
def pair(settings: Settings, redis_url: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    shared = live_settings(settings, redis_url=redis_url)
    with live_only(), LiveServer(shared) as one, LiveServer(shared) as two:
        yield one, two


async def _change(socket: Socket) -> dict:
    return dict((await socket.next())["companionChanged"])


async def test_a_change_on_one_instance_reaches_a_follower_on_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    one, two = pair
    token = await sign_up(one, "companion-pair@example.com")
    other = await sign_up(two, "companion-pair-other@example.com")
    ws = await Socket.open(two, token)
    await ws.subscribe("1", FOLLOW)
    start = await _change(ws)
    assert start["changed"] == [] and start["orb"]["visualState"] == "IDLE"  # the state as it is
    outsider = await Socket.open(one, other)
    await outsider.subscribe("1", FOLLOW)
    assert (await _change(outsider))["changed"] == []

    set_orb = {"i": {"visualState": "THINKING", "emotionalTone": "CURIOUS"}}
    written = (await post(one, SET_ORB, set_orb, token))["setOrbState"]
    heard = await _change(ws)
    assert heard["changed"] == ["ORB"] and heard["transition"] is None
    assert heard["orb"] == written["orb"] and heard["scene"] == written["scene"]

    await post(two, SET_SCENE, {"i": {"active": "GRAPH", "transition": "FADE"}}, token)
    moved = await _change(ws)
    assert moved["changed"] == ["SCENE"]
    assert moved["transition"] == {"fromScene": "CLOUD", "toScene": "GRAPH", "kind": "FADE"}
    assert moved["orb"]["visualState"] == "THINKING"  # the orb as the other instance left it

    # Both instances read the one state kept in Redis; the other user's is untouched and unheard.
    for server in (one, two):
        state = (await post(server, COMPANION, None, token))["companion"]
        assert (state["orb"]["visualState"], state["scene"]["active"]) == ("THINKING", "GRAPH")
        assert (await post(server, COMPANION, None, other))["companion"]["orb"]["updatedAt"] is None
    assert await outsider.silent(1.0)
    await ws.close()
    await outsider.close()


async def test_a_key_limited_to_kinds_cannot_follow_it(pair: tuple[LiveServer, LiveServer]) -> None:
    one, _ = pair
    token = await sign_up(one, "companion-pair-key@example.com")
    made = await post(one, CREATE_KEY, {"scope": {"kinds": ["RECIPIENT"]}}, token)
    ws = await Socket.open(one, made["createApiKey"]["key"])
    await ws.subscribe("1", FOLLOW)
    refused = await ws.receive()
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "OUT_OF_SCOPE"
    await ws.close()
