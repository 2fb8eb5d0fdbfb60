"""Growth: credits on the six dimensions, append-only in month buckets, summed per card, per person and
per period; cards' evolution from growth and links; kept to their owner."""

from datetime import UTC, datetime
from typing import Any

import pytest

from errors import BadUserInput, NotFound
from graph import growth
from graph.driver import Graph
from graph.refs import Ref
from graph.series import millis
from settings import GROWTH_DIMENSIONS
from tests.client import GraphQLClient
from tests.test_concepts import concept

DIMENSIONS = [dimension.key for dimension in GROWTH_DIMENSIONS]


def _uid(global_id: str) -> Ref:
    import base64

    return Ref.parse(base64.b64decode(global_id).decode())


async def _me(client: GraphQLClient, token: str) -> str:
    return _uid((await client.data("{ me { id } }", token=token))["me"]["id"]).uid


async def test_the_store_records_credits_in_month_buckets_and_sums_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("store@example.com")
    owner = await _me(client, token)
    card = _uid((await concept(client, token, "patience"))["id"])
    jan, feb = millis(datetime(2026, 1, 5, tzinfo=UTC)), millis(datetime(2026, 2, 7, tzinfo=UTC))
    credits = [
        growth.Credit("self_know", 0.25, growth.MANUAL, entity=card, at=feb),
        growth.Credit("self_know", 0.1, growth.MANUAL, entity=card, at=jan),
        growth.Credit("world_act", 0.5, growth.MANUAL, at=jan),
    ]
    made = await graph.write(growth.record, owner=owner, credits=credits, dimensions=DIMENSIONS)
    assert [m["seq"] for m in made] == [1, 2, 3]
    start, end = millis(datetime(2000, 1, 1, tzinfo=UTC)), millis(datetime(2100, 1, 1, tzinfo=UTC))
    found: dict[str, Any] = await graph.read(
        growth.sums, owner=owner, entities=[card.uid, owner], start=start, end=end, period="month"
    )
    assert found[card.uid]["dimensions"]["self_know"][:2] == (pytest.approx(0.35), 2)
    assert found[owner]["dimensions"] == {
        "self_know": (pytest.approx(0.35), 2, feb, "manual"),
        "world_act": (pytest.approx(0.5), 1, jan, "manual"),
    }
    assert [p for p, _ in found[owner]["periods"]] == [
        jan - 4 * 86_400_000,
        millis(datetime(2026, 2, 1, tzinfo=UTC)),
    ]
    with pytest.raises(BadUserInput):
        await graph.write(
            growth.record,
            owner=owner,
            credits=[growth.Credit("nope", 0.1, growth.MANUAL)],
            dimensions=DIMENSIONS,
        )
    other = await client.sign_up("store-other@example.com")
    with pytest.raises(NotFound):
        await graph.write(
            growth.record, owner=await _me(client, other), credits=[credits[0]], dimensions=DIMENSIONS
        )
