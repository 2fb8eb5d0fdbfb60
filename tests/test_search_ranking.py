"""Search's scores and what they say: computed from the viewer's own data alone (issue 27), 0 to 1 with a
relevance floor and `minScore`, a name said in the query first, and why each hit matched (issue 18)."""

from resolvers.search_score import FLOOR
from tests import test_search
from tests.test_recipients import create as create_recipient
from tests.test_search import CONCEPT, Instance, hits, memory

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher
SCORES = """query ($q: String!) { search(query: $q, first: 10, minScore: 0) { score node { id } } }"""


async def scores(k: Instance, token: str, query: str) -> list[tuple[str, float]]:
    data = await k.client.data(SCORES, {"q": query}, token=token)
    return [(hit["node"]["id"], hit["score"]) for hit in data["search"]]


async def test_a_users_scores_do_not_depend_on_another_users_words(kindred: Instance) -> None:
    """Another user's texts changed the full-text index's word weights and so the viewer's scores: a user
    could learn whether anyone else had written a word."""
    ann = await kindred.client.sign_up("ann-leak@example.com")
    bob = await kindred.client.sign_up("bob-leak@example.com")
    for name in ("pottery", "zither"):
        await kindred.client.data(CONCEPT, {"input": {"name": name}}, token=ann)
    await memory(kindred, ann, "A zither lesson and a pottery class on the same Sunday")
    await kindred.dispatcher.drain()
    queries = ("pottery zither", "pottery", "zither lesson")
    before = {query: await scores(kindred, ann, query) for query in queries}
    for i in range(30):
        await memory(kindred, bob, f"pottery pottery pottery, glaze number {i}")
    await kindred.dispatcher.drain()
    after = {query: await scores(kindred, ann, query) for query in queries}
    assert all(before[query] for query in queries)
    assert after == before


async def test_nonsense_answers_nothing_and_min_score_asks_for_more(kindred: Instance) -> None:
    token = await kindred.client.sign_up("floor@example.com")
    await memory(kindred, token, "We went hiking in the Alps last summer")
    await memory(kindred, token, "Dinner at the new sushi place downtown")
    await kindred.dispatcher.drain()
    for query in ("xylophone", "qwzx"):
        assert await hits(kindred, token, query) == [], query
    weak = await hits(kindred, token, "xylophone", minScore=0)
    assert len(weak) == 2 and all(0 <= hit["score"] < FLOOR for hit in weak)
    found = await hits(kindred, token, "hiking in the mountains")
    assert [hit["node"]["content"] for hit in found] == ["We went hiking in the Alps last summer"]
    assert 0 < found[0]["score"] <= 1 and "MEANING" in found[0]["matched"]["signals"]
    error = await kindred.client.error(test_search.SEARCH, {"q": "alps", "minScore": 1.5}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_name_said_in_the_query_ranks_that_person_first_and_says_why(kindred: Instance) -> None:
    token = await kindred.client.sign_up("names@example.com")
    await create_recipient(kindred.client, token, "Hana", label="friend from the ceramics studio")
    await create_recipient(kindred.client, token, "Clara", kind="FAMILY", label="sister")
    await memory(kindred, token, "Pottery with my friend at the studio")
    await memory(kindred, token, "Coffee with a friend from work")
    await kindred.dispatcher.drain()
    found = await hits(kindred, token, "Hana")
    assert found[0]["node"]["name"] == "Hana"
    assert found[0]["matched"]["fields"] == ["name"] and found[0]["matched"]["words"] == ["hana"]
    assert "WORDS" in found[0]["matched"]["signals"]
    assert found[0]["score"] > FLOOR
