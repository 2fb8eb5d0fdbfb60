"""Sessions and actors: each logIn or signUp is a Session the viewer can list and end one by one, and
every Event names who made it (a session, an API key, or a consumer of the log).

Every refusal is checked for its code and for having written nothing (the event log)."""

import asyncio
from typing import Any

from strawberry import relay

from dispatch import Consumer, Services, mentions
from dispatch.runner import Dispatcher
from graph.driver import Graph
from settings import Settings
from tests.client import ME, GraphQLClient
from tests.conftest import running

PASSWORD = "correct horse battery"
LOG_IN = """mutation ($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token } }"""
SESSIONS = """{ sessions { totalCount nodes {
  id status current userAgent address credential createdAt lastSeenAt expiresAt endedAt } } }"""
END = "mutation ($id: ID!) { endSession(id: $id) { id status endedAt current } }"
NODE = "query ($id: ID!) { node(id: $id) { id ... on Session { status userAgent } } }"
EVENTS = "{ events { nodes { kind nodeIds data actor { kind id name } } } }"
CREATE_KEY = 'mutation { createApiKey(name: "script") { key apiKey { id } } }'
RECIPIENT = """mutation ($name: String!) {
  createRecipient(input: {name: $name, relationship: {kind: FRIEND}}) { id } }"""
GIFT = """mutation ($name: String!, $for: ID!) {
  createGift(input: {name: $name, category: "experiential", recipientIds: [$for]}) { id } }"""
OUTCOME = """mutation ($gift: ID!, $outcome: GiftOutcomeInput!) {
  recordGiftOutcome(giftId: $gift, outcome: $outcome) { id } }"""


async def _log_in(client: GraphQLClient, email: str, user_agent: str) -> str:
    """Logs in as a client that says it is `user_agent`."""
    response = await client.http.post(
        "/graphql",
        json={"query": LOG_IN, "variables": {"email": email, "password": PASSWORD}},
        headers={"User-Agent": user_agent},
    )
    answer = response.json()
    assert "errors" not in answer, answer
    return str(answer["data"]["logIn"]["token"])


async def _sessions(client: GraphQLClient, token: str) -> list[dict[str, Any]]:
    return list((await client.data(SESSIONS, token=token))["sessions"]["nodes"])


async def _events(client: GraphQLClient, token: str) -> list[dict[str, Any]]:
    return list((await client.data(EVENTS, token=token))["events"]["nodes"])


def _by_agent(sessions: list[dict[str, Any]], user_agent: str) -> dict[str, Any]:
    return next(session for session in sessions if session["userAgent"] == user_agent)


async def test_two_logins_from_different_user_agents_are_listed_and_the_current_one_marked(
    client: GraphQLClient,
) -> None:
    await client.sign_up("two@example.com", password=PASSWORD)
    phone = await _log_in(client, "two@example.com", "KindredPhone/1.0")
    laptop = await _log_in(client, "two@example.com", "KindredLaptop/2.0")

    listed = await _sessions(client, laptop)
    assert len(listed) == 3  # the sign-up's, and the two logins, newest first
    assert [s["userAgent"] for s in listed[:2]] == ["KindredLaptop/2.0", "KindredPhone/1.0"]
    assert [s["current"] for s in listed] == [True, False, False]
    for session in listed:
        assert session["status"] == "ACTIVE"
        assert session["credential"] == "PASSWORD"
        assert session["address"] == "127.0.0.1"  # where the test transport says requests come from
        assert session["endedAt"] is None
        assert session["createdAt"] <= session["lastSeenAt"] < session["expiresAt"]
    # Seen from the phone, the phone's is the current one.
    from_phone = await _sessions(client, phone)
    assert _by_agent(from_phone, "KindredPhone/1.0")["current"] is True
    assert _by_agent(from_phone, "KindredLaptop/2.0")["current"] is False


async def test_ending_another_session_refuses_its_token_at_once_and_the_current_one_goes_on(
    client: GraphQLClient,
) -> None:
    await client.sign_up("end@example.com", password=PASSWORD)
    phone = await _log_in(client, "end@example.com", "KindredPhone/1.0")
    laptop = await _log_in(client, "end@example.com", "KindredLaptop/2.0")
    assert (await client.data(ME, token=phone))["me"]["email"] == "end@example.com"  # its state is cached

    phone_id = _by_agent(await _sessions(client, laptop), "KindredPhone/1.0")["id"]
    ended = (await client.data(END, {"id": phone_id}, token=laptop))["endSession"]
    assert ended["id"] == phone_id and ended["status"] == "ENDED" and ended["endedAt"] is not None
    assert ended["current"] is False

    refused = await client.error(ME, token=phone)
    assert refused["extensions"] == {"code": "UNAUTHENTICATED"}
    assert (await client.data(ME, token=laptop))["me"]["email"] == "end@example.com"
    listed = await _sessions(client, laptop)
    assert _by_agent(listed, "KindredPhone/1.0")["status"] == "ENDED"
    assert _by_agent(listed, "KindredLaptop/2.0")["status"] == "ACTIVE"

    # Ending it again changes nothing and writes nothing.
    before = await _events(client, laptop)
    again = (await client.data(END, {"id": phone_id}, token=laptop))["endSession"]
    assert again["endedAt"] == ended["endedAt"]
    assert await _events(client, laptop) == before

    laptop_id = _by_agent(listed, "KindredLaptop/2.0")["id"]
    kinds = [(e["kind"], e["actor"]["kind"], e["actor"]["id"]) for e in before]
    assert ("SessionEnded", "SESSION", laptop_id) in kinds
    assert next(e for e in before if e["kind"] == "SessionEnded")["nodeIds"][1] == phone_id


