"""A conversation's subscription that falls behind its queue ends as graphChanged's does, and says the
position to resume from: served by an instance of its own (a queue of five), in a module of its own, so
that no other dispatching instance shares the graph meanwhile (see LiveServer)."""

from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up
from tests.test_conversation_live import CREATE, MESSAGES, _error, _messages, _over, _say


async def test_a_conversation_subscription_that_falls_behind_ends_and_resumes_by_position(
    settings: Settings,
) -> None:
    with live_only(), LiveServer(live_settings(settings, live_queue_size=5)) as server:
        token = await sign_up(server, "conv-live-burst@example.com")
        conversation = (await post(server, CREATE, {"title": "Busy"}, token))["createConversation"]["id"]
        await _say(server, token, conversation, "first")
        ws = await Socket.open(server, token)
        await ws.subscribe("1", MESSAGES, id=conversation, after=0)
        (first,) = await _messages(ws, 1)
        # One change of eleven events (ten new tags, then the gift), published at once: more than the
        # five this subscription may hold, though none of them is a message of its conversation.
        gift = 'mutation ($t: [String!]) { createGift(input: {name: "Kit", tags: $t}) { id } }'
        await post(server, gift, {"t": [f"tag {i}" for i in range(10)]}, token)
        error = await _error(ws, within=60)
        assert error["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
        assert error["extensions"]["lastSeq"] == first["seq"] == 1
        assert "after: 1" in error["message"]
        await _over(ws)
        await _say(server, token, conversation, "second")
        await ws.subscribe("2", MESSAGES, id=conversation, after=1)  # resumed: the rest, each once
        (second,) = await _messages(ws, 1)
        assert (second["seq"], second["text"]) == (2, "second")
        assert await ws.silent(1.0)
        await ws.close()
