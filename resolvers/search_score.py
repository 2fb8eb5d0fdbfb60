"""A search hit's score: the probability, 0 to 1, that it is what the query asks for, from signals computed
on the owner's own data (meaning, words, graph), so it is comparable across queries and across users'
graphs and says nothing about anyone else's data.

The score is a logistic model of the signals whose weights were fitted on the tuning half of the search
evaluation (bench/search_eval.py, `./kindred bench search --fit`), and the floor below which a hit is not
answered was chosen there too: the held-out half measures both (README, "Search").
"""

import math
from dataclasses import dataclass
from enum import Enum


class Signal(Enum):
    """Why a hit matched."""

    WORDS = "WORDS"  # the query's words are in its text (a name of it, a phrase, rare words)
    MEANING = "MEANING"  # its text means what the query says (the embedder's similarity)
    GRAPH = "GRAPH"  # it is near the node the search was asked to look near


@dataclass(frozen=True)
class Features:
    """One candidate's signals: `cosine`, the embedder's similarity of its text to the query (-1..1);
    `coverage`, `named` and `phrase`, its words signal (resolvers/search_words.py); `closeness`, 1 / the
    steps from the `near` node (0 when not near or no `near`); `rerank`, a second stage's relevance
    (0..1) when one ran."""

    cosine: float
    coverage: float = 0.0
    named: float = 0.0
    phrase: float = 0.0
    closeness: float = 0.0
    rerank: float | None = None

    def vector(self) -> list[float]:
        return [self.cosine, self.coverage, self.named, self.phrase, self.closeness]


@dataclass(frozen=True)
class Weights:
    """The logistic model: bias, then one weight per entry of Features.vector()."""

    bias: float
    signals: tuple[float, ...]
    rerank: float = 0.0  # the weight of (rerank - 0.5) when a second stage ran

    def score(self, features: Features) -> float:
        logit = self.bias + sum(w * x for w, x in zip(self.signals, features.vector(), strict=True))
        if features.rerank is not None:
            logit += self.rerank * (features.rerank - 0.5)
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, logit))))


# Fitted on the tuning half of bench/search_set.py with all-MiniLM-L6-v2 (`./kindred bench search
# --fit`), except closeness: no question there searches `near` a node, so its weight is set by hand to
# move a neighbour about as much as a fully covered query does.
WEIGHTS = Weights(bias=-7.094, signals=(9.515, 2.545, 0.604, 0.322, 2.5))
# Hits scoring below this are not answered unless a client asks for less with `minScore:`. Chosen on
# the tuning half as the floor that best sums recall@5 and the share of no-answer questions answered
# empty. Scores are probabilities over every candidate of a query, most of which are not the one asked
# for, so a good hit often scores 0.1 to 0.6 and nonsense under 0.01.
FLOOR = 0.06
# The embedder's similarity from which a hit is said to match in MEANING.
MEANING_FROM = 0.35


def signals(features: Features, found_words: bool) -> list[Signal]:
    """Which signals speak for a hit."""
    said = []
    if found_words:
        said.append(Signal.WORDS)
    if features.cosine >= MEANING_FROM:
        said.append(Signal.MEANING)
    if features.closeness > 0:
        said.append(Signal.GRAPH)
    return said
