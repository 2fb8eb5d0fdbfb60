"""The deterministic extractor: English patterns, no model, no network (the default).

A text is cut into sentences; in each, the subjects are the owner's people it names (by name, nickname
or unshared first name, found at word boundaries and case folded as the mentions consumer finds them:
dispatch/mention_finder.py), "I"/"my" when the text has a speaker (one of them, or the viewer: then the
claim is about the viewer, stated to them as "You love hiking"), and "he"/"she"/
"his"/"her" when the text names exactly one person besides its speaker. What follows a subject is matched
against the patterns below, in order, the first that matches winning:

- preferences: "X loves / likes / enjoys / is a fan of / is into Y", "X hates / can't stand / doesn't
  like Y", "X's favourite Y is Z";
- facts: "X is allergic to Y", "X is vegetarian", "X's birthday is March 3" (or "3 March", "was born on
  ..."), "X is my sister" and "my sister X" (only when the viewer is the one speaking);
- goals: "X wants to / hopes to / plans to / is training for / is saving for / is learning Y";
- traits: "X is (very) generous / shy / stubborn ..." (a fixed list of trait words);
- patterns: "X always / usually / often gets anxious / stressed ... (before flights)", "X gets
  nervous before ...": a sentiment word with a habit. A sentiment of one moment ("X was sad today") is
  no insight and yields nothing.

A question, a sentence that hedges before its subject ("if", "maybe", "not sure", "wonder") and a past
habit ("used to love") yield nothing.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dispatch.mention_finder import Finder, Name
from extraction import VIEWER, Episode, Person, Proposal, Text
from extraction.episodes import find_all
from graph.refs import Ref

NAME = "deterministic"

_ADV = (
    r"(?:(?:really|absolutely|truly|just|also|still|totally|so|genuinely|secretly|kind of|always|"
    r"definitely|both|all)\s+)*"
)
_BE = r"(?:is|am|are|'s|'m|'re|has been|have been|'s been|'ve been)"
_OBJ = r"(?P<obj>.+)"

_NEGATIVE = re.compile(
    rf"(?:\s+|(?=')){_ADV}(?P<verb>hates?|dislikes?|detests?|loathes?|can't stand|cannot stand|"
    r"(?:doesn't|does not|don't|do not) (?:really )?(?:like|love|enjoy)|"
    rf"{_BE} not (?:a (?:big |huge )?fan of|into)|"
    rf"(?:isn't|aren't) (?:a (?:big |huge )?fan of|into))\s+{_OBJ}",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    rf"(?:\s+|(?=')){_ADV}(?P<verb>loves?|adores?|likes?|enjoys?|collects?|can't get enough of|"
    rf"{_BE} (?:a )?(?:big |huge |massive )?fan of|"
    rf"{_BE} (?:really |so |very )?(?:into|obsessed with|crazy about|passionate about|mad about))\s+{_OBJ}",
    re.IGNORECASE,
)
_ALLERGY = re.compile(
    rf"\s*{_BE}\s+(?:very |severely |deathly |mildly )?(?P<verb>allergic to|intolerant (?:to|of))\s+{_OBJ}",
    re.IGNORECASE,
)
_AVOIDS = re.compile(
    rf"\s+(?P<verb>(?:can't|cannot|doesn't|does not|don't|do not|never|won't) (?:eat|drink|have))\s+{_OBJ}",
    re.IGNORECASE,
)
_DIET = re.compile(
    rf"\s*{_BE}\s+(?:a\s+|strictly\s+)?(?P<obj>vegetarian|vegan|pescatarian|lactose[- ]intolerant|"
    r"gluten[- ]free|teetotal|coeliac|celiac)\b",
    re.IGNORECASE,
)
_GOAL = re.compile(
    rf"(?:\s+|(?=')){_ADV}(?P<verb>wants? to|hopes? to|plans? to|dreams? of|would (?:love|like) to|"
    rf"{_BE} (?:planning|hoping|trying) to|{_BE} (?:training|saving(?: up)?|studying) for|"
    rf"{_BE} learning(?: how)?(?: to)?|{_BE} working towards?)\s+{_OBJ}",
    re.IGNORECASE,
)
# What one wants to do now rather than reach ("wants to know", "hopes to see you"): no goal.
_PASSING = frozenset(
    [
        "know",
        "come",
        "see",
        "talk",
        "meet",
        "ask",
        "say",
        "tell",
        "call",
        "check",
        "speak",
        "chat",
        "be",
        "hear",
        "let",
        "thank",
        "stop",
        "leave",
        "sleep",
    ]
)
_RELATIONS = {
    "mom": "mother",
    "mum": "mother",
    "dad": "father",
    "grandma": "grandmother",
    "grandpa": "grandfather",
    "neighbor": "neighbour",
    "fiance": "fiancé",
    "fiancee": "fiancée",
}
_RELATION_WORDS = (
    r"sister|brother|mother|mom|mum|father|dad|wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|"
    r"fiancee?|daughter|son|aunt|uncle|cousin|niece|nephew|grandmother|grandma|grandfather|grandpa|"
    r"friend|colleague|boss|roommate|flatmate|neighbou?r|godmother|godfather|mentor|coworker"
)
_RELATION_MOD = r"(?:(?:older|younger|big|little|best|oldest|youngest|twin|step|half|baby|closest)[- ]?)*"
_RELATION = re.compile(rf"\s*(?:is|'s)\s+my\s+{_RELATION_MOD}(?P<obj>{_RELATION_WORDS})\b", re.IGNORECASE)
_RELATION_BEFORE = re.compile(rf"\bmy\s+{_RELATION_MOD}(?P<obj>{_RELATION_WORDS})\s*,?\s*$", re.IGNORECASE)
_TRAITS = [
    "kind",
    "generous",
    "shy",
    "introverted",
    "introvert",
    "extroverted",
    "extrovert",
    "outgoing",
    "patient",
    "impatient",
    "funny",
    "stubborn",
    "creative",
    "organised",
    "organized",
    "messy",
    "ambitious",
    "thoughtful",
    "sensitive",
    "optimistic",
    "pessimistic",
    "competitive",
    "adventurous",
    "reserved",
    "loyal",
    "curious",
    "independent",
    "practical",
    "sentimental",
    "romantic",
    "punctual",
    "chatty",
    "calm",
    "perfectionist",
    "frugal",
    "spontaneous",
    "introspective",
    "sociable",
    "forgetful",
    "caring",
    "honest",
    "hardworking",
    "hard-working",
    "lazy",
    "clumsy",
]
_TRAIT = re.compile(
    rf"\s*{_BE}\s+(?:(?:very|so|really|quite|pretty|incredibly|extremely|super|such|an?|a bit|kind of)\s+)*"
    rf"(?P<obj>{'|'.join(re.escape(t) for t in _TRAITS)})(?:\s+person)?"
    r"\s*(?:[.!,;]|$|(?:with|around|about|towards?|in|at)\b)",
    re.IGNORECASE,
)
_EMOTIONS = (
    r"anxious|stressed|nervous|sad|upset|angry|grumpy|happy|excited|overwhelmed|lonely|homesick|cranky|"
    r"moody|tired|emotional|irritable|defensive|jealous|quiet|restless|frustrated|scared|calm"
)
_HABIT = re.compile(
    r"\s+(?P<freq>always|usually|often|tends? to|tend to)\s+"
    r"(?:gets?\s+|feels?\s+|is\s+|becomes?\s+|be\s+|get\s+)?"
    rf"(?:(?:so|very|really|a bit|quite|super)\s+)*(?P<emotion>{_EMOTIONS})\b(?P<rest>.*)",
    re.IGNORECASE,
)
_GETS = re.compile(
    rf"\s+(?:gets?|feels?)\s+(?:(?:so|very|really|a bit|quite|super)\s+)*(?P<emotion>{_EMOTIONS})\s+"
    r"(?P<rest>(?:before|when|whenever|during|around|after|every time)\b.*)",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month{0}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_MONTH.format(1)}\s+(?:the\s+)?{_DAY.format(1)}"
    rf"|(?:the\s+)?{_DAY.format(2)}\s+(?:of\s+)?{_MONTH.format(2)})\b"
)
_OCCASION = re.compile(
    rf"(?:'s)?\s*(?P<what>birthday|anniversary|name day)\s+(?:is|falls)\s+(?:on\s+)?(?:the\s+)?{_DATE}",
    re.IGNORECASE,
)
_BORN = re.compile(rf"\s+was\s+born\s+on\s+(?:the\s+)?{_DATE}", re.IGNORECASE)
# "my goal is to run a marathon", "Ada's dream is to open a bakery"
_AIM = re.compile(
    r"(?:'s)?\s*(?:(?:biggest|main|big|one|long-term)\s+)?(?P<verb>goal|dream|plan|ambition)\s+"
    r"(?:is|for [^,]+ is)\s+to\s+" + _OBJ,
    re.IGNORECASE,
)
_FAVOURITE = re.compile(
    r"(?:'s)?\s*(?:all-time\s+|absolute\s+)?favou?rite\s+(?P<thing>[a-z]+(?:\s+[a-z]+)?)\s+(?:is|are)\s+"
    + _OBJ,
    re.IGNORECASE,
)

_OPENING = re.compile(r"(?:before|when|whenever|during|around|after|every time)\s+", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?]*")
# Where an object's clause ends: another clause begins.
_CLAUSE_END = re.compile(
    r"\s*(?:,|\(|\s-\s|\s—\s|:|\b(?:but|because|although|though|since|when|whenever|while|so|which|"
    r"and (?:she|he|they|i|we|her|his|my)|whereas|except|unless|if|until)\b)",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"\s+(?:so much|a lot|very much|too|as well|lately|these days|now)\s*$", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an|some|any)\s+", re.IGNORECASE)
_UNRESOLVED = {"it", "that", "this", "them", "him", "her", "those", "these", "one", "you", "me", "us"}
_HEDGE = re.compile(
    r"\b(?:if|whether|maybe|perhaps|wonder|wondering|not sure|don't know|do you think|does|did|unless|"
    r"guess|think|thought|imagine|pretend|assume|hypothetically|used to)\b",
    re.IGNORECASE,
)
# "I" as written (a lone lower-case "i" too, as chats write it), "my" in any case.
_SELF = re.compile(r"\b(?P<word>I|i|(?i:my))\b(?!\.)")
_THIRD = re.compile(r"\b(?P<word>he|she|his|her)\b", re.IGNORECASE)
_SAID = re.compile(r"^\s*(?P<who>[^:\n]{1,40}?)\s*:\s+")
_JOINED = re.compile(r"^\s*(?:,|and|&|,\s*and)\s*$", re.IGNORECASE)
MAX_OBJECT_WORDS = 8


@dataclass(frozen=True)
class _Subject:
    """Whom a run of words names, where it ends in the sentence, and how sure that reading is."""

    refs: tuple[Ref, ...]
    start: int
    end: int
    possessive_only: bool = False  # "my", "his", "her": only possessive patterns follow
    certainty: float = 1.0


class PatternExtractor:
    """The deterministic extractor: patterns over sentences, see the module's doc."""

    @property
    def name(self) -> str:
        return NAME

    async def extract(self, text: Text, people: Sequence[Person]) -> list[Proposal]:
        return extract(text, people)

    async def episodes(self, texts: Sequence[Text], people: Sequence[Person]) -> list[Episode]:
        return find_all(texts, people)

    async def close(self) -> None:
        return None


