"""Proposed memories: the moments a message, an observation or a document tells of become memories with
status `proposed` (the proposals consumer, dispatch/proposals.py, calls `propose` with the texts it read).

An episode (extraction/episodes.py) is known by its claim: the scope it was told in (a message's
conversation, or the observation or document itself) and its time ("last saturday"), so the messages of
one conversation that tell of one moment make one memory, not one each; a sentence with no time of its
own joins the conversation's latest proposed episode. As for insights (dispatch/proposals.py), each claim
from one piece of evidence has a key kept on the memory (`claim_keys`):
- an episode already proposed from this evidence is not proposed again: a replay writes nothing, and a
  memory the viewer rejected is never proposed again from the same evidence;
- an episode an open memory (proposed or confirmed) already tells gains this evidence; a proposed one
  also gains the new sentences and people (a confirmed one's words are the viewer's: left as they are);
- a text that no longer tells an episode (an edit, a superseded message, a rejected observation): a
  proposed memory lets go of that evidence, and is deleted when it has none left;
- when evidence is deleted, the proposed memories left resting on nothing go (`sweep`).
The episodes are the extractor's (services.extractor: a model reads the batch's texts together and
names each episode's evidence among them, falling back to the rules when its call fails; else the
rules, text by text). A proposed memory names the extractor that found it (`extractor`), when it
happened (`happened_at`: the time said, counted from its text's own time; none said, none kept) and the
concepts a model named (MENTIONS); the viewer confirms or rejects it with updateMemory's status. It
is no text the insights are read from until it is confirmed.
"""

from collections.abc import Sequence
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from dispatch import Services
from extraction import Episode, Person, Text, key_from
from extraction.patterns import PatternExtractor
from graph import memories, memory_proposals, nodes
from graph.kinds import MEMORY, RESTS_ON
from graph.memory_proposals import CLAIM_PREFIX, ProposedMemory
from graph.nodes import Link
from graph.proposals import Source
from graph.refs import Ref

_OPEN = ("proposed", "confirmed")
_RULES = PatternExtractor()
# The texts episodes are read from: a memory is one already, and never proposes another.
_TOLD_IN = ("Message", "Observation", "Document")


async def propose(
    services: Services,
    owner: str,
    found: Sequence[Source],
    people: Sequence[Person],
    speakers: dict[Ref, Ref | None],
) -> None:
    """Finds the episodes of these texts and keeps what they propose now (see the module's doc)."""
    sources = [source for source in found if source.ref.label in _TOLD_IN]
    if not sources:
        return
    texts = [
        Text(source.ref, words, speakers.get(source.ref), source.at)
        for source in sources
        for words in ([words for _, words in source.passages] or [source.text or ""])
        if words.strip()
    ]
    told = await (services.extractor or _RULES).episodes(texts, people)
    # Each text with the episodes it tells (an episode a model found in several texts, in each of them).
    read = [(source.ref, [e for e in told if source.ref in e.evidence]) for source in sources]
    refs = [ref for ref, _ in read]
    derived = await services.graph.read(memory_proposals.proposed, owner=owner, claims=(), evidence=refs)
    if any(episodes for _, episodes in read) or derived:
        await services.graph.write(keep, owner=owner, read=read)


async def keep(tx: AsyncManagedTransaction, *, owner: str, read: list[tuple[Ref, list[Episode]]]) -> None:
    """Writes what the texts' episodes propose now, with the events of each change."""
    messages = [ref.uid for ref, _ in read if ref.label == "Message"]
    scopes = await memory_proposals.conversations(tx, owner=owner, messages=messages)
    existing = await memory_proposals.proposed(tx, owner=owner, claims=(), evidence=[ref for ref, _ in read])
    # Texts that tell something first: an edit's new message takes an episode over before its old version
    # lets go of it.
    for source, told in sorted(read, key=lambda item: not item[1]):
        scope = f"Conversation:{scopes[source.uid]}" if source.uid in scopes else str(source)
        claims: list[str] = []
        for episode in told:
            claim = await _claim_of(tx, owner, scope, source, episode, existing)
            if claim is None:
                continue  # it continues no episode: nothing to remember it by
            claims.append(claim)
            more = await memory_proposals.proposed(tx, owner=owner, claims=[claim], evidence=())
            existing.extend(m for m in more if m.uid not in {e.uid for e in existing})
            await _propose(tx, owner, source, episode, claim, existing)
        for memory in [m for m in existing if source in m.evidence and m.claim not in claims]:
            await _withdraw(tx, owner, source, memory, existing)


