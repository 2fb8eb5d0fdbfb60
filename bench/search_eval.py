"""The search evaluation: Maya's graph (bench/search_set.py) made through Kindred's own API in a fresh
Neo4j, every question asked, and recall@1, recall@5, MRR and the false-hit rate on no-answer questions
reported for each ranking stage on the held-out half (and the tuning half beside it).

Stages: `vectors`, the embedder's similarity alone (its own logistic fit and floor); `+words`, the
signals search ranks by (meaning, the words signal computed on the owner's data), with the weights and
floor the server ships (resolvers/search_score.py); with --fit, also those refitted on the tuning half
here (what to paste there). A reranking stage runs when a reranker is installed: none is (README).

    python -m bench.search_eval [--fit]     (./kindred bench search eval [--fit])
"""

import argparse
import asyncio
import json
import pickle
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from asgi_lifespan import LifespanManager
from strawberry import relay

from app import create_app
from bench.pdfs import pdf
from bench.search_set import CONCEPTS, CONFLICTS, DOCUMENTS, GIFTS, MEMORIES, PEOPLE, Question, halves
from graph.driver import Graph
from graph.refs import Ref
from localneo4j import LocalNeo4j, free_port
from resolvers import search
from resolvers.context import Context
from resolvers.search_score import FLOOR, WEIGHTS, Features, Weights
from settings import Settings

RECALL_AT = 5
RIDGE = 0.5  # the L2 penalty of the ranking fit: keeps a nearly separable signal's weight finite
UPLOAD = """mutation ($file: Upload!, $to: ID!) {
  uploadDocument(file: $file, attachTo: $to, role: PROFILE) { id } }"""
SIGN_UP = """mutation ($e: String!, $p: String!) {
  signUp(email: $e, password: $p, name: "Maya") { token user { id } } }"""
SECRET = "a-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105 -- a throwaway instance's


@dataclass
class Asked:
    """One question's candidates in both modes, and the time each took."""

    question: Question
    hybrid: list[search.Candidate]
    vectors: list[search.Candidate]
    milliseconds: float


class Api:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http, self.token = http, token

    async def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = (
            await self.http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        ).json()
        assert "errors" not in answer, answer
        return dict(answer["data"])

    async def upload(self, to: str, name: str, data: bytes) -> str:
        operations = {"query": UPLOAD, "variables": {"file": None, "to": to}}
        form = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
        headers = {"Authorization": f"Bearer {self.token}", "Apollo-Require-Preflight": "true"}
        answer = (
            await self.http.post(
                "/graphql", data=form, files={"0": (name, data, "application/pdf")}, headers=headers
            )
        ).json()
        assert "errors" not in answer, answer
        return str(answer["data"]["uploadDocument"]["id"])


def _uid(global_id: str) -> Ref:
    parsed = relay.GlobalID.from_id(global_id)
    return Ref(parsed.type_name, parsed.node_id)