def extract(text: Text, people: Sequence[Person]) -> list[Proposal]:
    """The claims the patterns find in the text about these people, each once (by its key)."""
    by_ref = {person.ref: person for person in people}
    finder = Finder(Name(person.ref, name) for person in people for name in person.names)
    body = text.text.replace("\u2019", "'").replace("\u2018", "'")
    named = {m.target for m in finder.find({"text": body})}
    found: dict[str, Proposal] = {}
    for line in body.splitlines():
        speaker, said = _speaker_of(line, finder, text.speaker)
        others = named - {speaker} if speaker is not None else named
        alone = next(iter(others)) if len(others) == 1 else None
        for match in _SENTENCE.finditer(said):
            sentence = match.group().strip()
            if not sentence or sentence.endswith("?"):
                continue
            for subject in _subjects(sentence, finder, speaker, alone):
                if _HEDGE.search(sentence[: subject.start]):
                    continue
                for proposal in _read(sentence, subject, by_ref, speaker):
                    found.setdefault(proposal.key, proposal)
    return list(found.values())


def _speaker_of(line: str, finder: Finder, speaker: Ref | None) -> tuple[Ref | None, str]:
    """A chat log's line "Ivo: I sneeze near cats" is said by Ivo: its speaker, and the words said."""
    prefix = _SAID.match(line)
    if prefix is not None:
        who = prefix.group("who")
        found = finder.find({"who": who})
        if len(found) == 1 and found[0].start == 0 and found[0].end == len(who):
            return found[0].target, line[prefix.end() :]
    return speaker, line


