"""The 3D view widened for partners: a member's graphView draws what their partner shared with them,
placed in the member's own picture (never at the author's place, which their whole graph made), captioned
by its own title, with no link to what was not shared; a stranger's view never holds it."""

from dispatch.runner import Dispatcher
from tests.client import GraphQLClient
from tests.test_couples import CONFLICT, SHARE, UNSHARE, couple_of_two
from tests.test_recipients import create as create_recipient
from tests.test_view import NEIGHBOURS, view
from tests.test_view import layout as layout  # the fixture: a dispatcher of the layout alone

POSITION = "query ($id: ID!) { node(id: $id) { ... on Conflict { position { x y z } community } } }"
CHORES = "Arguing about the chores rota again"


async def test_a_partners_shared_node_is_drawn_in_the_members_view_alone(
    client: GraphQLClient, layout: Dispatcher
) -> None:
    ann, ben, cat = await couple_of_two(client, "view")
    bart = (await create_recipient(client, ann, "Bartholomew"))["id"]
    chores = (await client.data(CONFLICT, {"input": {"recipientId": bart, "summary": CHORES}}, token=ann))[
        "createConflict"
    ]["id"]
    mine = (await create_recipient(client, ben, "Benedict"))["id"]
    await client.data(SHARE, {"id": chores}, token=ann)
    await layout.drain()
    authors = (await client.data(POSITION, {"id": chores}, token=ann))["node"]
    assert authors["position"] is not None  # laid out in Ann's picture

    drawn = await view(client, ben)
    by_id = {node["id"]: node for node in drawn["nodes"]}
    assert set(by_id) == {mine, chores} and drawn["totalCount"] == 2
    assert by_id[chores]["name"] == CHORES
    # Placed in Ben's picture: not at Ann's place, and no link to Ann's unshared person.
    place = authors["position"]
    assert (by_id[chores]["x"], by_id[chores]["y"], by_id[chores]["z"]) != (
        place["x"],
        place["y"],
        place["z"],
    )
    assert drawn["links"] == []  # nothing Ben reads links them: no link to Ann's unshared person
    read = (await client.data(POSITION, {"id": chores}, token=ben))["node"]
    assert read == {"position": None, "community": None}  # Ann's layout is hers
    centred = await view(client, ben, center=chores, depth=2)
    assert ids(centred) == {chores} and centred["links"] == []
    around = (await client.data(NEIGHBOURS, {"id": chores}, token=ben))["neighbourhood"]
    assert ids(around) == set() and around["links"] == []
    # Ann, its author, draws it with her person, as ever.
    assert ids(await view(client, ann)) == {bart, chores}
    around = (await client.data(NEIGHBOURS, {"id": chores}, token=ann))["neighbourhood"]
    assert ids(around) == {bart}

    # The stranger draws nothing of either; once unshared, Ben draws his own alone.
    assert ids(await view(client, cat)) == set()
    await client.data(UNSHARE, {"id": chores}, token=ann)
    assert ids(await view(client, ben)) == {mine}
    assert ids(await view(client, ann)) == {bart, chores}


def ids(drawn: dict) -> set[str]:
    """The ids of the nodes a view (or a neighbourhood) holds."""
    return {node["id"] for node in drawn["nodes"]}
