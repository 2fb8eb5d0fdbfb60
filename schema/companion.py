"""The companion's ephemeral state: the orb and the scene the person interacts with, read, changed field
by field, and followed live (resolvers/companion.py). Never in the graph: kept with a time to live."""

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from errors import BadUserInput, NotFound
from graph.refs import Ref
from resolvers import checks
from resolvers import companion as resolve
from schema.docs import described
from schema.nodes import load, ref_of
from schema.relay import Info

# Camera and orb coordinates: the view's own space is far smaller; this only keeps numbers sane.
MAX_COORDINATE = 1_000_000.0


@strawberry.enum(description="How the orb looks: what it is doing.")
class OrbVisualState(Enum):
    IDLE = strawberry.enum_value("idle", description="At rest, waiting.")
    LISTENING = strawberry.enum_value("listening", description="Taking in what the person says.")
    THINKING = strawberry.enum_value("thinking", description="Working something out.")
    SPEAKING = strawberry.enum_value("speaking", description="Answering.")
    CELEBRATING = strawberry.enum_value("celebrating", description="Marking something done or earned.")
    RESTING = strawberry.enum_value("resting", description="Dimmed: nothing is going on.")


@strawberry.enum(description="An emotional tone: the orb's, or the mood of a scene.")
class Tone(Enum):
    NEUTRAL = strawberry.enum_value("neutral", description="No tone in particular.")
    CALM = strawberry.enum_value("calm", description="Quiet and steady.")
    CURIOUS = strawberry.enum_value("curious", description="Interested, asking.")
    EXCITED = strawberry.enum_value("excited", description="Lively, glad.")
    WARM = strawberry.enum_value("warm", description="Kind and close.")
    PLAYFUL = strawberry.enum_value("playful", description="Light, joking.")
    REFLECTIVE = strawberry.enum_value("reflective", description="Thoughtful, looking back.")
    CONCERNED = strawberry.enum_value("concerned", description="Careful, worried for the person.")


@strawberry.enum(description="An effect the orb shows.")
class OrbEffect(Enum):
    PARTICLES = strawberry.enum_value("particles", description="Particles drifting around it.")
    GLOW = strawberry.enum_value("glow", description="A soft glow.")
    PULSE = strawberry.enum_value("pulse", description="A slow pulse.")
    RIPPLE = strawberry.enum_value("ripple", description="Ripples spreading out.")
    SPARKLE = strawberry.enum_value("sparkle", description="Brief sparkles.")


@strawberry.enum(description="A scene of the app the person can be in.")
class SceneName(Enum):
    CLOUD = strawberry.enum_value("cloud", description="The cloud of cards.")
    GRAPH = strawberry.enum_value("graph", description="The 3D graph of what is known.")
    GALLERY = strawberry.enum_value("gallery", description="The card gallery.")
    CHALLENGES = strawberry.enum_value("challenges", description="The challenges and their progress.")
    PROFILE = strawberry.enum_value("profile", description="The person's growth profile.")


@strawberry.enum(description="How the view moves from one scene to the next.")
class TransitionKind(Enum):
    ZOOM = strawberry.enum_value("zoom", description="Zooms into the next scene (the default).")
    FADE = strawberry.enum_value("fade", description="Fades from one to the other.")
    CUT = strawberry.enum_value("cut", description="Changes at once.")
    ORBIT = strawberry.enum_value("orbit", description="Circles round to the next scene.")


@strawberry.enum(description="A part of the companion's state.")
class CompanionPart(Enum):
    ORB = strawberry.enum_value(resolve.ORB, description="The orb's state.")
    SCENE = strawberry.enum_value(resolve.SCENE, description="The scene's state.")


@strawberry.type(description="A point or direction in the view's 3D space.")
class Vector3:
    x: float = strawberry.field(description="Its x.")
    y: float = strawberry.field(description="Its y.")
    z: float = strawberry.field(description="Its z.")

    @classmethod
    def of(cls, value: resolve.Vector | None) -> "Vector3 | None":
        return cls(x=value[0], y=value[1], z=value[2]) if value is not None else None


@strawberry.input(description="A point in the view's 3D space: each coordinate within ±1,000,000.")
class Vector3Input:
    x: float = strawberry.field(description="Its x.")
    y: float = strawberry.field(description="Its y.")
    z: float = strawberry.field(description="Its z.")


ORB = {
    "visual_state": "How it looks: what it is doing.",
    "emotional_tone": "The tone it shows.",
    "energy_level": "How lively it is, 0 to 1.",
    "is_speaking": "Whether it is speaking now.",
    "position": "Where it floats in the view; null: its usual place.",
    "effects": "The effects it shows, each once (null or []: none).",
    "focused_id": "The node it attends to (one of the viewer's; read it with `node`); null: none.",
}
SCENE = {
    "active": "The scene the person is in.",
    "camera_position": "Where the camera is; null: the scene's own place for it.",
    "camera_target": "What point the camera looks at; null: the scene's centre.",
    "zoom": "The camera's zoom, 0.01 to 100 (1: the scene's own).",
    "focused_id": "The node in focus (one of the viewer's; read it with `node`); null: none.",
    "mood": "The scene's mood (its light and music).",
}
KEPT = {
    "updated_at": "When it was last changed (UTC); null: it reads as the defaults (never set, or expired).",
    "expires_at": "When it goes back to the defaults unless changed again (UTC); null while it is them.",
}


