"""The companion's ephemeral state (the orb's and the scene's): read as defaults, changed field by field,
gone back to the defaults once its time to live has passed, refused with a code when the input is bad
(leaving the state as it was), never read by another user, and placed in an API key's scope.
Followed live across instances: test_companion_live.py."""

import asyncio
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import running
from tests.test_recipients import create as create_recipient
from tests.test_working_memory import DELETE_ACCOUNT, _owner, _user_exists

STATE = """
orb { visualState emotionalTone energyLevel isSpeaking position { x y z } effects focusedId updatedAt expiresAt }
scene {
  active cameraPosition { x y z } cameraTarget { x y z } zoom focusedId mood updatedAt expiresAt
  lastTransition { fromScene toScene kind at }
}
"""
COMPANION = f"{{ companion {{ {STATE} }} }}"
SET_ORB = f"mutation ($i: OrbStateInput!) {{ setOrbState(input: $i) {{ {STATE} }} }}"
SET_SCENE = f"mutation ($i: SceneStateInput!) {{ setSceneState(input: $i) {{ {STATE} }} }}"
CREATE_KEY = """mutation ($scope: ApiKeyScopeInput) {
  createApiKey(name: "orb driver", scope: $scope) { key } }"""


async def companion(client: GraphQLClient, token: str) -> dict[str, Any]:
    return dict((await client.data(COMPANION, token=token))["companion"])


