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
            "CREATE (:Memory {uid: 'm' + i, owner: $owner, kind: 'episodic', content: $texts[i]})",
            owner=OWNER,
            texts=texts,
        )

    await graph.write(write)


async def scan_everything(tx: AsyncManagedTransaction, *, owner: str, named: Ref) -> int:
    """The naive backfill: every text of the owner read and matched in Python (no prefilter)."""
    found = await (await tx.run("MATCH (n:Memory {owner: $owner}) RETURN n.uid AS uid", owner=owner)).data()
    sources = await cypher.sources(tx, owner=owner, refs=[Ref("Memory", r["uid"]) for r in found])
    names = mentions.names_of(await cypher.names(tx, owner=owner))
    changes = mentions.compare(sources, Finder(names))
    return len(changes.added)


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
            await graph.write(mentions.relink, owner=OWNER, texts=[Ref("Memory", "m0")])  # warm up

            async def one_memory(run: int) -> None:
                await graph.write(mentions.relink, owner=OWNER, texts=[Ref("Memory", f"m{run + 1}")])

            async def person_later(run: int) -> None:
                uid = f"later{run}"
                await graph.write(_person, uid=uid, name=LATER[run])
                await graph.write(mentions.relink, owner=OWNER, named=[Ref("Recipient", uid)])

            async def naive(run: int) -> None:
                uid = f"naive{run}"
                await graph.write(_person, uid=uid, name=LATER[runs + run])
                await graph.read(scan_everything, owner=OWNER, named=Ref("Recipient", uid))

            memory_ms = await median_ms(one_memory, runs)
            later_ms = await median_ms(person_later, runs)
            naive_ms = await median_ms(naive, runs)
            linked = await graph.read(_count_linked, uid="later0")
            print(
                f"{memories:>6} memories, {people} people, {concepts} concepts: "
                f"one new memory {memory_ms:.0f} ms; "
                f"a person made later {later_ms:.0f} ms with the prefilter ({linked} older memories linked), "
                f"{naive_ms:.0f} ms reading every text"
            )
        finally:
            await graph.close()
            server.stop()


async def _person(tx: AsyncManagedTransaction, *, uid: str, name: str) -> None:
    await tx.run(
        "CREATE (:Recipient {uid: $uid, owner: $owner, name: $name})", uid=uid, owner=OWNER, name=name
    )


async def _count_linked(tx: AsyncManagedTransaction, *, uid: str) -> int:
    query = "MATCH (:Memory)-[:MENTIONS]->(:Recipient {uid: $uid}) RETURN count(*) AS n"
    return int((await (await tx.run(query, uid=uid)).single(strict=True))["n"])


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
