"""Conversations and their messages: one model for every app's dialogue (a gift search, a mediation, a
rant, a companion chat), with whom it is, what it is about, its messages in order, the gift agent's
session and the mediator's counts as typed views of it."""

import datetime as dt
from collections.abc import AsyncGenerator
from dataclasses import replace
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from graph.refs import Ref
from resolvers import conversations as resolve
from resolvers import documents as document_resolvers
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order, PageArgs
from schema import selection
from schema.concepts import Concept, ConceptOrder
from schema.conflicts import Conflict
from schema.deletion import deleting
from schema.docs import described
from schema.documents import Document, DocumentOrder
from schema.mentions import mentions_of
from schema.nodes import load
from schema.occasions import Occasion
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient, RecipientOrder
from schema.relay import (
    Connection,
    Info,
    OwnedNode,
    Paging,
    attach,
    connection,
    enum_values,
    from_node,
    listing,
    node_uid,
    optional_uid,
    orders,
    related,
    related_one,
    uids,
    values_of,
)


@strawberry.enum(description="What a conversation is for.")
class ConversationPurpose(Enum):
    GIFT_SEARCH = strawberry.enum_value("gift_search", description="Looking for a gift with an agent.")
    MEDIATION = strawberry.enum_value("mediation", description="A mediated talk about a conflict.")
    RANT = strawberry.enum_value("rant", description="Venting, privately.")
    COMPANION = strawberry.enum_value("companion", description="A chat with a companion.")
    OTHER = strawberry.enum_value("other", description="Anything else.")


@strawberry.enum(description="Whether a conversation still takes messages.")
class ConversationStatus(Enum):
    OPEN = strawberry.enum_value("open", description="Going on: messages may be appended.")
    CLOSED = strawberry.enum_value("closed", description="Over: appending is refused (code CLOSED).")


@strawberry.enum(description="Who a message is from.")
class MessageRole(Enum):
    USER = strawberry.enum_value("user", description="The viewer.")
    ASSISTANT = strawberry.enum_value("assistant", description="The app's assistant or agent.")
    PARTICIPANT = strawberry.enum_value(
        "participant", description="Another person in the conversation (one of the viewer's, if named)."
    )
    SYSTEM = strawberry.enum_value("system", description="The app itself (an instruction, a notice).")


@strawberry.enum(description="How a gift search ended.")
class GiftSessionOutcome(Enum):
    COMPLETED = strawberry.enum_value("completed", description="A gift was chosen.")
    ABANDONED = strawberry.enum_value("abandoned", description="It ended without one.")


GIFT_SESSION = {
    "platform": 'Where the search happens ("web", "whatsapp", "instagram"), up to 50 characters.',
    "budget_cents": "The budget, in cents: 0 to 10,000,000,000.",
    "urgency": "How soon the gift is needed: 1 (whenever) to 10 (today).",
    "emotional_context": "What the gift should say or mend, in the viewer's words, up to 2,000 characters.",
    "outcome": "How the search ended; null while it goes on.",
}


@strawberry.type(description="The gift agent's session: fields of its conversation, not a copy of them.")
@described(GIFT_SESSION)
class GiftSession:
    platform: str | None
    budget_cents: int | None
    urgency: int | None
    emotional_context: str | None
    outcome: GiftSessionOutcome | None


@strawberry.input(description="The gift agent's session: only the fields given change; null clears one.")
@described(GIFT_SESSION)
class GiftSessionInput:
    platform: str | None = strawberry.UNSET
    budget_cents: int | None = strawberry.UNSET
    urgency: int | None = strawberry.UNSET
    emotional_context: str | None = strawberry.UNSET
    outcome: GiftSessionOutcome | None = strawberry.UNSET


@strawberry.type(
    description="One speaker of a conversation (the viewer, or one of their people) and how they spoke."
)
class Speaker:
    recipient: Recipient | None = strawberry.field(
        description="Who: one of the viewer's people; null for the viewer."
    )
    message_count: int = strawberry.field(description="How many of the current messages they said.")
    average_sentiment: float | None = strawberry.field(
        description="The average sentiment of those messages (-1 to 1); null when none has one."
    )
    sentiment_trend: list[float] = strawberry.field(
        description="The sentiments of their messages, in the conversation's order (those with one)."
    )


