"""Challenges: templates versioned (a revision supersedes without erasing; a deprecated version starts
nothing), challenges taken on from them with progress, completed once for a trophy that is linked, drawn
and searched; reflections and notes on any node; and none of it reaches another user."""

from typing import Any

from strawberry import relay

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance, kindred

__all__ = ["kindred"]  # the fixture, used here

TEMPLATE_FIELDS = "id name version status target steps dimensions { dimension amount }"
CREATE_TEMPLATE = f"""mutation ($i: CreateChallengeTemplateInput!) {{
  createChallengeTemplate(input: $i) {{ {TEMPLATE_FIELDS} }} }}"""
REVISE = f"""mutation ($i: ReviseChallengeTemplateInput!) {{
  reviseChallengeTemplate(input: $i) {{ {TEMPLATE_FIELDS} supersedes {{ id version status }} }} }}"""
UPDATE_TEMPLATE = f"""mutation ($i: UpdateChallengeTemplateInput!) {{
  updateChallengeTemplate(input: $i) {{ {TEMPLATE_FIELDS} }} }}"""
CHALLENGE_FIELDS = """id title status templateVersion target stepsDone progress completedAt
  template { id version } about { __typename id }"""
START = f"""mutation ($i: StartChallengeInput!) {{ startChallenge(input: $i) {{ {CHALLENGE_FIELDS} }} }}"""
PROGRESS = f"""mutation ($i: RecordChallengeProgressInput!) {{
  recordChallengeProgress(input: $i) {{ {CHALLENGE_FIELDS} }} }}"""
COMPLETE = f"""mutation ($id: ID!) {{ completeChallenge(id: $id) {{ {CHALLENGE_FIELDS}
  trophy {{ id kind title description challenge {{ id }} about {{ __typename id }} }} }} }}"""
ABANDON = "mutation ($id: ID!) { abandonChallenge(id: $id) { id status abandonedAt } }"
MEMORY = "mutation ($i: CreateMemoryInput!) { createMemory(input: $i) { id kind valence } }"
UPDATE_MEMORY = "mutation ($i: UpdateMemoryInput!) { updateMemory(input: $i) { id } }"
LISTS = """{ challengeTemplates { nodes { id } } challenges { nodes { id } } artifacts { nodes { id } }
  memories(filter: {kinds: [REFLECTION, NOTE]}) { nodes { id } } }"""
SEARCH = "query ($q: String!) { search(query: $q, minScore: 0) { node { __typename id } } }"
VIEW = "{ graphView(maxNodes: 500) { nodes { id label name } } }"