async def build(api: Api) -> dict[str, Ref]:
    """Maya's graph, through the API: the Ref of every key."""
    refs: dict[str, Ref] = {}
    concept = "mutation ($input: ConceptInput!) { createConcept(input: $input) { id } }"
    for name, description in CONCEPTS.items():
        made = await api.data(concept, {"input": {"name": name, "description": description}})
        refs[f"k:{name}"] = _uid(made["createConcept"]["id"])
    person = "mutation ($input: CreateRecipientInput!) { createRecipient(input: $input) { id } }"
    link = "mutation ($f: ID!, $t: ID!) { link(from: $f, to: $t, kind: INTERESTED_IN) { changed } }"
    ids: dict[str, str] = {}
    for p in PEOPLE:
        relationship = {"kind": p.kind, "label": p.label}
        made = await api.data(
            person, {"input": {"name": p.name, "nickname": p.nickname, "relationship": relationship}}
        )
        ids[p.key] = made["createRecipient"]["id"]
        refs[f"p:{p.key}"] = _uid(ids[p.key])
        for interest in p.interests:
            concept_id = relay.GlobalID("Concept", refs[f"k:{interest}"].uid)
            await api.data(link, {"f": ids[p.key], "t": str(concept_id)})
    memory = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
    for key, (content, place, people) in MEMORIES.items():
        made_input = {
            "kind": "EPISODIC",
            "content": content,
            "place": place,
            "recipientIds": [ids[p] for p in people],
        }
        refs[f"m:{key}"] = _uid((await api.data(memory, {"input": made_input}))["createMemory"]["id"])
    gift = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"
    for key, (name, description, category, who) in GIFTS.items():
        gift_input = {
            "name": name,
            "description": description,
            "category": category,
            "recipientIds": [ids[who]],
        }
        refs[f"g:{key}"] = _uid((await api.data(gift, {"input": gift_input}))["createGift"]["id"])
    conflict = "mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id } }"
    for key, (who, summary, topics) in CONFLICTS.items():
        conflict_input = {"recipientId": ids[who], "summary": summary, "topics": list(topics)}
        refs[f"c:{key}"] = _uid((await api.data(conflict, {"input": conflict_input}))["createConflict"]["id"])
    for key, (who, filename, pages) in DOCUMENTS.items():
        refs[f"d:{key}"] = _uid(await api.upload(ids[who], filename, pdf(*pages)))
    return refs


@asynccontextmanager
async def kindred(folder: Path) -> AsyncIterator[tuple[Api, Context]]:
    """A fresh Neo4j and Kindred with its dispatcher, and one user, Maya: her API client and her Context."""
    server = LocalNeo4j(folder / "neo4j", free_port(), heap="768m")
    server.start()
    try:
        settings = Settings(
            _env_file=None,
            NEO4J_URI=server.uri,
            data_dir=folder / "data",
            jwt_secret=SECRET,
            rate_limit_per_ip="100000/minute",
            rate_limit_per_user="100000/minute",
            rate_limit_per_email="100000/minute",
            dispatch=True,
        )
        graph = Graph.connect(server.uri, None, settings.neo4j_database)
        app = create_app(settings, graph)
        async with LifespanManager(app, startup_timeout=300) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kindred.bench") as http:
                variables = {"e": "maya@example.com", "p": "correct horse battery"}
                answer = (await http.post("/graphql", json={"query": SIGN_UP, "variables": variables})).json()
                token = answer["data"]["signUp"]["token"]
                owner = _uid(answer["data"]["signUp"]["user"]["id"]).uid
                state = manager._state
                context = Context(None, None, settings, graph, "bench", viewer_uid=owner)
                context.embedder, context.vectors = state["embedder"], state["vectors"]
                api = Api(http, token)
                api.dispatcher = state["dispatcher"]  # type: ignore[attr-defined]
                yield api, context
        await graph.close()
    finally:
        server.stop()


async def ask_all(api: Api, context: Context, questions: list[Question]) -> list[Asked]:
    asked = []
    for question in questions:
        started = time.perf_counter()
        hybrid = await search.candidates(context, question.text)
        milliseconds = (time.perf_counter() - started) * 1000
        vectors = await search.candidates(context, question.text, hybrid=False)
        asked.append(Asked(question, hybrid, vectors, milliseconds))
    return asked


def key_of(candidate: search.Candidate, keys: dict[Ref, str]) -> str | None:
    """The key of the node a hit answers (a passage answers its document)."""
    if candidate.chunk is not None:
        return keys.get(Ref("Document", str(candidate.chunk["document"])))
    return keys.get(candidate.ref)


@dataclass(frozen=True)
class Stage:
    name: str
    weights: Weights
    floor: float
    hybrid: bool = True
    # Keeps only the signals a stage uses (vectors alone: the similarity).
    only_cosine: bool = False


def _features(candidate: search.Candidate, stage: Stage) -> search.Candidate:
    if not stage.only_cosine:
        return candidate
    return replace(candidate, features=Features(cosine=candidate.features.cosine))