def _subjects(sentence: str, finder: Finder, speaker: Ref | None, alone: Ref | None) -> list[_Subject]:
    mentions = finder.find({"s": sentence})
    subjects: list[_Subject] = []
    group: list[Ref] = []
    first = 0
    for i, mention in enumerate(mentions):
        if not group:
            first = mention.start
        group.append(mention.target)
        following = mentions[i + 1] if i + 1 < len(mentions) else None
        if following is not None and _JOINED.match(sentence[mention.end : following.start]):
            continue  # "Ada and Ben love ...": one subject of both
        subjects.append(_Subject(tuple(dict.fromkeys(group)), first, mention.end))
        group = []
    if speaker is not None:
        for found in _SELF.finditer(sentence):
            possessive = found.group("word").lower() == "my"
            subjects.append(_Subject((speaker,), found.start(), found.end(), possessive_only=possessive))
    if alone is not None:
        for found in _THIRD.finditer(sentence):
            possessive = found.group("word").lower() in ("his", "her")
            subjects.append(
                _Subject((alone,), found.start(), found.end(), possessive_only=possessive, certainty=0.9)
            )
    return subjects


def _read(sentence: str, subject: _Subject, people: dict[Ref, Person], speaker: Ref | None) -> list[Proposal]:
    """What follows the subject, by the first pattern that matches it; and, for a person named right
    after "my sister", that relation."""
    rest = sentence[subject.end :]
    proposals: list[Proposal] = []
    # Only the viewer's "my sister Ada" / "Ada is my sister" is a relation to the viewer.
    related = speaker == VIEWER and subject.refs != (VIEWER,)
    if related and not subject.possessive_only and len(subject.refs) == 1:
        before = _RELATION_BEFORE.search(sentence[: subject.start])
        if before is not None:
            proposals += _claims(subject, people, "fact", *_relation(before.group("obj")), 0.85)
    possessive: list[tuple[re.Pattern[str], Callable[[re.Match[str]], _Reading | None]]] = [
        (_OCCASION, _occasion),
        (_FAVOURITE, _favourite),
        (_AIM, _aim),
    ]
    plain: list[tuple[re.Pattern[str], Callable[[re.Match[str]], _Reading | None]]] = [
        (_BORN, _born),
        (_ALLERGY, _allergy),
        (_DIET, _diet),
        (_AVOIDS, _avoids),
        (_NEGATIVE, _negative),
        (_GOAL, _goal),
        (_POSITIVE, _positive),
        (_HABIT, _habit),
        (_GETS, _habit),
        (_TRAIT, _trait),
    ]
    if related and not subject.possessive_only:
        plain.insert(0, (_RELATION, _related))
    if subject.possessive_only:
        patterns = possessive
    elif rest.lower().startswith("'s"):
        patterns = possessive + plain
    else:
        patterns = plain
    for pattern, read in patterns:
        matched = pattern.match(rest)
        if matched is None:
            continue
        reading = read(matched)
        if reading is None:
            continue
        category, statement, claim, value, confidence = reading
        proposals += _claims(subject, people, category, statement, claim, value, confidence)
        break
    return proposals


