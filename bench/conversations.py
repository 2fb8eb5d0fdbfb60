"""./kindred bench conversations: a conversation's two everyday operations, timed as users run them.

Kindred-only rows (the Neo4j GraphQL Library peer of `./kindred bench api` has no conversations, and
the generated graph none either): a Neo4j of the bench's own (a throwaway folder, a free port) and
Kindred served by uvicorn in its own process, as `./kindred bench live` serves it (rate limits lifted,
the dispatcher running only its live consumer). One user's conversation is filled with `--messages`
messages first; then, at concurrency 1 and 8:

- appendMessage: a message appended at the conversation's next position (its Event in the same
  transaction), answered with its id and position;
- the last 50 messages: `messages(last: 50)` of the conversation by its id, each with its role, text,
  time and position (what a chat screen opens with);

and, one after another, how long an appended message takes to reach a conversationMessages subscriber
on the same instance (from sending the mutation to the subscriber having the message).

    ./kindred bench conversations [--messages 1000] [--requests 50] [--live 30]
"""

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from bench.live import SIGN_UP, kindred
from localneo4j import LocalNeo4j, free_port

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "conversation_results.md"
CREATE = 'mutation { createConversation(input: {purpose: COMPANION, title: "Bench chat"}) { id } }'
APPEND = """mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id seq } }"""
LAST_50 = """query ($id: ID!) { node(id: $id) { ... on Conversation {
  messages(last: 50) { pageInfo { hasPreviousPage startCursor } nodes { id seq role text sentAt } } } } }"""
SUBSCRIBE = """subscription ($id: ID!) { conversationMessages(conversationId: $id) { id seq } }"""
CONCURRENCIES = (1, 8)


class Client:
    def __init__(self, http: httpx.AsyncClient, url: str, token: str, conversation: str) -> None:
        self.http = http
        self.url = url
        self.headers = {"authorization": f"Bearer {token}"}
        self.conversation = conversation
        self.said = 0

    async def call(self, query: str, variables: dict[str, Any]) -> Any:
        answer = (
            await self.http.post(
                self.url, json={"query": query, "variables": variables}, headers=self.headers
            )
        ).json()
        if answer.get("errors") or "data" not in answer:
            raise RuntimeError(str(answer)[:500])
        return answer["data"]

    async def append(self) -> Any:
        self.said += 1
        text = f"Message {self.said}: what shall we get Mo for her birthday this year?"
        given = {"conversationId": self.conversation, "role": "USER", "text": text}
        return (await self.call(APPEND, {"input": given}))["appendMessage"]

    async def last_50(self) -> Any:
        nodes = (await self.call(LAST_50, {"id": self.conversation}))["node"]["messages"]["nodes"]
        assert len(nodes) == 50 and nodes[-1]["seq"] >= 50, nodes[-1:]
        return nodes


async def timed(work: Any, concurrency: int, requests: int) -> list[float]:
    """`requests` calls of `work`, `concurrency` at a time: each one's latency in ms."""
    latencies: list[float] = []

    async def worker(count: int) -> None:
        for _ in range(count):
            started = time.perf_counter()
            await work()
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(worker(requests // concurrency) for _ in range(concurrency)))
    return latencies


async def heard(client: Client, url: str, token: str, count: int) -> list[float]:
    """From sending appendMessage to a conversationMessages subscriber having it, one after another."""
    async with websockets.connect(
        url.replace("http://", "ws://"), subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": SUBSCRIBE, "variables": {"id": client.conversation}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await asyncio.sleep(1.0)  # subscribed before the first append
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            made = await client.append()
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            assert message["payload"]["data"]["conversationMessages"]["id"] == made["id"], message
            latencies.append((time.perf_counter() - started) * 1000)
        return latencies


def _row(title: str, by: dict[int, list[float]]) -> str:
    medians = " / ".join(f"{statistics.median(by[c]):.1f}" for c in CONCURRENCIES)
    p99 = " / ".join(f"{sorted(by[c])[int(0.99 * (len(by[c]) - 1))]:.1f}" for c in CONCURRENCIES)
    return f"| {title} | {medians} | {p99} |"


async def run(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        neo4j = LocalNeo4j(root / "neo4j", free_port(), heap="1g")
        neo4j.start()
        try:
            with kindred({"NEO4J_URI": neo4j.uri, "REDIS_URL": ""}, root / "kindred") as url:
                async with httpx.AsyncClient(timeout=60) as http:
                    variables = {"email": "bench-conversations@bench.example"}
                    signed = await http.post(url, json={"query": SIGN_UP, "variables": variables})
                    token = signed.json()["data"]["signUp"]["token"]
                    client = Client(http, url, token, "")
                    client.conversation = (await client.call(CREATE, {}))["createConversation"]["id"]
                    started = time.perf_counter()
                    await timed(client.append, 8, args.messages)  # the conversation, before the timing
                    filled = time.perf_counter() - started
                    held = client.said
                    print(f"filled with {held} messages in {filled:.1f} s", flush=True)
                    appends = {c: await timed(client.append, c, args.requests * c) for c in CONCURRENCIES}
                    reads = {c: await timed(client.last_50, c, args.requests * c) for c in CONCURRENCIES}
                    live = await heard(client, url, token, args.live)
        finally:
            neo4j.stop()
    lines = [
        "# Benchmark: a conversation's messages",
        "",
        "Written by `./kindred bench conversations` (bench/conversations.py).",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}",
        f"- One conversation filled with {held:,} messages first ({filled:.1f} s at concurrency "
        f"8); then {args.requests} requests at concurrency 1 and {args.requests * 8} at concurrency 8",
        "",
        "Latency in ms (on a shared machine, under the load of other work):",
        "",
        "| operation | median c=1 / c=8 | p99 c=1 / c=8 |",
        "| --- | --- | --- |",
        _row("appendMessage: a message at the conversation's next position", appends),
        _row("the conversation's last 50 messages (`messages(last: 50)`)", reads),
        f"| an appended message heard by a conversationMessages subscriber (mutation sent -> message "
        f"received, {args.live} one after another) | {statistics.median(live):.1f} / - | "
        f"{max(live):.1f} (max) / - |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000, help="in the conversation before the timing")
    parser.add_argument("--requests", type=int, default=50, help="per operation at c=1 (x8 at c=8)")
    parser.add_argument("--live", type=int, default=30, help="appends timed to their subscriber")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
