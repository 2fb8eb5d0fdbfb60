"""API key scopes over a live server: graphChanged sends a key limited to named kinds only their nodes
and the links between two of them; a subscription asking for more, or made with a key limited to
personas, is refused before it starts."""

from collections.abc import Iterator

import pytest

from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_CONCEPT, CREATE_RECIPIENT, LINK, Socket, live_only, live_settings, post, sign_up
from tests.test_api_key_scopes import CREATE_KEY

PEOPLE_CHANGED = """
subscription ($since: Int) {
  graphChanged(since: $since) {
    kind nodesAdded { __typename id ... on Recipient { name } } linksAdded { type }
  }
}
"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def test_graph_changed_sends_a_key_only_the_kinds_it_may_read(server: LiveServer) -> None:
    token = await sign_up(server, "scope-live@example.com")
    made = await post(server, CREATE_KEY, {"name": "agent", "scope": {"kinds": ["RECIPIENT"]}}, token)
    people = made["createApiKey"]["key"]
    ws = await Socket.open(server, people)
    await ws.subscribe("1", PEOPLE_CHANGED, since=1)
    mia = (await post(server, CREATE_RECIPIENT, {"name": "Mia"}, token))["createRecipient"]["id"]
    concept = (await post(server, CREATE_CONCEPT, {"name": "pottery"}, token))["createConcept"]["id"]
    await post(server, LINK, {"from": mia, "to": concept}, token)
    await post(server, CREATE_RECIPIENT, {"name": "Noa"}, token)
    first, second = await ws.deltas(2)
    assert (first["kind"], first["nodesAdded"]) == (
        "RecipientCreated",
        [{"__typename": "Recipient", "id": mia, "name": "Mia"}],
    )
    # The concept and the link to it were never sent: the next delta is the second person.
    assert second["kind"] == "RecipientCreated" and second["nodesAdded"][0]["name"] == "Noa"
    # A subscription that asks for a kind the key may not read is refused before it starts.
    await ws.subscribe("2", since=1)  # its fragments name concepts and memories
    refused = await ws.receive()
    assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "OUT_OF_SCOPE"
    await ws.close()


async def test_a_key_limited_to_personas_cannot_subscribe(server: LiveServer) -> None:
    token = await sign_up(server, "scope-live-personas@example.com")
    made = await post(server, CREATE_KEY, {"name": "agent", "scope": {"personasOnly": True}}, token)
    ws = await Socket.open(server, made["createApiKey"]["key"])
    await ws.subscribe("1")
    message = await ws.receive()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "OUT_OF_SCOPE"
    await ws.close()


PERSONAS_CHANGED = "subscription { graphChanged(since: 1) { kind nodesAdded { id } nodesUpdated { id } } }"
INSIGHT = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
ASK = 'mutation ($of: ID) { requestPersona(of: $of, context: "a gift") { id } }'


async def test_graph_changed_sends_a_key_only_the_personas_it_reads(server: LiveServer) -> None:
    token = await sign_up(server, "scope-live-told@example.com")
    mia = (await post(server, CREATE_RECIPIENT, {"name": "Mia"}, token))["createRecipient"]["id"]
    for statement, status in (("Mia is patient", "CONFIRMED"), ("Mia loves clay", "PROPOSED")):
        given = {"category": "TRAIT", "statement": statement, "confidence": 0.9, "status": status}
        await post(server, INSIGHT, {"input": {**given, "recipientIds": [mia]}}, token)
    keys = {}
    for name, scope in (("all", {}), ("personas", {"kinds": ["PERSONA"]}), ("agent", {"personasOnly": True})):
        made = await post(server, CREATE_KEY, {"name": name, "scope": scope}, token)
        keys[name] = made["createApiKey"]["key"]
    sockets = [await Socket.open(server, keys[name]) for name in ("all", "personas")]
    for ws in sockets:
        await ws.subscribe("1", PERSONAS_CHANGED)
    own = (await post(server, ASK, {"of": mia}, token))["requestPersona"]["id"]  # from the proposed one too
    told = (await post(server, ASK, {"of": mia}, keys["agent"]))["requestPersona"]["id"]
    for ws in sockets:
        sent: list[str] = []
        while told not in sent:  # every delta up to the key's own persona
            delta = (await ws.next())["graphChanged"]
            sent += [node["id"] for node in delta["nodesAdded"] + delta["nodesUpdated"]]
        assert own not in sent
        await ws.close()