@strawberry.type(
    description="The mediator's view of a conversation, computed from its messages, never stored."
)
class Mediation:
    speakers: list[Speaker] = strawberry.field(
        description="The viewer first, then each of their people who takes part or spoke."
    )


CONVERSATION = {
    "id": "The conversation to change.",
    "purpose": "What it is for.",
    "status": "Whether it takes messages; open by default. Closing it sets its end (now, unless given).",
    "started_at": "When it began; now by default. Give a time zone; it is kept in UTC.",
    "ended_at": "When it ended: not before it began. Set when it is closed; cleared when it is reopened.",
    "created_at": "When it was recorded (UTC).",
    "updated_at": "When it was last changed (UTC).",
    "message_count": "How many current messages it holds (not those superseded by an edit).",
    "title": "What it is called, up to 80 characters.",
    "about_id": "What it is about: one of the viewer's recipients, occasions, conflicts or concepts.",
    "participant_ids": "Whom it is with: ids of the viewer's recipients (up to 50).",
    "gift_session": "The gift agent's session, for a gift search.",
}


def _speaker(row: dict[str, Any], people: dict[str, Any]) -> Speaker:
    return Speaker(
        recipient=people.get(row["speaker"]) if row["speaker"] is not None else None,
        message_count=row["messages"],
        average_sentiment=row["average"],
        sentiment_trend=[float(value) for value in row["trend"]],
    )


MESSAGE = {
    "role": "Who it is from.",
    "text": "What was said, 1 to 20,000 characters. Left out for a voice note (a message carrying an audio "
    "document): it is empty until the recording's transcript arrives, then the transcript (once; not an "
    "edit: one MessageUpdated).",
    "sent_at": "When it was said; now by default. Give a time zone; it is kept in UTC.",
    "sentiment": "How it feels, -1 (negative) to 1 (positive).",
    "emotions": "The emotions it carries, by name (up to 20, each up to 50 characters).",
    "created_at": "When it was recorded (UTC).",
    "seq": "Its position in its conversation: 1, 2, 3 ... as appended, never reused.",
    "conversation_id": "The conversation it is appended to: one of the viewer's, open.",
    "recipient_id": "For a PARTICIPANT message: who said it, one of the viewer's recipients.",
    "attachment_ids": "The documents it carries (images, PDFs, voice notes): ids of the viewer's (up to 20).",
    "supersedes": "The message this one replaces (an edit): one of this conversation's, not yet superseded.",
}


@strawberry.type(
    description="One turn of a conversation, immutable: an edit is a new message that supersedes it."
)
@described(MESSAGE)
class Message(OwnedNode):
    load = staticmethod(resolve.messages_by_uids)
    id: relay.NodeID[str]
    role: MessageRole
    text: str
    sent_at: dt.datetime
    sentiment: float | None
    emotions: list[str]
    created_at: dt.datetime
    seq: int
    replaced_by: strawberry.Private[str | None] = None
    replaced: strawberry.Private[str | None] = None
    heard: strawberry.Private[bool] = False

    @classmethod
    def from_row(cls, row: Any) -> Any:
        made = from_node(cls, row.node)
        made.replaced_by = row.node.get("superseded_by")
        made.replaced = row.node.get("supersedes")
        made.heard = bool(row.node.get("transcribed"))
        return made

    @strawberry.field(
        description="For an edit: the message it replaced; null for a message that is no edit.",
        metadata=selection.reading("supersedes"),
    )
    async def supersedes(self, info: Info) -> "Message | None":
        if self.replaced is None:
            return None
        return (await load(info, [("Message", self.replaced)]))[0]

    @strawberry.field(
        description="Whether its text is the transcript of the voice note it carries (its timings are on "
        "that document's passages). False while a voice note waits for it: its text is empty then, and its "
        "attachment's `status` says how the transcription goes.",
        metadata=selection.reading("transcribed"),
    )
    def transcribed(self) -> bool:
        return self.heard

    @strawberry.field(
        description="The message that replaced it (an edit), if one did.",
        metadata=selection.reading("superseded_by"),
    )
    async def superseded_by(self, info: Info) -> "Message | None":
        if self.replaced_by is None:
            return None
        return (await load(info, [("Message", self.replaced_by)]))[0]

    conversation = related_one(
        Annotated["Conversation", strawberry.lazy("schema.conversations")],
        resolve.conversation_of_message,
        "The conversation it is in.",
    )
    recipient = related_one(Recipient, resolve.speaker, "For a PARTICIPANT message: who said it, if named.")
    attachments = related(Document, DocumentOrder, resolve.attachments, "The documents it carries.")
    mentions = mentions_of("Message")
    concepts = related(Concept, ConceptOrder, resolve.named_concepts, "The concepts its text names.")


