"""A conversation's working memory: its last turns and the slots an agent is filling, kept hot in the
cache (Redis when REDIS_URL is set, else in process) for `working_memory_ttl_seconds` after its last
write, and rebuilt from the graph when that copy has expired.

The graph is the record: the turns are the conversation's last current messages, and the slots are
kept on the conversation at every write (so a rebuild restores them). The hot copy holds which
messages the turns are (their uids and positions, never their text) and the slots, stamped with the
conversation's last message position and its slots' version: a copy whose stamps are not the
conversation's (an append or a write it missed, by a race or on another instance) is refreshed from the
graph before it is answered, so the turns and slots answered are always the graph's.

Its cache key is under the owner's prefix (`user:<uid>:`), which erasing the account drops whole."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from errors import BadUserInput, NotFound
from graph import working_memory
from graph.kinds import MESSAGE
from graph.pages import Row
from resolvers import checks
from resolvers.context import Context
from resolvers.together import all_of

MAX_SLOTS = 50
MAX_SLOT_NAME = 100
MAX_SLOTS_BYTES = 64 * 1024


@dataclass(frozen=True)
class Memory:
    """The working memory answered: its turns (message uids, in order), slots and expiry, and whether
    it was rebuilt from the graph because there was no hot copy (it had expired, or none was made)."""

    seq: int
    version: int
    turns: list[tuple[int, str]]
    slots: dict[str, Any]
    expires_at: datetime
    rebuilt: bool = False

    def dumps(self) -> str:
        kept = {
            "seq": self.seq,
            "version": self.version,
            "turns": self.turns,
            "slots": self.slots,
            "expires_at": self.expires_at.isoformat(),
        }
        return json.dumps(kept)

    @classmethod
    def loads(cls, text: str) -> "Memory | None":
        """The hot copy kept; None when it is not one this version reads."""
        try:
            kept = json.loads(text)
            turns = [(int(seq), str(uid)) for seq, uid in kept["turns"]]
            expires_at = datetime.fromisoformat(kept["expires_at"])
            return cls(int(kept["seq"]), int(kept["version"]), turns, dict(kept["slots"]), expires_at)
        except (ValueError, KeyError, TypeError):
            return None


def key(owner: str, conversation: str) -> str:
    """The hot copy's cache key: under the owner's prefix, which an account's erasure drops."""
    return f"user:{owner}:conversation:{conversation}"


async def of_conversation(context: Context, uid: str, seq: int, version: int) -> Memory:
    """The working memory of the viewer's conversation `uid`, whose last message position and slots'
    version (as just read with it) are `seq` and `version`: the hot copy when its stamps are those,
    else refreshed from the graph (and `rebuilt` when there was no hot copy at all). Those of every
    conversation of a list are read together: their hot copies at once, then the graph once."""
    if context.working_memories is None:
        context.working_memories = DataLoader(partial(_load, context), cache=False)
    loader: DataLoader[tuple[str, int, int], Memory] = context.working_memories
    return await loader.load((uid, seq, version))


async def _load(context: Context, keys: list[tuple[str, int, int]]) -> list[Memory | NotFound]:
    kept = await all_of(_hot(context, uid) for uid, _seq, _version in keys)
    fresh = {
        uid: hot
        for (uid, seq, version), hot in zip(keys, kept, strict=True)
        if hot is not None and (hot.seq, hot.version) == (seq, version)
    }
    stale = [uid for uid, _seq, _version in keys if uid not in fresh]
    found: dict[str, dict[str, Any]] = {}
    if stale:
        turns = context.settings.working_memory_turns
        uids = list(dict.fromkeys(stale))
        found = await context.graph.read(working_memory.states, owner=context.viewer, uids=uids, turns=turns)

    async def answer(uid: str, hot: Memory | None) -> Memory | NotFound:
        if uid in fresh:
            return fresh[uid]
        if uid not in found:
            return NotFound("No Conversation of yours has this id.", id=uid)
        return await _keep(context, uid, found[uid], rebuilt=hot is None)

    return await all_of(answer(uid, hot) for (uid, _seq, _version), hot in zip(keys, kept, strict=True))


