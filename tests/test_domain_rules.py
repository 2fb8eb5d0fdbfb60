"""Rules that keep a person's graph consistent when it changes: what a delete keeps, what a link
recomputes, what a change of kind implies, and how paging arguments are read."""

from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

OCCASION = "mutation ($i: CreateOccasionInput!) { createOccasion(input: $i) { id } }"
GIFT = "mutation ($i: CreateGiftInput!) { createGift(input: $i) { id } }"
LINK = "mutation ($a: ID!, $b: ID!, $k: LinkKind!) { link(from: $a, to: $b, kind: $k) { changed } }"
UNLINK = "mutation ($a: ID!, $b: ID!, $k: LinkKind!) { unlink(from: $a, to: $b, kind: $k) { changed } }"
STATS = "query ($id: ID!) { node(id: $id) { ... on Recipient { relationship { giftsGivenCount } } } }"


async def test_deleting_a_person_keeps_the_occasions_they_share(client: GraphQLClient) -> None:
    token = await client.sign_up("shared@example.com")
    ana, ben = [await create_recipient(client, token, name) for name in ("Ana", "Ben")]
    both = {
        "name": "Wedding",
        "kind": "ANNIVERSARY",
        "date": "2015-06-01",
        "recipientIds": [ana["id"], ben["id"]],
    }
    shared = (await client.data(OCCASION, {"i": both}, token=token))["createOccasion"]
    alone = {"name": "Ana's birthday", "kind": "BIRTHDAY", "date": "1990-03-01", "recipientIds": [ana["id"]]}
    hers = (await client.data(OCCASION, {"i": alone}, token=token))["createOccasion"]
    deleted = await client.data(
        "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }", {"id": ana["id"]}, token=token
    )
    assert deleted["deleteRecipient"]["deletedCount"] == 2  # Ana and her own birthday
    found = await client.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [shared["id"], hers["id"]]}, token=token
    )
    assert found["nodes"] == [{"id": shared["id"]}, None]


async def test_linking_a_gift_to_a_person_counts_it_in_their_statistics(client: GraphQLClient) -> None:
    token = await client.sign_up("relink@example.com")
    ana, ben = [await create_recipient(client, token, name) for name in ("Ana", "Ben")]
    gift = {"name": "Scarf", "recipientIds": [ana["id"]], "outcome": {"success": 0.9}}
    made = (await client.data(GIFT, {"i": gift}, token=token))["createGift"]

    async def given(person: dict) -> int:
        found = await client.data(STATS, {"id": person["id"]}, token=token)
        return found["node"]["relationship"]["giftsGivenCount"]

    assert (await given(ana), await given(ben)) == (1, 0)
    await client.data(LINK, {"a": made["id"], "b": ben["id"], "k": "INTENDED_FOR"}, token=token)
    assert await given(ben) == 1
    await client.data(UNLINK, {"a": made["id"], "b": ben["id"], "k": "INTENDED_FOR"}, token=token)
    assert await given(ben) == 0


async def test_a_gift_linked_as_similar_both_ways_is_listed_once(client: GraphQLClient) -> None:
    token = await client.sign_up("similar-once@example.com")
    a, b = [(await client.data(GIFT, {"i": {"name": n}}, token=token))["createGift"] for n in ("A", "B")]
    await client.data(LINK, {"a": a["id"], "b": b["id"], "k": "SIMILAR_TO"}, token=token)
    await client.data(LINK, {"a": b["id"], "b": a["id"], "k": "SIMILAR_TO"}, token=token)
    query = "query ($id: ID!) { node(id: $id) { ... on Gift { similar { totalCount nodes { id } } } } }"
    similar = (await client.data(query, {"id": a["id"]}, token=token))["node"]["similar"]
    assert similar == {"totalCount": 1, "nodes": [{"id": b["id"]}]}
    self_link = await client.error(LINK, {"a": a["id"], "b": a["id"], "k": "SIMILAR_TO"}, token=token)
    assert self_link["extensions"] == {"code": "BAD_USER_INPUT", "field": "to"}


async def test_a_memory_expires_exactly_while_it_is_short_term(client: GraphQLClient) -> None:
    token = await client.sign_up("expiry@example.com")
    create = "mutation ($i: CreateMemoryInput!) { createMemory(input: $i) { id expiresAt } }"
    update = "mutation ($i: UpdateMemoryInput!) { updateMemory(input: $i) { kind expiresAt } }"
    made = (await client.data(create, {"i": {"kind": "EPISODIC", "content": "A swim"}}, token=token))[
        "createMemory"
    ]
    assert made["expiresAt"] is None
    short = await client.data(update, {"i": {"id": made["id"], "kind": "SHORT_TERM"}}, token=token)
    assert short["updateMemory"]["expiresAt"] is not None
    kept = await client.data(update, {"i": {"id": made["id"], "kind": "SEMANTIC"}}, token=token)
    assert kept["updateMemory"] == {"kind": "SEMANTIC", "expiresAt": None}


async def test_paging_arguments_that_do_not_go_together_are_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("paging-args@example.com")
    await create_recipient(client, token, "Ana")
    first = await client.data("{ recipients(first: 1) { pageInfo { endCursor } } }", token=token)
    cursor = first["recipients"]["pageInfo"]["endCursor"]
    for arguments, field in (("first: 1, before: $c", "before"), ("last: 1, after: $c", "after")):
        query = f"query ($c: String) {{ recipients({arguments}) {{ totalCount }} }}"
        error = await client.error(query, {"c": cursor}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_a_bad_page_of_a_nested_list_fails_that_list_alone(client: GraphQLClient) -> None:
    token = await client.sign_up("nested-bad-page@example.com")
    await create_recipient(client, token, "Ana")
    query = '{ recipients { nodes { name gifts(first: 1, before: "x") { totalCount } occasions { totalCount } } } }'
    answer = await client.execute(query, token=token)
    # One error, on the list that was asked badly; its siblings in the same batch are not failed with it.
    assert [(error["path"][-1], error["extensions"]["code"]) for error in answer["errors"]] == [
        ("gifts", "BAD_USER_INPUT")
    ]
