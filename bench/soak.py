"""./kindred bench soak: Kindred under a steady mixed load for minutes, as production keeps it.

Everything is real and of this script's own: a local Neo4j (throwaway folder, free port), a
redis-server (pub/sub and caches go through it, as with several instances), and Kindred as `python
app.py` with every consumer. `--users` users each get a few people, then for `--minutes`:

- `--concurrency` clients loop over a mix of nested reads, lists, searches, memories, gifts and PDF
  uploads, each as a random user;
- `--subscribers` WebSockets (spread over the users) follow graphChanged, and resume by `since:`
  whenever the server ends one.

It reports every request that failed (an HTTP error or a GraphQL error: there should be none), each
operation's median and p99, Kindred's resident memory (sampled every 5 s: growth after the first minute,
and its slope over the second half), the dispatcher's lag from commit to each consumer (p50/p99 from
its /metrics histogram), and the time from a write's answer to its delta at each subscriber of its user
(p50/p99), checking that every subscriber heard every node its user created.

    ./kindred bench soak [--minutes 10] [--concurrency 16] [--subscribers 200] [--users 8]
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

from bench.operations import NESTED
from bench.pdfs import pdf as make_pdf
from bench.processes import Kindred, Redis, kindred_env
from localneo4j import LocalNeo4j, free_port

PASSWORD = "a soak bench password"  # noqa: S105
SIGN_UP = 'mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p, name: "S") { token } }'
RECIPIENT = """mutation ($name: String!) {
  createRecipient(input: {name: $name, relationship: {kind: FRIEND}}) { id } }"""
MEMORY = "mutation ($c: String!) { createMemory(input: {kind: EPISODIC, content: $c}) { id } }"
GIFT = """mutation ($name: String!, $to: [ID!]) {
  createGift(input: {name: $name, category: "books", priceCents: 2500, recipientIds: $to}) { id } }"""
SEARCH = "query ($q: String!) { search(query: $q, first: 5) { score node { id } } }"
LIST = "{ memories(first: 20) { edges { node { id content } } } }"
UPLOAD = """mutation ($file: Upload!, $to: ID!) {
  uploadDocument(file: $file, attachTo: $to, role: PROFILE) { id } }"""
SUBSCRIBE = """subscription ($since: Int) { graphChanged(since: $since) {
  sequence nodesAdded { id } } }"""
WORDS = [
    *("walk", "coast", "bread", "cello", "garden", "birthday", "letter"),
    *("train", "rain", "museum", "tea", "climbing", "poem", "kite"),
]


@dataclass
class User:
    token: str
    people: list[str]
    created: dict[str, float] = field(default_factory=dict)  # node id -> when its write was answered


@dataclass
class Soak:
    kindred: Kindred
    users: list[User]
    until: float
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    heard: list[dict[str, float]] = field(default_factory=list)  # per subscriber: node id -> arrival
    resumed: int = 0
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, KiB)
    metrics: str = ""  # Kindred's /metrics at the end
    memory_growth: list[str] = field(default_factory=list)  # --trace-memory: what grew most, and where


async def soak(args: argparse.Namespace, folder: Path) -> Soak:
    neo4j = LocalNeo4j(folder / "neo4j", free_port(), heap="1g")
    neo4j.start()
    redis = Redis(folder)
    redis.start()
    env = kindred_env(folder, neo4j.uri, redis.url)
    command: tuple[str, ...] = ("app.py",)
    if args.trace_memory:
        env["KINDRED_BENCH_SNAPSHOTS"] = str(folder / "snapshots")
        command = ("-m", "bench.traced")
    kindred = Kindred(env, folder / "kindred.log", command)
    try:
        kindred.start()
        await kindred.ready(within=900 if args.trace_memory else 300)  # tracing slows the start
        async with httpx.AsyncClient(base_url=kindred.base, timeout=120) as http:
            users = [await _user(http, index) for index in range(args.users)]
            run = Soak(kindred, users, time.monotonic() + args.minutes * 60)
            started = time.monotonic()
            subscribers = [
                asyncio.create_task(_subscriber(run, users[index % len(users)]))
                for index in range(args.subscribers)
            ]
            sampler = asyncio.create_task(_sample_memory(run, started))
            if args.trace_memory:  # the first snapshot once warm, the second after the load
                asyncio.get_running_loop().call_later(60, os.kill, kindred.pid, signal.SIGUSR1)
            await asyncio.gather(
                *(_client(run, http, random.Random(seed)) for seed in range(args.concurrency))
            )
            await _wait_heard(run, within=120)
            for task in [sampler, *subscribers]:
                if task.done():
                    task.result()  # a subscriber or the sampler that crashed fails the soak, never hides
                task.cancel()
            run.metrics = (await http.get("/metrics")).text
            if args.trace_memory:
                run.memory_growth = await _memory_growth(kindred, folder / "snapshots")
        return run
    finally:
        kindred.stop()
        redis.stop()
        neo4j.stop()
        for error in _errors_logged(folder / "kindred.log")[:10]:
            print("Kindred logged:", error, file=sys.stderr)


def _errors_logged(log: Path) -> list[str]:
    """Kindred's ERROR lines (JSON logs): the message and the exception's last line, printed at the end,
    since the folder that holds the log is removed when the bench ends."""
    errors = []
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if entry.get("level") == "ERROR":
                last = (entry.get("exception") or "").strip().splitlines()[-1:]
                errors.append(" ".join([entry.get("message", ""), *last]))
    return errors


async def _memory_growth(kindred: Kindred, folder: Path, top: int = 12) -> list[str]:
    """Asks for the second snapshot (the first was taken a minute in), then compares them: the
    allocations that grew most between the two, grouped by their stack, in what they still hold."""
    os.kill(kindred.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 300
    while not (folder / "1.snapshot").exists() or _size_changing(folder / "1.snapshot"):
        if time.monotonic() > deadline:
            return ["(no second snapshot within 5 minutes)"]
        await asyncio.sleep(1)
    first = tracemalloc.Snapshot.load(str(folder / "0.snapshot"))
    second = tracemalloc.Snapshot.load(str(folder / "1.snapshot"))
    lines = []
    for stat in second.compare_to(first, "traceback")[:top]:
        lines.append(f"{stat.size_diff / 1024:+,.0f} KiB in {stat.count_diff:+,} blocks, allocated at:")
        lines += [f"    {frame.filename}:{frame.lineno}" for frame in reversed(stat.traceback)]
    return lines


def _size_changing(path: Path) -> bool:
    """Whether the file is still being written (its size moves over a short wait)."""
    before = path.stat().st_size
    time.sleep(0.5)
    return path.stat().st_size != before


async def _user(http: httpx.AsyncClient, index: int) -> User:
    variables = {"e": f"soak-{index}@example.com", "p": PASSWORD}
    token = (await _post(http, SIGN_UP, variables))["signUp"]["token"]
    people = [
        (await _post(http, RECIPIENT, {"name": f"Person {index}-{n}"}, token))["createRecipient"]["id"]
        for n in range(5)
    ]
    return User(token, people)


async def _post(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = answer.json()
    if answer.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{answer.status_code}: {json.dumps(body)[:300]}")
    return body["data"]


async def _client(run: Soak, http: httpx.AsyncClient, rng: random.Random) -> None:
    """One of the concurrent clients: an operation after another, each by a random user, until the end."""
    mix: list[tuple[str, int, Callable[[httpx.AsyncClient, User, random.Random], Awaitable[None]]]] = [
        ("nested read", 30, _nested),
        ("list memories", 10, _list),
        ("search", 15, _search),
        ("createMemory", 25, _memory),
        ("createGift", 12, _gift),
        ("upload a PDF", 8, _upload),
    ]
    names = [name for name, _, _ in mix]
    weights = [weight for _, weight, _ in mix]
    operations = {name: operation for name, _, operation in mix}
    while time.monotonic() < run.until:
        name = rng.choices(names, weights)[0]
        user = rng.choice(run.users)
        began = time.perf_counter()
        try:
            await operations[name](http, user, rng)
        except (RuntimeError, httpx.HTTPError, ValueError) as error:
            run.failures.append(f"{name}: {error}")
            continue
        run.seconds[name].append(time.perf_counter() - began)


async def _nested(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    await _post(http, NESTED, {}, user.token)


async def _list(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    await _post(http, LIST, {}, user.token)


async def _search(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    await _post(http, SEARCH, {"q": " ".join(rng.sample(WORDS, 2))}, user.token)


async def _memory(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    content = f"A {' and a '.join(rng.sample(WORDS, 3))} with Person {rng.randrange(5)}."
    made = (await _post(http, MEMORY, {"c": content}, user.token))["createMemory"]["id"]
    user.created[made] = time.monotonic()


async def _gift(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    variables = {"name": f"A {rng.choice(WORDS)} book", "to": [rng.choice(user.people)]}
    made = (await _post(http, GIFT, variables, user.token))["createGift"]["id"]
    user.created[made] = time.monotonic()


async def _upload(http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
    operations = {"query": UPLOAD, "variables": {"file": None, "to": rng.choice(user.people)}}
    form = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
    headers = {"authorization": f"Bearer {user.token}", "apollo-require-preflight": "true"}
    pdf = make_pdf(f"Notes: {' '.join(rng.sample(WORDS, 6))}.")
    answer = await http.post(
        "/graphql", data=form, files={"0": ("notes.pdf", pdf, "application/pdf")}, headers=headers
    )
    body = answer.json()
    if answer.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{answer.status_code}: {json.dumps(body)[:300]}")


async def _subscriber(run: Soak, user: User) -> None:
    """Follows the user's graphChanged, resuming by `since:` whenever the server ends the subscription."""
    heard: dict[str, float] = {}
    run.heard.append(heard)
    url = run.kindred.base.replace("http", "ws") + "/graphql"
    since: int | None = None
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}
    while True:
        with contextlib.suppress(OSError, WebSocketException, TimeoutError):
            protocol = [Subprotocol("graphql-transport-ws")]
            async with connect(url, subprotocols=protocol, open_timeout=60) as ws:
                await ws.send(json.dumps(init))
                await asyncio.wait_for(ws.recv(), 60)  # connection_ack
                payload = {"query": SUBSCRIBE, "variables": {"since": since}}
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] != "next" or "errors" in message["payload"]:
                        break  # an overflow or a lost feed: resume from the log
                    delta = message["payload"]["data"]["graphChanged"]
                    since = delta["sequence"]
                    for node in delta["nodesAdded"]:
                        heard.setdefault(node["id"], time.monotonic())
        run.resumed += 1
        await asyncio.sleep(0.5)


