"""The floor of `./kindred bench api`: the same operations as hand-written Cypher through the neo4j driver,
behind a minimal Starlette endpoint (POST /op/{name} with {"variables": ...}, the viewer from the same
bearer JWT Kindred takes). One statement per operation, each written for its answer and no more: what
GraphQL's overhead is measured against.

    python -m bench.floor --port P     (NEO4J_URI and KINDRED_JWT_SECRET from the environment)
"""

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import uvicorn
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, NotificationMinimumSeverity
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auth.tokens import token_claims
from bench import statements
from graph.kinds import CONCEPT_LINKS
from graph.occasions import NEXT_OCCURRENCE

ME = """
MATCH (u:User {uid: $owner})
CALL (u) {
  MATCH (u)-[k:KNOWS]->(r:Recipient {owner: $owner})
  WITH r, k ORDER BY r.name, r.uid LIMIT 20
  RETURN collect(r {.uid, .name, relationship: k {.relationship_type, .relationship_label, .importance,
                                                   .closeness, .emotional_warmth, .since}}) AS recipients
}
RETURN u {.uid, .name, .email} AS me, recipients
"""
NESTED = """
MATCH (:User {uid: $owner})-[:KNOWS]->(r:Recipient {owner: $owner})
WITH r ORDER BY r.name, r.uid LIMIT 20
RETURN r {.uid, .name,
  gifts: COLLECT { MATCH (r)<-[:INTENDED_FOR]-(g:Gift {owner: $owner})
                   WITH g ORDER BY g.created_at, g.uid LIMIT 5
                   RETURN g {.uid, .name, outcome: [(g)-[:HAS_OUTCOME]->(o) | o {.success, .reaction}][0]} },
  occasions: COLLECT { MATCH (r)-[:HAS_OCCASION]->(n:Occasion {owner: $owner})
                       WITH n ORDER BY n.created_at, n.uid LIMIT 2
                       RETURN n {.uid, .name, .date, next_occurrence: <next>} },
  interests: COLLECT { MATCH (r)-[:INTERESTED_IN]->(c:Concept {owner: $owner})
                       WITH c ORDER BY c.created_at, c.uid LIMIT 3 RETURN c {.uid, .name} }
} AS recipient
""".replace("<next>", NEXT_OCCURRENCE)
UPCOMING = """
MATCH (n:Occasion {owner: $owner})
WITH n, <next> AS next WHERE date() <= next <= date() + duration({days: 30})
WITH n, next ORDER BY next, n.uid LIMIT 20
RETURN n {.uid, .name, .date, next_occurrence: next,
          recipients: [(r:Recipient)-[:HAS_OCCASION]->(n) | r {.uid, .name}][0..1]} AS occasion
""".replace("<next>", NEXT_OCCURRENCE)
NEIGHBOURHOOD = """
MATCH (c:Concept {uid: $uid, owner: $owner})
MATCH path = (c)-[:<links>*1..2]-(n:Concept {owner: $owner})
WHERE n <> c AND all(x IN nodes(path) WHERE x.owner = $owner)
WITH n, min(length(path)) AS distance
RETURN n {.uid, .name, distance: distance} AS neighbour ORDER BY distance, n.key
""".replace("<links>", "|".join(CONCEPT_LINKS))
SHORTEST_PATH = """
MATCH (a:Recipient {uid: $from, owner: $owner}), (b:Recipient {uid: $to, owner: $owner})
MATCH path = shortestPath((a)-[*..8]-(b))
WHERE all(n IN nodes(path) WHERE n.owner = $owner)
RETURN [n IN nodes(path) | n.uid] AS path
"""
NODE = """
MATCH (g:Gift {uid: $uid, owner: $owner})
RETURN g {.uid, .name, .category, .price_cents,
          giving: [(:User {uid: $owner})-[v:GAVE]->(g) | v {.date, .surprise_level}][0]} AS gift
"""
NODES = """
CALL () {
  MATCH (n:Recipient {owner: $owner}) WHERE n.uid IN $recipients RETURN n {.uid, .name} AS node
  UNION ALL
  MATCH (n:Gift {owner: $owner}) WHERE n.uid IN $gifts RETURN n {.uid, .name} AS node
  UNION ALL
  MATCH (n:Memory {owner: $owner}) WHERE n.uid IN $memories RETURN n {.uid, .content} AS node
  UNION ALL
  MATCH (n:Concept {owner: $owner}) WHERE n.uid IN $concepts RETURN n {.uid, .name} AS node
}
RETURN node
"""
# The gift, how it was given, for whom and what, its outcome and tags, the Event, and the relationship's
# gift statistics recomputed: what Kindred's createGift writes, in one statement.
CREATE_GIFT = """
MATCH (u:User {uid: $owner})
MATCH (r:Recipient {uid: $recipient, owner: $owner})
MATCH (o:Occasion {uid: $occasion, owner: $owner})
CREATE (u)-[:GAVE]->(g:Gift {uid: $gift, owner: $owner, name: $name, category: 'books', price_cents: 2500,
                             created_at: datetime(), updated_at: datetime()})
CREATE (g)-[:INTENDED_FOR]->(r), (g)-[:GIVEN_FOR]->(o)
CREATE (g)-[:HAS_OUTCOME]->(out:GiftOutcome {uid: $outcome, owner: $owner, success: 0.8, reaction: 'happy',
                                             was_given: true, created_at: datetime(), updated_at: datetime()})
WITH u, r, g, out
CALL (g) {
  UNWIND $tags AS tag
  MERGE (c:Concept {owner: $owner, key: tag})
    ON CREATE SET c.uid = randomUUID(), c.name = tag, c.concept_type = 'gift_category',
                  c.created_at = datetime(), c.updated_at = datetime()
  CREATE (g)-[:TAGGED_WITH]->(c)
  RETURN collect(c {.name}) AS tags
}
SET u.event_sequence = coalesce(u.event_sequence, 0) + 1
CREATE (:Event {uid: randomUUID(), owner: $owner, sequence: u.event_sequence, kind: 'GiftCreated',
                nodes: ['Gift:' + g.uid, 'Recipient:' + r.uid], at: datetime()})
WITH r, g, out, tags
CALL (r) {
  MATCH (:User {uid: $owner})-[k:KNOWS]->(r)
  OPTIONAL MATCH (r)<-[:INTENDED_FOR]-(x:Gift {owner: $owner})-[:HAS_OUTCOME]->(y:GiftOutcome)
  WHERE y.was_given
  WITH k, count(y) AS given, avg(y.success) AS average
  SET k.gifts_given_count = given, k.average_gift_success = average
}
RETURN g {.uid, .name, outcome: out {.success}, tags: tags} AS gift
"""


