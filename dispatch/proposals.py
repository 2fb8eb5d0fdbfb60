"""The proposals consumer: what is written becomes proposed insights. A message, observation or memory
created or changed is read by the extractor (extraction/: the deterministic patterns, or a model) for
claims about the owner's people and about the owner themselves, and each claim becomes an Insight with
status `proposed`, the extractor's name (`extractor`), whom it concerns (CONCERNS, or `about_viewer`)
and its evidence (DERIVED_FROM the text, weighted by the extractor's confidence). Whose a text's first
person is: the viewer's in their own memories, observations and conversation turns; a participant's in
the messages the conversation says they said; nobody's in an assistant's turn.

A document's passages are read once the documents consumer has kept them (`propose_document`): its
claims rest on the Document, each link naming the passage (`passage`, its index) it was first read in.

Each claim has a key (extraction.Proposal.key: category, whom, normalised words) and each claim from one
piece of evidence a key of its own, kept on the insight (`claim_keys`):
- a claim already proposed from this evidence (its key kept by any insight, whatever its status) is not
  proposed again: a replay writes nothing, and a rejected claim is never proposed again from the same
  evidence;
- a claim an open insight (proposed or confirmed) already makes gains this evidence instead of a second
  insight; a proposed one's confidence grows with it (1 - (1 - a)(1 - b), at most 0.95);
- a claim only a rejected or outdated insight makes, read from new evidence, is a new proposal.
The same texts' episodes (the moments they tell of) become proposed memories the same way:
dispatch/memory_proposals.py.

When a text no longer says a claim (an edit removed the sentence; a message superseded by its edit says
nothing itself; an observation its review rejected), a proposed insight loses that evidence (and its key
from it), and is deleted when it has none left; a confirmed, rejected or outdated one is left as it is:
the person decided about it. When evidence is deleted, the proposals it leaves with none go too.

The texts are read in a read transaction, the extractor runs outside any transaction (a model's answer
takes seconds), and each owner's proposals are written in one write transaction that reads again what it
compares against. Its own events (Insight...) are no kind it handles.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from dispatch import Event, Services, memory_proposals
from dispatch.mentions import names_of
from extraction import VIEWER, Person, Proposal, Text, key_from
from extraction.patterns import PatternExtractor
from graph import insights, mentions, nodes, proposals
from graph.events import Change, EventKind
from graph.kinds import DOCUMENT, INSIGHT, MEMORY, OUTCOME, RECIPIENT, RESTS_ON
from graph.nodes import Link
from graph.proposals import READ, Proposed, Source
from graph.refs import Ref

NAME = "proposals"
_CHANGES = (Change.CREATED, Change.UPDATED)
_OPEN = ("proposed", "confirmed")
MAX_CONFIDENCE = 0.95
# What an extractor's insights rest on, and the deletions that may take it away (a conversation's takes
# its messages; a gift's its outcome): after one, the proposals left with no evidence go.
_EVIDENCE = (*READ, DOCUMENT.label, OUTCOME.label)
_GONE = (*_EVIDENCE, "Conversation", "Gift")
_DEFAULT = PatternExtractor()


def handles(kind: str) -> bool:
    parsed = EventKind.parse(kind)
    return (
        parsed.subject in _GONE
        if parsed.change == Change.DELETED
        else parsed.change in _CHANGES and (parsed.subject in READ)
    )


async def handle(services: Services, events: Sequence[Event]) -> None:
    texts: dict[str, set[Ref]] = defaultdict(set)
    deleted: dict[str, set[Ref]] = defaultdict(set)
    for event in events:
        if not handles(event.kind):
            continue
        parsed = EventKind.parse(event.kind)
        refs = [Ref.parse(text) for text in event.nodes]
        if parsed.change == Change.DELETED:
            deleted[event.owner].update(ref for ref in refs if ref.label in _EVIDENCE)
            continue
        texts[event.owner].update(ref for ref in refs if ref.label == parsed.subject)
    for owner in sorted(owner for owner, refs in deleted.items() if refs):
        await _sweep(services, owner, deleted[owner])
    for owner in sorted(texts):
        found, people, derived = await services.graph.read(_read, owner=owner, refs=texts[owner])
        await _propose_from(services, owner, found, people, derived)


async def propose_document(services: Services, owner: str, uid: str) -> None:
    """Reads a Document's passages for claims (the documents consumer calls it once they are kept)."""
    found, people, derived = await services.graph.read(_read_document, owner=owner, uid=uid)
    await _propose_from(services, owner, found, people, derived)


