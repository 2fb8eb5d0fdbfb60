"""Conflict analysis: from the turns of a fight (or of what each partner told the mediator) to what a
couples' mediator points out: the four habits that predict a relationship's end (Gottman's "four
horsemen": criticism, contempt, defensiveness, stonewalling), their antidotes where someone used one,
the topics that set the fight off (triggers), and the patterns between the speakers (one criticizes,
the other defends). Each finding names who said it, the words it rests on and the turn they are in.

One interface, `Analyzer`; `PatternAnalyzer` is the deterministic default (word and phrase patterns, per
speaker, no network). Which one a Kindred instance uses is extraction/model_conflict_analysis.py's
`create_analyzer`: with a model configured, a model through OpenAI's chat API, which falls back to the
deterministic one on any failure.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

HORSEMEN = ("criticism", "contempt", "defensiveness", "stonewalling")
# Each horseman's antidote, as the mediator names it: what a plan asks of whoever used the horseman.
ANTIDOTES = {
    "criticism": "gentle_startup",
    "contempt": "appreciation",
    "defensiveness": "responsibility",
    "stonewalling": "self_soothing",
}


@dataclass(frozen=True)
class Turn:
    """One turn of what is analysed: who said it (a stable key: the message's author or person), the
    name to show for them, its text, and where it is (the message's uid and its position)."""

    speaker: str
    name: str
    text: str
    message: str
    seq: int


@dataclass(frozen=True)
class Finding:
    """Something the analysis found: its kind (horseman, antidote, trigger, pattern), its name
    ("criticism", "money", "criticize_defend"), who (a speaker key, "" for a pattern between both), the
    words quoted, the turn (message uid and position), and how strongly it rests on that turn (0-1)."""

    kind: str
    name: str
    speaker: str
    speaker_name: str
    quote: str
    message: str
    seq: int
    weight: float


@dataclass(frozen=True)
class Result:
    findings: tuple[Finding, ...]
    summary: str
    generator: str
    version: str
    per_speaker: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def patterns(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.findings if f.kind in ("horseman", "pattern")))

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.findings if f.kind == "trigger"))


class Analyzer(Protocol):
    name: str
    version: str

    async def analyze(self, turns: Sequence[Turn]) -> Result: ...