@strawberry.type(description="The orb's state: how the companion shows itself.")
@described(ORB | KEPT)
class OrbState:
    visual_state: OrbVisualState
    emotional_tone: Tone
    energy_level: float
    is_speaking: bool
    position: Vector3 | None
    effects: list[OrbEffect]
    focused_id: relay.GlobalID | None
    updated_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, orb: resolve.Orb) -> "OrbState":
        return cls(
            visual_state=OrbVisualState(orb.visual_state),
            emotional_tone=Tone(orb.emotional_tone),
            energy_level=orb.energy_level,
            is_speaking=orb.is_speaking,
            position=Vector3.of(orb.position),
            effects=[OrbEffect(effect) for effect in orb.effects],
            focused_id=_global_id(orb.focused),
            updated_at=orb.updated_at,
            expires_at=orb.expires_at,
        )


@strawberry.type(description="A move from one scene to another.")
class SceneTransition:
    from_scene: SceneName = strawberry.field(description="The scene left.")
    to_scene: SceneName = strawberry.field(description="The scene entered.")
    kind: TransitionKind = strawberry.field(description="How the view moved.")
    at: datetime = strawberry.field(description="When (UTC).")

    @classmethod
    def of(cls, moved: resolve.Transition | None) -> "SceneTransition | None":
        if moved is None:
            return None
        return cls(
            from_scene=SceneName(moved.from_scene),
            to_scene=SceneName(moved.to_scene),
            kind=TransitionKind(moved.kind),
            at=moved.at,
        )


@strawberry.type(description="The scene's state: where the person is in the app and what they look at.")
@described(SCENE | KEPT)
class SceneState:
    active: SceneName
    camera_position: Vector3 | None
    camera_target: Vector3 | None
    zoom: float
    focused_id: relay.GlobalID | None
    mood: Tone
    last_transition: SceneTransition | None = strawberry.field(
        description="The last move between scenes, while this state is kept; null: none since."
    )
    updated_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, scene: resolve.Scene) -> "SceneState":
        return cls(
            active=SceneName(scene.active),
            camera_position=Vector3.of(scene.camera_position),
            camera_target=Vector3.of(scene.camera_target),
            zoom=scene.zoom,
            focused_id=_global_id(scene.focused),
            mood=Tone(scene.mood),
            last_transition=SceneTransition.of(scene.transition),
            updated_at=scene.updated_at,
            expires_at=scene.expires_at,
        )


@strawberry.type(
    description="The companion's state: the orb's and the scene's, kept for a while after each change "
    "and never in the graph (each part's time to live: KINDRED_COMPANION_ORB_TTL_SECONDS, "
    "KINDRED_COMPANION_SCENE_TTL_SECONDS)."
)
class Companion:
    orb: OrbState = strawberry.field(description="The orb's state.")
    scene: SceneState = strawberry.field(description="The scene's state.")

    @classmethod
    def of(cls, state: resolve.State) -> "Companion":
        return cls(orb=OrbState.of(state.orb), scene=SceneState.of(state.scene))


@strawberry.type(description="A change of the companion's state, with the whole state after it.")
class CompanionChange:
    orb: OrbState = strawberry.field(description="The orb's state now.")
    scene: SceneState = strawberry.field(description="The scene's state now.")
    changed: list[CompanionPart] = strawberry.field(
        description="The parts this change changed; empty for the state as it is (the first message, and "
        "after a break in the feed)."
    )
    transition: SceneTransition | None = strawberry.field(
        description="The move between scenes this change made; null if it made none."
    )

    @classmethod
    def of(cls, state: resolve.State) -> "CompanionChange":
        return cls(
            orb=OrbState.of(state.orb),
            scene=SceneState.of(state.scene),
            changed=[CompanionPart(part) for part in state.changed],
            transition=SceneTransition.of(state.transition),
        )


@strawberry.input(description="The orb's fields to change: those not given keep their value.")
@described(ORB)
class OrbStateInput:
    visual_state: OrbVisualState | None = strawberry.UNSET
    emotional_tone: Tone | None = strawberry.UNSET
    energy_level: float | None = strawberry.UNSET
    is_speaking: bool | None = strawberry.UNSET
    position: Vector3Input | None = strawberry.UNSET
    effects: list[OrbEffect] | None = strawberry.UNSET
    focused_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input(description="The scene's fields to change: those not given keep their value.")
