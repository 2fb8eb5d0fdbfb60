"""What a data-protection reviewer reads of every store, from outside the API: every node and
relationship of Neo4j, every key and value of Redis, every point of every vector collection, every file
of the blob store. For tests/test_forget_me.py and the crash test."""

import json
from pathlib import Path
from typing import Any

import qdrant_edge as edge
from redis.asyncio import Redis

from graph.driver import Graph


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


async def neo4j_text(graph: Graph) -> str:
    """Every node's labels and properties and every relationship's type and properties, as text."""
    async with graph.driver.session() as session:
        nodes = await (await session.run("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")).data()
        links = await (await session.run("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p")).data()
    return "\n".join(_text(row) for row in nodes + links)


async def neo4j_dump(graph: Graph, owner: str) -> list[str]:
    """One user's nodes (their User node, and every node they own: events and cursors included) and
    every relationship that touches one, with all their properties, sorted."""
    nodes = """
    MATCH (n) WHERE n.owner = $owner OR (n:User AND n.uid = $owner)
    RETURN labels(n) AS labels, properties(n) AS properties
    """
    links = """
    MATCH (a)-[r]->(b)
    WHERE a.owner = $owner OR b.owner = $owner OR a.uid = $owner OR b.uid = $owner
    RETURN a.uid AS source, type(r) AS type, properties(r) AS properties, b.uid AS target
    """
    async with graph.driver.session() as session:
        rows = await (await session.run(nodes, owner=owner)).data()
        rows += await (await session.run(links, owner=owner)).data()
    return sorted(_text(row) for row in rows)


async def redis_text(url: str) -> str:
    """Every key of the Redis and its value, whatever its type, as text."""
    redis = Redis.from_url(url)
    parts = []
    try:
        async for key in redis.scan_iter(count=1000):
            kind = (await redis.type(key)).decode()
            value: Any
            if kind == "string":
                value = await redis.get(key)
            elif kind == "list":
                value = await redis.lrange(key, 0, -1)
            elif kind == "set":
                value = sorted(await redis.smembers(key))
            elif kind == "zset":
                value = await redis.zrange(key, 0, -1, withscores=True)
            elif kind == "hash":
                value = await redis.hgetall(key)
            else:
                value = kind
            parts.append(f"{key!r} {value!r}")
    finally:
        await redis.aclose()
    return "\n".join(parts)


def vector_points(shards: dict[str, edge.EdgeShard]) -> list[str]:
    """Every point of every open collection: its id, payload and vector, as text, sorted."""
    points = []
    for name, shard in sorted(shards.items()):
        offset = None
        while True:
            request = edge.ScrollRequest(offset=offset, limit=500, with_payload=True, with_vector=True)
            records, offset = shard.scroll(request)
            points += [_text([name, str(r.id), r.payload, r.vector]) for r in records]
            if offset is None:
                break
    return sorted(points)


def files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by path relative to it, with its bytes."""
    if not folder.exists():
        return {}
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}
