"""The mentions consumer: text becomes links. A memory, conflict, gift or message written (or a document's
passages extracted) is read for the names of the owner's people and concepts (dispatch/mention_finder.py)
and linked to each it names with MENTIONS and where; a person or concept made or renamed is looked for
in the owner's texts that may name it (graph/mentions.py's `naming`: one statement, a CONTAINS
prefilter), so older texts link to it too.

Each owner's work is one write transaction that reads the names and texts, finds the mentions and writes
only what differs, with its events: delivered twice, the second finds nothing to change and writes
nothing. Its own events (MENTIONSLinked, PassagesLinked) are no kind it handles.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from dispatch import Event, Services
from dispatch.mention_finder import Finder, Mention, Name, words
from graph import mentions
from graph.events import Change, EventKind
from graph.kinds import MENTIONED, MENTIONING
from graph.mentions import PLACES, Changes, Source
from graph.refs import Ref

NAME = "mentions"
_CHANGES = (Change.CREATED, Change.UPDATED)


def handles(kind: str) -> bool:
    parsed = EventKind.parse(kind)
    return parsed.change in _CHANGES and (parsed.subject in MENTIONING or parsed.subject in MENTIONED)


async def handle(services: Services, events: Sequence[Event]) -> None:
    texts: dict[str, set[Ref]] = defaultdict(set)
    named: dict[str, set[Ref]] = defaultdict(set)
    for event in events:
        if not handles(event.kind):
            continue
        subject = EventKind.parse(event.kind).subject
        # The event's own node (its subject's label), not the others it names (a memory's concepts).
        refs = [ref for ref in map(Ref.parse, event.nodes) if ref.label == subject]
        (texts if subject in MENTIONING else named)[event.owner].update(refs)
    for owner in sorted(texts.keys() | named.keys()):
        await services.graph.write(relink, owner=owner, texts=texts[owner], named=named[owner])


async def relink(
    tx: AsyncManagedTransaction, *, owner: str, texts: Iterable[Ref] = (), named: Iterable[Ref] = ()
) -> Changes:
    """Links these texts of the owner, and those that may name the `named` nodes, to what they name
    now; returns what changed."""
    known = await mentions.names(tx, owner=owner)
    names = names_of(known)
    chosen = set(texts)
    named = set(named)
    if named:
        needles = sorted({needle(name.text) for name in names if name.target in named} - {""})
        chosen |= await mentions.naming(tx, owner=owner, needles=needles, targets=named)
    if not chosen:
        return Changes()
    found = await mentions.sources(tx, owner=owner, refs=chosen)
    changes = compare(found, Finder(names))
    if changes:
        documents = {s.ref: s.document for s in found if s.document is not None}
        await mentions.keep(tx, owner=owner, changes=changes, documents=documents)
    return changes


def names_of(known: list[tuple[Ref, list[str]]]) -> list[Name]:
    """The names to look for: each node's names, and a person's first name ("Clara" of "Clara Jensen")
    where no one else of the owner goes by it."""
    names = [Name(ref, text) for ref, texts in known for text in texts]
    firsts: dict[str, set[Ref]] = defaultdict(set)
    for ref, texts in known:
        if ref.label == "Recipient":
            for text in texts:
                cut = words(text)
                if cut:
                    firsts[cut[0][2]].add(ref)
    whole = {tuple(w for _, _, w in words(name.text)) for name in names}
    for ref, texts in known:
        if ref.label != "Recipient" or not texts:
            continue
        cut = words(texts[0])
        if len(cut) > 1 and firsts[cut[0][2]] == {ref} and (cut[0][2],) not in whole:
            start, end, _ = cut[0]
            names.append(Name(ref, texts[0][start:end]))
    return names


def needle(name: str) -> str:
    """What a text that names `name` contains, in lower case: the start of its first word that every
    form the finder folds together shares ("potter" for pottery and potteries)."""
    cut = words(name)
    if not cut:
        return ""
    start, end, folded = cut[0]
    written = name[start:end].lower()
    same = 0
    while same < min(len(written), len(folded)) and written[same] == folded[same]:
        same += 1
    common = written[:same]
    return common[:-1] if common.endswith("y") and len(common) > 1 else common


def compare(found: Iterable[Source], finder: Finder) -> Changes:
    """What to write so that each text's links say what it names now."""
    changes = Changes()
    for source in found:
        wanted = _places(finder.find(source.fields))
        for target, places in wanted.items():
            link = source.links.get(target)
            if link is None:
                changes.added.append((source.ref, target, {"auto": True, **places}))
            elif any(link.get(key) != value for key, value in places.items()):
                changes.updated.append((source.ref, target, places))
        for target, link in source.links.items():
            if target in wanted:
                continue
            if link.get("auto") is True:
                changes.removed.append((source.ref, target))
            elif link.get("starts") is not None:  # a hand link keeps itself, and loses its places
                changes.updated.append((source.ref, target, dict.fromkeys(PLACES)))
    return changes


def _places(found: list[Mention]) -> dict[Ref, dict[str, Any]]:
    by_target: dict[Ref, dict[str, list[Any]]] = {}
    for m in found:
        places = by_target.setdefault(m.target, {key: [] for key in PLACES})
        places["fields"].append(m.field)
        places["starts"].append(m.start)
        places["ends"].append(m.end)
        places["texts"].append(m.text)
    return dict(by_target)
