"""Episodes: the moments a text tells of, proposed as memories (deterministic: English patterns, no model).

A memory assistant's user expects one memory per moment told, not one per sentence or per message: "We
went to the lake with Sam last Saturday. Sam caught a huge pike." is one episode. So a text is cut into
sentences, and an episode sentence is one that tells of something that happened: a subject ("I", "we",
one of the owner's people, "he"/"she" for the one person the text names) followed closely by a verb of
something done (`_DONE`: went, visited, celebrated, had dinner ...), in the past. An episode starts with
an anchor: a time said ("yesterday", "last weekend", "on Saturday", "in June", "three days ago") or one
of the people; a sentence with neither ("We ate so many pastries.") only continues one: the one before it
in the text, or (a text of such sentences alone, `continues`) the conversation's latest.

The sentences of one text join into episodes: a sentence with a time joins the episode of that time (a
new time starts a new episode); one without joins the episode before it in the text (or starts one). A
question, a hedge ("if", "maybe", "I wish"), a habit ("always", "usually", "used to"), a plan ("will",
"going to", "want to") and a negation ("didn't go") tell of no moment and propose nothing.

Whom an episode involves: the people its sentences name (and the one "he"/"she" stands for). Its
`anchor` is the time as said, folded ("last saturday"), or None: the consumer (dispatch/memory_proposals.py)
joins an episode with no time of its own to the conversation's latest one. When it happened
(`happened_at`) is that time counted from the text's own (extraction/when.py).
"""

import re
from collections.abc import Sequence

from dispatch.mention_finder import Finder, Name
from extraction import Episode, Person, Text
from extraction.when import resolve
from graph.refs import Ref

NAME = "deterministic"