@ordering(
    kinds.MESSAGE,
    "messages",
    {
        "seq": "Its position in its conversation.",
        "sent_at": "When it was said.",
        "created_at": "When it was recorded.",
    },
)
class MessageOrder: ...


@strawberry.type(description="A conversation: a gift search, a mediation, a rant, a companion chat.")
@described(CONVERSATION)
class Conversation(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    purpose: ConversationPurpose
    status: ConversationStatus
    started_at: dt.datetime
    ended_at: dt.datetime | None
    created_at: dt.datetime
    message_count: int

    @strawberry.field(
        description=CONVERSATION["title"] + " Empty when it has none.", metadata=selection.reading("title")
    )
    def title(self) -> str:
        return str(self.kept.get("title") or "")

    @strawberry.field(
        description=CONVERSATION["gift_session"] + " Null when none of its fields is set.",
        metadata=selection.reading(*resolve.GIFT_SESSION.values()),
    )
    def gift_session(self) -> GiftSession | None:
        values = {name: self.kept.get(key) for name, key in resolve.GIFT_SESSION.items()}
        if all(value is None for value in values.values()):
            return None
        outcome = values.pop("outcome")
        return GiftSession(**values, outcome=GiftSessionOutcome(outcome) if outcome else None)

    @strawberry.field(
        description="Whether it was made together (a joint mediation session): both members of the couple "
        "it is shared with add messages to it and change it.",
        metadata=selection.reading("made_together"),
    )
    def made_together(self) -> bool:
        return bool(self.kept.get("made_together"))

    @strawberry.field(
        description="Of a rant: whether its author approved it for mediation (an analysis made to be "
        "shared may read it). The rant itself stays its author's alone.",
        metadata=selection.reading("mediation_approved"),
    )
    def mediation_approved(self) -> bool:
        return bool(self.kept.get("mediation_approved"))

    @strawberry.field(
        description="The mediator's view: who spoke how often and how it felt, from its current messages.",
        metadata=selection.reading(),
    )
    async def mediation(self, info: Info) -> Mediation:
        rows = await resolve.mediation(info.context, str(self.id))
        people = [row["speaker"] for row in rows if row["speaker"] is not None]
        found = {
            row.uid: Recipient.from_row(row)
            for row in await recipient_resolvers.by_uids(info.context, people)
        }
        return Mediation(
            speakers=[
                _speaker(row, found) for row in rows if row["speaker"] is None or row["speaker"] in found
            ]
        )

    @strawberry.field(
        description="What it is about: a Recipient, Occasion, Conflict or Concept of the viewer's; or null.",
        metadata=selection.reading("about_ref"),
    )
    async def about(self, info: Info) -> relay.Node | None:
        ref = self.kept.get("about_ref")
        return (await load(info, [Ref.parse(ref)]))[0] if ref else None

    @strawberry.field(
        description="Its messages, paged, in their order (by `seq`) unless asked otherwise.",
        extensions=[Paging()],
        metadata=selection.reading(),
    )
    async def messages(
        self,
        info: Info,
        paging: PageArgs,
        include_superseded: Annotated[
            bool,
            strawberry.argument(description="Also the messages an edit replaced (false: the current ones)."),
        ] = False,
        order_by: Annotated[
            list[MessageOrder] | None,
            strawberry.argument(description="Ordered by these fields, in turn; by position by default."),
        ] = None,
    ) -> Connection[Message]:
        paging = replace(paging, reads=selection.of_connection(info, Message))
        pager = resolve.all_messages if include_superseded else resolve.messages
        rows, count = await pager(info.context, str(self.id), orders(order_by, [Order("seq")]), paging)
        return connection(rows, paging, Message.from_row, count)

    participants = related(Recipient, RecipientOrder, resolve.participants, "Whom it is with.")
    documents = related(
        Document,
        DocumentOrder,
        document_resolvers.of_conversation,
        "Its voice notes: the recordings kept for it (VOICE_NOTE), which its messages carry.",
    )


@strawberry.input(description="A new conversation, with what it is about and whom it is with.")
@described(CONVERSATION)
class CreateConversationInput:
    purpose: ConversationPurpose
    title: str | None = None
    status: ConversationStatus | None = None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    about_id: relay.GlobalID | None = None
    participant_ids: list[relay.GlobalID] | None = None
    gift_session: GiftSessionInput | None = None


@strawberry.input(description="Changes to a conversation: only the fields given change; null clears one.")
@described(CONVERSATION)
class UpdateConversationInput:
    id: relay.GlobalID
    purpose: ConversationPurpose | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    status: ConversationStatus | None = strawberry.UNSET
    started_at: dt.datetime | None = strawberry.UNSET
    ended_at: dt.datetime | None = strawberry.UNSET
    gift_session: GiftSessionInput | None = strawberry.UNSET


@strawberry.input(description="A message to append to a conversation (at its next position).")
@described(MESSAGE)
class AppendMessageInput:
    conversation_id: relay.GlobalID
    role: MessageRole
    text: str | None = None
    sent_at: dt.datetime | None = None
    sentiment: float | None = None
    emotions: list[str] | None = None
    recipient_id: relay.GlobalID | None = None
    attachment_ids: list[relay.GlobalID] | None = None
    supersedes: relay.GlobalID | None = None


@strawberry.input(description="Which conversations to list: all the conditions given hold.")
class ConversationFilter:
    purposes: list[ConversationPurpose] | None = strawberry.field(
        default=None, description="Only these purposes."
    )
    statuses: list[ConversationStatus] | None = strawberry.field(
        default=None, description="Only these statuses."
    )
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those about this node (a recipient, occasion, conflict or concept)."
    )
    participant_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those with this recipient taking part."
    )