# A reading: category, statement (after the person's name), claim words, value, confidence.
_Reading = tuple[str, str, str, dict[str, Any], float]


def _claims(
    subject: _Subject,
    people: dict[Ref, Person],
    category: str,
    statement: str,
    claim: str,
    value: dict[str, Any],
    confidence: float,
) -> list[Proposal]:
    return [
        Proposal(
            category=category,
            statement=_yours(statement) if ref == VIEWER else f"{people[ref].name}{statement}",
            concerns=(ref,),
            claim=claim,
            value=value,
            confidence=round(confidence * subject.certainty, 3),
        )
        for ref in subject.refs
        if ref in people or ref == VIEWER
    ]


_TO_YOU = {"is": "are", "does": "do", "has": "have"}


def _yours(statement: str) -> str:
    """A statement made after a person's name (" loves jazz", "'s favourite band is Queen") said to the
    viewer: "You love jazz", "Your favourite band is Queen"."""
    if statement.startswith("'s"):
        return f"Your{statement[2:]}"
    verb, _, rest = statement.strip().partition(" ")
    if verb in _TO_YOU:
        verb = _TO_YOU[verb]
    elif re.search(r"(?:sh|ch|ss|x)es$", verb):
        verb = verb[:-2]
    elif verb.endswith("s"):
        verb = verb[:-1]
    return f"You {verb} {rest}".rstrip()


