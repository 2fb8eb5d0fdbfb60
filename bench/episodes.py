"""How well proposed memories are drawn (extraction/episodes.py, as dispatch/memory_proposals.py groups
them): on bench/episode_set.py's conversations, each message read in turn, the episodes gathered as the
consumer gathers them in one conversation (a time said keys its episode; a sentence with none joins the
latest), and compared with the episodes a careful reader would keep. Precision: right proposed memories
of all proposed; recall: expected episodes found of all expected. Run by `./kindred bench extraction`.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime

from bench.episode_set import HELD_OUT, SENT, TIMES, TUNED, Conversation
from dispatch.mention_finder import words
from extraction import VIEWER, Person, Text
from extraction.episodes import find
from extraction.when import resolve
from graph.refs import Ref


@dataclass
class Told:
    """One proposed memory of a conversation, as the consumer would keep it."""

    content: str
    people: set[str] = field(default_factory=set)


@dataclass
class Score:
    proposed: int = 0
    right: int = 0
    expected: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def gathered(conversation: Conversation, people: list[Person]) -> list[Told]:
    """The memories one conversation proposes, message by message (the consumer's grouping)."""
    by_claim: dict[str, Told] = {}
    latest: str | None = None
    for index, message in enumerate(conversation.messages):
        for episode in find(Text(Ref("Message", str(index)), message, VIEWER), people):
            claim = episode.claim if episode.anchor is not None else (latest or episode.claim)
            if episode.continues and latest is None:
                continue
            told = by_claim.setdefault(claim, Told(""))
            told.content = f"{told.content} {episode.content}".strip()
            told.people |= {ref.uid for ref in episode.people}
            latest = claim
    return list(by_claim.values())


def _folded(text: str) -> set[str]:
    return {word for _, _, word in words(text)}


def evaluate(conversations: tuple[Conversation, ...], people: list[Person]) -> Score:
    score = Score()
    for conversation in conversations:
        started = time.perf_counter()
        proposed = gathered(conversation, people)
        score.seconds += time.perf_counter() - started
        open_ = list(conversation.expected)
        score.expected += len(open_)
        score.proposed += len(proposed)
        for told in proposed:
            hit = next(
                (
                    e
                    for e in open_
                    if set(e.people) == told.people and _folded(" ".join(e.words)) <= _folded(told.content)
                ),
                None,
            )
            if hit is None:
                score.wrong.append(f"{told.content!r} with {sorted(told.people)}")
                continue
            open_.remove(hit)
            score.right += 1
        score.misses += [f"{conversation.messages!r} -> {e.people} {' '.join(e.words)}" for e in open_]
    return score


def measure(people: list[Person], show: bool) -> None:
    for part, conversations in (("tuned on", TUNED), ("held out", HELD_OUT)):
        score = evaluate(conversations, people)
        print(
            f"memory proposals, {part}: precision {score.precision:.2f} ({score.right}/{score.proposed}), "
            f"recall {score.recall:.2f} ({score.right}/{score.expected}), "
            f"{score.seconds / len(conversations) * 1000:.2f} ms a conversation over {len(conversations)}"
        )
        if show:
            for line in score.misses:
                print(f"  missed: {line}")
            for line in score.wrong:
                print(f"  wrong: {line}")
    measure_times(people, show)


def measure_times(people: list[Person], show: bool) -> None:
    """How often a time said resolves to the day a reader would date it to (bench/episode_set.py's TIMES,
    told on SENT), and what it costs (extraction/when.py, through the finder)."""
    sent, right, unresolved, seconds = datetime.fromisoformat(SENT), 0, 0, 0.0
    misses: list[str] = []
    started = time.perf_counter()
    resolve("yesterday", sent)  # dateparser loads its language data once, on its first call
    first = time.perf_counter() - started
    for sentence, expected in TIMES:
        started = time.perf_counter()
        [episode] = find(Text(Ref("Message", "t"), sentence, VIEWER, sent), people)
        seconds += time.perf_counter() - started
        day = episode.happened_at.date().isoformat() if episode.happened_at is not None else None
        unresolved += day is None and expected is not None
        if day == expected:
            right += 1
        else:
            misses.append(f"{sentence!r}: {day} (expected {expected})")
    print(
        f"memory times: {right}/{len(TIMES)} dated to the expected day, {unresolved} said and not resolved, "
        f"{seconds / len(TIMES) * 1000:.2f} ms a sentence (a process's first call: {first * 1000:.0f} ms)"
    )
    if show:
        for line in misses:
            print(f"  time: {line}")
