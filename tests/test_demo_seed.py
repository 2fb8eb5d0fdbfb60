"""The demo seed: a coherent person's world, read back through the API as its user would check it; the
same world every run; and, larger, one whose communities fold into super-nodes in the 3D view."""

from collections import Counter
from datetime import date

from demo import names, seed
from dispatch import layout
from graph import users
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient

LOG_IN = 'mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
PEOPLE = """{ recipients(first: 100) { totalCount nodes { id name gender
  relationship { kind label since }
  occasions(first: 5) { nodes { kind } }
  gifts(first: 8) { totalCount nodes { name priceCents outcome { success } } } } } }"""
MEMORIES = """query ($after: String) { memories(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { content happenedAt recipients(first: 10) { nodes { name } } concepts(first: 10) { nodes { name } } } } }"""
CONFLICTS = """{ conflicts(first: 100) { nodes { status summary startedAt endedAt
  recipient { name } topics(first: 10) { nodes { name } } } } }"""
TALKS = """{ conversations(first: 20) { nodes { title purpose status messageCount
  about { ... on Recipient { name } } messages(first: 10) { nodes { seq role text } } } } }"""
VIEW = """{ graphView { totalCount hiddenCount nodes { id label name members community } } }"""
EXPAND = """query ($id: ID!) { expandCommunity(id: $id, maxNodes: 500) { nodes { id label } } }"""
CIRCLES = """query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Recipient { lifeContext } } }"""


async def _token(client: GraphQLClient) -> str:
    return (await client.data(LOG_IN))["logIn"]["token"]


async def _memories(client: GraphQLClient, token: str) -> list[dict]:
    found, after = [], None
    while True:
        page = (await client.data(MEMORIES, {"after": after}, token=token))["memories"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def _named(connection: dict) -> list[str]:
    return [node["name"] for node in connection["nodes"]]


async def test_the_demo_is_a_coherent_world_and_runs_again_the_same(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> None:
    first = await seed.seed(settings, graph)
    assert first["recipients"] == seed.PEOPLE
    assert first["gifts"] >= 30 and first["occasions"] > seed.PEOPLE and first["memories"] >= 60
    assert first["conflicts"] >= 1 and first["concepts"] >= 30
    assert await seed.seed(settings, graph) == first  # afresh, the same world
    token = await _token(client)
    people = (await client.data(PEOPLE, token=token))["recipients"]["nodes"]

    # One partner; every relationship word agrees with the person's gender, and so does their name.
    assert [p["relationship"]["kind"] for p in people].count("PARTNER") == 1
    for person in people:
        label, gender, given = person["relationship"]["label"], person["gender"], person["name"].split()[0]
        assert names.gender_of_word(label) in (None, gender), person
        assert given in (names.FEMALE if gender == "female" else names.MALE), person
    by_label = Counter(p["relationship"]["label"] for p in people)
    assert by_label["mother"] == by_label["father"] == 1 and by_label["best friend"] == 1
    assert len({p["name"] for p in people}) == len(people)
    # The user's family is known since birth at the latest; nobody is known before they were born.
    for person in people:
        assert person["relationship"]["since"] >= "1989", person

    # Each person's birthday; the partner's anniversary; no gift twice to anyone, each priced, with an outcome.
    for person in people:
        kinds = [o["kind"] for o in person["occasions"]["nodes"]]
        assert kinds.count("BIRTHDAY") == 1, person["name"]
        gifts = _named(person["gifts"])
        assert len(gifts) == len(set(gifts)), (person["name"], gifts)
        for gift in person["gifts"]["nodes"]:
            assert 1_000 <= gift["priceCents"] <= 50_000 and gift["outcome"] is not None, gift
    partner = next(p for p in people if p["relationship"]["kind"] == "PARTNER")
    assert "ANNIVERSARY" in [o["kind"] for o in partner["occasions"]["nodes"]]

    # Every memory names someone it involves, and the concepts it mentions; none is in the future.
    memories = await _memories(client, token)
    assert len(memories) == first["memories"]
    for memory in memories:
        involved = _named(memory["recipients"])
        assert involved and any(name in memory["content"] for name in involved), memory
        assert all(c.lower() in memory["content"].lower() for c in _named(memory["concepts"])), memory
        assert memory["happenedAt"] <= date.today().isoformat()
    shared = [m for m in memories if len(m["recipients"]["nodes"]) > 1]
    assert len(shared) >= 8  # circles share memories: what makes them communities

    # Conflicts have topics; a repaired one ended after it began and left a memory of the repair.
    conflicts = (await client.data(CONFLICTS, token=token))["conflicts"]["nodes"]
    assert any(c["status"] == "RESOLVED" for c in conflicts)
    for conflict in conflicts:
        topics, whom = _named(conflict["topics"]), conflict["recipient"]["name"]
        # The summary names its main topic: one of the conflict's topics, whatever order they list in.
        named = [topic for topic in topics if topic in conflict["summary"]]
        assert topics and whom in conflict["summary"] and named
        if conflict["status"] == "RESOLVED":
            assert conflict["endedAt"] > conflict["startedAt"]
            repairs = [m for m in memories if whom in m["content"] and "Made up" in m["content"]]
            assert any(named[0] in m["content"] and m["happenedAt"] >= conflict["startedAt"] for m in repairs)

    # A gift search about each of the few who matter most, and a mediation after the partner's conflict:
    # each about its person, whom it names, its turns in order, the user's and the assistant's in turn.
    talks = (await client.data(TALKS, token=token))["conversations"]["nodes"]
    assert len(talks) == first["conversations"] and [t["purpose"] for t in talks].count("GIFT_SEARCH") == 3
    assert [t["purpose"] for t in talks].count("MEDIATION") == 1
    for talk in talks:
        said = talk["messages"]["nodes"]
        whom = talk["about"]["name"].split()[0]
        assert talk["status"] == "CLOSED" and talk["messageCount"] == len(said) >= 3, talk
        assert [m["seq"] for m in said] == list(range(1, len(said) + 1))
        assert [m["role"] for m in said][:2] == ["USER", "ASSISTANT"] and whom in said[0]["text"], talk

    upcoming = await client.data("{ upcomingOccasions(withinDays: 366) { totalCount } }", token=token)
    assert upcoming["upcomingOccasions"]["totalCount"] >= seed.PEOPLE + 2  # birthdays, anniversary, Christmas


async def test_a_larger_world_folds_its_circles_into_super_nodes(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> None:
    counts = await seed.seed(settings, graph, people=300)
    assert counts["recipients"] == 300
    token = await _token(client)
    account = await graph.read(users.credentials_by_email, seed.EMAIL)
    assert account is not None
    assert await layout.refresh(graph, account["user"]["uid"]) > 0  # the layout consumer's work

    found = (await client.data(VIEW, token=token))["graphView"]
    supers = [node for node in found["nodes"] if node["label"] == "Community"]
    assert found["totalCount"] > 500 and len(found["nodes"]) <= 500
    assert len(supers) >= 5, [node["name"] for node in supers]
    # A super-node stands for a circle: most of the people folded into it share one.
    circled = 0
    for node in supers:
        members = (await client.data(EXPAND, {"id": node["id"]}, token=token))["expandCommunity"]["nodes"]
        ids = [m["id"] for m in members if m["label"] == "Recipient"]
        if not ids:
            continue
        rows = (await client.data(CIRCLES, {"ids": ids}, token=token))["nodes"]
        circles = Counter(row["lifeContext"]["circle"] for row in rows)
        circled += circles.most_common(1)[0][1] >= 0.6 * len(ids)
    assert circled >= 0.6 * len(supers), circled