async def _propose_from(
    services: Services, owner: str, found: list[Source], people: list[Person], derived: bool
) -> None:
    """Runs the extractor over the texts (outside any transaction) and keeps what they propose now."""
    extractor = services.extractor or _DEFAULT
    by_ref = {person.ref: person for person in people}
    speakers = {source.ref: _speaker(source.speaker, by_ref) for source in found}
    # The moments the same texts tell of, proposed as memories: first, as a model that fails falls back
    # to the rules for them, while the insights wait for it (the event is handed over again).
    await memory_proposals.propose(services, owner, found, people, speakers)
    read: list[tuple[Ref, list[Proposal]]] = []
    passages: dict[str, int] = {}  # a claim's key from its evidence -> the passage it was first read in
    for source in found:
        speaker = speakers[source.ref]
        texts = source.passages or ((-1, source.text or ""),)
        claims: dict[str, Proposal] = {}
        for index, words in texts:
            if not words.strip():
                continue
            for proposal in await extractor.extract(Text(source.ref, words, speaker), people):
                if claims.setdefault(proposal.key, proposal) is proposal and index >= 0:
                    passages[proposal.key_from(source.ref)] = index
        read.append((source.ref, list(claims.values())))
    # Nothing proposed and nothing proposed before to withdraw: no write at all.
    if any(claims for _, claims in read) or derived:
        await services.graph.write(keep, owner=owner, read=read, extractor=extractor.name, passages=passages)


def _speaker(speaker: str | None, people: dict[Ref, Person]) -> Ref | None:
    """Whom a text's first person is, as the extractor takes it: the viewer, one of the people, or none."""
    if speaker == proposals.VIEWER:
        return VIEWER
    ref = Ref(RECIPIENT.label, speaker) if speaker else None
    return ref if ref in people else None


async def sweep_documents(services: Services, owner: str, uids: list[str]) -> None:
    """The proposals that rested on these Documents alone go: the documents consumer calls it before it
    removes Documents out of sight (deleted, or the node they were attached to deleted, which no event
    of theirs tells)."""
    await _sweep(services, owner, {Ref(DOCUMENT.label, uid) for uid in uids})


async def _sweep(services: Services, owner: str, deleted: set[Ref]) -> None:
    """Deletes the proposals that rested on the deleted evidence alone: not one whose evidence a person
    took from it by hand (it rests on nothing too, but on none of these). Insights and memories alike."""
    for kind in (INSIGHT, MEMORY):
        orphans = await services.graph.read(proposals.orphans, owner=owner, kind=kind)
        uids = [
            row["uid"]
            for row in orphans
            if any(key_from(row["claim"], ref) in row["keys"] for ref in deleted)
        ]
        if uids:
            await services.graph.write(proposals.sweep, owner=owner, uids=uids, kind=kind)


async def _read(
    tx: AsyncManagedTransaction, *, owner: str, refs: set[Ref]
) -> tuple[list[Source], list[Person], bool]:
    """The texts, the owner's people, and whether an extractor's insight rests on one of the texts."""
    found = await proposals.sources(tx, owner=owner, refs=refs)
    derived = await proposals.proposed(tx, owner=owner, claims=(), evidence=[s.ref for s in found])
    return found, await people_of(tx, owner=owner), bool(derived)


async def _read_document(
    tx: AsyncManagedTransaction, *, owner: str, uid: str
) -> tuple[list[Source], list[Person], bool]:
    """A Document's passages, the owner's people, and whether an extractor's insight rests on it."""
    found = await proposals.document(tx, owner=owner, uid=uid)
    if found is None:
        return [], [], False
    derived = await proposals.proposed(tx, owner=owner, claims=(), evidence=[found.ref])
    return [found], await people_of(tx, owner=owner), bool(derived)


