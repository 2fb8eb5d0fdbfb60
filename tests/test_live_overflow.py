"""A subscription that falls behind its queue: served by an instance of its own (a queue of five), in a
module of its own, so that no other dispatching instance shares the graph meanwhile (see LiveServer)."""

from settings import Settings
from tests.conftest import LiveServer
from tests.live import Socket, live_only, live_settings, post, sign_up


async def test_a_subscription_that_falls_behind_its_queue_is_ended_and_resumes_by_sequence(
    settings: Settings,
) -> None:
    with live_only(), LiveServer(live_settings(settings, live_queue_size=5)) as server:
        token = await sign_up(server, "live-burst@example.com")
        behind = await Socket.open(server, token)
        await behind.subscribe("1", since=1)
        # One change of eleven events (ten new tags, then the gift), published at once: more than the
        # five this subscription may hold before it has sent one.
        tags = [f"tag {i}" for i in range(10)]
        gift = 'mutation ($t: [String!]) { createGift(input: {name: "Kit", tags: $t}) { id } }'
        await post(server, gift, {"t": tags}, token)
        got, error = [], None
        while error is None:
            message = await behind.receive(within=60)
            if message["type"] == "next" and "errors" not in message["payload"]:
                got.append(message["payload"]["data"]["graphChanged"]["sequence"])
            else:
                error = (
                    message["payload"]["errors"][0] if message["type"] == "next" else message["payload"][0]
                )
        assert error["extensions"]["code"] == "SUBSCRIPTION_OVERFLOW"
        assert "since" in error["message"]
        last = error["extensions"]["lastSequence"]
        assert got == list(range(2, last + 1))  # what it had sent, in order, ends where it says
        assert await behind.receive() == {"id": "1", "type": "complete"}  # that subscription is over
        # Resumed with since: the rest, from the log, each once.
        await behind.subscribe("2", since=last)
        rest = await behind.deltas(12 - last)
        assert [d["sequence"] for d in rest] == list(range(last + 1, 13))
        assert rest[-1]["kind"] == "GiftCreated"
        await behind.close()
