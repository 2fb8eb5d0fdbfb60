"""A conflict analysed by a configured model (the local OpenAI stand-in): its findings kept to the
conversation's messages, its generator recorded, and the deterministic analyzer in its place on a failure
or an answer that is no analysis; a joint analysis refused before any model is asked when there is no
couple."""

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from strawberry import relay

from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import running
from tests.openai_stand_in import OpenAIStandIn
from tests.test_api_key_scopes import count
from tests.test_mediation import ANALYZE, FIGHT, _fight

MESSAGES = """query ($id: ID!) { node(id: $id) { ... on Conversation {
  messages(first: 10) { nodes { id text } } } } }"""


@pytest.fixture(scope="module")
def stand_in() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


def _uid(global_id: str) -> str:
    return relay.GlobalID.from_id(global_id).node_id


async def _analyzed(client: GraphQLClient, token: str, conflict: str, talk: str) -> dict[str, Any]:
    given = {"input": {"conflictId": conflict, "conversationIds": [talk]}}
    return (await client.data(ANALYZE, given, token=token))["analyzeConflict"]


async def test_a_model_analyzes_a_conflict_from_its_messages_alone_or_falls_back(
    settings: Settings, graph: Graph, stand_in: OpenAIStandIn
) -> None:
    configured = settings.model_copy(
        update={"openai_api_key": SecretStr("sk-test"), "openai_base_url": stand_in.url}
    )
    async with running(configured, graph) as client:
        ann = await client.sign_up("model-ann@example.com", name="Ann")
        conflict, _, talk = await _fight(client, ann, "Dishes")
        listed = (await client.data(MESSAGES, {"id": talk}, token=ann))["node"]["messages"]["nodes"]
        ids = {message["text"]: message["id"] for message in listed}
        first, last = ids[FIGHT[0]], ids[FIGHT[3]]
        stand_in.chat_fails = False
        stand_in.chat_answer = {
            "summary": "Ann opened with blame; Ben shut down.",
            "findings": [
                {
                    "kind": "horseman",
                    "name": "criticism",
                    "message_ids": [_uid(first), "a-message-of-another-talk"],
                    "quote": "You always leave the dishes for me",
                },
                {"kind": "horseman", "name": "stonewalling", "message_ids": [_uid(last)], "quote": "made up"},
                {"kind": "trigger", "name": "chores", "message_ids": [_uid(first)]},
                {"kind": "horseman", "name": "sarcasm", "message_ids": [_uid(first)]},  # no such habit
                {"kind": "pattern", "name": "pursue_withdraw", "message_ids": ["elsewhere"]},
            ],
        }
        analysis = await _analyzed(client, ann, conflict, talk)
        asked = stand_in.chats[-1]["messages"][-1]["content"]
        assert f"[{_uid(first)}]" in asked and FIGHT[0] in asked
        assert analysis["generator"] == "openai:gpt-4o-mini" and analysis["generatorVersion"] == "1"
        assert analysis["summary"] == "Ann opened with blame; Ben shut down."
        found = {(f["kind"], f["name"], f["messageId"]): f for f in analysis["findings"]}
        assert set(found) == {
            ("HORSEMAN", "criticism", first),
            ("HORSEMAN", "stonewalling", last),
            ("TRIGGER", "chores", first),
        }
        assert found[("HORSEMAN", "criticism", first)]["quote"] == "You always leave the dishes for me"
        assert found[("HORSEMAN", "stonewalling", last)]["quote"] == FIGHT[3]  # not in it: its own words
        assert {m["id"] for m in analysis["evidence"]["nodes"]} == {first, last}
        assert analysis["patterns"] == ["criticism", "stonewalling"] and analysis["triggers"] == ["chores"]

        # Findings that rest on no message of the talk, an answer that is no analysis, a failing API: the
        # deterministic analyzer answers instead, and the analysis says so.
        answers: list[dict[str, Any]] = [
            {"findings": [{"kind": "horseman", "name": "criticism", "message_ids": ["elsewhere"]}]},
            {"summary": "no findings list"},
        ]
        for answer in answers:
            stand_in.chat_answer = answer
            fallback = await _analyzed(client, ann, conflict, talk)
            assert fallback["generator"] == "deterministic", answer
            assert {f["name"] for f in fallback["findings"] if f["kind"] == "HORSEMAN"} >= {"criticism"}
        stand_in.chat_fails = True
        asked_before = len(stand_in.chats)
        failed = await _analyzed(client, ann, conflict, talk)
        assert len(stand_in.chats) > asked_before and failed["generator"] == "deterministic"
        stand_in.chat_fails = False

        # Joint needs a couple: refused before the model is asked, nothing kept.
        kept, asked_before = await count(graph, "ConflictAnalysis"), len(stand_in.chats)
        joint = {"input": {"conflictId": conflict, "conversationIds": [talk], "joint": True}}
        error = await client.error(ANALYZE, joint, token=ann)
        assert error["extensions"] == {"code": "NOT_FOUND", "field": "joint"}
        assert len(stand_in.chats) == asked_before
        assert await count(graph, "ConflictAnalysis") == kept
