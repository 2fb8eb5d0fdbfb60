"""Conversations and their messages: checked, written, closed (which sets their end) and reopened; a
message appended (never changed: an edit is a new message that supersedes it); the relations that reach
both; and the mediator's view of who spoke and how."""

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from errors import BadUserInput, NotFound, SubscriptionOverflow
from graph import changes, conversations
from graph.changes import Delta
from graph.events import SHARED_NODE_CHANGED, Change, EventKind
from graph.kinds import CONVERSATION, CONVERSATION_SUBJECTS, MESSAGE
from graph.pages import Row
from graph.refs import Ref
from resolvers import checks, live, nodes, working_memory
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

MAX_TITLE = 80  # a conversation's title is its caption in the 3D view, shown whole
MAX_TEXT = conversations.MAX_TEXT
MAX_EMOTIONS = 20
MAX_ATTACHMENTS = 20
MAX_PARTICIPANTS = 50
# The gift agent's session: its stored properties (graph/models.py), by the name its input gives.
GIFT_SESSION = {
    "platform": "gift_platform",
    "budget_cents": "gift_budget_cents",
    "urgency": "gift_urgency",
    "emotional_context": "gift_emotional_context",
    "outcome": "gift_outcome",
}
GIFT_RANGES = {"budget_cents": (0, 10**10), "urgency": (1, 10)}


async def create(
    context: Context,
    values: dict[str, Any],
    about: Ref | None,
    participants: list[str],
    gift_session: dict[str, Any] | None,
) -> Row:
    if len(set(participants)) > MAX_PARTICIPANTS:
        raise BadUserInput(
            f"A conversation has at most {MAX_PARTICIPANTS} participants.", field="participantIds"
        )
    given = {k: v for k, v in values.items() if v is not None}
    values = _checked({"started_at": datetime.now(UTC), **given, **_gift_session(gift_session or {})})
    if values.get("status") == "closed":
        values.setdefault("ended_at", datetime.now(UTC))
    return await context.graph.write(
        conversations.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=values,
        about=_subject(about),
        participants=list(dict.fromkeys(participants)),
    )


async def update(
    context: Context, uid: str, values: dict[str, Any], gift_session: dict[str, Any] | None
) -> Row:
    """Changes the fields given; closing sets the end (now, unless given), reopening clears it."""
    values = _checked({**values, **_gift_session(gift_session or {})})
    if values.get("status") == "closed" and "ended_at" not in values:
        values["ended_at"] = datetime.now(UTC)
    if values.get("status") == "open" and "ended_at" not in values:
        values["ended_at"] = None
    return await nodes.update(context, CONVERSATION, uid, values)


def cleared_gift_session() -> dict[str, Any]:
    """Every field of the gift session cleared (an update's `giftSession: null`)."""
    return dict.fromkeys(GIFT_SESSION)


async def delete(context: Context, uid: str) -> list[str]:
    """Deletes the conversation and its messages (a joint session's partner leaves it: graph/
    conversations.py's delete), and drops its working memory."""
    deleted = await context.graph.write(
        conversations.delete, owner=context.viewer, uid=uid, within=context.scope.kinds
    )
    await working_memory.forget(context, uid)
    return deleted


async def append(
    context: Context,
    conversation: str,
    values: dict[str, Any],
    recipient: str | None,
    attachments: list[str],
    supersedes: str | None,
) -> Row:
    values = {k: v for k, v in values.items() if v is not None}
    # Without text, a voice note: it must carry a recording (the graph checks), whose transcript it takes.
    values["text"] = checks.text(values.get("text"), "text", MAX_TEXT, lines=True)
    if values["text"] is None and not attachments:
        raise BadUserInput(conversations.NO_TEXT, field="text")
    if values["text"] is None and context.settings.transcriber_choice == "none":
        raise BadUserInput(
            "This server transcribes no recordings (KINDRED_TRANSCRIBER=none): say what the message says.",
            field="text",
        )
    values.setdefault("sent_at", datetime.now(UTC))
    checks.ranges(MESSAGE, values)
    values["emotions"] = checks.texts(values.get("emotions") or [], "emotions", MAX_EMOTIONS, 50)
    if recipient is not None and values.get("role") != "participant":
        raise BadUserInput("Only a PARTICIPANT message is said by one of your people.", field="recipientId")
    if len(attachments) > MAX_ATTACHMENTS:
        raise BadUserInput(f"A message carries at most {MAX_ATTACHMENTS} documents.", field="attachmentIds")
    row = await context.graph.write(
        conversations.append,
        owner=context.viewer,
        uid=str(uuid4()),
        conversation=conversation,
        values=values,
        recipient=recipient,
        attachments=attachments,
        supersedes=supersedes,
    )
    await working_memory.appended(context, row, supersedes)
    return row