def _object(raw: str) -> str | None:
    """The object of a claim: up to where its clause ends, without trailing fillers; None when it is
    empty, a bare pronoun, or too long to be one thing."""
    cut = _CLAUSE_END.search(raw)
    text = (raw[: cut.start()] if cut else raw).strip().rstrip(".!?\"')").strip()
    text = _TRAILING.sub("", text).strip()
    words = text.split()
    if not words or len(words) > MAX_OBJECT_WORDS or text.lower() in _UNRESOLVED:
        return None
    return text


def _bare(text: str) -> str:
    return _ARTICLE.sub("", text).lower()


_STRONG = ("love", "adore", "can't get enough", "obsessed", "crazy", "passionate", "mad about")
_HATE = ("hate", "detest", "loathe", "can't stand", "cannot stand")


def _positive(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None or thing.lower().startswith("to "):
        return None
    verb = m.group("verb").lower()
    strong = any(word in verb for word in _STRONG)
    said = (
        "loves" if strong else "enjoys" if "enjoy" in verb else "collects" if "collect" in verb else "likes"
    )
    if "fan of" in verb:
        said = "is a fan of"
    value = {"attitude": "likes", "object": thing, "strength": "strong" if strong else "plain"}
    return "preference", f" {said} {thing}", f"likes {_bare(thing)}", value, 0.75 if strong else 0.65


def _negative(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None:
        return None
    verb = m.group("verb").lower()
    strong = any(word in verb for word in _HATE)
    said = "hates" if strong else "dislikes"
    value = {"attitude": "dislikes", "object": thing, "strength": "strong" if strong else "plain"}
    return "preference", f" {said} {thing}", f"dislikes {_bare(thing)}", value, 0.75 if strong else 0.65


def _allergy(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None:
        return None
    verb = m.group("verb").lower()
    if verb.startswith("allergic"):
        return "fact", f" is allergic to {thing}", f"allergic {_bare(thing)}", {"allergy": thing}, 0.85
    return "fact", f" is {verb} {thing}", f"intolerant {_bare(thing)}", {"intolerance": thing}, 0.8


def _avoids(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None:
        return None
    thing = re.sub(r"\s+at all$", "", thing, flags=re.IGNORECASE)
    return "fact", f" does not eat or drink {thing}", f"avoids {_bare(thing)}", {"avoids": thing}, 0.7


def _diet(m: re.Match[str]) -> _Reading:
    diet = m.group("obj").lower().replace(" ", "-")
    return "fact", f" is {diet}", f"diet {diet}", {"diet": diet}, 0.8


def _goal(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None or thing.split()[0].lower() in _PASSING:
        return None
    verb = re.sub(r"^(?:am|are|'m|'re|'s)\b", "is", m.group("verb").lower())
    verb = re.sub(r"^(want|hope|plan|dream)\b", r"\1s", verb)
    verb = "would love to" if verb.startswith("would") else verb
    return "goal", f" {verb} {thing}", f"goal {_bare(thing)}", {"goal": thing}, 0.65


def _aim(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None or thing.split()[0].lower() in _PASSING:
        return None
    return "goal", f" wants to {thing}", f"goal {_bare(thing)}", {"goal": thing}, 0.7


def _relation(word: str) -> tuple[str, str, dict[str, Any]]:
    relation = _RELATIONS.get(word.lower(), word.lower())
    return f" is your {relation}", f"relationship {relation}", {"relationship": relation}


def _related(m: re.Match[str]) -> _Reading:
    return ("fact", *_relation(m.group("obj")), 0.85)


def _trait(m: re.Match[str]) -> _Reading:
    trait = m.group("obj").lower()
    return "trait", f" is {trait}", f"trait {trait}", {"trait": trait}, 0.55


def _habit(m: re.Match[str]) -> _Reading | None:
    emotion = m.group("emotion").lower()
    rest = m.group("rest").strip()
    # "when she skips lunch": the word that opens the clause stays, the clause is cut where the next ends
    opening = _OPENING.match(rest)
    if opening is not None:
        said = _object(rest[opening.end() :])
        when = f"{opening.group().strip()} {said}" if said else None
    else:
        when = _object(rest) if rest else ""
    if when is None:
        return None
    statement = f" gets {emotion}" + (f" {when}" if when else "")
    value = {"emotion": emotion, "when": when or None}
    return "pattern", statement, f"gets {emotion} {_bare(when)}".strip(), value, 0.6


def _date(m: re.Match[str]) -> tuple[int, int] | None:
    month = _MONTHS[(m.group("month1") or m.group("month2")).lower()]
    day = int(m.group("day1") or m.group("day2"))
    return (month, day) if 1 <= day <= 31 else None


_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _occasion(m: re.Match[str]) -> _Reading | None:
    date = _date(m)
    if date is None:
        return None
    what = m.group("what").lower()
    month, day = date
    statement = f"'s {what} is {_MONTH_NAMES[month - 1]} {day}"
    value = {"occasion": what, "month": month, "day": day}
    return "fact", statement, f"{what} {month} {day}", value, 0.85


def _born(m: re.Match[str]) -> _Reading | None:
    date = _date(m)
    if date is None:
        return None
    month, day = date
    value = {"occasion": "birthday", "month": month, "day": day}
    return "fact", f"'s birthday is {_MONTH_NAMES[month - 1]} {day}", f"birthday {month} {day}", value, 0.85


def _favourite(m: re.Match[str]) -> _Reading | None:
    thing = _object(m.group("obj"))
    if thing is None:
        return None
    kind = m.group("thing").lower()
    value = {"attitude": "likes", "favourite": kind, "object": thing}
    return "preference", f"'s favourite {kind} is {thing}", f"favourite {kind} {_bare(thing)}", value, 0.75