def ranking(asked: Asked, stage: Stage, keys: dict[Ref, str], floor: float | None = None) -> list[str | None]:
    pool = [_features(c, stage) for c in (asked.hybrid if stage.hybrid else asked.vectors)]
    hits = search.ranked(pool, stage.weights, stage.floor if floor is None else floor, 10)
    by_ref = {c.ref: c for c in pool}
    return [key_of(by_ref[Ref(hit.label, hit.uid)], keys) for hit in hits]


def metrics(
    asked: list[Asked], stage: Stage, keys: dict[Ref, str], floor: float | None = None
) -> dict[str, float]:
    answerable = [a for a in asked if a.question.target is not None]
    empty = [a for a in asked if a.question.target is None]
    at1 = at5 = reciprocal = 0.0
    for a in answerable:
        ranked = ranking(a, stage, keys, floor)
        if a.question.target in ranked:
            rank = ranked.index(a.question.target) + 1
            at1 += rank == 1
            at5 += rank <= RECALL_AT
            reciprocal += 1 / rank
    false_hits = sum(1 for a in empty if ranking(a, stage, keys, floor))
    count = max(1, len(answerable))
    return {
        "recall@1": at1 / count,
        "recall@5": at5 / count,
        "MRR": reciprocal / count,
        "false hits": false_hits / max(1, len(empty)),
    }


def fit(asked: list[Asked], keys: dict[Ref, str], only_cosine: bool) -> Weights:
    """The weights of the signals, fitted in two steps on these questions' candidates: first how they
    rank (a conditional logit: the target's share of a softmax over its question's candidates, by
    Newton's method with a little L2), then what that ranking value means (a logistic fit of relevant
    or not over every candidate, no-answer questions' too), so that the score is a probability."""
    stage = Stage("fit", WEIGHTS, 0.0, hybrid=not only_cosine, only_cosine=only_cosine)
    groups, values, labels = [], [], []
    for a in asked:
        pool = asked_pool(a, stage)
        rows = np.array([c.features.vector() for c in pool]) if pool else np.zeros((0, 5))
        relevant = [key_of(c, keys) == a.question.target for c in pool]
        labels.extend(relevant)
        values.append(rows)
        if any(relevant):
            groups.append((rows, relevant.index(True)))
    used = 1 if only_cosine else 5
    w = np.zeros(used)
    for _ in range(40):
        gradient, hessian = -RIDGE * w, RIDGE * np.eye(used)
        for rows, target in groups:
            x = rows[:, :used]
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = p @ x
            gradient += x[target] - mean
            hessian += (x * p[:, None]).T @ x - np.outer(mean, mean)
        w += _damped(np.linalg.solve(hessian, gradient))
    ranking_values = np.concatenate([rows[:, :used] @ w for rows in values])
    scale, bias = _logistic(ranking_values, np.array(labels, dtype=float))
    signals = [float(scale * weight) for weight in w] + [0.0] * (5 - used)
    return Weights(bias=round(bias, 3), signals=tuple(round(weight, 3) for weight in signals))


def _damped(step: np.ndarray, most: float = 2.0) -> np.ndarray:
    """A Newton step no longer than `most`: nearly separable signals (a name said) would overshoot."""
    size = float(np.linalg.norm(step))
    return step if size <= most else step * (most / size)


def _logistic(values: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(a, b) of P(relevant) = sigmoid(a * value + b), by Newton's method."""
    x = np.stack([values, np.ones_like(values)], axis=1)
    beta = np.array([1.0, 0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -50, 50)))
        hessian = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(2)
        beta += _damped(np.linalg.solve(hessian, x.T @ (labels - p)))
    return float(beta[0]), float(beta[1])


def asked_pool(a: Asked, stage: Stage) -> list[search.Candidate]:
    return [_features(c, stage) for c in (a.hybrid if stage.hybrid else a.vectors)]


def tuned_floor(asked: list[Asked], stage: Stage, keys: dict[Ref, str]) -> float:
    """The floor that best balances recall@5 and empty answers to no-answer questions on these questions."""
    best, chosen = -1.0, 0.0
    for floor in np.arange(0.02, 0.9, 0.02):
        measured = metrics(asked, stage, keys, float(floor))
        value = measured["recall@5"] + (1 - measured["false hits"])
        if value > best + 1e-9:
            best, chosen = value, float(floor)
    return round(chosen, 2)


