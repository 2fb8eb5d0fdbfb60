"""Live updates while Redis is down: two Kindreds on one Neo4j, sharing a redis-server of this module's own
that the test stops and starts again. A module of its own, so that no other dispatching instance (the
pair of test_live_redis.py, on the suite's Redis) shares the graph meanwhile."""

import subprocess
import time
from pathlib import Path

from localneo4j import free_port
from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, RENAME, Socket, live_only, live_settings, post, sign_up


class RedisServer:
    """A redis-server of this test's own, which it stops and starts again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir"]
        self.process = subprocess.Popen([*command, str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            != b"PONG\n"
        ):
            assert self.process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None


async def test_while_redis_is_down_mutations_commit_and_subscribers_catch_up_when_it_is_back(
    settings: Settings, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    shared = live_settings(settings, redis_url=redis.url)
    try:
        with live_only(), LiveServer(shared) as one, LiveServer(shared) as two:
            token = await sign_up(one, "redis-down@example.com")
            ws = await Socket.open(two, token)
            await ws.subscribe("1", since=1)
            person = (await post(one, CREATE_RECIPIENT, {"name": "Before"}, token))["createRecipient"]["id"]
            (before,) = await ws.deltas(1, within=60)  # two instances starting on a loaded machine
            redis.stop()
            for nickname in ("during 1", "during 2"):
                await post(one, RENAME, {"id": person, "nickname": nickname}, token)  # commits all the same
            assert await ws.silent(2.0)  # nothing can come through the Redis that is gone
            redis.start()
            caught_up = await ws.deltas(2, within=60)  # read from the log once the feed is back
            await post(one, RENAME, {"id": person, "nickname": "after"}, token)
            (after,) = await ws.deltas(1, within=90)  # and the live stream goes on
            sequences = [d["sequence"] for d in (before, *caught_up, after)]
            assert sequences == list(range(before["sequence"], before["sequence"] + 4))
            assert after["nodesUpdated"][0]["nickname"] == "after"
            assert await ws.silent(1.0)  # the dispatcher's late publishing of the two brings no repeat
            await ws.close()
    finally:
        redis.stop()