async def _rows(tx: AsyncManagedTransaction, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [record.data() async for record in await tx.run(query, params)]


async def _me(tx: AsyncManagedTransaction, params: dict[str, Any]) -> dict[str, Any]:
    row = (await _rows(tx, ME, params))[0]
    return {"me": row["me"], "recipients": row["recipients"]}


def _list(query: str, key: str, column: str) -> Any:
    async def run(tx: AsyncManagedTransaction, params: dict[str, Any]) -> dict[str, Any]:
        return {key: [row[column] for row in await _rows(tx, query, params)]}

    return run


def _one(query: str, key: str, column: str, empty: Any = None) -> Any:
    async def run(tx: AsyncManagedTransaction, params: dict[str, Any]) -> dict[str, Any]:
        rows = await _rows(tx, query, params)
        return {key: rows[0][column] if rows else empty}

    return run


def _json(value: Any) -> Response:
    # Dates and datetimes as ISO text, as GraphQL serializes them.
    return Response(json.dumps({"data": value}, default=str), media_type="application/json")


def create_app(uri: str, secret: str) -> Starlette:
    reads: dict[str, Any] = {}
    writes: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reads.update(
            me=_me,
            nested=_list(NESTED, "recipients", "recipient"),
            upcoming=_list(UPCOMING, "upcoming", "occasion"),
            neighbourhood=_list(NEIGHBOURHOOD, "neighbours", "neighbour"),
            shortest_path=_one(SHORTEST_PATH, "path", "path", []),
            node=_one(NODE, "gift", "gift"),
            nodes=_list(NODES, "nodes", "node"),
        )
        writes.update(create_gift=_one(CREATE_GIFT, "gift", "gift"))
        app.state.driver = AsyncGraphDatabase.driver(
            uri, auth=None, notifications_min_severity=NotificationMinimumSeverity.OFF
        )
        yield
        await app.state.driver.close()

    async def operation(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        owner = token_claims(header.removeprefix("Bearer ").strip(), secret).subject
        name = request.path_params["name"]
        params = {**(await request.json()).get("variables", {}), "owner": owner}
        if name in writes:
            params |= {"gift": str(uuid4()), "outcome": str(uuid4())}
        async with request.app.state.driver.session() as session:
            if name in writes:
                return _json(await session.execute_write(writes[name], params))
            if name in reads:
                return _json(await session.execute_read(reads[name], params))
        return JSONResponse({"error": f"no operation {name}"}, 404)

    routes = [
        Route("/op/{name}", operation, methods=["POST"]),
        Route("/bench/statements", statements.endpoint),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(statements.PerRequest)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    statements.install()
    app = create_app(os.environ["NEO4J_URI"], os.environ["KINDRED_JWT_SECRET"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