async def set_slots(context: Context, uid: str, slots: Any, merge: bool) -> Memory:
    """Sets the slots given (merged into those kept, where a slot given null is removed; or replacing
    them all), checked, in the graph and the hot copy; the TTL starts again."""
    given = _checked_given(slots)

    def change(current: dict[str, Any]) -> dict[str, Any]:
        merged = {**current, **given} if merge else dict(given)
        return _checked_whole({name: value for name, value in merged.items() if value is not None})

    return await _write(context, uid, change)


async def clear(context: Context, uid: str) -> Memory:
    """Empties the slots (in the graph too) and starts the hot copy again from the graph's turns."""
    return await _write(context, uid, lambda _current: {})


async def appended(context: Context, message: Row, supersedes: str | None) -> None:
    """Pushes a message just appended into its conversation's hot turns, if there is a hot copy and it
    was up to date (else the next read refreshes it: its stamp is behind the conversation's)."""
    conversation, seq = message.node.get("conversation_uid"), message.node.get("seq")
    if context.working_memory is None or conversation is None or seq is None:
        return
    kept = await _hot(context, conversation)
    if kept is None or kept.seq != seq - 1:
        return
    turns = [turn for turn in kept.turns if turn[1] != supersedes] + [(seq, message.uid)]
    latest = turns[-context.settings.working_memory_turns :]
    found = {"seq": seq, "version": kept.version, "slots": kept.slots, "turns": latest}
    await _keep(context, conversation, found, rebuilt=False, held=True)


async def turns(context: Context, memory: Memory) -> list[Row]:
    """The messages of its turns, in order (those of every working memory of a list read at once)."""
    found = await context.loaders.rows.load_many([(MESSAGE, uid) for _seq, uid in memory.turns])
    return [row for row in found if row is not None]


async def forget(context: Context, uid: str) -> None:
    """Drops a (deleted) conversation's hot copy."""
    if context.working_memory is not None:
        await context.working_memory.delete(key(context.viewer, uid))


async def _write(context: Context, uid: str, change: Any) -> Memory:
    found = await context.graph.write(
        working_memory.write_slots,
        owner=context.viewer,
        uid=uid,
        change=change,
        turns=context.settings.working_memory_turns,
    )
    return await _keep(context, uid, found, rebuilt=False)


async def _hot(context: Context, uid: str) -> Memory | None:
    cache = context.working_memory
    text = await cache.get(key(context.viewer, uid)) if cache is not None else None
    return Memory.loads(text) if text is not None else None


async def _keep(
    context: Context, uid: str, found: dict[str, Any], *, rebuilt: bool, held: bool = False
) -> Memory:
    """The working memory `found`, kept as the hot copy for the TTL from now; with `held`, only in place
    of a hot copy still kept (one deleted meanwhile, with its conversation or account, stays deleted)."""
    expires_at = datetime.now(UTC) + timedelta(seconds=context.settings.working_memory_ttl_seconds)
    memory = Memory(found["seq"], found["version"], found["turns"], found["slots"], expires_at, rebuilt)
    if context.working_memory is not None:
        keep = context.working_memory.replace if held else context.working_memory.set
        await keep(key(context.viewer, uid), memory.dumps())
    return memory


def _checked_given(slots: Any) -> dict[str, Any]:
    checks.json_object(slots, "slots", MAX_SLOTS_BYTES)
    if slots is None:
        raise BadUserInput("slots must be a JSON object.", field="slots")
    for name in slots:
        if not 1 <= len(name) <= MAX_SLOT_NAME:
            raise BadUserInput(
                f"A slot's name is 1 to {MAX_SLOT_NAME} characters.", field="slots", slot=name[:MAX_SLOT_NAME]
            )
    if len(slots) > MAX_SLOTS:
        raise BadUserInput(f"A working memory holds at most {MAX_SLOTS} slots.", field="slots")
    return dict(slots)


def _checked_whole(slots: dict[str, Any]) -> dict[str, Any]:
    """The slots a write leaves, within the bounds (checked with those already kept)."""
    if len(slots) > MAX_SLOTS:
        message = f"A working memory holds at most {MAX_SLOTS} slots: remove some (set them to null)."
        raise BadUserInput(message, field="slots")
    size = len(json.dumps(slots, ensure_ascii=False).encode())
    if size > MAX_SLOTS_BYTES:
        raise BadUserInput(f"A working memory's slots are at most {MAX_SLOTS_BYTES} bytes.", field="slots")
    return slots
