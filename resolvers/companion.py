"""The companion's ephemeral state: the orb's (how it looks, its tone, its energy, what it focuses on)
and the scene's (the active scene, the camera, what is focused, the mood, the last transition). Kept
per user in the companion caches (Redis with a TTL per part, else in process: storage/companion.py),
never in the graph; a part that expired, or was never set, reads as its defaults.

A change names only the fields it changes: the others keep their value, and the part's TTL starts
again. Each change is published on the user's channel (`user:<uid>:companion`) through the live pub/sub,
with the whole state after it, so a subscriber on any instance follows it (`follow`). Two changes of one
part at the same instant may both read the state before either wrote: the later write wins whole (this
is interface state, last-writer-wins by nature; nothing here is a record).

Its cache keys are under the owner's prefix (`user:<uid>:`), which erasing the account drops."""

import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from errors import KindredError, ServiceUnavailable, SubscriptionOverflow
from resolvers.context import Context
from resolvers.together import all_of
from storage.companion import CompanionCaches
from storage.pubsub import RESYNC, Overflowed, PubSubUnavailable

logger = logging.getLogger("kindred.companion")
Vector = tuple[float, float, float]
ORB, SCENE = "orb", "scene"


@dataclass(frozen=True)
class Orb:
    """The orb's state; `updated_at` None: the defaults (never set, or expired)."""

    visual_state: str = "idle"
    emotional_tone: str = "neutral"
    energy_level: float = 0.5
    is_speaking: bool = False
    position: Vector | None = None
    effects: tuple[str, ...] = ()
    focused: str | None = None  # a node of the viewer's, as "Label:uid"
    updated_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Transition:
    """A move from one scene to another."""

    from_scene: str
    to_scene: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class Scene:
    """The scene's state; `updated_at` None: the defaults (never set, or expired)."""

    active: str = "cloud"
    camera_position: Vector | None = None
    camera_target: Vector | None = None
    zoom: float = 1.0
    focused: str | None = None  # a node of the viewer's, as "Label:uid"
    mood: str = "neutral"
    transition: Transition | None = None  # the last one
    updated_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class State:
    """The whole state, and what a change changed (nothing: the state as it is, when a follower starts
    or catches up) and the scene transition it made, if any."""

    orb: Orb
    scene: Scene
    changed: tuple[str, ...] = ()
    transition: Transition | None = field(default=None)


def orb_key(owner: str) -> str:
    return f"user:{owner}:orb:state"


def scene_key(owner: str) -> str:
    return f"user:{owner}:scene:active"


def channel(owner: str) -> str:
    """The owner's companion channel (the live pub/sub prefixes it: storage/pubsub/redis_pubsub.py)."""
    return f"user:{owner}:companion"


async def current(context: Context) -> State:
    """The viewer's companion state now: defaults for a part not set or expired."""
    caches = _caches(context)
    orb, scene = await all_of(
        [caches.orb.get(orb_key(context.viewer)), caches.scene.get(scene_key(context.viewer))]
    )
    return State(_orb_of(orb), _scene_of(scene))


async def change_orb(context: Context, changes: dict[str, Any]) -> State:
    """Sets the orb's fields given in `changes` (checked by the caller), keeps the others; publishes."""
    now = datetime.now(UTC)
    before = await current(context)
    ttl = context.settings.companion_orb_ttl_seconds
    orb = dataclasses.replace(before.orb, **changes, updated_at=now, expires_at=now + timedelta(seconds=ttl))
    await _caches(context).orb.set(orb_key(context.viewer), json.dumps(_plain(orb)))
    return await _published(context, State(orb, before.scene, (ORB,)))