by_uids = nodes.by_uids_of(CONVERSATION)
messages_by_uids = nodes.by_uids_of(MESSAGE)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    where = {**where, "about": _subject(where.get("about"))}
    return await nodes.page(context, CONVERSATION, conversations.condition(**where), orders, args)


async def mediation(context: Context, uid: str) -> list[dict[str, Any]]:
    return await context.graph.read(conversations.mediation, owner=context.viewer, uid=uid)


# What a live reader of one conversation hears: its messages made (and a voice note's transcript), and
# it deleted; in a joint session, what the partner wrote (their changes reach the viewer's log as
# SharedNodeChanged, a named kind, which the filter lets through); nothing of the layout.
_MESSAGE_CHANGES = live.Filter(labels=frozenset({CONVERSATION.label, MESSAGE.label}), layout=False)
_HEARD = frozenset({Change.CREATED, Change.UPDATED, Change.DELETED})
_MESSAGE_CREATED = EventKind.created(MESSAGE.label)
_MESSAGE_UPDATED = EventKind.updated(MESSAGE.label)


async def live_messages(context: Context, conversation: str, after: int | None) -> AsyncIterator[Row]:
    """The conversation's messages after position `after` (from now on when None), in order of position,
    each once: first those the graph holds, then each as it is appended (an edit too: it is a message
    with its own position); and a voice note sent before its transcript came once more, with it as its
    text. Ends with NOT_FOUND when the conversation is deleted.

    The owner's newest change is read first: a message the graph read after it does not hold was
    appended by a later change, which the change stream replays from the log or hears live. The graph
    is what is delivered: a change only says when to look, so what a lost or late change would have
    brought is read with the next one, and nothing at or below the last position sent is sent again."""
    checks.in_range(after, 0, 2**62, "after")
    owner = context.viewer
    since = await context.graph.read(changes.newest, owner=owner)
    newest = await context.graph.read(conversations.newest_seq, owner=owner, uid=conversation)
    if newest is None:
        raise NotFound("No Conversation of yours has this id.", id=conversation)
    if after is not None and after > newest:
        raise BadUserInput(
            f"after: {after} is beyond this conversation's newest message, {newest}: subscribe with "
            f"after: {newest}, or without it.",
            field="after",
            newest=newest,
        )
    last = newest if after is None else after
    waiting: set[str] = set()  # voice notes sent without their text: sent again once it comes
    async for row in _messages_after(context, conversation, last):
        last = row.node["seq"]
        yield _sent(row, waiting)
    ref = Ref(CONVERSATION.label, conversation)
    try:
        async for delta in live.graph_changes(context, since, _MESSAGE_CHANGES):
            if any(node.label == CONVERSATION.label and node.uid == conversation for node in delta.removed):
                raise NotFound(
                    "This conversation was deleted, or is no longer shared with you.",
                    id=conversation,
                    lastSeq=last,
                )
            kind = EventKind.parse(delta.kind)
            if kind == SHARED_NODE_CHANGED:
                # The partner wrote in a joint session (or changed what they shared): the graph says what.
                if not _names(delta, conversation):
                    continue
                for row in _transcribed(delta, conversation, waiting):
                    waiting.discard(row.uid)
                    yield row
                async for row in _messages_after(context, conversation, last):
                    last = row.node["seq"]
                    yield _sent(row, waiting)
                continue
            if kind.change not in _HEARD:
                continue
            if kind == _MESSAGE_UPDATED:
                for row in _transcribed(delta, conversation, waiting):
                    waiting.discard(row.uid)
                    yield row
                continue
            if kind != _MESSAGE_CREATED:
                continue
            made = [change.row() for change in delta.added if change.label == MESSAGE.label]
            ours = [row for row in made if row.node.get("conversation_uid") == conversation]
            if not ours and not delta.touches(ref):
                continue
            if ours and all(row.node["seq"] <= last for row in ours):  # sent already (read from the graph)
                continue
            if len(ours) == 1 and ours[0].node.get("seq") == last + 1:
                # The next one, as the change read it: no need to read it again.
                last += 1
                yield _sent(ours[0], waiting)
                continue
            async for row in _messages_after(context, conversation, last):
                last = row.node["seq"]
                yield _sent(row, waiting)
    except SubscriptionOverflow:
        raise SubscriptionOverflow(
            f"This subscription fell too far behind and was ended: subscribe again with after: {last} "
            "to receive the rest.",
            lastSeq=last,
        ) from None


