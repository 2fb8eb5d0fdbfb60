"""Accounts: sign up, log in, the viewer, API keys, and every way a credential is refused."""

import asyncio
import base64
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from graph.driver import Graph
from settings import Settings
from tests.client import LOG_IN, ME, SIGN_UP, GraphQLClient
from tests.conftest import running

CREATE_KEY = """
mutation Create($name: String!, $days: Int) {
  createApiKey(name: $name, expiresInDays: $days) { key apiKey { id name prefix status expiresAt } }
}
"""
REVOKE_KEY = "mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id status revokedAt } }"
KEYS = "{ apiKeys { totalCount edges { node { id name status lastUsedAt } } } }"
KEY_PAGE = """
query Keys($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    edges { cursor node { name } } pageInfo { hasNextPage endCursor }
  }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { __typename id ... on User { email } ... on ApiKey { name } } }"


async def test_sign_up_returns_a_token_that_identifies_the_new_user(client: GraphQLClient) -> None:
    data = await client.data(
        SIGN_UP, {"email": "Ann@Example.com ", "password": "long enough pass", "name": "Ann"}
    )
    user = data["signUp"]["user"]
    assert user["email"] == "ann@example.com"
    assert (user["name"], user["tier"], user["status"]) == ("Ann", "FREE", "ACTIVE")

    me = await client.data(ME, token=data["signUp"]["token"])
    assert me["me"] == {"id": user["id"], "email": "ann@example.com", "name": "Ann"}


async def test_log_in_with_the_password_gives_a_working_token(client: GraphQLClient) -> None:
    await client.sign_up("bob@example.com", password="bobs password!")
    data = await client.data(LOG_IN, {"email": "BOB@example.com", "password": "bobs password!"})
    me = await client.data(ME, token=data["logIn"]["token"])
    assert me["me"]["email"] == "bob@example.com"


@pytest.mark.parametrize(
    ("email", "password", "name", "field"),
    [
        ("not-an-email", "long enough pass", "Ann", "email"),
        ("ann@", "long enough pass", "Ann", "email"),
        ("ann@example.com", "short", "Ann", "password"),
        ("ann@example.com", "long enough pass", "   ", "name"),
    ],
)
async def test_sign_up_refuses_bad_input_and_creates_nothing(
    client: GraphQLClient, graph: Graph, email: str, password: str, name: str, field: str
) -> None:
    error = await client.error(SIGN_UP, {"email": email, "password": password, "name": name})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await _count(graph, "User") == 0


async def test_sign_up_refuses_an_email_already_registered_in_any_case(
    client: GraphQLClient, graph: Graph
) -> None:
    await client.sign_up("carol@example.com")
    error = await client.error(
        SIGN_UP, {"email": "Carol@EXAMPLE.com", "password": "another one!", "name": "C"}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    assert "already exists" in error["message"]
    assert await _count(graph, "User") == 1


@pytest.mark.parametrize(
    ("email", "password"), [("dave@example.com", "wrong password"), ("nobody@x.org", "pw")]
)
async def test_log_in_refuses_a_wrong_password_and_an_unknown_email_alike(
    client: GraphQLClient, email: str, password: str
) -> None:
    await client.sign_up("dave@example.com", password="daves password")
    error = await client.error(LOG_IN, {"email": email, "password": password})
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert error["message"] == "Wrong email or password."


async def test_a_request_without_credentials_is_refused_on_everything_but_sign_up_and_log_in(
    client: GraphQLClient,
) -> None:
    for query in (ME, KEYS, 'mutation { createApiKey(name: "x") { key } }', "{ __typename me { id } }"):
        error = await client.error(query)
        assert error["extensions"]["code"] == "UNAUTHENTICATED", query
    fragment = "query { ...F } fragment F on Query { me { id } }"
    assert (await client.error(fragment))["extensions"]["code"] == "UNAUTHENTICATED"
    assert await client.data("{ __typename }") == {"__typename": "Query"}


async def test_an_expired_token_is_refused(client: GraphQLClient, settings: Settings) -> None:
    token = await client.sign_up("erin@example.com")
    uid = jwt.decode(token, options={"verify_signature": False})["sub"]
    past = datetime.now(UTC) - timedelta(hours=2)
    expired = jwt.encode(
        {"sub": uid, "iss": "kindred", "iat": past, "exp": past + timedelta(hours=1), "jti": "j", "gen": 0},
        settings.signing_secret,
        algorithm="HS256",
    )
    error = await client.error(ME, token=expired)
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "expired" in error["message"]


async def test_a_forged_token_is_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("frank@example.com")
    claims = jwt.decode(token, options={"verify_signature": False})
    forgeries = [
        jwt.encode(claims, "some other secret that is long enough", algorithm="HS256"),
        jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]  # "none": no key
        token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "not.a.token",
    ]
    for forged in forgeries:
        error = await client.error(ME, token=forged)
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}, forged


async def test_a_token_of_a_user_that_does_not_exist_gives_no_viewer(
    client: GraphQLClient, settings: Settings
) -> None:
    from auth.tokens import issue_token

    token = issue_token("00000000-0000-0000-0000-000000000000", 0, settings.signing_secret, 60)
    assert (await client.error(ME, token=token))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_api_key_is_shown_once_stored_as_a_hash_and_works_as_a_bearer_credential(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("gina@example.com")
    created = (await client.data(CREATE_KEY, {"name": "laptop script"}, token=token))["createApiKey"]
    key = created["key"]
    assert key.startswith(created["apiKey"]["prefix"])
    assert created["apiKey"]["status"] == "ACTIVE"

    me = await client.data(ME, token=key)
    assert me["me"]["email"] == "gina@example.com"

    stored = await _all_property_values(graph, "ApiKey")
    assert key not in stored
    listed = (await client.data(KEYS, token=token))["apiKeys"]
    assert listed["totalCount"] == 1
    keys = [edge["node"] for edge in listed["edges"]]
    assert [(k["name"], k["status"]) for k in keys] == [("laptop script", "ACTIVE")]
    assert keys[0]["lastUsedAt"] is not None


async def test_a_revoked_api_key_is_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("hal@example.com")
    created = (await client.data(CREATE_KEY, {"name": "ci"}, token=token))["createApiKey"]
    revoked = await client.data(REVOKE_KEY, {"id": created["apiKey"]["id"]}, token=token)
    assert revoked["revokeApiKey"]["status"] == "REVOKED"

    error = await client.error(ME, token=created["key"])
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert "revoked" in error["message"]


async def test_an_expired_api_key_is_refused(settings: Settings, graph: Graph) -> None:
    # The key's record is cached for auth_state_ttl_seconds: a short one sees the clock moved below.
    async with running(settings.model_copy(update={"auth_state_ttl_seconds": 0.1}), graph) as client:
        await _expired_api_key_is_refused(client, graph)


async def _expired_api_key_is_refused(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("ida@example.com")
    created = (await client.data(CREATE_KEY, {"name": "short", "days": 1}, token=token))["createApiKey"]
    assert (await client.data(ME, token=created["key"]))["me"]["email"] == "ida@example.com"
    # A day cannot pass in a test, so the clock of this one key is moved instead.
    async with graph.driver.session() as session:
        await session.run(
            "MATCH (k:ApiKey {uid: $uid}) SET k.expires_at = datetime() - duration('PT1M')",
            uid=_uid(created["apiKey"]["id"]),
        )
    await asyncio.sleep(0.2)
    assert (await client.error(ME, token=created["key"]))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_unknown_api_key_is_refused(client: GraphQLClient) -> None:
    error = await client.error(ME, token="kdr_thisKeyWasNeverIssued")
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_api_key_input_is_checked(client: GraphQLClient) -> None:
    token = await client.sign_up("jo@example.com")
    for variables, field in (({"name": ""}, "name"), ({"name": "k", "days": 0}, "expiresInDays")):
        error = await client.error(CREATE_KEY, variables, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_a_user_can_neither_see_nor_revoke_another_users_api_key(client: GraphQLClient) -> None:
    owner = await client.sign_up("kim@example.com")
    other = await client.sign_up("lee@example.com")
    created = (await client.data(CREATE_KEY, {"name": "kims"}, token=owner))["createApiKey"]

    assert (await client.data(KEYS, token=other))["apiKeys"] == {"totalCount": 0, "edges": []}
    error = await client.error(REVOKE_KEY, {"id": created["apiKey"]["id"]}, token=other)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(NODE, {"id": created["apiKey"]["id"]}, token=other))["node"] is None
    assert (await client.data(ME, token=created["key"]))["me"]["email"] == "kim@example.com"


async def test_a_malformed_authorization_header_is_refused(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json={"query": ME}, headers={"Authorization": "Basic abc"})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _count(graph: Graph, label: str) -> int:
    async with graph.driver.session() as session:
        record = await (await session.run(f"MATCH (n:{label}) RETURN count(n) AS n")).single()
    return record["n"]


async def _all_property_values(graph: Graph, label: str) -> str:
    async with graph.driver.session() as session:
        records = await (await session.run(f"MATCH (n:{label}) RETURN properties(n) AS p")).data()
    return repr(records)


async def test_ids_of_the_viewer_and_their_keys_are_global_ids_that_node_resolves(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("relay@example.com")
    me = (await client.data(ME, token=token))["me"]
    created = (await client.data(CREATE_KEY, {"name": "relay key"}, token=token))["createApiKey"]
    key_id = created["apiKey"]["id"]
    assert base64.b64decode(me["id"]).decode().startswith("User:")
    assert base64.b64decode(key_id).decode().startswith("ApiKey:")

    user = (await client.data(NODE, {"id": me["id"]}, token=token))["node"]
    assert user == {"__typename": "User", "id": me["id"], "email": "relay@example.com"}
    key = (await client.data(NODE, {"id": key_id}, token=token))["node"]
    assert key == {"__typename": "ApiKey", "id": key_id, "name": "relay key"}


async def test_node_gives_null_for_another_users_account(client: GraphQLClient) -> None:
    mine = await client.sign_up("one@example.com")
    other_id = (await client.data(ME, token=await client.sign_up("two@example.com")))["me"]["id"]
    assert (await client.data(NODE, {"id": other_id}, token=mine))["node"] is None


async def test_events_name_the_account_by_an_id_node_resolves(client: GraphQLClient) -> None:
    token = await client.sign_up("events@example.com")
    me = (await client.data(ME, token=token))["me"]
    events = (await client.data("{ events { nodes { kind nodeIds } } }", token=token))["events"]["nodes"]
    assert events[0] == {"kind": "UserSignedUp", "nodeIds": [me["id"]]}


async def test_api_keys_are_a_connection_paged_by_cursor(client: GraphQLClient) -> None:
    token = await client.sign_up("pages@example.com")
    for name in ("a", "b", "c"):
        await client.data(CREATE_KEY, {"name": name}, token=token)
    first = (await client.data(KEY_PAGE, {"first": 2}, token=token))["apiKeys"]
    assert [edge["node"]["name"] for edge in first["edges"]] == ["a", "b"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = {"first": 2, "after": first["pageInfo"]["endCursor"]}
    rest = (await client.data(KEY_PAGE, after, token=token))["apiKeys"]
    assert [edge["node"]["name"] for edge in rest["edges"]] == ["c"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_revoke_api_key_refuses_an_id_of_another_type_and_revokes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("types@example.com")
    me = (await client.data(ME, token=token))["me"]
    created = (await client.data(CREATE_KEY, {"name": "kept"}, token=token))["createApiKey"]
    for wrong in (me["id"], created["apiKey"]["id"][:-2], "not an id"):
        error = await client.error(REVOKE_KEY, {"id": wrong}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", wrong
    assert (await client.data(ME, token=created["key"]))["me"]["email"] == "types@example.com"
    assert await _count(graph, "Event") == 2  # the sign-up and the key's creation only


def _uid(global_id: str) -> str:
    return base64.b64decode(global_id).decode().partition(":")[2]