_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_PERIODS = r"(?:night|week|weekend|month|year|summer|winter|spring|autumn|fall|christmas|easter|time)"
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|a couple of)"
_WHEN = re.compile(
    rf"\b(?P<when>yesterday(?:\s+(?:morning|afternoon|evening))?|last\s+{_PERIODS}|last\s+{_WEEKDAYS}"
    rf"|this\s+(?:morning|afternoon|evening|past\s+{_PERIODS})|earlier\s+today|tonight"
    rf"|on\s+{_WEEKDAYS}(?:\s+(?:morning|afternoon|evening|night))?"
    rf"|in\s+{_MONTHS}(?:\s+\d{{4}})?|in\s+(?:19|20)\d\d"
    rf"|on\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:\s+\d{{4}})?"
    rf"|on\s+{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|{_NUMBER}\s+(?:days?|weeks?|months?|years?)\s+ago)\b",
    re.IGNORECASE,
)
# Verbs of something done, in the past (a moment, not a state): what makes a sentence an episode's.
_DONE = re.compile(
    r"\b(?:went|visited|celebrated|had\s+(?:a|an|our|the|some|dinner|lunch|breakfast|brunch|drinks|coffee)"
    r"|met|took|threw|spent|hiked|walked|drove|flew|travell?ed|played|ran|baked|cooked|danced|ate|stayed"
    r"|moved|won|finished|graduated|got\s+\w+|married"
    r"|proposed|called|argued|fought|surprised|bought|gave|made|watched|saw|tried|climbed|swam|camped"
    r"|caught|sang|painted|built|planted|picked|fixed|organi[sz]ed|hosted|joined|left|arrived|landed"
    r"|started|adopted|broke|fell|cried|laughed|talked|told|showed|helped|brought|sailed|skied|surfed"
    r"|biked|cycled|rode|explored|toured|shared)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"\b(?:I|we|he|she|they)\b", re.IGNORECASE)
_NOT_A_MOMENT = re.compile(
    r"\b(?:if|maybe|perhaps|might|wish|hope|will|would|going\s+to|gonna|want(?:s|ed)?\s+to|plan(?:s|ned)?"
    r"\s+to|always|usually|often|never|every|used\s+to|didn't|did\s+not|haven't|hasn't|couldn't|can't)\b",
    re.IGNORECASE,
)
_THIRD = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_SAID = re.compile(r"^\s*(?P<who>[^:\n]{1,40}?)\s*:\s+")
# How far (in characters) the verb may follow its subject: "We finally went", "Sam and I had dinner".
_REACH = 40
CONFIDENCE = 0.6  # one sentence telling of a moment
CONFIDENCE_MORE = 0.8  # two or more, or a time said


def find_all(texts: Sequence[Text], people: Sequence[Person]) -> list[Episode]:
    """The episodes each text tells of, text by text (each its own evidence)."""
    return [episode for text in texts if text.text.strip() for episode in find(text, people)]


def find(text: Text, people: Sequence[Person]) -> list[Episode]:
    """The episodes the text tells of, in the order told, each when it happened (the time said, counted
    from the text's own time)."""
    finder = Finder(Name(person.ref, name) for person in people for name in person.names)
    body = text.text.replace("\u2019", "'").replace("\u2018", "'")
    named = {m.target for m in finder.find({"text": body})}
    episodes: list[tuple[str | None, list[str], list[Ref]]] = []
    alone: list[str] = []  # sentences before any episode of this text that name no time and no one
    for line in body.splitlines():
        speaker, said = _speaker_of(line, finder, text.speaker)
        for match in _SENTENCE.finditer(said):
            sentence = match.group().strip()
            told = _told(sentence, finder, named)
            if told is None:
                continue
            anchor, found = told
            if anchor is None and not found and not episodes:
                alone.append(sentence)  # may continue the conversation's latest episode
                continue
            found = [*speaker, *found]  # who told it was there ("we", "I")
            current = episodes[-1] if episodes else None
            if current is None or (anchor is not None and current[0] not in (None, anchor)):
                episodes.append((anchor, [sentence], found))
                continue
            if anchor is not None and current[0] is None:
                episodes[-1] = (anchor, current[1], current[2])
            episodes[-1][1].append(sentence)
            episodes[-1][2].extend(found)
    found_episodes = [_episode(text, anchor, sentences, found) for anchor, sentences, found in episodes]
    if alone and not episodes:
        return [Episode(" ".join(alone), (), None, CONFIDENCE, continues=True, evidence=(text.source,))]
    return found_episodes


def _speaker_of(line: str, finder: Finder, speaker: Ref | None) -> tuple[list[Ref], str]:
    """Who tells the line, as a person to involve (a chat log's "Leo: ..." or a participant's message;
    the viewer is no node to involve), and its words."""
    prefix = _SAID.match(line)
    if prefix is not None:
        found = finder.find({"who": prefix.group("who")})
        if len(found) == 1:
            return [found[0].target], line[prefix.end() :]
    return ([speaker] if speaker is not None and speaker.label == "Recipient" else []), line


def _told(sentence: str, finder: Finder, named: set[Ref]) -> tuple[str | None, list[Ref]] | None:
    """Whether the sentence tells of a moment: its time (folded, or None) and the people it names."""
    if sentence.endswith("?") or _NOT_A_MOMENT.search(sentence):
        return None
    done = _DONE.search(sentence)
    if done is None:
        return None
    mentions = finder.find({"s": sentence})
    people = [m.target for m in mentions]
    starts = [m.start for m in mentions] + [m.start() for m in _SUBJECT.finditer(sentence)]
    if not any(0 <= done.start() - start <= _REACH for start in starts):
        return None
    if not people and len(named) == 1 and _THIRD.search(sentence):
        people = list(named)
    when = _WHEN.search(sentence)
    anchor = " ".join(when.group("when").lower().split()) if when else None
    return anchor, people


def _episode(text: Text, anchor: str | None, sentences: list[str], people: list[Ref]) -> Episode:
    sure = CONFIDENCE_MORE if anchor is not None or len(sentences) > 1 else CONFIDENCE
    return Episode(
        " ".join(sentences),
        tuple(dict.fromkeys(people)),
        anchor,
        sure,
        happened_at=resolve(anchor, text.at),
        evidence=(text.source,),
        extractor=NAME,
    )


__all__ = ["Episode", "find", "find_all"]