@described(SCENE)
class SceneStateInput:
    active: SceneName | None = strawberry.UNSET
    camera_position: Vector3Input | None = strawberry.UNSET
    camera_target: Vector3Input | None = strawberry.UNSET
    zoom: float | None = strawberry.UNSET
    focused_id: strawberry.ID | None = strawberry.UNSET
    mood: Tone | None = strawberry.UNSET
    transition: TransitionKind | None = strawberry.field(
        default=strawberry.UNSET,
        description="How the view moves to the new `active` scene (zoom by default); only with `active`.",
    )


@strawberry.type
class CompanionQuery:
    @strawberry.field(
        description="The viewer's companion: the orb's and the scene's state now (a part not set, or "
        "expired, reads as its defaults)."
    )
    async def companion(self, info: Info) -> Companion:
        return Companion.of(await resolve.current(info.context))


@strawberry.type
class CompanionMutation:
    @strawberry.mutation(
        description="Changes the orb's fields given (the others keep theirs) and starts its time to live "
        "again; followers of companionChanged hear it."
    )
    async def set_orb_state(
        self, info: Info, input: Annotated[OrbStateInput, strawberry.argument(description="What changes.")]
    ) -> Companion:
        changes = await _orb_changes(info, input)
        return Companion.of(await resolve.change_orb(info.context, changes))

    @strawberry.mutation(
        description="Changes the scene's fields given (the others keep theirs) and starts its time to live "
        "again; a new `active` scene records the move from the one before. Followers of "
        "companionChanged hear it."
    )
    async def set_scene_state(
        self, info: Info, input: Annotated[SceneStateInput, strawberry.argument(description="What changes.")]
    ) -> Companion:
        changes = await _scene_changes(info, input)
        kind = input.transition
        transition = str(kind.value) if isinstance(kind, TransitionKind) else None
        return Companion.of(await resolve.change_scene(info.context, changes, transition))


@strawberry.type
class CompanionSubscription:
    @strawberry.subscription(
        description="The viewer's companion state now, then each change of it as it is made (from any "
        "client, on any instance). It never hears a part expire: read expiresAt."
    )
    async def companion_changed(self, info: Info) -> AsyncGenerator[CompanionChange, None]:
        async for state in resolve.follow(info.context):
            yield CompanionChange.of(state)


async def _orb_changes(info: Info, given: OrbStateInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("visual_state", "emotional_tone", "is_speaking"):
        _required(changes, name, getattr(given, name))
    _required(changes, "energy_level", given.energy_level)
    checks.in_range(changes.get("energy_level"), 0, 1, "energy_level")
    if given.position is not strawberry.UNSET:
        changes["position"] = _vector(given.position, "position")
    if given.effects is not strawberry.UNSET:
        changes["effects"] = tuple(dict.fromkeys(effect.value for effect in given.effects or ()))
    if given.focused_id is not strawberry.UNSET:
        changes["focused"] = await _focused(info, given.focused_id)
    return _some(changes)


async def _scene_changes(info: Info, given: SceneStateInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    _required(changes, "active", given.active)
    _required(changes, "mood", given.mood)
    _required(changes, "zoom", given.zoom)
    checks.in_range(changes.get("zoom"), 0.01, 100, "zoom")
    for name in ("camera_position", "camera_target"):
        value = getattr(given, name)
        if value is not strawberry.UNSET:
            changes[name] = _vector(value, name)
    if given.transition is not strawberry.UNSET and "active" not in changes:
        raise BadUserInput("transition goes with a new active scene.", field="transition")
    if given.focused_id is not strawberry.UNSET:
        changes["focused"] = await _focused(info, given.focused_id)
    return _some(changes)


def _required(changes: dict[str, Any], name: str, value: Any) -> None:
    """Takes a field that has a value always: given null, it is refused; not given, it is left."""
    if value is strawberry.UNSET:
        return
    if value is None:
        field = checks.camel(name)
        raise BadUserInput(f"{field} cannot be null: leave it out to keep it.", field=field)
    changes[name] = value.value if isinstance(value, Enum) else value


def _some(changes: dict[str, Any]) -> dict[str, Any]:
    if not changes:
        raise BadUserInput("Give at least one field to change.", field="input")
    return changes


def _vector(value: Vector3Input | None, name: str) -> resolve.Vector | None:
    if value is None:
        return None
    for axis in (value.x, value.y, value.z):
        checks.in_range(axis, -MAX_COORDINATE, MAX_COORDINATE, name)
    return (value.x, value.y, value.z)


async def _focused(info: Info, id: strawberry.ID | None) -> str | None:
    """The node an id names, as "Label:uid", if it is one of the viewer's (NOT_FOUND otherwise)."""
    if id is None:
        return None
    ref = ref_of(id, "focusedId")
    if (await load(info, [(ref.label, ref.uid)]))[0] is None:
        raise NotFound("No node of yours has this id.", id=id)
    return str(ref)


def _global_id(focused: str | None) -> relay.GlobalID | None:
    return relay.GlobalID(*Ref.parse(focused)) if focused else None