async def test_an_ended_session_is_refused_at_once_on_every_instance_sharing_redis(
    settings: Settings, graph: Graph, redis_url: str
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url, "auth_state_ttl_seconds": 300})
    async with running(shared, graph) as first, running(shared, graph) as second:
        await first.sign_up("shared-end@example.com", password=PASSWORD)
        phone = await _log_in(first, "shared-end@example.com", "KindredPhone/1.0")
        laptop = await _log_in(first, "shared-end@example.com", "KindredLaptop/2.0")
        for client in (first, second):
            await client.data(ME, token=phone)  # each instance has the user's state cached
        phone_id = _by_agent(await _sessions(first, laptop), "KindredPhone/1.0")["id"]
        await first.data(END, {"id": phone_id}, token=laptop)
        assert (await second.error(ME, token=phone))["extensions"] == {"code": "UNAUTHENTICATED"}
        assert (await second.data(ME, token=laptop))["me"]["email"] == "shared-end@example.com"


async def test_log_in_and_log_out_are_events_of_their_session_and_end_it(client: GraphQLClient) -> None:
    first = await client.sign_up("inout@example.com", password=PASSWORD)
    second = await _log_in(client, "inout@example.com", "KindredPhone/1.0")
    listed = await _sessions(client, second)
    first_id, second_id = listed[1]["id"], listed[0]["id"]

    await client.data("mutation { logOut }", token=first)
    assert (await client.error(ME, token=first))["extensions"] == {"code": "UNAUTHENTICATED"}
    statuses = {s["id"]: s["status"] for s in await _sessions(client, second)}
    assert statuses == {first_id: "ENDED", second_id: "ACTIVE"}

    logged = [(e["kind"], e["actor"]["kind"], e["actor"]["id"]) for e in await _events(client, second)]
    assert logged == [
        ("UserSignedUp", "SESSION", first_id),
        ("LoggedIn", "SESSION", second_id),
        ("LoggedOut", "SESSION", first_id),
    ]

    await client.data("mutation { logOutEverywhere }", token=second)
    third = await _log_in(client, "inout@example.com", "KindredLaptop/2.0")
    statuses = {s["id"]: s["status"] for s in await _sessions(client, third)}
    assert sorted(statuses.values()) == ["ACTIVE", "ENDED", "ENDED"]
    assert statuses[first_id] == statuses[second_id] == "ENDED"


async def test_an_expired_session_is_listed_as_expired(settings: Settings, graph: Graph) -> None:
    short = settings.model_copy(update={"token_ttl_seconds": 1})
    async with running(settings, graph) as client:
        token = await client.sign_up("expire@example.com", password=PASSWORD)
        async with running(short, graph) as brief:
            await _log_in(brief, "expire@example.com", "KindredBrief/1.0")

        async with asyncio.timeout(60):
            # Polling the status through the API (nothing to wait on there), not a timed assertion.
            while _by_agent(await _sessions(client, token), "KindredBrief/1.0")["status"] != "EXPIRED":  # noqa: ASYNC110
                await asyncio.sleep(0.2)
        listed = await _sessions(client, token)
        assert _by_agent(listed, "KindredBrief/1.0")["endedAt"] is None
        assert [s["status"] for s in listed if s["current"]] == ["ACTIVE"]