async def _claim_of(
    tx: AsyncManagedTransaction,
    owner: str,
    scope: str,
    source: Ref,
    episode: Episode,
    existing: list[ProposedMemory],
) -> str | None:
    """The episode's claim: by its time; with none, the claim of the episode this text joined before (a
    replay), else the conversation's latest proposed episode, else its own first words (None for one
    that only continues an episode, when there is none to continue)."""
    own = f"{CLAIM_PREFIX}{scope}|{episode.claim}"
    if episode.anchor is not None:
        return own
    prefix = f"{CLAIM_PREFIX}{scope}|"
    joined = next((m.claim for m in existing if source in m.evidence and m.claim.startswith(prefix)), None)
    if joined is not None:
        return joined
    latest = None
    if scope.startswith("Conversation:"):
        latest = await memory_proposals.latest(tx, owner=owner, scope=scope)
    return latest or (None if episode.continues else own)


async def _propose(
    tx: AsyncManagedTransaction,
    owner: str,
    source: Ref,
    episode: Episode,
    claim: str,
    existing: list[ProposedMemory],
) -> None:
    key = key_from(claim, source)
    if any(key in memory.keys for memory in existing):
        return  # told from this evidence before: kept, or rejected for good
    weight = {"weight": episode.confidence}
    open_ = next((m for m in existing if m.claim == claim and m.status in _OPEN), None)
    if open_ is None:
        uid = str(uuid4())
        people = [ref.uid for ref in episode.people]
        made = {
            "kind": "episodic",
            "content": episode.content,
            "status": "proposed",
            "extractor": episode.extractor,
            "claim": claim,
            "claim_keys": [key],
            "tags": [],
            "happened_at": episode.happened_at,
        }
        await memories.create(
            tx, owner=owner, uid=uid, values=made, recipients=people, mentions=list(episode.concepts)
        )
        await nodes.link(tx, MEMORY.label, owner=owner, uid=uid, to=Link(RESTS_ON, *source, props=weight))
        existing.append(ProposedMemory(uid, claim, "proposed", episode.content, set(people), [key], {source}))
        return
    await nodes.link(tx, MEMORY.label, owner=owner, uid=open_.uid, to=Link(RESTS_ON, *source, props=weight))
    open_.keys.append(key)
    open_.evidence.add(source)
    values: dict[str, object] = {"claim_keys": open_.keys}
    if open_.status == "proposed":  # the viewer's confirmed words stay theirs
        if episode.content not in open_.content:
            open_.content = f"{open_.content} {episode.content}"
            values["content"] = open_.content
        for person in [ref.uid for ref in episode.people if ref.uid not in open_.people]:
            await nodes.link(
                tx, MEMORY.label, owner=owner, uid=open_.uid, to=Link("INVOLVES", "Recipient", person)
            )
            open_.people.add(person)
    await nodes.update(tx, MEMORY, owner=owner, uid=open_.uid, values=values)


async def _withdraw(
    tx: AsyncManagedTransaction,
    owner: str,
    source: Ref,
    memory: ProposedMemory,
    existing: list[ProposedMemory],
) -> None:
    """The text no longer tells the memory's episode: a proposed one lets go of it (and goes when it has
    no evidence left); one the viewer decided about is left alone."""
    if memory.status != "proposed":
        return
    memory.evidence.discard(source)
    if not memory.evidence:
        await nodes.delete(tx, MEMORY, owner=owner, uid=memory.uid)
        existing.remove(memory)
        return
    await nodes.unlink(tx, MEMORY.label, owner=owner, uid=memory.uid, to=Link(RESTS_ON, *source))
    gone = key_from(memory.claim, source)
    memory.keys = [key for key in memory.keys if key != gone]
    await nodes.update(tx, MEMORY, owner=owner, uid=memory.uid, values={"claim_keys": memory.keys})
