"""The demo seed fills a user with a realistic network through the API, and can be run again."""

from demo import seed
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient


async def test_the_seed_makes_a_network_worth_exploring_and_runs_again_the_same(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> None:
    first = await seed.seed(settings, graph)
    assert first["recipients"] == 30
    assert first["gifts"] >= 30 and first["occasions"] >= 30 and first["memories"] >= 30
    assert first["conflicts"] >= 5 and first["concepts"] >= 15
    assert await seed.seed(settings, graph) == first

    login = await client.data(
        'mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
    )
    token = login["logIn"]["token"]
    upcoming = await client.data("{ upcomingOccasions(withinDays: 366) { totalCount } }", token=token)
    assert upcoming["upcomingOccasions"]["totalCount"] == 30
