"""Sessions: logOut and logOutEverywhere, accounts that are gone or suspended, what an API key may not do,
the bounds of account strings and the per-email limit of logIn and signUp.

Every refusal is checked for its code and for having written nothing (counts and the event log)."""

import asyncio
import json
from typing import Any

import pytest

from graph.driver import Graph
from settings import Settings
from tests.client import LOG_IN, ME, SIGN_UP, GraphQLClient
from tests.conftest import running

LOG_OUT = "mutation { logOut }"
LOG_OUT_EVERYWHERE = "mutation { logOutEverywhere }"
CREATE_KEY = 'mutation { createApiKey(name: "k") { key apiKey { id } } }'
REVOKE_KEY = "mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id status } }"
CREATE_RECIPIENT = 'mutation { createRecipient(input: {name: "Zoe", relationship: {kind: FRIEND}}) { id } }'
PASSWORD = "correct horse battery"


async def _log_in(client: GraphQLClient, email: str) -> str:
    data = await client.data(LOG_IN, {"email": email, "password": PASSWORD})
    return data["logIn"]["token"]


async def _snapshot(graph: Graph) -> dict[str, Any]:
    """What a refused request must leave as it was: how many nodes of each label, every user's token
    generation and status, and the newest event."""
    query = """
    CALL { MATCH (n) WHERE NOT n:Migration RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label }
    WITH collect([label, n]) AS counts
    OPTIONAL MATCH (u:User)
    WITH counts, collect([u.uid, u.token_generation, u.status]) AS users
    OPTIONAL MATCH (e:Event)
    RETURN counts, users, max(e.sequence) AS newest, count(e) AS events
    """
    async with graph.driver.session() as session:
        return (await (await session.run(query)).single(strict=True)).data()


async def test_log_out_ends_this_token_only(client: GraphQLClient, graph: Graph) -> None:
    first = await client.sign_up("out@example.com", password=PASSWORD)
    second = await _log_in(client, "out@example.com")
    assert (await client.data(ME, token=first))["me"]["email"] == "out@example.com"

    assert await client.data(LOG_OUT, token=first) == {"logOut": True}
    for query in (ME, CREATE_RECIPIENT, LOG_OUT):
        error = await client.error(query, token=first)
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}, query
        assert "logged out" in error["message"]
    assert (await client.data(ME, token=second))["me"]["email"] == "out@example.com"
    kinds = [
        e["kind"]
        for e in (await client.data("{ events { nodes { kind } } }", token=second))["events"]["nodes"]
    ]
    assert kinds == ["UserSignedUp", "LoggedIn", "LoggedOut"]  # a login is an event too


async def test_log_out_everywhere_ends_every_token_and_a_new_log_in_works(client: GraphQLClient) -> None:
    tokens = [await client.sign_up("all@example.com", password=PASSWORD)]
    tokens += [await _log_in(client, "all@example.com") for _ in range(2)]
    for token in tokens:
        await client.data(ME, token=token)  # each is good, and its user's state is now cached

    assert await client.data(LOG_OUT_EVERYWHERE, token=tokens[1]) == {"logOutEverywhere": True}
    for token in tokens:
        assert (await client.error(ME, token=token))["extensions"] == {"code": "UNAUTHENTICATED"}
    fresh = await _log_in(client, "all@example.com")
    assert (await client.data(ME, token=fresh))["me"]["email"] == "all@example.com"
    kinds = [
        e["kind"]
        for e in (await client.data("{ events { nodes { kind } } }", token=fresh))["events"]["nodes"]
    ]
    assert kinds == ["UserSignedUp", "LoggedIn", "LoggedIn", "LoggedOutEverywhere", "LoggedIn"]