def _names(delta: Delta, conversation: str) -> bool:
    """Whether a change names the conversation or one of its messages."""
    if delta.touches(Ref(CONVERSATION.label, conversation)):
        return True
    changed = [c.row() for c in (*delta.added, *delta.updated) if c.label == MESSAGE.label]
    return any(row.node.get("conversation_uid") == conversation for row in changed)


def _sent(row: Row, waiting: set[str]) -> Row:
    """A message as it is sent, noted when it is a voice note still waiting for its text."""
    if not row.node.get("text"):
        waiting.add(row.uid)
    return row


def _transcribed(delta: Delta, conversation: str, waiting: set[str]) -> list[Row]:
    """The voice notes this subscriber was sent without their text, whose transcript this change made
    their text (the one change a current message ever gets)."""
    updated = [change.row() for change in delta.updated if change.label == MESSAGE.label]
    return [
        row
        for row in updated
        if row.uid in waiting
        and row.node.get("conversation_uid") == conversation
        and row.node.get("text")
        and row.node.get("superseded_by") is None
    ]


async def _messages_after(context: Context, conversation: str, after: int) -> AsyncIterator[Row]:
    while True:
        rows = await context.graph.read(
            conversations.messages_after, owner=context.viewer, uid=conversation, after=after
        )
        for row in rows:
            after = row.node["seq"]
            yield row
        if len(rows) < conversations.LIVE_PAGE:
            return


# The relations, each a resolver of the field of that name: a conversation's messages (current, or all),
# participants and subject; a message's conversation, speaker and attachments; and the other ends'.
messages = nodes.relation(conversations.MESSAGES)
all_messages = nodes.relation(conversations.ALL_MESSAGES)
participants = nodes.relation(conversations.PARTICIPANTS)
conversation_of_message = nodes.relation_one(conversations.CONVERSATION_OF_MESSAGE, Order("created_at"))
speaker = nodes.relation_one(conversations.SPEAKER, Order("created_at"))
attachments = nodes.relation(conversations.ATTACHMENTS)
named_concepts = nodes.relation(conversations.NAMED_CONCEPTS)
of_recipient = nodes.relation(conversations.OF_RECIPIENT)
of_occasion = nodes.relation(conversations.OF_OCCASION)
of_conflict = nodes.relation(conversations.OF_CONFLICT)
of_concept = nodes.relation(conversations.OF_CONCEPT)
messages_of_recipient = nodes.relation(conversations.MESSAGES_OF_RECIPIENT)
messages_of_concept = nodes.relation(conversations.MESSAGES_OF_CONCEPT)
messages_of_document = nodes.relation(conversations.MESSAGES_OF_DOCUMENT)


def _subject(about: Ref | None) -> Ref | None:
    if about is not None and about.label not in CONVERSATION_SUBJECTS:
        kinds = ", ".join(CONVERSATION_SUBJECTS)
        raise BadUserInput(f"A conversation is about one of: {kinds}.", field="aboutId")
    return about


def _gift_session(given: dict[str, Any]) -> dict[str, Any]:
    """The gift session's fields given, checked, as the conversation's properties."""
    for name, (low, high) in GIFT_RANGES.items():
        checks.in_range(given.get(name), low, high, name)
    if given.get("platform") is not None:
        given["platform"] = checks.text(given["platform"], "platform", 50)
    if given.get("emotional_context") is not None:
        given["emotional_context"] = checks.text(
            given["emotional_context"], "emotional_context", 2000, lines=True
        )
    return {GIFT_SESSION[name]: value for name, value in given.items()}


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("title") is not None:
        values["title"] = checks.text(values["title"], "title", MAX_TITLE)
    return values