def report(stages: list[Stage], tuning: list[Asked], held_out: list[Asked], keys: dict[Ref, str]) -> None:
    """Each stage with its floor, and its ranking alone (no floor: every candidate answered)."""
    print(
        f"\n{'stage':<34}{'floor':<8}{'half':<10}{'recall@1':>9}{'recall@5':>9}{'MRR':>7}{'false hits':>12}"
    )
    for stage in stages:
        for floor in (stage.floor, 0.0):
            for half, asked in (("held-out", held_out), ("tuning", tuning)):
                m = metrics(asked, stage, keys, floor)
                print(
                    f"{stage.name:<34}{floor:<8}{half:<10}{m['recall@1']:>9.3f}{m['recall@5']:>9.3f}"
                    f"{m['MRR']:>7.3f}{m['false hits']:>12.3f}"
                )


def run(fit_weights: bool, saved: Path | None) -> None:
    if saved is not None and saved.exists():
        # A run's candidates, kept by --keep: refitting needs no new graph (a trusted local file).
        keys, tuning, held_out = pickle.loads(saved.read_bytes())  # noqa: S301
    else:
        keys, tuning, held_out = asyncio.run(measure())
        if saved is not None:
            saved.write_bytes(pickle.dumps((keys, tuning, held_out)))
    cosine_only = fit(tuning, keys, only_cosine=True)
    vectors = Stage("vectors alone (fitted)", cosine_only, 0.0, hybrid=False, only_cosine=True)
    vectors = replace(vectors, floor=tuned_floor(tuning, vectors, keys))
    shipped = Stage("+words (shipped)", WEIGHTS, FLOOR)
    stages = [vectors, shipped]
    if fit_weights:
        refit = Stage("+words (refitted on tuning)", fit(tuning, keys, only_cosine=False), 0.0)
        refit = replace(refit, floor=tuned_floor(tuning, refit, keys))
        print(f"fitted: {refit.weights}, floor {refit.floor}")
        print(f"vectors alone: {cosine_only}, floor {vectors.floor}")
        stages.append(refit)
    report(stages, tuning, held_out, keys)
    print("+reranker: not run, no cross-encoder with weights installs offline (README, Search)")
    times = [a.milliseconds for a in tuning + held_out]
    print(
        f"search p50 {statistics.median(times):.0f} ms (embedding, vectors, graph signals), "
        f"{len(times)} questions"
    )
    missed = [
        a.question
        for a in held_out
        if a.question.target and a.question.target not in ranking(a, shipped, keys)[:RECALL_AT]
    ]
    print(
        "held-out misses at 5 (shipped):",
        *[f"  {q.sort}: {q.text!r} -> {q.target}" for q in missed],
        sep="\n",
    )
    noisy = [a.question.text for a in held_out if a.question.target is None and ranking(a, shipped, keys)]
    print("held-out no-answer questions answered:", noisy)


async def measure() -> tuple[dict[Ref, str], list[Asked], list[Asked]]:
    """Maya's graph built in a fresh Kindred, and every question's candidates."""
    tuning_questions, held_out_questions = halves()
    with tempfile.TemporaryDirectory(prefix="kindred-search-eval-") as folder:
        async with kindred(Path(folder)) as (api, context):
            started = time.perf_counter()
            refs = await build(api)
            await api.dispatcher.drain(within=600)  # type: ignore[attr-defined]
            print(
                f"built Maya's graph ({len(refs)} nodes) in {time.perf_counter() - started:.0f} s", flush=True
            )
            keys = {ref: key for key, ref in refs.items()}
            tuning = await ask_all(api, context, tuning_questions)
            held_out = await ask_all(api, context, held_out_questions)
    return keys, tuning, held_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit the weights and floor on the tuning half")
    parser.add_argument("--keep", type=Path, help="keep the candidates in this file, or read them from it")
    arguments = parser.parse_args()
    run(arguments.fit, arguments.keep)


if __name__ == "__main__":
    main()
