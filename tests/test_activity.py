"""The activity log: logins, logouts, sessions ended, keys made and revoked, and every write with the
session or key that made it, newest first and paged, read from the event log; what Kindred did by
itself is not in it, and no user ever reads another's."""

from typing import Any

from dispatch import Consumer, Services, mentions
from dispatch.runner import Dispatcher
from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_session_list import END, PASSWORD, RECIPIENT, _by_agent, _log_in, _sessions

ACTIVITY = """query ($first: Int, $after: String, $filter: ActivityFilter) {
  activity(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { type event { sequence kind nodeIds actor { kind id } } } } }"""
CREATE_KEY = """mutation ($scope: ApiKeyScopeInput) {
  createApiKey(name: "script", scope: $scope) { key apiKey { id } } }"""
REVOKE_KEY = "mutation ($id: ID!) { revokeApiKey(id: $id) { id } }"
MEMORY = """mutation { createMemory(input: {kind: EPISODIC, content: "Tea with Clara."}) { id } }"""


async def _activity(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    return dict((await client.data(ACTIVITY, variables, token=token))["activity"])


def _entries(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(entry["type"], entry["event"]["kind"]) for entry in page["nodes"]]


async def test_what_a_person_did_is_listed_newest_first_with_who_did_it(
    client: GraphQLClient, graph: Graph
) -> None:
    laptop = await client.sign_up("activity@example.com", password=PASSWORD)
    phone = await _log_in(client, "activity@example.com", "KindredPhone/1.0")
    await client.data(RECIPIENT, {"name": "Clara"}, token=phone)
    created = (await client.data(CREATE_KEY, token=laptop))["createApiKey"]
    await client.data(RECIPIENT, {"name": "Kim"}, token=created["key"])
    await client.data(MEMORY, token=laptop)
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # unused by it
    await Dispatcher(services, [Consumer.of(mentions)]).drain()  # Kindred links the memory by itself
    phone_id = _by_agent(await _sessions(client, laptop), "KindredPhone/1.0")["id"]
    await client.data(END, {"id": phone_id}, token=laptop)
    await client.data(REVOKE_KEY, {"id": created["apiKey"]["id"]}, token=laptop)

    page = await _activity(client, laptop)
    assert _entries(page) == [
        ("KEY_REVOKED", "ApiKeyRevoked"),
        ("SESSION_ENDED", "SessionEnded"),
        ("WRITE", "MemoryCreated"),
        ("WRITE", "RecipientCreated"),
        ("KEY_CREATED", "ApiKeyCreated"),
        ("WRITE", "RecipientCreated"),
        ("LOGGED_IN", "LoggedIn"),
        ("SIGNED_UP", "UserSignedUp"),
    ]  # no MENTIONSLinked: the consumer's, not the person's
    assert page["totalCount"] == 8
    sequences = [entry["event"]["sequence"] for entry in page["nodes"]]
    assert sequences == sorted(sequences, reverse=True)
    by_key = page["nodes"][3]["event"]["actor"]
    assert by_key == {"kind": "API_KEY", "id": created["apiKey"]["id"]}

    # What the phone's session did: its login, its write, and its end.
    of_phone = await _activity(client, laptop, filter={"actorId": phone_id})
    assert _entries(of_phone) == [
        ("SESSION_ENDED", "SessionEnded"),
        ("WRITE", "RecipientCreated"),
        ("LOGGED_IN", "LoggedIn"),
    ]
    logins = await _activity(client, laptop, filter={"types": ["LOGGED_IN", "SIGNED_UP"]})
    assert _entries(logins) == [("LOGGED_IN", "LoggedIn"), ("SIGNED_UP", "UserSignedUp")]
    writes = await _activity(client, laptop, filter={"types": ["WRITE"]})
    assert [kind for kind, _ in _entries(writes)] == ["WRITE"] * 3


async def test_the_log_is_paged(client: GraphQLClient) -> None:
    token = await client.sign_up("activity-pages@example.com", password=PASSWORD)
    for name in ("A", "B", "C", "D"):
        await client.data(RECIPIENT, {"name": name}, token=token)
    seen: list[int] = []
    after = None
    while True:
        page = await _activity(client, token, first=2, after=after)
        seen += [entry["event"]["sequence"] for entry in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)  # four writes and the sign-up, once each


async def test_no_one_reads_another_persons_activity(client: GraphQLClient) -> None:
    mine = await client.sign_up("activity-mine@example.com", password=PASSWORD)
    theirs = await client.sign_up("activity-theirs@example.com", password=PASSWORD)
    await client.data(RECIPIENT, {"name": "Private"}, token=mine)
    my_session = (await _sessions(client, mine))[0]["id"]
    assert _entries(await _activity(client, theirs)) == [("SIGNED_UP", "UserSignedUp")]
    assert (await _activity(client, theirs, filter={"actorId": my_session}))["nodes"] == []
    person = (await client.data(RECIPIENT, {"name": "Someone"}, token=theirs))["createRecipient"]["id"]
    wrong = await client.error(ACTIVITY, {"filter": {"actorId": person}}, token=theirs)
    assert wrong["extensions"] == {"code": "BAD_USER_INPUT", "field": "actorId"}
    limited = (await client.data(CREATE_KEY, {"scope": {"kinds": ["RECIPIENT"]}}, token=mine))["createApiKey"]
    refused = await client.error(ACTIVITY, token=limited["key"])
    assert refused["extensions"]["code"] == "OUT_OF_SCOPE"
    assert (await client.error(ACTIVITY))["extensions"]["code"] == "UNAUTHENTICATED"
