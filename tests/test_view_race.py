"""Review: a view is two statements in one read transaction, and Neo4j reads committed data statement by
statement, so a node deleted between them is in the frame but not in the details."""

import neo4j
from strawberry import relay

from graph import view
from graph.driver import Graph
from resolvers import view as resolve
from settings import Settings
from tests.client import GraphQLClient

CONCEPT = "mutation ($name: String!) { createConcept(input: {name: $name}) { id } }"


async def test_a_node_deleted_between_the_views_two_statements_leaves_the_view_answerable(
    client: GraphQLClient, graph: Graph, settings: Settings
) -> None:
    token = await client.sign_up("race-view@example.com")
    ids = [(await client.data(CONCEPT, {"name": n}, token=token))["createConcept"]["id"] for n in "abc"]
    victim = relay.GlobalID.from_id(ids[0]).node_id
    async with graph.driver.session() as session:
        query = "MATCH (c:Concept {uid: $uid}) RETURN c.owner AS owner"
        owner = (await (await session.run(query, uid=victim)).single(strict=True))["owner"]
    plan = resolve._Plan(2000, None, fold=True)
    other_tab = neo4j.GraphDatabase.driver(settings.neo4j_uri, auth=None)

    def cut_while_another_tab_deletes(frame: view.Frame) -> view.Chosen:
        chosen = plan(frame)
        with other_tab.session() as session:  # another request's delete commits meanwhile
            session.run("MATCH (c:Concept {uid: $uid}) DETACH DELETE c", uid=victim).consume()
        return chosen

    try:
        found = await graph.read(view.view_of, owner=owner, choose=cut_while_another_tab_deletes)
    finally:
        other_tab.close()
    assert found is not None
    frame, chosen, drawn = found
    assert chosen is not None and drawn is not None
    shaped = resolve._shaped(plan, frame, chosen, drawn)  # what graphView answers: KeyError today
    assert sorted(node.name for node in shaped.nodes) == ["b", "c"]