async def test_logouts_survive_a_restart(settings: Settings, graph: Graph) -> None:
    async with running(settings, graph) as client:
        one = await client.sign_up("restart@example.com", password=PASSWORD)
        await client.data(LOG_OUT, token=one)
        other = await client.sign_up("restart2@example.com", password=PASSWORD)
        await client.data(LOG_OUT_EVERYWHERE, token=other)
    # A new instance starts with an empty cache: what it refuses, it learned from the graph.
    async with running(settings, graph) as client:
        for token in (one, other):
            assert (await client.error(ME, token=token))["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_a_logout_holds_at_once_on_every_instance_sharing_redis(
    settings: Settings, graph: Graph, redis_url: str
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url, "auth_state_ttl_seconds": 300})
    async with running(shared, graph) as first, running(shared, graph) as second:
        token = await first.sign_up("shared@example.com", password=PASSWORD)
        other = await _log_in(first, "shared@example.com")
        for client in (first, second):
            await client.data(ME, token=token)
        await first.data(LOG_OUT, token=token)
        assert (await second.error(ME, token=token))["extensions"] == {"code": "UNAUTHENTICATED"}
        await second.data(LOG_OUT_EVERYWHERE, token=other)
        assert (await first.error(ME, token=other))["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_a_request_of_a_logged_out_token_reads_no_neo4j_for_its_credential(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("cheap@example.com", password=PASSWORD)
    await client.data(ME, token=token)
    await client.data(LOG_OUT, token=token)
    before = graph.transactions
    for _ in range(5):
        await client.error(ME, token=token)
    assert graph.transactions == before  # refused from the cached state, before anything runs


async def test_a_valid_token_costs_no_neo4j_read_once_its_state_is_cached(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("warm@example.com", password=PASSWORD)
    await client.data(ME, token=token)
    before = graph.transactions
    for _ in range(5):
        await client.data(ME, token=token)
    assert graph.transactions - before == 5  # the viewer's own read, and nothing for the credential


async def test_a_token_of_a_deleted_user_is_refused_on_every_request(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("gone@example.com", password=PASSWORD)
    async with graph.driver.session() as session:
        await session.run("MATCH (u:User {email: 'gone@example.com'}) DETACH DELETE u")
    before = await _snapshot(graph)
    queries = (
        ME,
        "{ recipients { totalCount } }",
        "{ events { nodes { kind } } }",
        CREATE_RECIPIENT,
        CREATE_KEY,
        LOG_OUT,
        LOG_OUT_EVERYWHERE,
        'query { node(id: "VXNlcjp4") { id } }',
    )
    for query in queries:
        answer = await client.execute(query, token=token)
        assert answer.get("data") is None, query
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["UNAUTHENTICATED"], query
    assert await _snapshot(graph) == before


async def test_a_user_deleted_while_cached_is_refused_once_the_cache_expires(
    settings: Settings, graph: Graph
) -> None:
    async with running(settings.model_copy(update={"auth_state_ttl_seconds": 0.1}), graph) as client:
        token = await client.sign_up("later@example.com", password=PASSWORD)
        await client.data(ME, token=token)
        async with graph.driver.session() as session:
            await session.run("MATCH (u:User {email: 'later@example.com'}) DETACH DELETE u")
        await asyncio.sleep(0.2)
        assert (await client.error(CREATE_RECIPIENT, token=token))["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("status", ["suspended", "archived"])
async def test_a_suspended_or_archived_account_is_forbidden(
    client: GraphQLClient, graph: Graph, status: str
) -> None:
    token = await client.sign_up(f"{status}@example.com", password=PASSWORD)
    async with graph.driver.session() as session:
        await session.run("MATCH (u:User) SET u.status = $status", status=status)
    before = await _snapshot(graph)
    for query in (ME, CREATE_RECIPIENT, CREATE_KEY):
        error = await client.error(query, token=token)
        assert error["extensions"] == {"code": "FORBIDDEN", "status": status}, query
    error = await client.error(LOG_IN, {"email": f"{status}@example.com", "password": PASSWORD})
    assert error["extensions"] == {"code": "FORBIDDEN", "status": status}
    # The status is told only to whoever knows the password.
    error = await client.error(LOG_IN, {"email": f"{status}@example.com", "password": "not the password"})
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert await _snapshot(graph) == before


async def test_an_api_key_may_not_manage_credentials(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("keys@example.com", password=PASSWORD)
    created = (await client.data(CREATE_KEY, token=token))["createApiKey"]
    key, key_id = created["key"], created["apiKey"]["id"]
    await client.data(ME, token=key)  # records its first use: the snapshot below starts after it
    before = await _snapshot(graph)
    for query, variables in (
        (CREATE_KEY, None),
        (REVOKE_KEY, {"id": key_id}),
        (LOG_OUT, None),
        (LOG_OUT_EVERYWHERE, None),
    ):
        error = await client.error(query, variables, token=key)
        assert error["extensions"] == {"code": "FORBIDDEN"}, query
        assert "session token" in error["message"]
    assert await _snapshot(graph) == before
    assert (await client.data(ME, token=key))["me"]["email"] == "keys@example.com"
    assert (await client.data(ME, token=token))["me"]["email"] == "keys@example.com"


async def test_a_revoked_api_key_is_refused_at_once_although_it_was_cached(client: GraphQLClient) -> None:
    token = await client.sign_up("revoke@example.com", password=PASSWORD)
    created = (await client.data(CREATE_KEY, token=token))["createApiKey"]
    await client.data(ME, token=created["key"])
    await client.data(REVOKE_KEY, {"id": created["apiKey"]["id"]}, token=token)
    assert (await client.error(ME, token=created["key"]))["extensions"] == {"code": "UNAUTHENTICATED"}


def _bad_names() -> list[tuple[str, str]]:
    controls = [("nul", "An\x00n"), ("bell", "A\x07"), ("newline", "Ann\nSmith"), ("escape", "\x1b[31mAnn")]
    return [*controls, ("separator", "An\u2028n"), ("surrogate", "Ann\ud800"), ("long", "A" * 101)]


async def _post_raw(
    client: GraphQLClient, query: str, variables: dict[str, Any], token: str | None = None
) -> Any:
    # json.dumps escapes a lone surrogate as \\ud800, as a client's JSON would; httpx could not encode it.
    headers = {"content-type": "application/json"} | ({"authorization": f"Bearer {token}"} if token else {})
    body = json.dumps({"query": query, "variables": variables})
    return (await client.http.post("/graphql", content=body, headers=headers)).json()


@pytest.mark.parametrize(("case", "name"), _bad_names())
async def test_sign_up_refuses_names_with_control_characters_or_too_long(
    client: GraphQLClient, graph: Graph, case: str, name: str
) -> None:
    before = await _snapshot(graph)
    variables = {"email": f"{case}@example.com", "password": PASSWORD, "name": name}
    answer = await _post_raw(client, SIGN_UP, variables)
    # A lone surrogate is refused at the root, before any field is read: it names the variables.
    field = "variables" if case == "surrogate" else "name"
    assert [e["extensions"] for e in answer["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]
    assert await _snapshot(graph) == before


@pytest.mark.parametrize(("case", "name"), _bad_names())
async def test_create_api_key_refuses_names_with_control_characters_or_too_long(
    client: GraphQLClient, graph: Graph, case: str, name: str
) -> None:
    token = await client.sign_up(f"{case}-key@example.com", password=PASSWORD)
    before = await _snapshot(graph)
    answer = await _post_raw(
        client, "mutation K($n: String!) { createApiKey(name: $n) { key } }", {"n": name}, token
    )
    field = "variables" if case == "surrogate" else "name"
    assert [e["extensions"] for e in answer["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]
    assert await _snapshot(graph) == before


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("big@example.com", "x" * 1025, "password"),
        ("big@example.com", "x" * 900_000, "password"),
        ("big@example.com", "surrogate \ud800 pass", "variables"),  # refused at the root
        ("big\ud800@example.com", PASSWORD, "variables"),
        ("big\x00@example.com", PASSWORD, "email"),
        ("a" * 300 + "@example.com", PASSWORD, "email"),
    ],
)
async def test_sign_up_and_log_in_bound_passwords_and_emails(
    client: GraphQLClient, graph: Graph, email: str, password: str, field: str
) -> None:
    await client.sign_up("big@example.com", password=PASSWORD)
    before = await _snapshot(graph)
    variables = {"email": email, "password": password, "name": "Big"}
    answer = await _post_raw(client, SIGN_UP, variables)
    assert [e["extensions"] for e in answer["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]
    answer = await _post_raw(client, LOG_IN, {"email": email, "password": password})
    expected = (
        {"code": "UNAUTHENTICATED"} if field == "password" else {"code": "BAD_USER_INPUT", "field": field}
    )
    assert [e["extensions"] for e in answer["errors"]] == [expected]
    assert await _snapshot(graph) == before


async def test_a_huge_password_is_refused_without_hashing_it(client: GraphQLClient) -> None:
    await client.sign_up("fast@example.com", password=PASSWORD)
    started = asyncio.get_running_loop().time()
    await client.error(LOG_IN, {"email": "fast@example.com", "password": "x" * 900_000})
    # argon2 of a right-sized password takes tens of ms here; a refusal before it takes far less.
    assert asyncio.get_running_loop().time() - started < 0.5


async def test_log_in_and_sign_up_are_limited_per_email_from_any_address(
    settings: Settings, graph: Graph
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_email": "3/minute"})
    async with running(limited, graph) as client:
        await client.sign_up("target@example.com", password=PASSWORD)  # the first attempt
        for _ in range(2):
            await client.error(LOG_IN, {"email": "target@example.com", "password": "guess guess guess"})
        before = await _snapshot(graph)
        response = await client.post(LOG_IN, {"email": "TARGET@example.com", "password": PASSWORD})
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
        sign_up = {"email": "target@example.com", "password": PASSWORD, "name": "T"}
        assert (await client.error(SIGN_UP, sign_up))["extensions"]["code"] == "RATE_LIMITED"
        assert await _snapshot(graph) == before
        # Another address is counted on its own.
        await client.sign_up("bystander@example.com", password=PASSWORD)