@ordering(
    kinds.CONVERSATION,
    "conversations",
    {"started_at": "When it began.", "created_at": "When it was recorded."},
)
class ConversationOrder: ...


# The other ends of their relations reach conversations and messages: those fields are declared here.
attach(
    Recipient,
    "conversations",
    related(
        Conversation,
        ConversationOrder,
        resolve.of_recipient,
        "The conversations they take part in or are about.",
    ),
)
attach(
    Occasion,
    "conversations",
    related(Conversation, ConversationOrder, resolve.of_occasion, "The conversations about it."),
)
attach(
    Conflict,
    "conversations",
    related(Conversation, ConversationOrder, resolve.of_conflict, "The conversations about it."),
)
attach(
    Concept,
    "conversations",
    related(Conversation, ConversationOrder, resolve.of_concept, "The conversations about it."),
)
attach(
    Recipient,
    "messages",
    related(
        Message, MessageOrder, resolve.messages_of_recipient, "The messages they said, or that name them."
    ),
)
attach(
    Concept,
    "messages",
    related(Message, MessageOrder, resolve.messages_of_concept, "The messages that name it."),
)
attach(
    Document,
    "messages",
    related(Message, MessageOrder, resolve.messages_of_document, "The messages that carry it."),
)


def _where(given: ConversationFilter) -> dict[str, Any]:
    about = Ref(given.about_id.type_name, given.about_id.node_id) if given.about_id else None
    return {
        "purposes": enum_values(given.purposes),
        "statuses": enum_values(given.statuses),
        "about": about,
        "participant": node_uid(given.participant_id, "Recipient", "participantId")
        if given.participant_id
        else None,
    }


def _gift_session(given: GiftSessionInput | None) -> dict[str, Any] | None:
    return values_of(given) if given is not None and given is not strawberry.UNSET else None


