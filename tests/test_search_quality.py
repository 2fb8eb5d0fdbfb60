"""Retrieval quality on one person's memories (tests/search_set.py): recall@5 of the hybrid ranking with
the local embedder, and what it gains over the vector ranking alone (printed, and asserted not worse).
The ranking is measured without the relevance floor (bench/search_eval.py measures the floor)."""

from graph.driver import Graph
from resolvers import search
from resolvers.context import Context
from settings import Settings
from tests import test_search
from tests.search_set import CASES, NOISE
from tests.test_search import MEMORY, Instance

RECALL_AT = 5
kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher


async def recall(context: Context, uids: dict[str, str], hybrid: bool) -> tuple[float, list[str]]:
    missed = []
    for target, question, _ in CASES:
        found = await search.find(
            context, question, labels=["Memory"], first=RECALL_AT, hybrid=hybrid, min_score=0
        )
        if uids[target] not in [hit.uid for hit in found]:
            missed.append(question)
    return 1 - len(missed) / len(CASES), missed


async def test_recall_at_5_is_at_least_0_9_and_hybrid_beats_vectors_alone(
    kindred: Instance, graph: Graph, settings: Settings
) -> None:
    token = await kindred.client.sign_up("quality@example.com")
    uids = {}
    for content in [text for case in CASES for text in (case[0], case[2])] + NOISE:
        made = await kindred.client.data(
            MEMORY, {"input": {"kind": "EPISODIC", "content": content}}, token=token
        )
        uids[content] = made["createMemory"]["id"]
    await kindred.dispatcher.drain()
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (u:User {email: 'quality@example.com'}) RETURN u.uid AS uid")
        ).single()
        memories = await session.run(
            "MATCH (m:Memory {owner: $o}) RETURN m.content AS c, m.uid AS uid", o=record["uid"]
        )
        uids = {row["c"]: row["uid"] async for row in memories}
    context = Context(None, None, settings, graph, "quality", viewer_uid=record["uid"])
    context.embedder, context.vectors = kindred.embedder, kindred.vectors
    hybrid, hybrid_missed = await recall(context, uids, hybrid=True)
    vector, vector_missed = await recall(context, uids, hybrid=False)
    print(f"recall@{RECALL_AT}: hybrid {hybrid:.3f}, vector only {vector:.3f}, gain {hybrid - vector:+.3f}")
    print("missed by hybrid:", hybrid_missed, "by vectors alone:", vector_missed)
    assert hybrid >= 0.9, hybrid_missed
    assert hybrid >= vector
