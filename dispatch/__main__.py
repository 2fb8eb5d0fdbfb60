"""`python -m dispatch reindex` (`./kindred reindex`): rebuilds every vector collection from Neo4j."""

import asyncio
import logging
import sys

from app import open_graph, open_services
from dispatch import embeddings
from graph import migrations
from settings import Settings


async def reindex() -> None:
    settings = Settings()
    async with open_graph(settings) as graph, open_services(settings, graph) as services:
        await migrations.apply(graph)
        count = await embeddings.reindex(services)
    print(f"reindexed {count} nodes")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if sys.argv[1:] != ["reindex"]:
        sys.exit("usage: python -m dispatch reindex")
    asyncio.run(reindex())


if __name__ == "__main__":
    main()
