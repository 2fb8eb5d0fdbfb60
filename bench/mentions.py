"""What text becoming links costs (dispatch/mentions.py): the mentions consumer's transaction for one
new memory, and for a person made later, found in the owner's older texts by the CONTAINS prefilter,
beside the same work done by reading every text of the owner (what the prefilter avoids). Each a
median of --runs, against a throwaway local Neo4j holding one user's people, concepts and memories.

    ./kindred bench mentions [--memories 2000 10000] [--people 200] [--concepts 300] [--runs 5]
"""

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from dispatch import mentions
from dispatch.mention_finder import Finder
from graph import mentions as cypher
from graph import migrations
from graph.driver import Graph
from graph.mentions import Changes
from graph.refs import Ref
from localneo4j import LocalNeo4j, free_port

OWNER = "bench-owner"
WORDS = " ".join(
    (
        "we walked along the river then had coffee and talked about work music books travel plans garden",
        "dinner weekend market rain sun old friends new job kitchen bread movie park train beach city quiet",
        "evening long morning late laugh argued forgot remembered birthday present letter photo",
    )
).split()
LATER = [f"Zofia{i}" for i in range(20)]  # people made later, each named by about 1% of the memories


async def seed(graph: Graph, memories: int, people: int, concepts: int) -> None:
    rng = random.Random(1)
    texts = []
    for i in range(memories):
        words = rng.choices(WORDS, k=rng.randint(12, 40))
        words.insert(rng.randrange(len(words)), f"Name{rng.randrange(people)}")
        if i % 100 < len(LATER):
            words.insert(rng.randrange(len(words)), LATER[i % 100])
        texts.append(" ".join(words))

    async def write(tx: AsyncManagedTransaction) -> None:
        await tx.run(
            "CREATE (:User {uid: $owner, email: 'bench@example.com', event_sequence: 0})", owner=OWNER
        )
        await tx.run(
            "MATCH (u:User {uid: $owner}) UNWIND range(0, $n - 1) AS i "
            "CREATE (u)-[:KNOWS]->(:Recipient {uid: 'r' + i, owner: $owner, name: 'Name' + i})",
            owner=OWNER,
            n=people,
        )
        await tx.run(
            "UNWIND range(0, $n - 1) AS i CREATE (:Concept {uid: 'c' + i, owner: $owner, name: 'topic' + i})",
            owner=OWNER,
            n=concepts,
        )
        await tx.run(
            "UNWIND range(0, size($texts) - 1) AS i "
            "CREATE (:Memory {uid: 'm' + i, owner: $owner, kind: 'episodic', content: $texts[i], "
            "status: 'confirmed'})",
            owner=OWNER,
            texts=texts,
        )

    await graph.write(write)


async def find_with_prefilter(tx: AsyncManagedTransaction, *, owner: str, named: Ref) -> int:
    """What the consumer reads and matches for a person made later: the texts the prefilter lets through."""
    names = mentions.names_of(await cypher.names(tx, owner=owner))
    needles = sorted({mentions.needle(name.text) for name in names if name.target == named})
    chosen = await cypher.naming(tx, owner=owner, needles=needles, targets=[named])
    sources = await cypher.sources(tx, owner=owner, refs=chosen)
    return _links_to(named, mentions.compare(sources, Finder(names)))


async def find_reading_everything(tx: AsyncManagedTransaction, *, owner: str, named: Ref) -> int:
    """The same found by reading every text of the owner and matching each (no prefilter)."""
    names = mentions.names_of(await cypher.names(tx, owner=owner))
    found = await (await tx.run("MATCH (n:Memory {owner: $owner}) RETURN n.uid AS uid", owner=owner)).data()
    sources = await cypher.sources(tx, owner=owner, refs=[Ref("Memory", r["uid"]) for r in found])
    return _links_to(named, mentions.compare(sources, Finder(names)))


def _links_to(named: Ref, changes: Changes) -> int:
    return sum(1 for _, target, _ in changes.added if target == named)


async def median_ms(work: Callable[[int], Awaitable[Any]], runs: int) -> float:
    times = []
    for run in range(runs):
        start = time.perf_counter()
        await work(run)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def case(memories: int, people: int, concepts: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = LocalNeo4j(Path(folder), free_port(), heap="1g")
        server.start()
        graph = Graph.connect(server.uri, None, "neo4j")
        try:
            await migrations.apply(graph)
            await seed(graph, memories, people, concepts)
            # Every memory linked to the people it names first: what is measured is what a change adds.
            for start in range(0, memories, 500):
                batch = [Ref("Memory", f"m{i}") for i in range(start, min(start + 500, memories))]
                await graph.write(mentions.relink, owner=OWNER, texts=batch)
            for run in range(2 * runs):
                await graph.write(_person, uid=f"later{run}", name=LATER[run])
            found: dict[str, int] = {}

            async def one_memory(run: int) -> None:
                await graph.write(_memory, uid=f"new{run}", text=f"Coffee with Name{run} by the river.")
                await graph.write(mentions.relink, owner=OWNER, texts=[Ref("Memory", f"new{run}")])

            async def prefiltered(run: int) -> None:
                named = Ref("Recipient", f"later{run}")
                found["prefilter"] = await graph.read(find_with_prefilter, owner=OWNER, named=named)

            async def everything(run: int) -> None:
                named = Ref("Recipient", f"later{run}")
                found["everything"] = await graph.read(find_reading_everything, owner=OWNER, named=named)

            async def linked(run: int) -> None:
                named = Ref("Recipient", f"later{runs + run}")
                await graph.write(mentions.relink, owner=OWNER, named=[named])

            memory_ms = await median_ms(one_memory, runs)
            prefilter_ms = await median_ms(prefiltered, runs)
            everything_ms = await median_ms(everything, runs)
            linked_ms = await median_ms(linked, runs)
            assert found["prefilter"] == found["everything"]
            print(
                f"{memories:>6} memories, {people} people, {concepts} concepts: one new memory linked "
                f"{memory_ms:.0f} ms; a person made later, found in {found['prefilter']} older memories: "
                f"{prefilter_ms:.0f} ms with the prefilter, {everything_ms:.0f} ms reading every text; "
                f"found and linked (with its events) {linked_ms:.0f} ms"
            )
        finally:
            await graph.close()
            server.stop()


async def _person(tx: AsyncManagedTransaction, *, uid: str, name: str) -> None:
    await tx.run(
        "CREATE (:Recipient {uid: $uid, owner: $owner, name: $name})", uid=uid, owner=OWNER, name=name
    )


async def _memory(tx: AsyncManagedTransaction, *, uid: str, text: str) -> None:
    query = (
        "CREATE (:Memory {uid: $uid, owner: $owner, kind: 'episodic', content: $text, status: 'confirmed'})"
    )
    await tx.run(query, uid=uid, owner=OWNER, text=text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--memories", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--concepts", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if 2 * args.runs > len(LATER):
        parser.error(f"--runs is at most {len(LATER) // 2}")
    for memories in args.memories:
        asyncio.run(case(memories, args.people, args.concepts, args.runs))


if __name__ == "__main__":
    main()
