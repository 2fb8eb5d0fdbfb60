"""How well extraction reads people (extraction/): the deterministic extractor's precision and recall on
bench/extraction_set.py's hand-written texts (those the patterns were fixed on, and
those held out), and the model's when OPENAI_API_KEY is set (OPENAI_BASE_URL
for any server speaking its API; KINDRED_OPENAI_INSIGHT_MODEL names the model). Also the time one text
takes each. And the memories proposed from conversations (bench/episodes.py on bench/episode_set.py).

A proposal is right when an expected insight of its text concerns the same person, has the same category
and all its words are in the proposal's statement (each expected insight matched once). Precision: right
proposals of all proposals; recall: expected insights found of all expected.

    ./kindred bench extraction [--show]    (--show: every miss and every wrong proposal)
"""

import argparse
import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from bench import episodes
from bench.extraction_set import CASES, HELD_OUT, NOBODY, PEOPLE, VIEWER_KEY, Case, Expected
from dispatch.mention_finder import words
from extraction import VIEWER, Extractor, Person, Proposal, Text
from extraction.openai_extractor import OpenAIExtractor
from extraction.patterns import PatternExtractor
from graph.refs import Ref
from settings import Settings


@dataclass
class Score:
    proposed: int = 0
    right: int = 0
    expected: int = 0
    found: int = 0
    seconds: float = 0.0
    by_category: Counter[str] = field(default_factory=Counter)  # expected found, per category
    of_category: Counter[str] = field(default_factory=Counter)  # expected, per category
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def _folded(text: str) -> set[str]:
    return {word for _, _, word in words(text)}


def _matches(proposal: Proposal, expected: Expected) -> bool:
    return (
        proposal.concerns == (_ref(expected.person),)
        and proposal.category == expected.category
        and _folded(" ".join(expected.words)) <= _folded(proposal.statement)
    )


def _ref(key: str) -> Ref:
    return VIEWER if key == VIEWER_KEY else Ref("Recipient", key)


def _speaker(key: str | None) -> Ref | None:
    """A case's speaker: None is the viewer's own words, NOBODY an assistant's turn."""
    return VIEWER if key is None else None if key == NOBODY else Ref("Recipient", key)


def score_case(case: Case, proposals: list[Proposal], score: Score) -> None:
    open_ = list(case.expected)
    score.expected += len(case.expected)
    score.proposed += len(proposals)
    for expected in case.expected:
        score.of_category[expected.category] += 1
    for proposal in proposals:
        hit = next((e for e in open_ if _matches(proposal, e)), None)
        if hit is None:
            score.wrong.append(f"{case.text!r} -> {proposal.category}: {proposal.statement}")
            continue
        open_.remove(hit)
        score.right += 1
        score.found += 1
        score.by_category[hit.category] += 1
    score.misses += [f"{case.text!r} -> {e.person} {e.category} {' '.join(e.words)}" for e in open_]


def people() -> list[Person]:
    return [
        Person(Ref("Recipient", p.key), tuple(n for n in (p.name, p.nickname, p.name.split()[0]) if n))
        for p in PEOPLE
    ]


async def evaluate(extractor: Extractor, cases: tuple[Case, ...]) -> Score:
    score = Score()
    known = people()
    for index, case in enumerate(cases):
        speaker = _speaker(case.speaker)
        started = time.perf_counter()
        found = await extractor.extract(Text(Ref("Message", str(index)), case.text, speaker), known)
        score.seconds += time.perf_counter() - started
        score_case(case, found, score)
    return score


def report(name: str, score: Score, texts: int, show: bool) -> None:
    print(
        f"{name}: precision {score.precision:.2f} ({score.right}/{score.proposed}), "
        f"recall {score.recall:.2f} ({score.found}/{score.expected}), "
        f"{score.seconds / texts * 1000:.2f} ms a text over {texts} texts"
    )
    for category in sorted(score.of_category):
        print(f"  {category}: {score.by_category[category]}/{score.of_category[category]} found")
    if show:
        for line in score.misses:
            print(f"  missed: {line}")
        for line in score.wrong:
            print(f"  wrong: {line}")


async def measure(name: str, extractor: Extractor, show: bool) -> None:
    for part, cases in (("tuned on", CASES), ("held out", HELD_OUT)):
        report(f"{name}, {part}", await evaluate(extractor, cases), len(cases), show)


async def main(show: bool) -> None:
    await measure("deterministic", PatternExtractor(), show)
    episodes.measure(people(), show)  # the memories proposed from conversations (deterministic)
    settings = Settings()
    if settings.openai_api_key is None:
        print("model: not measured (OPENAI_API_KEY is not set)")
        return
    model = OpenAIExtractor(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_insight_model,
        max_retries=settings.openai_max_retries,
        timeout_seconds=settings.openai_timeout_seconds,
    )
    try:
        await measure(model.name, model, show)
    finally:
        await model.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--show", action="store_true", help="list every miss and every wrong proposal")
    asyncio.run(main(parser.parse_args().show))
