"""A conversation's working memory: its last turns and the slots an agent is filling, kept hot with a
time to live and rebuilt from the graph when it has expired (resolvers/working_memory.py)."""

import datetime as dt
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from resolvers import working_memory as resolve
from schema import selection
from schema.conversations import Conversation, Message
from schema.relay import Info, attach, node_uid

SLOTS = (
    "What the agent is filling, as a JSON object: slot name (1 to 100 characters) -> any JSON value; at "
    "most 50 slots and 64 KB in all. Kept on the conversation too, so they outlive the hot copy."
)


@strawberry.type(
    description="A conversation's working memory: its last turns and the slots an agent is filling, kept "
    "hot for a while after each write (KINDRED_WORKING_MEMORY_TTL_SECONDS) and rebuilt from the graph "
    "when that copy has expired."
)
class WorkingMemory:
    memory: strawberry.Private[resolve.Memory]
    slots: JSON = strawberry.field(description=SLOTS)
    expires_at: dt.datetime = strawberry.field(
        description="When the hot copy expires unless written again (a slot set, a message appended)."
    )
    rebuilt: bool = strawberry.field(
        description="Whether it was rebuilt from the graph just now, because there was no hot copy (it had "
        "expired, or none was made yet)."
    )

    @classmethod
    def of(cls, memory: resolve.Memory) -> "WorkingMemory":
        slots = cast(JSON, memory.slots)
        return cls(memory=memory, slots=slots, expires_at=memory.expires_at, rebuilt=memory.rebuilt)

    @strawberry.field(
        description="The conversation's last current messages (KINDRED_WORKING_MEMORY_TURNS of them, 20 by "
        "default), in their order: the newest last."
    )
    async def turns(self, info: Info) -> list[Message]:
        return [Message.from_row(row) for row in await resolve.turns(info.context, self.memory)]


async def _working_memory(root: Any, info: Info) -> WorkingMemory:
    kept = root.kept
    seq, version = int(kept.get("message_seq") or 0), int(kept.get("working_version") or 0)
    return WorkingMemory.of(await resolve.of_conversation(info.context, str(root.id), seq, version))


attach(
    Conversation,
    "working_memory",
    strawberry.field(
        resolver=_working_memory,
        description="Its working memory: its last turns and the slots an agent is filling.",
        metadata=selection.reading("message_seq", "working_version"),
    ),
)

CONVERSATION_ID = "The conversation: one of the viewer's."


@strawberry.type
class WorkingMemoryMutation:
    @strawberry.mutation(
        description="Sets slots of a conversation's working memory: merged into those it has (a slot given "
        "null is removed), or replacing them all (merge: false). Starts its time to live again."
    )
    async def set_working_memory_slots(
        self,
        info: Info,
        conversation_id: Annotated[relay.GlobalID, strawberry.argument(description=CONVERSATION_ID)],
        slots: Annotated[JSON, strawberry.argument(description=SLOTS)],
        merge: Annotated[
            bool, strawberry.argument(description="Merge into the slots kept (true), or replace them all.")
        ] = True,
    ) -> WorkingMemory:
        uid = node_uid(conversation_id, "Conversation", "conversationId")
        return WorkingMemory.of(await resolve.set_slots(info.context, uid, slots, merge))

    @strawberry.mutation(
        description="Empties a conversation's working memory: its slots go (from the graph too) and its hot "
        "copy starts again from its last messages."
    )
    async def clear_working_memory(
        self,
        info: Info,
        conversation_id: Annotated[relay.GlobalID, strawberry.argument(description=CONVERSATION_ID)],
    ) -> WorkingMemory:
        uid = node_uid(conversation_id, "Conversation", "conversationId")
        return WorkingMemory.of(await resolve.clear(info.context, uid))