async def test_a_change_made_with_an_api_key_and_one_with_a_session_are_told_apart_by_their_actor(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("actors@example.com", password=PASSWORD)
    session_id = (await _sessions(client, token))[0]["id"]
    created = (await client.data(CREATE_KEY, token=token))["createApiKey"]
    key, key_id = created["key"], created["apiKey"]["id"]

    by_session = (await client.data(RECIPIENT, {"name": "Sam"}, token=token))["createRecipient"]["id"]
    by_key = (await client.data(RECIPIENT, {"name": "Kim"}, token=key))["createRecipient"]["id"]

    actors = {
        e["nodeIds"][0]: e["actor"] for e in await _events(client, token) if e["kind"] == "RecipientCreated"
    }
    assert actors[by_session] == {"kind": "SESSION", "id": session_id, "name": None}
    assert actors[by_key] == {"kind": "API_KEY", "id": key_id, "name": None}
    # The actor's id is a node the viewer can read.
    assert (await client.data(NODE, {"id": session_id}, token=token))["node"]["id"] == session_id


async def test_what_a_consumer_writes_names_the_consumer(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("consumer@example.com", password=PASSWORD)
    await client.data(RECIPIENT, {"name": "Clara"}, token=token)
    memory = """mutation { createMemory(input: {kind: EPISODIC, content: "Tea with Clara."}) { id } }"""
    await client.data(memory, token=token)
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # unused by it
    await Dispatcher(services, [Consumer.of(mentions)]).drain()

    linked = [e["actor"] for e in await _events(client, token) if e["kind"] == "MENTIONSLinked"]
    assert linked == [{"kind": "SYSTEM", "id": None, "name": "consumer:mentions"}]


async def test_a_gift_outcome_keeps_its_numbers_on_its_event(client: GraphQLClient) -> None:
    token = await client.sign_up("numbers@example.com", password=PASSWORD)
    sam = (await client.data(RECIPIENT, {"name": "Sam"}, token=token))["createRecipient"]["id"]
    gift = (await client.data(GIFT, {"name": "Concert", "for": sam}, token=token))["createGift"]["id"]
    outcome = {"success": 0.8, "reactionIntensity": 7}
    await client.data(OUTCOME, {"gift": gift, "outcome": outcome}, token=token)

    recorded = [e for e in await _events(client, token) if e["kind"] == "GiftOutcomeCreated"]
    assert len(recorded) == 1
    assert recorded[0]["data"]["success"] == 0.8
    assert recorded[0]["data"]["reaction_intensity"] == 7


async def test_a_second_user_can_never_list_end_or_read_the_first_users_sessions_or_events(
    client: GraphQLClient,
) -> None:
    ann = await client.sign_up("ann-s@example.com", password=PASSWORD)
    bob = await client.sign_up("bob-s@example.com", password=PASSWORD)
    ann_session = (await _sessions(client, ann))[0]
    ann_events = await _events(client, ann)

    assert [s["id"] for s in await _sessions(client, bob)] != [ann_session["id"]]
    assert len(await _sessions(client, bob)) == 1
    refused = await client.error(END, {"id": ann_session["id"]}, token=bob)
    assert refused["extensions"] == {"code": "NOT_FOUND"}
    assert (await client.data(NODE, {"id": ann_session["id"]}, token=bob))["node"] is None
    assert all(e["actor"]["id"] != ann_session["id"] for e in await _events(client, bob))

    # Ann's session and log are as they were.
    assert (await client.data(ME, token=ann))["me"]["email"] == "ann-s@example.com"
    assert (await _sessions(client, ann))[0]["status"] == "ACTIVE"
    assert await _events(client, ann) == ann_events


async def test_an_api_key_may_not_list_read_or_end_sessions(client: GraphQLClient) -> None:
    token = await client.sign_up("key-s@example.com", password=PASSWORD)
    key = (await client.data(CREATE_KEY, token=token))["createApiKey"]["key"]
    session_id = (await _sessions(client, token))[0]["id"]
    before = await _events(client, token)

    for query, variables in ((SESSIONS, None), (END, {"id": session_id}), (NODE, {"id": session_id})):
        refused = await client.error(query, variables, token=key)
        assert refused["extensions"]["code"] == "FORBIDDEN", query
    assert (await client.data(ME, token=token))["me"]["email"] == "key-s@example.com"
    assert await _events(client, token) == before


async def test_bad_session_ids_get_coded_errors_and_write_nothing(client: GraphQLClient) -> None:
    token = await client.sign_up("bad-s@example.com", password=PASSWORD)
    key_id = (await client.data(CREATE_KEY, token=token))["createApiKey"]["apiKey"]["id"]
    before = await _events(client, token)

    wrong_type = await client.error(END, {"id": key_id}, token=token)
    assert wrong_type["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await client.error(END, {"id": str(relay.GlobalID("Session", "no-such-session"))}, token=token)
    assert unknown["extensions"] == {"code": "NOT_FOUND"}
    garbage = await client.error(END, {"id": "not an id"}, token=token)
    assert garbage["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _events(client, token) == before
    assert [s["status"] for s in await _sessions(client, token)] == ["ACTIVE"]


async def test_a_used_session_costs_no_write_per_request(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("seen@example.com", password=PASSWORD)
    await client.data(ME, token=token)
    before = graph.transactions
    for _ in range(5):
        await client.data(ME, token=token)
    # Each ME reads the account once; the session's last use is not written again within a minute.
    assert graph.transactions - before == 5
