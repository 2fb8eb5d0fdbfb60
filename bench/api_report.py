"""What `./kindred bench api` writes: the markdown table (results.md) and its raw data (results.json
beside it: every request's latency, per cell and server, with the cell's loads and users)."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.cells import Measured, percentile
from bench.operations import OPERATIONS

TITLES = {
    "kindred": "Kindred",
    "floor": "floor: hand-written Cypher",
    "peer": "@neo4j/graphql, @authorization",
    "peer_where": "@neo4j/graphql, `where` filter",
}


@dataclass
class Run:
    """What the report says of the run besides the cells."""

    manifest: dict[str, Any]
    versions: dict[str, str]
    machine: str
    servers: tuple[str, ...]
    concurrencies: tuple[int, ...]
    samples: int
    users: int
    seed: int
    margin: float
    repeats: int
    problems: list[str]  # the check before timing
    settle: float = 0.0  # seconds at most waited for a server to be idle before a turn


def _ratio(kindred: float, other: float) -> str:
    if math.isnan(kindred) or math.isnan(other) or not other:
        return "-"
    ratio = kindred / other
    # Below 1, two decimals: Kindred faster than the other by more than ten times still shows.
    return f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"


def _latencies(measured: list[Measured], server: str, operation: str, concurrency: int) -> list[float]:
    for cell in measured:
        if cell.cell.operation.name == operation and cell.cell.concurrency == concurrency:
            return cell.turns[server].latencies if server in cell.turns else []
    return []


def _quantile_table(run: Run, measured: list[Measured], q: float) -> list[str]:
    others = [s for s in run.servers if s != "kindred"]
    head = [TITLES[s] for s in run.servers] + [f"Kindred / {TITLES[s].split(':')[0]}" for s in others]
    lines = ["| operation | " + " | ".join(head) + " |", "| --- " * (len(head) + 1) + "|"]
    for operation in OPERATIONS:
        if not any(cell.cell.operation.name == operation.name for cell in measured):
            continue
        at = {
            (s, c): percentile(_latencies(measured, s, operation.name, c), q)
            for s in run.servers
            for c in run.concurrencies
        }
        values = [" / ".join(f"{at[(s, c)]:.1f}" for c in run.concurrencies) for s in run.servers]
        ratios = [
            " / ".join(_ratio(at[("kindred", c)], at[(s, c)]) for c in run.concurrencies) for s in others
        ]
        lines.append(f"| {operation.title} | " + " | ".join(values + ratios) + " |")
    return lines


def _per_server(run: Run, measured: list[Measured]) -> list[str]:
    top = max(run.concurrencies)
    lines = [
        f"| operation | server | statements per request (transactions) | auth statements | throughput "
        f"c={top} (req/s) | errors | answers differing from Kindred's |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for operation in OPERATIONS:
        cells = [cell for cell in measured if cell.cell.operation.name == operation.name]
        if not cells:
            continue
        for server in run.servers:
            turns = [cell.turns[server] for cell in cells if server in cell.turns]
            sequential = next(
                (t for c, t in zip(cells, turns, strict=True) if c.cell.concurrency == 1), turns[0]
            )
            counted = "-" if sequential.statements is None else f"{sequential.statements:g}"
            if sequential.transactions is not None:
                counted += f" ({sequential.transactions:g})"
            auth = "-" if sequential.auth is None else f"{sequential.auth:.2g}"
            busiest = next(t for c, t in zip(cells, turns, strict=True) if c.cell.concurrency == top)
            throughput = len(busiest.latencies) / busiest.wall if busiest.wall else math.nan
            errors = sum(t.errors for t in turns)
            differing = "-" if server == "kindred" else str(sum(c.differences.get(server, 0) for c in cells))
            lines.append(
                f"| {operation.name} | {TITLES[server]} | {counted} | {auth} | {throughput:.0f} | {errors} "
                f"| {differing} |"
            )
    return lines


def _loads(measured: list[Measured]) -> list[str]:
    lines = [
        "| operation | c | order | load before -> peak (kept attempt) | others' cores | attempts "
        "| waited for idle, s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cell in measured:
        turns = list(cell.turns.values())
        before = min(t.load_before for t in turns)
        peak = max(t.load_peak for t in turns)
        others = max(t.others for t in turns)
        waited = sum(t.settle for t in turns)
        order = ", ".join(cell.cell.order)
        lines.append(
            f"| {cell.cell.operation.name} | {cell.cell.concurrency} | {order} | {before:.2f} -> {peak:.2f} "
            f"| {others:.2f} | {len(cell.attempts)} | {waited:.1f} |"
        )
    return lines


def _repeated(measured: list[Measured]) -> list[str]:
    lines = []
    for cell in measured:
        if len(cell.attempts) < 2:
            continue
        tried = "; ".join(
            ", ".join(f"{server} {before:.2f} -> {peak:.2f}" for server, before, peak, _ in attempt)
            for attempt in cell.attempts
        )
        lines.append(f"- {cell.cell.operation.name} at c={cell.cell.concurrency}: {tried}")
    return lines or ["- none"]


def _deferred(measured: list[Measured]) -> list[str]:
    lines = []
    for cell in measured:
        turn = cell.turns.get("kindred")
        if turn is None or turn.deferred_cpu is None or not turn.latencies:
            continue
        per_write = turn.deferred_cpu * 1000 / len(turn.latencies)
        lines.append(
            f"- {cell.cell.operation.name} at c={cell.cell.concurrency}: {per_write:.0f} ms of Kindred's "
            f"CPU per write after the answers, idle {turn.settle:.1f} s after the turn"
        )
    return lines


def report(run: Run, measured: list[Measured]) -> str:
    total = sum(len(cell.users) for cell in measured)
    differing = sum(sum(cell.differences.values()) for cell in measured)
    concurrencies = " / ".join(str(c) for c in run.concurrencies)
    graph = run.manifest
    lines = [
        "# Benchmark: Kindred beside hand-written Cypher and the Neo4j GraphQL Library",
        "",
        "Written by `./kindred bench api` (bench/api.py); the graph by `./kindred bench generate`. Raw "
        "latencies, loads and users per cell: the JSON file beside this one.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {run.machine}",
        f"- Graph: {graph.get('loaded_users', graph['users']):,} users (seed {graph['seed']}): "
        f"{graph['nodes']:,} nodes, {graph['relationships']:,} relationships",
        f"- Load: cells of one operation at one concurrency ({concurrencies}), each server taking its turn "
        f"in every cell (the first turn passing on cell by cell), {run.samples} requests a turn, each as "
        f"another of {run.users} users sampled across the graph (seed {run.seed}), the same users for every "
        f"server; before its turn every server waited for, at most {run.settle:g} s, until idle (Kindred: "
        "its dispatcher's consumers caught up; all: the server's process and Neo4j quiet), so a turn that "
        "waited that long began busy (the seconds waited are in the loads table); a cell whose load average "
        f"rose by more than {run.margin} in a turn run again (at most {run.repeats} times), the least "
        "disturbed attempt kept",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in run.versions.items()),
        "",
        f"p50 latency in ms at concurrency {concurrencies}:",
        "",
        *_quantile_table(run, measured, 0.5),
        "",
        f"p99 latency in ms at concurrency {concurrencies}:",
        "",
        *_quantile_table(run, measured, 0.99),
        "",
        "Per server: Cypher statements per request at concurrency 1 (Kindred and the floor: counted per "
        "request in the server; Kindred's check of the credential against its auth-state cache apart, as "
        "auth statements, and its dispatcher's work not at all; the peer: its process's count over the "
        "turn), throughput, errors, and answers that differ from Kindred's for the same user and request:",
        "",
        *_per_server(run, measured),
        "",
        "Each cell's load average (one minute; before its first turn and the highest while a turn ran), the "
        "cores other processes than the bench's kept busy during its turns, its attempts and the seconds "
        "spent waiting for the servers to be idle:",
        "",
        *_loads(measured),
        "",
        "Cells run again (each attempt's load per turn):",
        "",
        *_repeated(measured),
        "",
        "Kindred's deferred work after its writes (its dispatcher: layout, embeddings, ...), which the other "
        "servers do not do:",
        "",
        *(_deferred(measured) or ["- no writes timed"]),
        "",
        "How it is measured: each server is its own process on 127.0.0.1 (Kindred: uvicorn serving "
        "`app.create_app`, one worker, its dispatcher on; the floor: uvicorn and Starlette; the peers: "
        "Node.js and Apollo Server, one with `@authorization` filters on the JWT's subject on every node "
        "type, one without authorization, each document filtering by owner with `where` arguments where "
        "the floor's Cypher does); the load comes from the runner's process (httpx, asyncio). createGift: "
        "Kindred writes the gift, its giving, links, outcome, tags, the Event and the relationship's "
        "statistics; the floor does the same in one statement; the peers' nested create writes the gift, "
        "its GAVE, links and outcome, but no Event and no statistics. The peers have no shortestPath of "
        "their own: a `@cypher` query field stands in for it.",
        "",
        f"Answers compared with Kindred's request by request ({total} requests a server): "
        + ("all equal." if not differing else f"{differing} differ, for example:"),
    ]
    lines += [f"- {example}" for cell in measured for example in cell.examples[:2]]
    if run.problems:
        lines += ["", "Differences in the check before timing:"]
        lines += [f"- {problem}" for problem in run.problems]
    return "\n".join(lines) + "\n"


def raw(run: Run, measured: list[Measured]) -> dict[str, Any]:
    """Everything the table is made of, for whoever wants other statistics."""
    return {
        "date": datetime.now(UTC).isoformat(),
        "machine": run.machine,
        "graph": run.manifest,
        "versions": run.versions,
        "settings": {
            "samples": run.samples,
            "users": run.users,
            "seed": run.seed,
            "margin": run.margin,
            "repeats": run.repeats,
            "settle": run.settle,
        },
        "cells": [
            {
                "operation": cell.cell.operation.name,
                "concurrency": cell.cell.concurrency,
                "order": list(cell.cell.order),
                "users": cell.users,
                "attempts": [
                    [{"server": s, "load_before": b, "load_peak": p, "others": o} for s, b, p, o in attempt]
                    for attempt in cell.attempts
                ],
                "differences": cell.differences,
                "turns": {
                    server: {
                        "latencies_ms": [round(value * 1000, 3) for value in turn.latencies],
                        "requests": turn.requests,  # each latency's index in the cell's users
                        "wall_seconds": turn.wall,
                        "errors": turn.errors,
                        "first_error": turn.first_error,
                        "statements": turn.statements,
                        "transactions": turn.transactions,
                        "auth_statements": turn.auth,
                        "load_before": turn.load_before,
                        "load_peak": turn.load_peak,
                        "others_cores": turn.others,
                        "settle_seconds": turn.settle,
                        "deferred_cpu_seconds": turn.deferred_cpu,
                    }
                    for server, turn in cell.turns.items()
                },
            }
            for cell in measured
        ],
    }
