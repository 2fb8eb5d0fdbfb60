"""Search at size: `search` timed with --nodes searched nodes (100,000 by default) for one owner, beside the
cost of each of its parts (the query's embedding, the vectors, the full-text statement, the fields
statement), with the vectors scanned exactly and then through their index, in one run.

One user of the bench graph's shape (bench/shape.py: 100 people, their gifts and occasions, 100 concepts)
with the rest of the nodes as memories whose text is made of everyday phrases, loaded straight into a fresh
Neo4j, their search texts kept (the full-text indexes read them) and their vectors written into qdrant-edge
as the dispatcher would. The people's, gifts' and concepts' vectors are their texts embedded; a memory's
vector is the sum of its phrases' vectors (each phrase embedded once), normalised, with a little noise:
embedding 100,000 texts one by one takes an hour on this machine, and the vector search's cost does not
depend on how a vector was made, only on how the vectors cluster, which phrases give them as texts would.

Two phases, in one run on one graph: "exact", no query cache and the vectors an exact scan of the owner's
points; "index", the vectors' HNSW index built (EdgeStore.optimize) and the query cache on. Both read with
graph/search.py's statements (one fields statement that finds each candidate by its uid and reads a
memory's importance and time with its fields; distances from `near:` only when asked). Each query is asked
once cold (its embedding computed) and once again (a repeat: typing, paging). Totals are the GraphQL
`search` (first 10, hydrated: each hit's node and kind-specific fields) through the app in process, with
its scheduled jobs on as a server runs them. The medians and 95th percentiles, with the load average, are
printed and written to bench/search_size_results.md. (The run committed at 4924e4b also timed main's
statements before the candidate-bounded ones, from a frozen copy since removed.)

    python -m bench.search_size [--nodes 100000] [--queries 30]   (./kindred bench search size)
"""

import argparse
import asyncio
import functools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from asgi_lifespan import LifespanManager
from neo4j import AsyncManagedTransaction

from app import create_app
from auth.tokens import issue_token
from bench.generate import load
from bench.shape import Maker, Size
from graph import couples, migrations, search
from graph.driver import Graph
from graph.kinds import SEARCHED_LABELS
from graph.refs import Ref
from localneo4j import LocalNeo4j, free_port
from resolvers import search as resolve
from resolvers.context import Context
from settings import Settings
from storage.embeddings.query_cache import QueryCache
from storage.vectors import VectorPoint
from storage.vectors.edge_store import EdgeStore

RESULTS = Path(__file__).with_name("search_size_results.md")
SEED = 7
SECRET = "a-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105 -- a throwaway instance's
BATCH = 2_000
OTHERS = 1_410  # the user's searched nodes besides memories (people, gifts, concepts, conflicts)
WHO = ["my sister", "Dad", "Mom", "Grandma", "my best friend", "the kids", "my partner", "an old colleague"]
DID = [
    "went hiking in the mountains",
    "baked sourdough bread",
    "argued about money",
    "painted the kitchen",
    "watched the northern lights",
    "planted tomatoes in the garden",
    "took a pottery class",
    "got lost on a road trip",
    "cooked a Thai curry",
    "went to a jazz concert",
    "fixed an old bicycle",
    "walked the dog by the river",
    "celebrated a birthday with cake",
    "visited a museum of modern art",
    "played chess all evening",
    "learned to knit a scarf",
    "swam in a cold lake",
    "read poetry aloud",
    "built a treehouse",
    "talked about moving abroad",
]
HOW = [
    "and laughed for hours",
    "in the pouring rain",
    "which ended in tears",
    "on a quiet Sunday morning",
    "before the holidays",
    "and promised to do it again",
    "while the neighbours watched",
    "after a long week at work",
    "with a picnic of cheese and grapes",
    "and forgot the camera",
]
QUERIES = [
    "hiking with my sister",
    "the time we argued about money",
    "pottery class",
    "Thai food night",
    "jazz concert with Dad",
    "northern lights trip",
    "bread baking",
    "a gift for someone who loves gardening",
    "when Grandma knitted",
    "swimming in a freezing lake",
    "chess with the kids",
    "treehouse weekend",
    "moving to another country",
    "museum visit",
    "bike repair",
    "rainy day memories",
    "birthday cake",
    "walking the dog",
    "reading poems",
    "road trip where we got lost",
    "painting the house",
    "picnic with grapes",
    "a quiet Sunday",
    "holiday plans",
    "something that made us cry",
    "tomato plants",
    "cooking curry together",
    "what my best friend likes",
    "an evening of laughter",
    "old colleague",
]
SEARCH = """query ($q: String!) { search(query: $q, first: 10) { score matched { text fields words signals }
  node { id __typename ... on Memory { content } ... on Gift { name } ... on Recipient { name }
  ... on Concept { name } } } }"""