async def template(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    values = {
        "name": "Write to an old friend",
        "description": "Three letters, by hand, to someone you lost touch with.",
        "dimensions": [{"dimension": "self_show", "amount": 0.3}, {"dimension": "world_act", "amount": 0.1}],
        "steps": ["Pick a friend", "Write the letter", "Post it"],
        **given,
    }
    return (await client.data(CREATE_TEMPLATE, {"i": values}, token=token))["createChallengeTemplate"]


async def start(client: GraphQLClient, token: str, template_id: str, **given: Any) -> dict[str, Any]:
    return (await client.data(START, {"i": {"templateId": template_id, **given}}, token=token))[
        "startChallenge"
    ]


async def count(graph: Graph, label: str) -> int:
    async with graph.driver.session() as session:
        record = await (await session.run(f"MATCH (n:{label}) RETURN count(n) AS n")).single()
    return record["n"]


async def test_a_revision_supersedes_its_version_which_stays_and_starts_nothing(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("challenge-versions@example.com")
    first = await template(client, token)
    assert (first["version"], first["status"], first["target"]) == (1, "ACTIVE", 3)
    assert first["dimensions"] == [
        {"dimension": "self_show", "amount": 0.3},
        {"dimension": "world_act", "amount": 0.1},
    ]
    started = await start(client, token, first["id"])
    revised = (await client.data(REVISE, {"i": {"id": first["id"], "target": 2}}, token=token))[
        "reviseChallengeTemplate"
    ]
    assert (revised["version"], revised["status"], revised["target"]) == (2, "ACTIVE", 2)
    assert revised["name"] == first["name"] and revised["steps"] == first["steps"]  # kept as they were
    assert revised["supersedes"] == {"id": first["id"], "version": 1, "status": "DEPRECATED"}
    # The old version stays, with the challenge started from it; it starts no new one.
    error = await client.error(START, {"i": {"templateId": first["id"]}}, token=token)
    assert error["extensions"]["code"] == "TEMPLATE_DEPRECATED"
    assert error["extensions"]["replacedByVersion"] == 2
    old = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on ChallengeTemplate { status supersededBy { id } "
        "challenges { nodes { id templateVersion } } } } }",
        {"id": first["id"]},
        token=token,
    )
    assert old["node"]["supersededBy"] == {"id": revised["id"]}
    assert old["node"]["challenges"]["nodes"] == [{"id": started["id"], "templateVersion": 1}]
    current = await client.data(
        "{ challengeTemplates(filter: {current: true}) { nodes { id } } all: challengeTemplates { totalCount } }",
        token=token,
    )
    assert current["challengeTemplates"]["nodes"] == [{"id": revised["id"]}]
    assert current["all"]["totalCount"] == 2
    assert (await start(client, token, revised["id"]))["templateVersion"] == 2
    # Only the newest version is revised.
    error = await client.error(REVISE, {"i": {"id": first["id"], "name": "Again"}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_draft_changes_and_starts_nothing_until_it_is_published(client: GraphQLClient) -> None:
    token = await client.sign_up("challenge-draft@example.com")
    draft = await template(client, token, status="DRAFT")
    error = await client.error(START, {"i": {"templateId": draft["id"]}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    changed = await client.data(
        UPDATE_TEMPLATE, {"i": {"id": draft["id"], "name": "Write twice"}}, token=token
    )
    assert changed["updateChallengeTemplate"]["name"] == "Write twice"
    await client.data(UPDATE_TEMPLATE, {"i": {"id": draft["id"], "status": "ACTIVE"}}, token=token)
    assert (await start(client, token, draft["id"]))["title"] == "Write twice"
    # Published, it changes only by a revision; deprecated, it stays so.
    error = await client.error(UPDATE_TEMPLATE, {"i": {"id": draft["id"], "name": "Thrice"}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    await client.data(UPDATE_TEMPLATE, {"i": {"id": draft["id"], "status": "DEPRECATED"}}, token=token)
    error = await client.error(UPDATE_TEMPLATE, {"i": {"id": draft["id"], "status": "ACTIVE"}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(START, {"i": {"templateId": draft["id"]}}, token=token)
    assert error["extensions"]["code"] == "TEMPLATE_DEPRECATED"


async def test_a_challenge_progresses_and_completes_once_for_a_linked_trophy(client: GraphQLClient) -> None:
    token = await client.sign_up("challenge-complete@example.com")
    ann = (await create_recipient(client, token, "Ann"))["id"]
    made = await template(client, token)
    challenge = await start(client, token, made["id"], aboutId=ann, dueAt="2026-12-31T18:00:00+01:00")
    assert challenge["about"] == {"__typename": "Recipient", "id": ann}
    assert (challenge["status"], challenge["stepsDone"], challenge["progress"]) == ("ACTIVE", 0, 0.0)
    stepped = await client.data(PROGRESS, {"i": {"id": challenge["id"], "stepsDone": 2}}, token=token)
    assert stepped["recordChallengeProgress"]["progress"] == 2 / 3
    shared = await client.data(PROGRESS, {"i": {"id": challenge["id"], "progress": 0.4}}, token=token)
    assert (
        shared["recordChallengeProgress"]["progress"],
        shared["recordChallengeProgress"]["stepsDone"],
    ) == (
        0.4,
        1,
    )
    done = (await client.data(COMPLETE, {"id": challenge["id"]}, token=token))["completeChallenge"]
    assert (done["status"], done["progress"], done["stepsDone"]) == ("COMPLETED", 1.0, 3)
    assert done["completedAt"] is not None
    trophy = done["trophy"]
    assert (trophy["kind"], trophy["title"]) == ("TROPHY", "Write to an old friend")
    assert trophy["challenge"] == {"id": challenge["id"]}
    assert trophy["about"] == {"__typename": "Recipient", "id": ann}
    # Twice is refused, and nothing more is earned; a completed challenge no longer moves.
    for query, variables in (
        (COMPLETE, {"id": challenge["id"]}),
        (PROGRESS, {"i": {"id": challenge["id"], "stepsDone": 1}}),
        (ABANDON, {"id": challenge["id"]}),
    ):
        error = await client.error(query, variables, token=token)
        assert error["extensions"]["code"] == "ALREADY_COMPLETED", query
    lists = await client.data(
        "query ($ann: ID!) { artifacts(filter: {kinds: [TROPHY]}) { nodes { id } } "
        "node(id: $ann) { ... on Recipient { challenges { nodes { id status } } artifacts { nodes { id } } } } "
        "challenges(filter: {statuses: [COMPLETED], aboutId: $ann}) { nodes { id } } }",
        {"ann": ann},
        token=token,
    )
    assert lists["artifacts"]["nodes"] == [{"id": trophy["id"]}]
    assert lists["node"]["challenges"]["nodes"] == [{"id": challenge["id"], "status": "COMPLETED"}]
    assert lists["node"]["artifacts"]["nodes"] == [{"id": trophy["id"]}]
    assert lists["challenges"]["nodes"] == [{"id": challenge["id"]}]
    # Ann's uid under another kind's id is about nothing.
    assert await about_lists(client, token, ann) == ([challenge["id"]], [trophy["id"]])
    wrong = str(relay.GlobalID("Concept", relay.GlobalID.from_id(ann).node_id))
    assert await about_lists(client, token, wrong) == ([], [])
    # An abandoned one is ended too; deleting a challenge takes its trophy with it.
    other = await start(client, token, made["id"])
    gave_up = await client.data(ABANDON, {"id": other["id"]}, token=token)
    assert gave_up["abandonChallenge"]["status"] == "ABANDONED"
    error = await client.error(COMPLETE, {"id": other["id"]}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    deleted = await client.data(
        "mutation ($id: ID!) { deleteChallenge(id: $id) { deletedCount } }",
        {"id": challenge["id"]},
        token=token,
    )
    assert deleted["deleteChallenge"]["deletedCount"] == 2
    assert (await client.data("{ artifacts { totalCount } }", token=token))["artifacts"]["totalCount"] == 0


async def about_lists(client: GraphQLClient, token: str, about: str) -> tuple[list[str], list[str]]:
    """The ids of the challenges and of the artifacts filtered as about `about`."""
    found = await client.data(
        "query ($about: ID!) { challenges(filter: {aboutId: $about}) { nodes { id } } "
        "artifacts(filter: {aboutId: $about}) { nodes { id } } }",
        {"about": about},
        token=token,
    )
    return [n["id"] for n in found["challenges"]["nodes"]], [n["id"] for n in found["artifacts"]["nodes"]]


async def credits_of(graph: Graph, challenge_id: str) -> list[tuple[str, str, float, str]]:
    """The growth credits whose source is this challenge: (entity label, dimension, delta, source kind)."""
    query = """
    MATCH (b:GrowthBucket) WHERE $uid IN b.source_ids
    UNWIND range(0, size(b.dims) - 1) AS i
    WITH b, i WHERE b.source_ids[i] = $uid
    RETURN b.entity_label AS label, b.dims[i] AS dim, b.deltas[i] AS delta, b.sources[i] AS source
    """
    uid = relay.GlobalID.from_id(challenge_id).node_id
    async with graph.driver.session() as session:
        found = await session.run(query, uid=uid)
        return sorted([(r["label"], r["dim"], r["delta"], r["source"]) async for r in found])


async def test_completing_credits_the_templates_growth_to_its_card_or_the_person(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("challenge-growth@example.com")
    walk = await client.data(MEMORY, {"i": {"kind": "EPISODIC", "content": "A walk"}}, token=token)
    made = await template(client, token)
    on_card = await start(client, token, made["id"], aboutId=walk["createMemory"]["id"])
    on_person = await start(client, token, made["id"])
    assert await credits_of(graph, on_card["id"]) == []  # nothing before it is done
    await client.data(COMPLETE, {"id": on_card["id"]}, token=token)
    await client.data(COMPLETE, {"id": on_person["id"]}, token=token)
    expected = [("self_show", 0.3, "challenge"), ("world_act", 0.1, "challenge")]
    assert await credits_of(graph, on_card["id"]) == [("Memory", *credit) for credit in expected]
    assert await credits_of(graph, on_person["id"]) == [("User", *credit) for credit in expected]
    # Refused a second time, it credits nothing more.
    await client.error(COMPLETE, {"id": on_card["id"]}, token=token)
    assert len(await credits_of(graph, on_card["id"])) == 2


async def test_bad_challenge_input_is_refused_with_a_code_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("challenge-bad@example.com")
    made = await template(client, token)
    challenge = await start(client, token, made["id"])
    gift = await client.data('mutation { createGift(input: {name: "Kite"}) { id } }', token=token)
    before = [await count(graph, label) for label in ("ChallengeTemplate", "Challenge", "Artifact", "Event")]
    dims = [{"dimension": "self_know", "amount": 1}]
    bad_templates = [
        {"name": "No growth", "dimensions": []},
        {"name": "Twice", "dimensions": [*dims, *dims]},
        {"name": "Too much", "dimensions": [{"dimension": "self_know", "amount": 1.1}]},
        {"name": "Nothing", "dimensions": [{"dimension": "self_know", "amount": 0}]},
        {"name": "Unknown", "dimensions": [{"dimension": "self_doubt", "amount": 0.5}]},
        {"name": "No target", "dimensions": dims, "target": 0},
        {"name": "", "dimensions": dims},
        {"name": "Steps", "dimensions": dims, "steps": ["fine", ""]},
    ]
    for given in bad_templates:
        error = await client.error(CREATE_TEMPLATE, {"i": given}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", given
    bad_progress = [
        {"id": challenge["id"]},
        {"id": challenge["id"], "stepsDone": 1, "progress": 0.5},
        {"id": challenge["id"], "stepsDone": 4},
        {"id": challenge["id"], "stepsDone": -1},
        {"id": challenge["id"], "progress": 1.5},
        {"id": made["id"], "progress": 0.5},
    ]
    for given in bad_progress:
        error = await client.error(PROGRESS, {"i": given}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", given
    error = await client.error(
        START, {"i": {"templateId": made["id"], "aboutId": gift["createGift"]["id"]}}, token=token
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(START, {"i": {"templateId": challenge["id"]}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(UPDATE_TEMPLATE, {"i": {"id": made["id"], "dimensions": None}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    after = [await count(graph, label) for label in ("ChallengeTemplate", "Challenge", "Artifact", "Event")]
    assert after == before


async def test_reflections_and_notes_refer_to_any_of_the_viewers_nodes(client: GraphQLClient) -> None:
    token = await client.sign_up("reflections@example.com")
    ann = (await create_recipient(client, token, "Ann"))["id"]
    walk = await client.data(MEMORY, {"i": {"kind": "EPISODIC", "content": "A walk with Ann"}}, token=token)
    walk_id = walk["createMemory"]["id"]
    challenge = await start(client, token, (await template(client, token))["id"], aboutId=ann)
    about = [ann, walk_id, challenge["id"]]
    reflection = await client.data(
        MEMORY,
        {
            "i": {
                "kind": "REFLECTION",
                "content": "Writing to Ann made me see how much I miss her.",
                "valence": -0.3,
                "refersToIds": about,
            }
        },
        token=token,
    )
    assert (
        reflection["createMemory"]["kind"] == "REFLECTION" and reflection["createMemory"]["valence"] == -0.3
    )
    reflection_id = reflection["createMemory"]["id"]
    note = await client.data(
        MEMORY,
        {"i": {"kind": "NOTE", "content": "Her favourite path", "refersToIds": [walk_id]}},
        token=token,
    )
    note_id = note["createMemory"]["id"]
    read = await client.data(
        "query ($r: ID!, $w: ID!, $c: ID!) { r: node(id: $r) { ... on Memory { refersTo { nodes { id } } } } "
        "w: node(id: $w) { ... on Memory { referringMemories { nodes { id kind } } } } "
        "c: node(id: $c) { ... on Challenge { referringMemories { nodes { id } } } } "
        "memories(filter: {kinds: [REFLECTION]}) { nodes { id } } }",
        {"r": reflection_id, "w": walk_id, "c": challenge["id"]},
        token=token,
    )
    assert {node["id"] for node in read["r"]["refersTo"]["nodes"]} == set(about)
    assert {(n["id"], n["kind"]) for n in read["w"]["referringMemories"]["nodes"]} == {
        (reflection_id, "REFLECTION"),
        (note_id, "NOTE"),
    }
    assert read["c"]["referringMemories"]["nodes"] == [{"id": reflection_id}]
    assert read["memories"]["nodes"] == [{"id": reflection_id}]
    # A note is on exactly one node, and short.
    for given in (
        {"kind": "NOTE", "content": "On two", "refersToIds": [walk_id, ann]},
        {"kind": "NOTE", "content": "On nothing"},
        {"kind": "NOTE", "content": "x" * 2_001, "refersToIds": [walk_id]},
    ):
        error = await client.error(MEMORY, {"i": given}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", given
    error = await client.error(
        UPDATE_MEMORY, {"i": {"id": note_id, "refersToIds": [walk_id, ann]}}, token=token
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(UPDATE_MEMORY, {"i": {"id": walk_id, "kind": "NOTE"}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    kept = await client.data(
        "query ($n: ID!) { node(id: $n) { ... on Memory { refersTo { nodes { id } } } } }",
        {"n": note_id},
        token=token,
    )
    assert kept["node"]["refersTo"]["nodes"] == [{"id": walk_id}]


async def test_another_user_reaches_none_of_it(client: GraphQLClient) -> None:
    owner = await client.sign_up("challenge-owner@example.com")
    stranger = await client.sign_up("challenge-stranger@example.com")
    ann = (await create_recipient(client, owner, "Ann"))["id"]
    made = await template(client, owner)
    challenge = await start(client, owner, made["id"], aboutId=ann)
    trophy = (await client.data(COMPLETE, {"id": challenge["id"]}, token=owner))["completeChallenge"][
        "trophy"
    ]
    walk = await client.data(MEMORY, {"i": {"kind": "EPISODIC", "content": "A walk"}}, token=owner)
    walk_id = walk["createMemory"]["id"]
    reflection = await client.data(
        MEMORY,
        {"i": {"kind": "REFLECTION", "content": "Proud of it", "refersToIds": [challenge["id"]]}},
        token=owner,
    )
    # The stranger starts nothing from the owner's template, moves nothing of theirs, annotates nothing.
    own = await template(client, stranger)
    refusals = [
        (START, {"i": {"templateId": made["id"]}}),
        (START, {"i": {"templateId": own["id"], "aboutId": ann}}),
        (PROGRESS, {"i": {"id": challenge["id"], "progress": 0.5}}),
        (COMPLETE, {"id": challenge["id"]}),
        (ABANDON, {"id": challenge["id"]}),
        (REVISE, {"i": {"id": made["id"], "name": "Mine now"}}),
        (UPDATE_TEMPLATE, {"i": {"id": made["id"], "status": "DEPRECATED"}}),
        (MEMORY, {"i": {"kind": "NOTE", "content": "Mine", "refersToIds": [walk_id]}}),
        (MEMORY, {"i": {"kind": "REFLECTION", "content": "Theirs", "refersToIds": [trophy["id"]]}}),
        ("mutation ($id: ID!) { deleteArtifact(id: $id) { deletedCount } }", {"id": trophy["id"]}),
        ("mutation ($id: ID!) { deleteChallenge(id: $id) { deletedCount } }", {"id": challenge["id"]}),
    ]
    for query, variables in refusals:
        error = await client.error(query, variables, token=stranger)
        assert error["extensions"]["code"] == "NOT_FOUND", (query, error)
    seen = await client.data(LISTS, token=stranger)
    assert seen["challengeTemplates"]["nodes"] == [{"id": own["id"]}]
    assert seen["challenges"]["nodes"] == [] and seen["artifacts"]["nodes"] == []
    assert seen["memories"]["nodes"] == []
    ids = [made["id"], challenge["id"], trophy["id"], reflection["createMemory"]["id"]]
    found = await client.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, token=stranger
    )
    assert found["nodes"] == [None, None, None, None]
    # The owner's are as they were.
    mine = await client.data(LISTS, token=owner)
    assert [
        len(mine[name]["nodes"]) for name in ("challengeTemplates", "challenges", "artifacts", "memories")
    ] == [
        1,
        1,
        1,
        1,
    ]


async def test_a_trophy_is_drawn_and_searched_by_its_owner_alone(kindred: Instance) -> None:
    client = kindred.client
    owner = await client.sign_up("trophy-drawn@example.com")
    stranger = await client.sign_up("trophy-stranger@example.com")
    ann = (await create_recipient(client, owner, "Ann"))["id"]
    made = await template(client, owner, name="Marathon of kindness")
    challenge = await start(client, owner, made["id"], aboutId=ann)
    trophy = (await client.data(COMPLETE, {"id": challenge["id"]}, token=owner))["completeChallenge"][
        "trophy"
    ]
    await kindred.dispatcher.drain()
    hits = (await client.data(SEARCH, {"q": "marathon of kindness"}, token=owner))["search"]
    found = {(hit["node"]["__typename"], hit["node"]["id"]) for hit in hits}
    assert {("Artifact", trophy["id"]), ("Challenge", challenge["id"])} <= found
    view = (await client.data(VIEW, token=owner))["graphView"]["nodes"]
    drawn = {(node["id"], node["label"], node["name"]) for node in view}
    assert (trophy["id"], "Artifact", "Marathon of kindness") in drawn
    assert (challenge["id"], "Challenge", "Marathon of kindness") in drawn
    links = await client.data("{ graphView(maxNodes: 500) { links { source target type } } }", token=owner)
    ends = {(link["source"], link["target"], link["type"]) for link in links["graphView"]["links"]}
    assert (trophy["id"], challenge["id"], "AWARDED_FOR") in ends
    assert (trophy["id"], ann, "ABOUT") in ends
    theirs = (await client.data(SEARCH, {"q": "marathon of kindness"}, token=stranger))["search"]
    assert theirs == []
    assert (await client.data(VIEW, token=stranger))["graphView"]["nodes"] == []
