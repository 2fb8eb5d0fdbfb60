"""Occasions: linked to recipients, their next occurrence, what is coming up, and their isolation."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

FIELDS = "id name kind date recurring recurrence importance nextOccurrence daysUntil"
CREATE = f"mutation ($input: CreateOccasionInput!) {{ createOccasion(input: $input) {{ {FIELDS} }} }}"
UPCOMING = "query ($days: Int) { upcomingOccasions(withinDays: $days) { edges { node { name daysUntil } } } }"


def today() -> date:
    return datetime.now(UTC).date()


async def create(client: GraphQLClient, token: str, **values: Any) -> dict[str, Any]:
    values = {"kind": "BIRTHDAY", **values}
    return (await client.data(CREATE, {"input": values}, token=token))["createOccasion"]


async def test_a_yearly_occasion_comes_next_on_its_day_this_year_or_next(client: GraphQLClient) -> None:
    token = await client.sign_up("occ@example.com")
    born = today().replace(year=1990) - timedelta(days=3) if today().month > 1 else today().replace(year=1990)
    made = await create(client, token, name="Mum's birthday", date=born.isoformat(), recurring=True)
    assert made["recurrence"] == "YEARLY"
    upcoming = date.fromisoformat(made["nextOccurrence"])
    assert upcoming >= today()
    assert (upcoming.month, upcoming.day) == (born.month, born.day)
    assert upcoming.year in (today().year, today().year + 1)
    assert made["daysUntil"] == (upcoming - today()).days


async def test_a_one_off_occasion_stays_on_its_date(client: GraphQLClient) -> None:
    token = await client.sign_up("once@example.com")
    made = await create(client, token, name="Graduation", kind="MILESTONE", date="2020-06-01")
    assert made["nextOccurrence"] == "2020-06-01"


async def test_upcoming_occasions_are_those_within_the_window_soonest_first(client: GraphQLClient) -> None:
    token = await client.sign_up("soon@example.com")
    for name, days in (("in ten", 10), ("in two", 2), ("in sixty", 60)):
        when = today() + timedelta(days=days)
        await create(
            client, token, name=name, date=when.replace(year=when.year - 5).isoformat(), recurring=True
        )
    await create(client, token, name="long gone", kind="OTHER", date="2001-01-01")

    edges = (await client.data(UPCOMING, {"days": 30}, token=token))["upcomingOccasions"]["edges"]
    assert [(e["node"]["name"], e["node"]["daysUntil"]) for e in edges] == [("in two", 2), ("in ten", 10)]


async def test_a_recipients_occasions_are_read_through_the_recipient(client: GraphQLClient) -> None:
    token = await client.sign_up("theirs@example.com")
    mum = await create_recipient(client, token, "Mum", kind="FAMILY")
    await create(
        client, token, name="Mum's birthday", date="1960-05-04", recurring=True, recipientIds=[mum["id"]]
    )
    await create(client, token, name="Not hers", date="1960-05-04")
    query = """query ($id: ID!) { node(id: $id) { ... on Recipient {
        occasions { totalCount edges { node {
          name recipients { nodes { name relationship { kind } } } } } } } } }"""
    data = (await client.data(query, {"id": mum["id"]}, token=token))["node"]["occasions"]
    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert node["name"] == "Mum's birthday"
    assert node["recipients"]["nodes"] == [{"name": "Mum", "relationship": {"kind": "FAMILY"}}]


async def test_deleting_a_recipient_deletes_their_occasions(client: GraphQLClient) -> None:
    token = await client.sign_up("cascade@example.com")
    dad = await create_recipient(client, token, "Dad")
    made = await create(client, token, name="Dad's birthday", date="1958-01-09", recipientIds=[dad["id"]])
    kept = await create(client, token, name="New year", kind="HOLIDAY", date="2000-01-01")
    deleted = await client.data(
        "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }", {"id": dad["id"]}, token=token
    )
    assert deleted["deleteRecipient"]["deletedCount"] == 2
    gone = await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": made["id"]}, token=token)
    still = await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": kept["id"]}, token=token)
    assert gone["node"] is None and still["node"] == {"id": kept["id"]}


async def test_an_occasion_cannot_be_made_for_another_users_recipient(client: GraphQLClient) -> None:
    owner = await client.sign_up("hers@example.com")
    other = await client.sign_up("intruder@example.com")
    theirs = await create_recipient(client, owner, "Hers")
    error = await client.error(
        CREATE,
        {"input": {"name": "x", "kind": "BIRTHDAY", "date": "2000-01-01", "recipientIds": [theirs["id"]]}},
        token=other,
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    listed = await client.data("{ occasions { totalCount } events { nodes { kind } } }", token=other)
    assert listed == {"occasions": {"totalCount": 0}, "events": {"nodes": [{"kind": "UserSignedUp"}]}}


async def test_occasion_input_is_checked(client: GraphQLClient) -> None:
    token = await client.sign_up("checks@example.com")
    bad = [
        ({"importance": 11}, "importance"),
        ({"budgetMinCents": 500, "budgetMaxCents": 100}, "budgetMinCents"),
        ({"name": " "}, "name"),
    ]
    for values, field in bad:
        variables = {"input": {"name": "x", "kind": "BIRTHDAY", "date": "2000-01-01", **values}}
        error = await client.error(CREATE, variables, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, values


async def test_occasions_filter_by_type_and_date_window(client: GraphQLClient) -> None:
    token = await client.sign_up("window@example.com")
    await create(client, token, name="a", date="2020-01-01")
    await create(client, token, name="b", kind="ANNIVERSARY", date="2020-06-01")
    await create(client, token, name="c", date="2021-01-01")
    query = """query ($f: OccasionFilter) { occasions(filter: $f) { nodes { name } } }"""
    window = {"dateFrom": "2020-01-01", "dateTo": "2020-12-31"}
    assert (await client.data(query, {"f": window}, token=token))["occasions"]["nodes"] == [
        {"name": "a"},
        {"name": "b"},
    ]
    both = {**window, "kinds": ["BIRTHDAY"]}
    assert (await client.data(query, {"f": both}, token=token))["occasions"]["nodes"] == [{"name": "a"}]