def _patterns(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


# What each habit sounds like. Kept to phrasings that rarely mean anything else, so a calm exchange finds
# nothing: "you always/never" blames a person, not an act; contempt mocks or insults; defensiveness turns
# the blame back or denies it; stonewalling shuts the talk.
SIGNS: dict[str, dict[str, re.Pattern[str]]] = {
    "horseman": {
        "criticism": _patterns(
            r"you always",
            r"you never",
            r"what(?:'s| is) wrong with you",
            r"why can(?:'t|not) you ever",
            r"you(?:'re| are) so (?:lazy|selfish|careless|useless|inconsiderate)",
            r"you don'?t care about",
            r"typical of you",
        ),
        "contempt": _patterns(
            r"whatever",
            r"pathetic",
            r"ridiculous",
            r"you(?:'re| are) (?:an idiot|stupid|a joke|a child|disgusting)",
            r"give me a break",
            r"oh,? poor you",
            r"rolls? (?:my|her|his) eyes",
            r"grow up",
        ),
        "defensiveness": _patterns(
            r"(?:it'?s|that'?s) not my fault",
            r"i didn'?t do anything",
            r"what about you",
            r"well,? you",
            r"i was only",
            r"don'?t blame me",
            r"that'?s not true",
            r"yes,? but",
        ),
        "stonewalling": _patterns(
            r"i(?:'m| am) done talking",
            r"i don'?t want to talk",
            r"leave me alone",
            r"forget it",
            r"i(?:'m| am) not discussing",
            r"not talking about this",
            r"talk to the wall",
            r"walks? out",
            r"silent treatment",
        ),
    },
    "antidote": {
        "gentle_startup": _patterns(r"i feel \w+ when", r"i need (?:us|you) to", r"could we"),
        "appreciation": _patterns(r"thank you", r"i appreciate", r"i(?:'m| am) grateful"),
        "responsibility": _patterns(
            r"you(?:'re| are) right", r"(?<!not )my fault", r"i(?:'m| am) sorry", r"i apologi[sz]e"
        ),
        "self_soothing": _patterns(r"take a break", r"i need a minute", r"can we pause", r"let'?s breathe"),
    },
    "trigger": {
        "money": _patterns(r"money", r"spent", r"spending", r"bills?", r"budget", r"rent"),
        "chores": _patterns(r"dishes", r"chores", r"laundry", r"clean(?:ing|ed)? up", r"trash"),
        "time": _patterns(r"late", r"on time", r"forgot", r"waiting for you"),
        "family": _patterns(r"your (?:mother|mom|father|dad|parents|family|sister|brother)", r"in-?laws"),
        "phone": _patterns(r"(?:your|on the|my) phone", r"texting", r"scrolling"),
        "work": _patterns(r"your job", r"at work", r"working late", r"the office"),
        "intimacy": _patterns(r"intimacy", r"affection", r"touch me", r"sex"),
    },
}
# How much a finding rests on its turn: a horseman or a trigger said outright is strong evidence.
WEIGHTS = {"horseman": 0.9, "antidote": 0.8, "trigger": 0.6, "pattern": 0.7}


class PatternAnalyzer:
    """The deterministic analyzer: each turn's words against SIGNS, per speaker; patterns from the order
    of what each speaker did (a criticism answered by the other's defensiveness, a pursuit met by
    stonewalling, contempt after criticism)."""

    name = "deterministic"
    version = "1"

    async def analyze(self, turns: Sequence[Turn]) -> Result:
        findings = [f for turn in turns for f in _signs(turn)]
        findings += _between(findings)
        return result_of(findings, self.name, self.version)


def result_of(
    findings: Sequence[Finding], generator: str, version: str, summary: str | None = None
) -> Result:
    """An analysis of these findings by this generator: its summary (made from them when none is given)
    and each speaker's count of each habit."""
    counts: dict[str, Counter[str]] = {}
    for f in findings:
        if f.kind == "horseman":
            counts.setdefault(f.speaker, Counter())[f.name] += 1
    per_speaker = {speaker: dict(found) for speaker, found in counts.items()}
    return Result(tuple(findings), summary or _summary(list(findings)), generator, version, per_speaker)


def _signs(turn: Turn) -> list[Finding]:
    found: list[Finding] = []
    for kind, signs in SIGNS.items():
        for name, pattern in signs.items():
            match = pattern.search(turn.text)
            if match is not None:
                quote = _quote(turn.text, match.start(), match.end())
                found.append(
                    Finding(kind, name, turn.speaker, turn.name, quote, turn.message, turn.seq, WEIGHTS[kind])
                )
    return found


def _quote(text: str, start: int, end: int, around: int = 60) -> str:
    """The words found with some of what surrounds them, within their sentence where it is short."""
    left = max(text.rfind(".", 0, start) + 1, start - around, 0)
    right = min([i for i in (text.find(".", end), end + around, len(text)) if i >= 0])
    return text[left:right].strip()


# A pattern between two speakers: one's habit answered by the other's (its name, first, then).
EXCHANGES = {
    "criticize_defend": ("criticism", "defensiveness"),
    "pursue_withdraw": ("criticism", "stonewalling"),
    "escalation": ("criticism", "contempt"),
}


def _between(findings: list[Finding]) -> list[Finding]:
    """Each exchange pattern once: the first turn where one speaker's habit follows the other's."""
    horsemen = sorted((f for f in findings if f.kind == "horseman"), key=lambda f: f.seq)
    found: list[Finding] = []
    for pattern, (first, then) in EXCHANGES.items():
        for before in (f for f in horsemen if f.name == first):
            after = next(
                (
                    f
                    for f in horsemen
                    if f.name == then and f.seq > before.seq and f.speaker != before.speaker
                ),
                None,
            )
            if after is not None:
                found.append(
                    Finding(
                        "pattern", pattern, "", "", after.quote, after.message, after.seq, WEIGHTS["pattern"]
                    )
                )
                break
    return found


def _summary(findings: list[Finding]) -> str:
    horsemen = [f for f in findings if f.kind == "horseman"]
    if not horsemen:
        return "No criticism, contempt, defensiveness or stonewalling was found in what was said."
    by_speaker: dict[str, list[str]] = {}
    for f in horsemen:
        names = by_speaker.setdefault(f.speaker_name or "someone", [])
        if f.name not in names:
            names.append(f.name)
    said = "; ".join(f"{speaker}: {', '.join(names)}" for speaker, names in by_speaker.items())
    triggers = list(dict.fromkeys(f.name for f in findings if f.kind == "trigger"))
    about = f" Set off by: {', '.join(triggers)}." if triggers else ""
    return f"Habits that hurt the talk: {said}.{about}"


@dataclass(frozen=True)
class Step:
    """An action item a plan suggests: its text, whom it is for (speaker keys: users' uids), and a
    note for one of them alone (what they said, and what to try instead)."""

    text: str
    assignees: tuple[str, ...]
    note: str | None = None
    note_for: str | None = None


# What each antidote asks, as an action item.
STEPS = {
    "gentle_startup": "Raise the next complaint gently: say what you feel and what you need, without blame "
    '("I feel ... when ...; could we ...").',
    "appreciation": "Say one thing you appreciate about your partner every day this week.",
    "responsibility": "Own your part: name one thing you would do differently, before anything else.",
    "self_soothing": "When it gets too much, ask for a 20-minute break, calm down, and come back to it.",
}


def suggest_steps(findings: Sequence[dict[str, object]], members: Sequence[str]) -> list[Step]:
    """A plan's steps from an analysis's findings: for each habit someone used, its antidote, for them if
    they are one of the couple's `members` (else for both), with a note for them alone quoting what they
    said; then one step for both, to talk about what set it off."""
    steps: list[Step] = []
    seen: set[tuple[str, str]] = set()
    for found in findings:
        if found.get("kind") != "horseman":
            continue
        speaker, habit = str(found.get("speaker", "")), str(found.get("name", ""))
        if (speaker, habit) in seen or habit not in ANTIDOTES:
            continue
        seen.add((speaker, habit))
        antidote = ANTIDOTES[habit]
        if speaker in members:
            note = f'What you said ("{found.get("quote", "")}") sounded like {habit}. {STEPS[antidote]}'
            steps.append(Step(STEPS[antidote], (speaker,), note, speaker))
        else:
            steps.append(Step(STEPS[antidote], tuple(members)))
    triggers = list(dict.fromkeys(str(f.get("name")) for f in findings if f.get("kind") == "trigger"))
    about = (
        f" about {', '.join(t.replace('_', ' ') for t in triggers)}" if triggers else " about what happened"
    )
    steps.append(
        Step(f"Sit down together for 20 minutes this week and talk{about}, one at a time.", tuple(members))
    )
    return steps
