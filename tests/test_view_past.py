"""graphView(asOf:): the viewer's graph as it was at an earlier sequence of their event log, replayed
from the log against the real Neo4j: a node made later is absent, a link unlinked then is absent and
back once linked again; only the viewer's own log and nodes; bad sequences refused with a code."""

from itertools import pairwise

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_view import concept, link

PAST = """query ($asOf: Int, $max: Int, $center: ID) {
  graphView(asOf: $asOf, maxNodes: $max, center: $center) {
    sequence totalCount hiddenCount nodes { id name } links { source target type } } }"""
UNLINK = """mutation ($from: ID!, $to: ID!) {
  unlink(from: $from, to: $to, kind: RELATED_TO) { changed } }"""


async def now(client: GraphQLClient, token: str) -> int:
    return (await client.data(PAST, {}, token=token))["graphView"]["sequence"]


async def past(client: GraphQLClient, token: str, sequence: int | None) -> tuple[set[str], set[tuple]]:
    found = (await client.data(PAST, {"asOf": sequence}, token=token))["graphView"]
    if sequence is not None:
        assert found["sequence"] == sequence
    links = {frozenset((one["source"], one["target"])) for one in found["links"]}
    return {node["name"] for node in found["nodes"]}, {tuple(sorted(pair)) for pair in links}


async def test_the_graph_as_it_was_at_each_step_of_the_log(client: GraphQLClient) -> None:
    token = await client.sign_up("past@example.com")
    alpha = await concept(client, token, "Alpha")
    beta = await concept(client, token, "Beta")
    made = await now(client, token)
    await link(client, token, alpha, beta)
    linked = await now(client, token)
    await client.data(UNLINK, {"from": alpha, "to": beta}, token=token)
    unlinked = await now(client, token)
    gamma = await concept(client, token, "Gamma")
    await link(client, token, alpha, beta)
    await link(client, token, beta, gamma)
    pair = tuple(sorted((alpha, beta)))

    assert await past(client, token, made) == ({"Alpha", "Beta"}, set())
    assert await past(client, token, linked) == ({"Alpha", "Beta"}, {pair})
    assert await past(client, token, unlinked) == ({"Alpha", "Beta"}, set())
    names, links = await past(client, token, None)  # now
    assert names == {"Alpha", "Beta", "Gamma"} and links == {pair, tuple(sorted((beta, gamma)))}
    # The last sequence draws what graphView draws today.
    assert await past(client, token, await now(client, token)) == (names, links)


async def test_a_past_view_costs_two_statements_whatever_the_log(client: GraphQLClient, graph: Graph) -> None:
    counts = {}
    for size, email in ((3, "short-log@example.com"), (30, "long-log@example.com")):
        token = await client.sign_up(email)
        ids = [await concept(client, token, f"n{i}") for i in range(size)]
        for a, b in pairwise(ids):
            await link(client, token, a, b)
        sequence = await now(client, token)
        await past(client, token, sequence)  # the viewer's auth state is cached from here on
        before = graph.statements
        names, _ = await past(client, token, sequence)
        counts[size] = graph.statements - before
        assert len(names) == size
    assert counts[3] == counts[30] <= 2, counts


async def test_a_past_view_shows_only_the_viewers_own_log(client: GraphQLClient) -> None:
    busy = await client.sign_up("busy-past@example.com")
    for i in range(6):
        await concept(client, busy, f"Busy {i}")
    quiet = await client.sign_up("quiet-past@example.com")
    await concept(client, quiet, "Quiet one")
    quiet_last = await now(client, quiet)
    busy_last = await now(client, busy)
    assert busy_last > quiet_last
    # Every sequence of the quiet user's own log shows their node alone, never the busy user's.
    for sequence in range(1, quiet_last + 1):
        names, _ = await past(client, quiet, sequence)
        assert names <= {"Quiet one"}
    assert (await past(client, quiet, quiet_last))[0] == {"Quiet one"}
    # A sequence only the busy user's log reaches is refused, and says nothing of theirs.
    error = await client.error(PAST, {"asOf": busy_last}, token=quiet)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "asOf"}
    assert "Busy" not in error["message"]


async def test_bad_past_sequences_are_refused_with_a_code(client: GraphQLClient) -> None:
    token = await client.sign_up("bad-past@example.com")
    alpha = await concept(client, token, "Alpha")
    last = await now(client, token)
    for sequence in (0, -3, last + 1, 2**31 - 1):
        error = await client.error(PAST, {"asOf": sequence}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "asOf"}, sequence
    error = await client.error(PAST, {"asOf": last, "max": 0}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "maxNodes"}
    error = await client.error(PAST, {"asOf": last, "center": alpha}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "center"}