async def change_scene(context: Context, changes: dict[str, Any], transition_kind: str | None) -> State:
    """Sets the scene's fields given in `changes` (checked by the caller), keeps the others; a change of
    the active scene records the transition from the one before (of `transition_kind`). Publishes."""
    now = datetime.now(UTC)
    before = await current(context)
    moved = None
    if "active" in changes and changes["active"] != before.scene.active:
        moved = Transition(before.scene.active, changes["active"], transition_kind or "zoom", now)
    ttl = context.settings.companion_scene_ttl_seconds
    scene = dataclasses.replace(
        before.scene,
        **changes,
        transition=moved or before.scene.transition,
        updated_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    await _caches(context).scene.set(scene_key(context.viewer), json.dumps(_plain(scene)))
    return await _published(context, State(before.orb, scene, (SCENE,), moved))


async def follow(context: Context) -> AsyncIterator[State]:
    """The viewer's companion state now, then each change as it is made (on any instance); after a
    break in the feed (Redis lost and back), the state as it is then."""
    pubsub = context.pubsub
    if pubsub is None:  # an app made without its lifespan: nothing would ever be published to it
        raise KindredError("Live updates are not served here.")
    limit = context.settings.live_queue_size
    async with pubsub.subscribe(channel(context.viewer), limit=limit) as feed:
        yield await current(context)
        while True:
            try:
                item = await feed.get()
            except Overflowed:
                raise SubscriptionOverflow(
                    f"This subscription fell more than {limit} changes behind and was ended: subscribe "
                    "again (its first message is the state now)."
                ) from None
            decoded = None if item is RESYNC else _decoded(item)  # type: ignore[arg-type]
            yield decoded if decoded is not None else await current(context)


async def _published(context: Context, state: State) -> State:
    """Publishes the change on the viewer's channel; SERVICE_UNAVAILABLE when that cannot be done (the
    cache behind it is then as unreachable: the change may not have been kept)."""
    if context.pubsub is not None:
        message: dict[str, Any] = {
            "orb": _plain(state.orb),
            "scene": _plain(state.scene),
            "changed": list(state.changed),
            "transition": _plain(state.transition) if state.transition else None,
        }
        try:
            await context.pubsub.publish(channel(context.viewer), json.dumps(message).encode())
        except PubSubUnavailable as error:
            logger.warning("companion change not published: %s", error)
            raise ServiceUnavailable("The companion's state cannot be kept now: try again shortly.") from None
    return state


def _caches(context: Context) -> CompanionCaches:
    if context.companion is None:
        raise KindredError("The companion's state is not kept here.")
    return context.companion


def _plain(value: Orb | Scene | Transition) -> dict[str, Any]:
    """As JSON holds it: times as ISO text, vectors and effects as lists."""
    return {
        name: (_plain(item) if isinstance(item, Transition) else _iso(item))
        for name, item in ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
    }


def _iso(item: Any) -> Any:
    if isinstance(item, datetime):
        return item.isoformat()
    return list(item) if isinstance(item, tuple) else item


def _orb_of(text: str | None) -> Orb:
    kept = _loaded(text)
    if kept is None:
        return Orb()
    try:
        kept["position"] = _vector(kept.get("position"))
        kept["effects"] = tuple(str(effect) for effect in kept.get("effects") or ())
        return Orb(**_times(kept))
    except (TypeError, ValueError):
        return Orb()  # a state kept by another version of Kindred: as good as none


def _scene_of(text: str | None) -> Scene:
    kept = _loaded(text)
    if kept is None:
        return Scene()
    try:
        kept["camera_position"] = _vector(kept.get("camera_position"))
        kept["camera_target"] = _vector(kept.get("camera_target"))
        moved = kept.get("transition")
        kept["transition"] = Transition(**_times(moved)) if moved else None
        return Scene(**_times(kept))
    except (TypeError, ValueError):
        return Scene()


def _decoded(message: bytes) -> State | None:
    """A published change; None for one this version cannot read (the state is re-read instead)."""
    kept = _loaded(message.decode())
    if kept is None:
        return None
    try:
        moved = kept.get("transition")
        transition = Transition(**_times(moved)) if moved else None
        orb, scene = json.dumps(kept["orb"]), json.dumps(kept["scene"])
        return State(_orb_of(orb), _scene_of(scene), tuple(kept["changed"]), transition)
    except (KeyError, TypeError, ValueError):
        return None


def _loaded(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        kept = json.loads(text)
    except ValueError:
        return None
    return kept if isinstance(kept, dict) else None


def _times(kept: dict[str, Any]) -> dict[str, Any]:
    """ISO texts of the time fields back to datetimes."""
    return {
        name: datetime.fromisoformat(value) if name in ("at", "updated_at", "expires_at") and value else value
        for name, value in kept.items()
    }


def _vector(value: Any) -> Vector | None:
    if value is None:
        return None
    x, y, z = (float(part) for part in value)
    return (x, y, z)
