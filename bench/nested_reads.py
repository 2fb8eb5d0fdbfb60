"""Nested reads: one batched query per level (what Kindred does) against one query per row (N+1).

Fills a throwaway local Neo4j with one user's network (N recipients, each with a gift, an occasion and
an interest), then times, alternating the two in one run, reading every recipient's gifts, occasions
and interests: batched (three traversal queries whatever N) and per row (three per recipient).
Prints the median of each and their ratio.

    ./kindred bench [--recipients 200] [--rounds 15]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph import concepts, gifts, migrations, nodes, occasions, recipients, traversals, users
from graph.driver import Graph
from graph.nodes import Link
from graph.pages import Page, Sort
from localneo4j import LocalNeo4j, free_port

NESTED = (gifts.OF_RECIPIENT, occasions.OF_RECIPIENT, concepts.OF_RECIPIENT)
PAGE = Page(size=20, sorts=(Sort("n.created_at"),))


async def fill(graph: Graph, owner: str, count: int) -> list[str]:
    email = f"{owner}@bench.example"
    await graph.write(users.create_user, uid=owner, email=email, name="Bench", password_hash="never logs in")  # noqa: S106
    uids = []
    for index in range(count):
        uid = str(uuid4())
        await graph.write(_person, owner, uid, index)
        uids.append(uid)
    return uids


async def _person(tx: AsyncManagedTransaction, owner: str, uid: str, index: int) -> None:
    await recipients.create(
        tx, owner=owner, uid=uid, recipient={"name": f"Person {index}"}, knows={"relationship_type": "friend"}
    )
    link = Link("INTENDED_FOR", "Recipient", uid)
    await nodes.create(
        tx, gifts.GIFT, owner=owner, uid=str(uuid4()), values={"name": f"Gift {index}"}, links=[link]
    )
    link = Link("HAS_OCCASION", "Recipient", uid, outgoing=False)
    values = {
        "name": "Birthday",
        "occasion_type": "birthday",
        "date": date(1990, 1, 1 + index % 28),
    }
    await nodes.create(tx, occasions.OCCASION, owner=owner, uid=str(uuid4()), values=values, links=[link])
    await concepts.tag(
        tx,
        "Recipient",
        owner=owner,
        uid=uid,
        rel="INTERESTED_IN",
        names=[f"interest {index}"],
        concept_type="interest",
    )


async def batched(graph: Graph, owner: str, parents: list[str]) -> int:
    rows = 0
    for traversal in NESTED:
        found = await graph.read(traversals.neighbors, traversal, owner=owner, parents=parents, page=PAGE)
        rows += sum(len(page.items) for page in found.values())
    return rows


async def per_row(graph: Graph, owner: str, parents: list[str]) -> int:
    rows = 0
    for parent in parents:
        for traversal in NESTED:
            found = await graph.read(
                traversals.neighbors, traversal, owner=owner, parents=[parent], page=PAGE
            )
            rows += len(found[parent].items)
    return rows


async def main(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = LocalNeo4j(Path(folder), free_port(), heap="1g")
        server.start()
        try:
            graph = Graph.connect(server.uri, None, "neo4j")
            await migrations.apply(graph)
            owner = str(uuid4())
            parents = await fill(graph, owner, count)
            timings: dict[str, list[float]] = {"batched": [], "per row (N+1)": []}
            for _ in range(rounds):
                for name, read in (("batched", batched), ("per row (N+1)", per_row)):
                    start = time.perf_counter()
                    rows = await read(graph, owner, parents)
                    timings[name].append(time.perf_counter() - start)
                    assert rows == 3 * count, rows
            await graph.close()
        finally:
            server.stop()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    print(f"{count} recipients x (gifts, occasions, interests), {rounds} rounds, alternating:")
    for name, median in medians.items():
        print(f"  {name:<14} median {median * 1000:8.1f} ms")
    print(f"  per row / batched: {medians['per row (N+1)'] / medians['batched']:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.recipients, args.rounds))