def memory_text(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    parts = (rng.choice(WHO), rng.choice(DID), rng.choice(HOW))
    return f"With {parts[0]} we {parts[1]} {parts[2]}.", parts


async def load_graph(graph: Graph, nodes: int) -> str:
    """The user's graph: the bench shape with `nodes` searched nodes in all; its owner's uid."""
    await migrations.apply(graph)
    await load(graph, users=1, seed=SEED, size=Size(memories=max(0, nodes - OTHERS)))
    return Maker(SEED, 0).uid()


async def texts_of(graph: Graph, owner: str) -> dict[Ref, str]:
    """Every searched node's text, composed as the dispatcher composes it, and kept on the node."""
    found: dict[Ref, str] = {}
    for label in SEARCHED_LABELS:
        after = ""
        while True:
            page = await graph.read(search.all_nodes, label=label, after=after, limit=BATCH)
            if not page:
                break
            after = page[-1][1]
            refs = [Ref(label, uid) for node_owner, uid in page if node_owner == owner]
            texts = await graph.read(search.texts, owner=owner, refs=refs)
            found.update({Ref(label, uid): text for uid, text in texts.get(label, {}).items()})
    return found


async def rewrite_memories(graph: Graph, owner: str, rng: random.Random) -> dict[str, tuple[str, ...]]:
    """Gives every memory a text of three phrases (the bench shape's are numbers); uid -> its phrases."""
    uids = await graph.read(_memory_uids, owner=owner)
    phrases: dict[str, tuple[str, ...]] = {}
    rows = []
    for uid in uids:
        content, parts = memory_text(rng)
        phrases[uid] = parts
        rows.append({"uid": uid, "content": content})
    for at in range(0, len(rows), BATCH):
        await graph.write(_set_contents, owner=owner, rows=rows[at : at + BATCH])
    return phrases


async def _memory_uids(tx: AsyncManagedTransaction, *, owner: str) -> list[str]:
    return [
        r["uid"]
        async for r in await tx.run("MATCH (m:Memory {owner: $owner}) RETURN m.uid AS uid", owner=owner)
    ]


async def _set_contents(tx: AsyncManagedTransaction, *, owner: str, rows: list[dict[str, str]]) -> None:
    query = "UNWIND $rows AS row MATCH (m:Memory {uid: row.uid, owner: $owner}) SET m.content = row.content"
    await (await tx.run(query, owner=owner, rows=rows)).consume()


async def _await_indexes(tx: AsyncManagedTransaction) -> None:
    await (await tx.run("CALL db.awaitIndexes(600)")).consume()


async def fill(graph: Graph, store: EdgeStore, embedder: Any, owner: str, nodes: int) -> int:
    """The graph, its kept search texts and its vectors; how many points were written."""
    rng = random.Random(SEED)
    phrases = await rewrite_memories(graph, owner, rng)
    say(f"memories' texts written ({len(phrases)})")
    texts = await texts_of(graph, owner)
    by_label: dict[str, dict[str, str]] = {}
    for ref, text in texts.items():
        by_label.setdefault(ref.label, {})[ref.uid] = text
    for label, of_label in by_label.items():
        items = list(of_label.items())
        for at in range(0, len(items), BATCH):
            await graph.write(search.keep_texts, owner=owner, texts={label: dict(items[at : at + BATCH])})
    await graph.write(_await_indexes)
    say("search texts kept and indexed")
    distinct = sorted({part for parts in phrases.values() for part in parts})
    phrase_vectors = dict(zip(distinct, np.array(await embedder.embed(distinct)), strict=True))
    others = [ref for ref in texts if ref.label != "Memory"]
    other_vectors = np.array(await embedder.embed([texts[ref] for ref in others]))
    say("phrases and other nodes embedded")
    noise = np.random.default_rng(SEED)
    points: dict[str, list[VectorPoint]] = {}
    for ref, vector in zip(others, other_vectors, strict=True):
        points.setdefault(ref.label, []).append(VectorPoint(ref.uid, owner, ref.label, texts[ref], vector))
    for uid, parts in phrases.items():
        summed = sum(phrase_vectors[part] for part in parts) + noise.normal(0, 0.02, 384)
        vector = (summed / np.linalg.norm(summed)).tolist()
        points.setdefault("Memory", []).append(
            VectorPoint(uid, owner, "Memory", texts[Ref("Memory", uid)], vector)
        )
    for label, label_points in points.items():
        for at in range(0, len(label_points), BATCH):
            await store.upsert(search.vector_kind(label), label_points[at : at + BATCH])
    return sum(len(label_points) for label_points in points.values())


STARTED = time.perf_counter()


def say(what: str) -> None:
    print(f"  {time.perf_counter() - STARTED:5.0f} s: {what}", flush=True)


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    answer = await work()
    return (time.perf_counter() - started) * 1000, answer


async def parts(context: Context, embedder: Any, text: str) -> dict[str, float]:
    """Each part of one search, timed on its own, as resolvers/search.py runs it."""
    labels = [*SEARCHED_LABELS, resolve.DOCUMENT]
    graph, owner = context.graph, context.viewer
    costs: dict[str, float] = {}
    costs["embedding"], vectors = await timed(lambda: embedder.embed_now([text]))
    costs["couple read"], _ = await timed(lambda: graph.read(couples.couple_of, owner=owner))
    kinds = [search.vector_kind(label) for label in labels]
    store = context.vectors
    assert store is not None
    costs["vectors"], hits = await timed(
        lambda: store.search(kinds, vectors[0], owner=owner, limit=resolve.MIN_POOL)
    )
    costs["full-text"], (lexical, _) = await timed(
        lambda: graph.read(
            search._lexical,
            owner=owner,
            query=text,
            labels=labels,
            passages=True,
            limit=resolve.LEXICAL_POOL,
        )
    )
    refs = list(dict.fromkeys([*lexical, *[Ref(hit.label, hit.uid) for hit in hits]]))
    costs["fields"], _ = await timed(
        lambda: graph.read(search._field_rows, owner=owner, refs=refs, in_sight=True, proposed=False)
    )
    return costs


async def overlap(context: Context, embedder: Any, queries: list[str]) -> float:
    """The share of the exact scan's nearest points (the pool search takes) that the index finds too."""
    store = context.vectors
    assert isinstance(store, EdgeStore)
    kinds = [search.vector_kind(label) for label in [*SEARCHED_LABELS, resolve.DOCUMENT]]
    found = wanted = 0
    for text in queries:
        vector = (await embedder.embed([text]))[0]
        answers = []
        for exact in (True, False):
            store.exact = exact
            hits = await store.search(kinds, vector, owner=context.viewer, limit=resolve.MIN_POOL)
            answers.append({hit.uid for hit in hits})
        found, wanted = found + len(answers[0] & answers[1]), wanted + len(answers[0])
    return found / max(1, wanted)


async def phase(
    name: str, http: httpx.AsyncClient, context: Context, embedder: Any, queries: list[str]
) -> dict[str, list[float]]:
    """Each part's cost, and the whole GraphQL search's asked cold and asked again, per query."""
    costs: dict[str, list[float]] = {}
    print(f"\n{name}: per query, ms (the parts below, in order)", flush=True)
    for text in queries:
        for part, milliseconds in (await parts(context, embedder.inner, text)).items():
            costs.setdefault(part, []).append(milliseconds)
        if isinstance(embedder, QueryCache):
            embedder._kept.clear()  # asked cold: no asker has it kept
        for ask in ("search, first ask", "search, asked again"):
            body = {"query": SEARCH, "variables": {"q": text}}
            milliseconds, answer = await timed(functools.partial(http.post, "/graphql", json=body))
            assert "errors" not in answer.json(), answer.json()
            costs.setdefault(ask, []).append(milliseconds)
        # Each query's line as it comes: a run cut short on a busy machine still says something.
        print(f"  {text[:28]:<30}" + "".join(f"{values[-1]:8.0f}" for values in costs.values()), flush=True)
    print(f"\n{name} (of {len(queries)} queries, ms; load average {os.getloadavg()[0]:.1f})")
    for part, values in costs.items():
        print(f"  {part:<22} p50 {statistics.median(values):8.1f}   p95 {p95(values):8.1f}")
    return costs


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def report(nodes: int, phases: dict[str, tuple[dict[str, list[float]], float]], notes: list[str]) -> str:
    """The results as Markdown: each part's p50 and p95 per phase, with the load average it ran at."""
    load = os.getloadavg()
    names = list(phases)
    parts_of = list(dict.fromkeys(part for costs, _ in phases.values() for part in costs))
    lines = [
        "# Search at size: 100,000 nodes for one owner"
        if nodes == 100_000
        else f"# Search at size: {nodes} nodes",
        "",
        f"`./kindred bench search size --nodes {nodes}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end; "
        f"{len(next(iter(phases.values()))[0]['embedding'])} queries. Milliseconds, p50 / p95; the load "
        "average (1 minute) at the end of each phase in its heading.",
        "",
        "| part | " + " | ".join(f"{name} (load {at:.1f})" for name, (_, at) in phases.items()) + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    for part in parts_of:
        cells = []
        for costs, _ in phases.values():
            values = costs.get(part)
            cells.append(f"{statistics.median(values):.0f} / {p95(values):.0f}" if values else "")
        lines.append(f"| {part} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *notes]) + "\n"


async def run(nodes: int, queries: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kindred-search-size-") as folder:
        server = LocalNeo4j(Path(folder) / "neo4j", free_port(), heap="1g", pagecache="1g")
        server.start()
        try:
            await measure(Path(folder), server.uri, nodes, QUERIES[:queries])
        finally:
            server.stop()


async def measure(folder: Path, uri: str, nodes: int, queries: list[str]) -> None:
    settings = Settings(
        _env_file=None,
        NEO4J_URI=uri,
        data_dir=folder / "data",
        jwt_secret=SECRET,
        rate_limit_per_ip="100000/minute",
        rate_limit_per_user="100000/minute",
        dispatch=False,
    )
    graph = Graph.connect(uri, None, settings.neo4j_database)
    started = time.perf_counter()
    owner = await load_graph(graph, nodes)
    say("graph loaded")
    app = create_app(settings, graph)
    async with LifespanManager(app, startup_timeout=600) as manager:
        state = manager._state
        embedder, store = state["embedder"], state["vectors"]
        written = await fill(graph, store, embedder, owner, nodes)
        print(
            f"{written} searched nodes for one owner, loaded in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        context = Context(None, None, settings, graph, "bench", viewer_uid=owner)
        context.embedder, context.vectors = embedder, store
        token = issue_token(owner, 0, SECRET, 3600)
        transport = httpx.ASGITransport(app=manager.app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://kindred.bench", headers=headers
        ) as http:
            phases: dict[str, tuple[dict[str, list[float]], float]] = {}
            size = embedder._size
            embedder._size = 0
            exact = "exact: exact scan, no query cache"
            phases["exact"] = (await phase(exact, http, context, embedder, queries), os.getloadavg()[0])
            embedder._size = size
            milliseconds, _ = await timed(store.optimize)
            built = f"HNSW index built in {milliseconds / 1000:.0f} s"
            print(f"\n{built}")
            index = "index: HNSW index, query cache"
            phases["index"] = (await phase(index, http, context, embedder, queries), os.getloadavg()[0])
            share = await overlap(context, embedder, queries)
            held = f"The index's top {resolve.MIN_POOL} held {share:.1%} of the exact scan's."
            print(f"\n{held}")
            notes = [
                f"{written} searched nodes for one owner; {built}. {held}",
                "",
                *(f"- {n}" for n in (exact, index)),
                "",
                "The GraphQL search reads the viewer's couple while the query is embedded "
                "(resolvers/search.py); the parts are timed one after another.",
            ]
            RESULTS.write_text(report(nodes, phases, notes))
            print(f"\nwritten to {RESULTS}")
    await graph.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=len(QUERIES))
    arguments = parser.parse_args()
    asyncio.run(run(arguments.nodes, arguments.queries))


if __name__ == "__main__":
    main()
