"""./kindred bench live: delivery latency of live updates, from commit to subscriber.

A Neo4j of the bench's own (a throwaway folder, a free port) and Kindred served by uvicorn in its own
processes, as users run it (rate limits lifted; the dispatcher runs only its live consumer, so the
embedding of each node written does not compete for the machine). This process is the clients:
`--users` users sign up, each opens one WebSocket with `--subscriptions / --users` graphChanged
subscriptions on it (1,000 by default), and then `--mutations` times a random user creates a recipient
over HTTP, one after another (`--pause` between them). Each delivery's latency is the moment the
subscriber has the delta minus the delta's `at`, the time of the event in its transaction (just before
the commit; Neo4j runs on the same machine's clock).

Two set-ups: one instance (in-process pub/sub: the mutation and the subscribers on the same Kindred);
and two instances sharing a real redis-server (mutations on the first, every subscriber on the second).

    ./kindred bench live [--subscriptions 1000] [--users 50] [--mutations 100] [--pause 0.2]
"""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from localneo4j import LocalNeo4j, free_port

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "live_results.md"
SECRET = "kindred-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105
SUBSCRIBE = "subscription { graphChanged { sequence at } }"
CREATE = "mutation ($n: String!) { createRecipient(input: {name: $n, relationship: {kind: FRIEND}}) { id } }"
SIGN_UP = """
mutation ($email: String!) { signUp(email: $email, password: "bench live password", name: "B") { token } }
"""


def serve(port: int) -> None:
    """One Kindred (python -m bench.live serve PORT): NEO4J_URI, REDIS_URL from the environment."""
    import uvicorn

    import app
    from dispatch import Consumer, live
    from settings import Settings

    app.CONSUMERS = [Consumer.of(live)]
    settings = Settings(
        rate_limit_per_user="100000000/minute",
        rate_limit_per_ip="100000000/minute",
        rate_limit_per_email="100000000/minute",
        max_subscriptions_per_connection=100,
    )
    uvicorn.run(app.create_app(settings), host="127.0.0.1", port=port, log_level="warning")


@contextmanager
def kindred(env: dict[str, str], data: Path) -> Iterator[str]:
    port = free_port()
    full = {**os.environ, **env, "KINDRED_JWT_SECRET": SECRET, "KINDRED_DATA_DIR": str(data)}
    process = subprocess.Popen([sys.executable, "-m", "bench.live", "serve", str(port)], env=full)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "Kindred did not start"
            try:
                if httpx.get(url.replace("/graphql", "/health"), timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Kindred did not answer"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


class Subscriber:
    """One user's socket with its subscriptions; records when each of them receives each sequence."""

    def __init__(self, token: str, count: int) -> None:
        self.token = token
        self.count = count
        self.latencies: list[float] = []
        self.expected: dict[int, int] = {}  # sequence -> deliveries still to come
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None

    async def open(self, url: str) -> None:
        self.ws = await websockets.connect(
            url.replace("http://", "ws://"),
            subprotocols=[Subprotocol("graphql-transport-ws")],
            max_queue=None,
        )
        await self.ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
        )
        assert json.loads(await self.ws.recv())["type"] == "connection_ack"
        for index in range(self.count):
            message = {"id": str(index), "type": "subscribe", "payload": {"query": SUBSCRIBE}}
            await self.ws.send(json.dumps(message))
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            received = time.time()
            message = json.loads(raw)
            if message["type"] != "next":
                raise RuntimeError(f"unexpected message: {message}")
            delta = message["payload"]["data"]["graphChanged"]
            at = datetime.fromisoformat(delta["at"]).timestamp()
            self.latencies.append(received - at)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.ws.close()


async def graphql(
    http: httpx.AsyncClient, url: str, query: str, variables: dict, token: str | None = None
) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = (await http.post(url, json={"query": query, "variables": variables}, headers=headers)).json()
    assert "errors" not in answer, answer
    return answer["data"]


async def run(write_url: str, read_url: str, args: argparse.Namespace, label: str) -> dict[str, Any]:
    per_user = args.subscriptions // args.users
    async with httpx.AsyncClient(timeout=60) as http:
        tokens = []
        for index in range(args.users):
            email = f"live-{label.split()[0]}-{index}@bench.example"
            tokens.append((await graphql(http, write_url, SIGN_UP, {"email": email}))["signUp"]["token"])
        subscribers = [Subscriber(token, per_user) for token in tokens]
        for subscriber in subscribers:
            await subscriber.open(read_url)
        # Warm-up: each user changes something once, and every subscription must have it (so each has
        # started) before anything is timed.
        for token in tokens:
            await graphql(http, write_url, CREATE, {"n": "warm-up"}, token)
        deadline = time.monotonic() + 300
        while sum(len(s.latencies) for s in subscribers) < len(tokens) * per_user:
            assert time.monotonic() < deadline, "the subscriptions did not all start"
            await asyncio.sleep(0.2)
        for subscriber in subscribers:
            subscriber.latencies.clear()
        rng = random.Random(7)
        started = time.monotonic()
        for index in range(args.mutations):
            token = rng.choice(tokens)
            await graphql(http, write_url, CREATE, {"n": f"person {index}"}, token)
            await asyncio.sleep(args.pause)
        expected = args.mutations * per_user
        deadline = time.monotonic() + 120
        # Polled, not awaited: a bench waits for deliveries that may never all come (it reports them).
        while sum(len(s.latencies) for s in subscribers) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
        latencies = sorted(x for s in subscribers for x in s.latencies)
        for subscriber in subscribers:
            await subscriber.close()
    return {
        "setup": label,
        "subscriptions": per_user * args.users,
        "mutations": args.mutations,
        "deliveries": len(latencies),
        "expected": expected,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "max_ms": 1000 * latencies[-1],
        "seconds": elapsed,
    }


async def bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="kindred-bench-live-") as folder:
        root = Path(folder)
        neo4j = LocalNeo4j(root / "neo4j", free_port(), heap="1g")
        neo4j.start()
        try:
            base = {"NEO4J_URI": neo4j.uri, "REDIS_URL": ""}  # the first set-up: in process
            if "one" in args.setups:
                with kindred(base, root / "one") as url:
                    results.append(await run(url, url, args, "one instance (in process)"))
            if "two" in args.setups:
                (root / "redis").mkdir()
                with redis_server(root / "redis") as redis_url:
                    env = {**base, "REDIS_URL": redis_url}
                    with kindred(env, root / "a") as first, kindred(env, root / "b") as second:
                        results.append(await run(first, second, args, "two instances (Redis)"))
        finally:
            neo4j.stop()
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    load = os.getloadavg()
    lines = [
        "# Live updates: delivery latency from commit to subscriber",
        "",
        f"`./kindred bench live` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end; "
        f"{args.users} users, {args.mutations} mutations {args.pause} s apart, each delivered to its user's "
        f"subscriptions.",
        "",
        "| set-up | open subscriptions | deliveries | p50 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['setup']} | {r['subscriptions']} | {r['deliveries']} of {r['expected']} | "
            f"{r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--mutations", type=int, default=100)
    parser.add_argument("--pause", type=float, default=0.2)
    parser.add_argument("--setups", nargs="+", default=["one", "two"], choices=["one", "two"])
    args = parser.parse_args()
    results = asyncio.run(bench(args))
    text = report(results, args)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