async def _sample_memory(run: Soak, started: float) -> None:
    status = Path(f"/proc/{run.kindred.pid}/status")
    while True:
        for line in (await asyncio.to_thread(status.read_text)).splitlines():
            if line.startswith("VmRSS:"):
                run.rss.append((time.monotonic() - started, int(line.split()[1])))
        await asyncio.sleep(5)


async def _wait_heard(run: Soak, within: float) -> None:
    """Until every subscriber heard every node its user created (or `within` seconds passed)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and _unheard(run):  # noqa: ASYNC110  # polling the subscribers' dicts
        await asyncio.sleep(0.5)


def _unheard(run: Soak) -> int:
    count = 0
    for index, heard in enumerate(run.heard):
        user = run.users[index % len(run.users)]
        count += sum(1 for node in user.created if node not in heard)
    return count


def report(run: Soak, args: argparse.Namespace) -> str:
    lines = [
        f"{args.minutes:g} minutes, {args.concurrency} clients, {args.subscribers} subscribers over "
        f"{args.users} users.",
        "",
        "| operation | requests | median (ms) | p99 (ms) |",
        "| --- | --- | --- | --- |",
    ]
    for name, seconds in sorted(run.seconds.items()):
        lines.append(f"| {name} | {len(seconds)} | {_ms(seconds, 0.5)} | {_ms(seconds, 0.99)} |")
    lines += ["", f"Failed requests: {len(run.failures)}"]
    lines += [f"  {failure}" for failure in run.failures[:10]]
    lines += ["", _memory_line(run), ""]
    if run.memory_growth:
        lines += ["What grew most from minute 1 to the end (tracemalloc, newest frame first):", ""]
        lines += [*run.memory_growth, ""]
    lags = [
        heard[node] - when
        for index, heard in enumerate(run.heard)
        for node, when in run.users[index % len(run.users)].created.items()
        if node in heard
    ]
    lines.append(
        f"Write answered -> delta at each subscriber of its user: {len(lags)} deliveries, "
        f"p50 {_ms(lags, 0.5)} ms, p99 {_ms(lags, 0.99)} ms; not heard: {_unheard(run)}; "
        f"subscriptions the server ended (each resumed by since:): {run.resumed}."
    )
    lines.append("Dispatcher lag from commit (its /metrics histogram), per consumer:")
    for consumer, (p50, p99, count) in sorted(_dispatch_lag(run.metrics).items()):
        lines.append(f"  {consumer}: {count} events, p50 <= {p50} s, p99 <= {p99} s")
    return "\n".join(lines)


def _ms(values: list[float], quantile: float) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0] * 1000:.0f}"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"{(statistics.median(values) if quantile == 0.5 else cuts[int(quantile * 100) - 1]) * 1000:.0f}"


def _memory_line(run: Soak) -> str:
    after_warmup = [(t, kib) for t, kib in run.rss if t >= 60] or run.rss
    if not after_warmup:
        return "Resident memory: not sampled."
    first, last = after_warmup[0][1], after_warmup[-1][1]
    half = after_warmup[len(after_warmup) // 2 :]
    slope = (
        statistics.linear_regression([t / 60 for t, _ in half], [kib / 1024 for _, kib in half]).slope
        if len(half) > 1
        else 0.0
    )
    peak = max(kib for _, kib in run.rss)
    return (
        f"Kindred's resident memory: {first / 1024:.0f} MiB after the first minute, {last / 1024:.0f} MiB "
        f"at the end (growth {(last - first) / 1024:+.0f} MiB; peak {peak / 1024:.0f} MiB); slope over "
        f"the second half {slope:+.1f} MiB/min."
    )


def _dispatch_lag(metrics: str) -> dict[str, tuple[str, str, int]]:
    """Each consumer's lag quantiles as the histogram's bucket bounds that hold them."""
    buckets: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for family in text_string_to_metric_families(metrics):
        if family.name != "kindred_dispatch_lag_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_bucket"):
                buckets[sample.labels["consumer"]].append((float(sample.labels["le"]), sample.value))
    found: dict[str, tuple[str, str, int]] = {}
    for consumer, rows in buckets.items():
        rows.sort()
        total = int(rows[-1][1])
        if total:
            found[consumer] = (_bound(rows, 0.5 * total), _bound(rows, 0.99 * total), total)
    return found


def _bound(rows: list[tuple[float, float]], rank: float) -> str:
    return next(f"{le:g}" for le, count in rows if count >= rank)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="run Kindred with tracemalloc and report what grew between minute 1 and the end, by where",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kindred-soak-") as folder:
        run = asyncio.run(soak(args, Path(folder)))
    print(report(run, args))
    sys.exit(0 if not run.failures and not _unheard(run) else 1)


if __name__ == "__main__":
    main()