async def people_of(tx: AsyncManagedTransaction, *, owner: str) -> list[Person]:
    """The owner's people, each with the names the mentions consumer finds them by (their name first)."""
    known = [(ref, texts) for ref, texts in await mentions.names(tx, owner=owner) if ref.label == "Recipient"]
    names: dict[Ref, list[str]] = {ref: [] for ref, _ in known}
    for name in names_of(known):
        if name.text not in names[name.target]:
            names[name.target].append(name.text)
    return [Person(ref, tuple(found)) for ref, found in names.items() if found]


async def keep(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    read: list[tuple[Ref, list[Proposal]]],
    extractor: str,
    passages: dict[str, int] | None = None,
) -> None:
    """Writes what the texts propose now (see the module's doc), with the events of each change;
    `passages` names the passage of a document each claim was read in (by its key from the document)."""
    claims = {proposal.key for _, found in read for proposal in found}
    existing = await proposals.proposed(tx, owner=owner, claims=claims, evidence=[ref for ref, _ in read])
    # Texts that propose something first: an edit's new message takes the claim over before its old
    # version lets go of it, so an insight moves to the new evidence rather than going and coming back.
    for source, found in sorted(read, key=lambda item: not item[1]):
        for proposal in found:
            at = (passages or {}).get(proposal.key_from(source))
            await _propose(tx, owner, source, proposal, existing, extractor, at)
        still = {proposal.key for proposal in found}
        for insight in [i for i in existing if source in i.evidence and i.claim not in still]:
            await _withdraw(tx, owner, source, insight, existing)


async def _propose(
    tx: AsyncManagedTransaction,
    owner: str,
    source: Ref,
    proposal: Proposal,
    existing: list[Proposed],
    extractor: str,
    passage: int | None = None,
) -> None:
    key = proposal.key_from(source)
    if any(key in insight.keys for insight in existing):
        return  # proposed from this evidence before: kept, or rejected for good
    weight: dict[str, Any] = {"weight": proposal.confidence}
    if passage is not None:
        weight["passage"] = passage
    open_ = next((i for i in existing if i.claim == proposal.key and i.status in _OPEN), None)
    if open_ is not None:
        await nodes.link(
            tx, INSIGHT.label, owner=owner, uid=open_.uid, to=Link(RESTS_ON, *source, props=weight)
        )
        values: dict[str, Any] = {"claim_keys": [*open_.keys, key]}
        if open_.status == "proposed":
            grown = 1 - (1 - open_.confidence) * (1 - proposal.confidence)
            open_.confidence = round(min(max(grown, open_.confidence), MAX_CONFIDENCE), 3)
            values["confidence"] = open_.confidence
        await nodes.update(tx, INSIGHT, owner=owner, uid=open_.uid, values=values)
        open_.keys.append(key)
        open_.evidence.add(source)
        return
    row = await insights.create(
        tx,
        owner=owner,
        uid=(uid := str(uuid4())),
        values={
            "category": proposal.category,
            "statement": proposal.statement,
            "value": proposal.value or None,
            "confidence": proposal.confidence,
            "status": "proposed",
            "extractor": extractor,
            "claim": proposal.key,
            "claim_keys": [key],
            "about_viewer": proposal.about_viewer,
        },
        recipients=[ref.uid for ref in proposal.concerns if ref != VIEWER],
        evidence=[],
    )
    await nodes.link(tx, INSIGHT.label, owner=owner, uid=uid, to=Link(RESTS_ON, *source, props=weight))
    existing.append(Proposed(row.node["uid"], proposal.key, "proposed", proposal.confidence, [key], {source}))


async def _withdraw(
    tx: AsyncManagedTransaction, owner: str, source: Ref, insight: Proposed, existing: list[Proposed]
) -> None:
    """The text no longer says the insight's claim: a proposed one lets go of it (and goes when it has
    no evidence left); one the person decided about is left alone."""
    if insight.status != "proposed":
        return
    insight.evidence.discard(source)
    if not insight.evidence:
        await nodes.delete(tx, INSIGHT, owner=owner, uid=insight.uid)
        existing.remove(insight)
        return
    await nodes.unlink(tx, INSIGHT.label, owner=owner, uid=insight.uid, to=Link(RESTS_ON, *source))
    gone = key_from(insight.claim, source)
    insight.keys = [key for key in insight.keys if key != gone]
    await nodes.update(tx, INSIGHT, owner=owner, uid=insight.uid, values={"claim_keys": insight.keys})