@strawberry.type
class ConversationQuery:
    conversations = listing(
        Conversation,
        ConversationFilter,
        ConversationOrder,
        [Order("started_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's conversations, the latest first by default.",
    )


@strawberry.type
class ConversationMutation:
    @strawberry.mutation(description="Starts a conversation, with what it is about and whom it is with.")
    async def create_conversation(
        self,
        info: Info,
        input: Annotated[CreateConversationInput, strawberry.argument(description="The conversation.")],
    ) -> Conversation:
        values = values_of(input, leave=("about_id", "participant_ids", "gift_session"))
        about = Ref(input.about_id.type_name, input.about_id.node_id) if input.about_id else None
        participants = uids(input.participant_ids, "Recipient", "participantIds")
        row = await resolve.create(
            info.context, values, about, participants, _gift_session(input.gift_session)
        )
        return Conversation.from_row(row)

    @strawberry.mutation(
        description="Changes a conversation (close it by its status: that sets its end); null clears a field."
    )
    async def update_conversation(
        self,
        info: Info,
        input: Annotated[UpdateConversationInput, strawberry.argument(description="The changes.")],
    ) -> Conversation:
        values = values_of(input, leave=("id", "gift_session"))
        gift: dict[str, Any] | None = (
            resolve.cleared_gift_session()
            if input.gift_session is None
            else _gift_session(input.gift_session)
        )
        uid = node_uid(input.id, "Conversation")
        return Conversation.from_row(await resolve.update(info.context, uid, values, gift))

    delete_conversation = deleting(
        "Conversation",
        resolve.delete,
        "Deletes a conversation and its messages. A joint mediation session is one record of both partners: "
        "its author's delete ends it for both, every message with it; the partner's is their leaving it: "
        "their own messages are deleted and it is no longer shared (it stays its author's, with what they "
        "wrote). deletedCount counts every node deleted.",
        "The conversation.",
    )

    @strawberry.mutation(
        description="Appends a message at its conversation's next position (refused with code CLOSED when "
        "the conversation is closed). Messages never change: to edit one, append its new version with "
        "`supersedes`. A voice note is appended without `text`, carrying its recording (a VOICE_NOTE "
        "document): its transcript becomes the message's text."
    )
    async def append_message(
        self,
        info: Info,
        input: Annotated[AppendMessageInput, strawberry.argument(description="The message.")],
    ) -> Message:
        values = values_of(input, leave=("conversation_id", "recipient_id", "attachment_ids", "supersedes"))
        conversation = node_uid(input.conversation_id, "Conversation", "conversationId")
        recipient = optional_uid(input.recipient_id, "Recipient", "recipientId")
        attachments = uids(input.attachment_ids, "Document", "attachmentIds")
        supersedes = optional_uid(input.supersedes, "Message", "supersedes")
        row = await resolve.append(info.context, conversation, values, recipient, attachments, supersedes)
        return Message.from_row(row)


@strawberry.type
class ConversationSubscription:
    @strawberry.subscription(
        description="A conversation's messages in order of position (`seq`), each once: with `after`, "
        "every message after that position first, then each as it is appended, with none lost or sent "
        "twice across the seam; without it, those appended from now on. An edit arrives as the new "
        "message it is (its own position; the one it replaced reads it as `supersededBy`). Ends with "
        "NOT_FOUND when the conversation is deleted, and with SUBSCRIPTION_OVERFLOW (subscribe again "
        "with `after`) when it falls too far behind."
    )
    async def conversation_messages(
        self,
        info: Info,
        conversation_id: Annotated[
            relay.GlobalID, strawberry.argument(description="The conversation: one of the viewer's.")
        ],
        after: Annotated[
            int | None,
            strawberry.argument(
                description="The last position (`seq`) you have: the messages after it arrive first. "
                "0 for all of them; at most the conversation's newest."
            ),
        ] = None,
    ) -> AsyncGenerator[Message, None]:
        uid = node_uid(conversation_id, "Conversation", "conversationId")
        async for row in resolve.live_messages(info.context, uid, after):
            yield Message.from_row(row)