async def set_orb(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    return dict((await client.data(SET_ORB, {"i": given}, token=token))["setOrbState"])


async def set_scene(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    return dict((await client.data(SET_SCENE, {"i": given}, token=token))["setSceneState"])


async def test_a_new_user_reads_the_defaults(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-defaults@example.com")
    state = await companion(client, token)
    assert state["orb"] == {
        "visualState": "IDLE",
        "emotionalTone": "NEUTRAL",
        "energyLevel": 0.5,
        "isSpeaking": False,
        "position": None,
        "effects": [],
        "focusedId": None,
        "updatedAt": None,
        "expiresAt": None,
    }
    assert state["scene"]["active"] == "CLOUD" and state["scene"]["zoom"] == 1.0
    assert state["scene"]["lastTransition"] is None and state["scene"]["updatedAt"] is None


async def test_a_change_sets_only_the_fields_given_and_is_read_back(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-partial@example.com")
    mia = (await create_recipient(client, token, "Mia"))["id"]
    first = await set_orb(
        client,
        token,
        visualState="THINKING",
        emotionalTone="CURIOUS",
        position={"x": 1, "y": 2, "z": 3},
        effects=["GLOW", "PULSE", "GLOW"],
        focusedId=mia,
    )
    assert first["orb"]["effects"] == ["GLOW", "PULSE"]  # each once
    second = await set_orb(client, token, energyLevel=0.8, isSpeaking=True, position=None)
    orb = second["orb"]
    assert (orb["visualState"], orb["emotionalTone"], orb["focusedId"]) == ("THINKING", "CURIOUS", mia)
    assert (orb["energyLevel"], orb["isSpeaking"], orb["position"]) == (0.8, True, None)
    assert orb["updatedAt"] >= first["orb"]["updatedAt"]
    assert second["scene"]["updatedAt"] is None  # the scene was not touched
    assert await companion(client, token) == second


async def test_a_scene_change_records_where_it_came_from(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-scene@example.com")
    moved = await set_scene(client, token, active="GRAPH", transition="ORBIT", mood="CALM")
    assert moved["scene"]["active"] == "GRAPH" and moved["scene"]["mood"] == "CALM"
    transition = moved["scene"]["lastTransition"]
    assert (transition["fromScene"], transition["toScene"], transition["kind"]) == ("CLOUD", "GRAPH", "ORBIT")
    camera = {"cameraPosition": {"x": 0, "y": 5, "z": 20}, "cameraTarget": {"x": 0, "y": 0, "z": 0}}
    zoomed = await set_scene(client, token, zoom=2.5, active="GRAPH", **camera)
    scene = zoomed["scene"]
    assert scene["lastTransition"] == transition  # the same scene again is no move
    assert (scene["zoom"], scene["cameraPosition"], scene["cameraTarget"]) == (2.5, *camera.values())
    again = (await set_scene(client, token, active="GALLERY"))["scene"]
    assert again["lastTransition"]["fromScene"] == "GRAPH" and again["lastTransition"]["kind"] == "ZOOM"
    assert again["zoom"] == 2.5 and again["mood"] == "CALM"


async def test_the_state_expires_with_its_time_to_live(settings: Settings, graph: Graph) -> None:
    brief = settings.model_copy(update={"companion_orb_ttl_seconds": 1, "companion_scene_ttl_seconds": 30})
    async with running(brief, graph) as client:
        token = await client.sign_up("companion-ttl@example.com")
        await set_scene(client, token, active="GALLERY")
        orb = (await set_orb(client, token, visualState="SPEAKING"))["orb"]
        lived = datetime.fromisoformat(orb["expiresAt"]) - datetime.fromisoformat(orb["updatedAt"])
        assert lived.total_seconds() == 1
        async with asyncio.timeout(30):
            # Polling through the API: nothing to wait on while a TTL runs out.
            while (await companion(client, token))["orb"]["updatedAt"] is not None:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        state = await companion(client, token)
        assert state["orb"]["visualState"] == "IDLE" and state["orb"]["expiresAt"] is None
        assert state["scene"]["active"] == "GALLERY"  # the scene keeps its own, longer TTL


async def test_bad_input_is_refused_with_a_code_and_changes_nothing(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-bad@example.com")
    other = await client.sign_up("companion-bad-other@example.com")
    theirs = (await create_recipient(client, other, "Not yours"))["id"]
    await set_orb(client, token, visualState="LISTENING")
    await set_scene(client, token, active="GRAPH")
    before = await companion(client, token)
    bad = [
        (SET_ORB, {"energyLevel": 1.5}, "BAD_USER_INPUT", "energyLevel"),
        (SET_ORB, {"visualState": None}, "BAD_USER_INPUT", "visualState"),
        (SET_ORB, {}, "BAD_USER_INPUT", "input"),
        (SET_ORB, {"position": {"x": 1e7, "y": 0, "z": 0}}, "BAD_USER_INPUT", "position"),
        (SET_ORB, {"focusedId": "not an id"}, "BAD_USER_INPUT", "focusedId"),
        (SET_ORB, {"focusedId": theirs}, "NOT_FOUND", None),
        (SET_SCENE, {"zoom": 0}, "BAD_USER_INPUT", "zoom"),
        (SET_SCENE, {"transition": "FADE"}, "BAD_USER_INPUT", "transition"),
        (SET_SCENE, {"active": None}, "BAD_USER_INPUT", "active"),
        (SET_SCENE, {"focusedId": theirs, "active": "GALLERY"}, "NOT_FOUND", None),
    ]
    for query, given, code, field in bad:
        error = await client.error(query, {"i": given}, token=token)
        assert error["extensions"]["code"] == code, (given, error)
        assert error["extensions"].get("field") == field, (given, error)
    unknown = await client.error(SET_ORB, {"i": {"visualState": "DANCING"}}, token=token)
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    assert await companion(client, token) == before


async def test_another_user_never_reads_it_and_needs_a_login(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-mine@example.com")
    other = await client.sign_up("companion-theirs@example.com")
    await set_orb(client, token, visualState="SPEAKING", emotionalTone="EXCITED")
    await set_scene(client, token, active="PROFILE")
    theirs = await companion(client, other)
    assert theirs["orb"]["updatedAt"] is None and theirs["orb"]["visualState"] == "IDLE"
    assert theirs["scene"]["active"] == "CLOUD"
    assert (await client.error(COMPANION))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await companion(client, token))["orb"]["visualState"] == "SPEAKING"


async def test_an_api_key_reads_and_changes_it_within_its_scope(client: GraphQLClient) -> None:
    token = await client.sign_up("companion-keys@example.com")
    full, read_only, some_kinds, personas = [
        (await client.data(CREATE_KEY, {"scope": scope}, token=token))["createApiKey"]["key"]
        for scope in (None, {"readOnly": True}, {"kinds": ["RECIPIENT"]}, {"personasOnly": True})
    ]
    by_agent = await set_orb(client, full, visualState="SPEAKING", isSpeaking=True)  # an agent drives it
    assert (await companion(client, token))["orb"] == by_agent["orb"]
    assert (await companion(client, read_only))["orb"]["visualState"] == "SPEAKING"
    refused = await client.error(SET_ORB, {"i": {"visualState": "IDLE"}}, token=read_only)
    assert refused["extensions"]["code"] == "OUT_OF_SCOPE"
    for key in (some_kinds, personas):  # the person's own moment in the app is no kind of node
        assert (await client.error(COMPANION, token=key))["extensions"]["code"] == "OUT_OF_SCOPE"
    assert (await companion(client, token))["orb"]["visualState"] == "SPEAKING"


async def _kept(redis_url: str, owner: str) -> dict[str, tuple[Any, int]]:
    """What Redis holds of this owner's companion: key -> (value, milliseconds left)."""
    redis = Redis.from_url(redis_url)
    try:
        found = {}
        async for key in redis.scan_iter(match=f"kindred:companion:user:{owner}:*"):
            found[key.decode()] = (json.loads(await redis.get(key)), await redis.pttl(key))
        return found
    finally:
        await redis.aclose()


async def test_it_lives_in_redis_under_the_user_with_its_ttl_and_goes_with_the_account(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    # Its eraser deletes vectors: a data folder of its own (as tests/test_working_memory.py's).
    own = {"redis_url": redis_url, "dispatch": True, "dispatch_poll_seconds": 0.3, "schedule": False}
    async with running(settings.model_copy(update={**own, "data_dir": tmp_path}), graph) as client:
        token = await client.sign_up("companion-redis@example.com")
        owner = await _owner(client, token)
        await set_orb(client, token, visualState="SPEAKING")
        await set_scene(client, token, active="GALLERY")
        kept = await _kept(redis_url, owner)
        orb, orb_left = kept[f"kindred:companion:user:{owner}:orb:state"]
        scene, scene_left = kept[f"kindred:companion:user:{owner}:scene:active"]
        assert len(kept) == 2 and orb["visual_state"] == "speaking" and scene["active"] == "gallery"
        assert 86_000_000 < orb_left <= 86_400_000 and 3_500_000 < scene_left <= 3_600_000

        await client.data(DELETE_ACCOUNT, {"password": "correct horse battery"}, token=token)
        deadline = time.monotonic() + 120
        while await _kept(redis_url, owner) or await _user_exists(graph, owner):
            assert time.monotonic() < deadline, "the account was not erased in time"
            await asyncio.sleep(0.2)
