"""Neo4j's plans of the view's, the layout's and search's statements, made at start instead of at the first
request.

Those statements are large (a UNION branch per kind, each kind's conditions): Neo4j takes seconds to plan
one on a loaded machine, and keeps the plan per statement text and parameter types, per server. Without
this, the first graphView or search after a restart, and the layout consumer's first pass, wait for it.
`warm` runs each for an owner who has nothing, by calling the query functions of graph/view.py,
graph/view_past.py and graph/search.py themselves with arguments of the kinds requests pass, so the texts
and parameter types are the ones requests send, and there is no copy of the Cypher to keep in step. Run, not
EXPLAINed: measured on Neo4j 5.26, a statement EXPLAINed first is planned again when it is run.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from neo4j import READ_ACCESS
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graph import search, view, view_past
from graph.driver import Graph
from graph.kinds import DOCUMENT, SEARCHED_LABELS
from graph.refs import Ref

logger = logging.getLogger("kindred.plans")
# No one's uid (each is a UUID): every statement finds nothing, at once.
OWNER = "plans-warm-up"
_UID = "plans-warm-up"
Statement = Callable[[Any], Awaitable[object]]  # given a read transaction, runs one query function on it


def _chosen(folded: bool) -> view.Chosen:
    """A cut as a view's plan makes one: a node of every label shown, one named besides, one unplaced."""
    shown = [(label, _UID) for label in view.LABELS]
    return view.Chosen(shown=shown, named=shown[:1], groups={_UID: 0}, folded=folded)


def statements() -> list[tuple[str, Statement]]:
    """Each statement a view, the layout or a search sends, by name, with the arguments of a usual
    request: the whole view first (what a user opens first), then the layout's reads, a community, the
    past, a view centred on, and the neighbours of, a node of each label, and last search's (not its
    distances from `near:`, one statement per label of the node it is near, seldom asked)."""
    everything = [Ref(label, _UID) for label in view.LABELS]
    past = view_past.Past(nodes=set(everything))
    labels, types = list(view.LABELS), list(view.TYPES)
    found: list[tuple[str, Statement]] = [
        ("frame", lambda tx: view.frame(tx, owner=OWNER)),
        ("details", lambda tx: view.details(tx, owner=OWNER, chosen=_chosen(False), among=None)),
        ("details folded", lambda tx: view.details(tx, owner=OWNER, chosen=_chosen(True), among=None)),
        ("layout state", lambda tx: view.layout_state(tx, owner=OWNER)),
        ("layout graph", lambda tx: view.layout_graph(tx, owner=OWNER)),
        ("layout around", lambda tx: view.layout_around(tx, owner=OWNER, refs=everything, budget=400)),
        ("community frame", lambda tx: view.frame(tx, owner=OWNER, community=0)),
        (
            "community details",
            lambda tx: view.details(tx, owner=OWNER, chosen=_chosen(False), among=None, community=0),
        ),
        ("past events", lambda tx: view_past.newest_and_events(tx, owner=OWNER, until=1)),
        (
            "past nodes",
            lambda tx: view_past.drawn(tx, owner=OWNER, past=past, labels=labels, types=types, keyed=False),
        ),
    ]
    # A centred view's details read the same statement whatever the centre's label.
    centred = (view.LABELS[0], _UID)
    found.append(
        (
            "details around a node",
            lambda tx: view.details(tx, owner=OWNER, chosen=_chosen(False), among=[_UID], center=centred),
        )
    )
    for label in view.LABELS:
        found += _about(label)
    return [*found, *_searches()]


def _searches() -> list[tuple[str, Statement]]:
    """What a search reads besides its vectors (the words' matches, and the fields of candidates of every
    searched label), and what `similar` reads of the node it starts from."""
    candidates = [Ref(label, _UID) for label in SEARCHED_LABELS]
    labels = [*SEARCHED_LABELS, DOCUMENT.label]
    return [
        (
            "search",
            lambda tx: search.signals(
                tx,
                owner=OWNER,
                query="plans",
                labels=labels,
                passages=True,
                limit=1,
                candidates=candidates,
                near=None,
            ),
        ),
        ("similar", lambda tx: search.fields(tx, owner=OWNER, refs=candidates[:1], in_sight=False)),
    ]


def _about(label: str) -> list[tuple[str, Statement]]:
    """The statements of a view centred on a node of this label, and of its neighbours."""
    center = (label, _UID)
    return [
        (f"frame around a {label}", lambda tx: view.frame(tx, owner=OWNER, center=center)),
        (
            f"neighbours of a {label}",
            lambda tx: view.neighbourhood(tx, owner=OWNER, label=label, uid=_UID, after=None, limit=26),
        ),
    ]


# Statements failing one after another before the warm-up gives up: past that, the database itself is
# what fails (each further statement would only log the same error again).
FAILURES_IN_A_ROW = 3


async def warm(graph: Graph) -> int:
    """Has Neo4j plan every statement of `statements`, one after another (a core at most), running each
    for no one; returns how many it planned. A statement that fails is logged and the rest go on; once
    Neo4j is unreachable, or FAILURES_IN_A_ROW statements failed in a row, the warm-up stops (the first
    requests then plan as they would have)."""
    started, planned, failed = time.perf_counter(), 0, 0
    for name, statement in statements():
        try:
            await _run(graph, statement)
            planned, failed = planned + 1, 0
        except (ServiceUnavailable, SessionExpired) as error:
            logger.warning("stopped planning statements: Neo4j is unavailable (%s)", error)
            break
        except Exception as error:
            failed += 1
            if failed == FAILURES_IN_A_ROW:
                logger.warning("stopped planning statements: %d failed in a row (%s)", failed, error)
                break
            # The traceback once: the same error again says nothing new.
            logger.warning("could not plan the statement %r", name, exc_info=failed == 1)
    seconds = time.perf_counter() - started
    logger.info("planned %d statements of the view, the layout and search in %.1f s", planned, seconds)
    return planned


async def _run(graph: Graph, statement: Statement) -> None:
    """Runs one query function's statements in a read transaction of their own, not retried, and not
    through `graph.read`: not a request's or the dispatcher's work, so not counted as theirs."""
    session = graph.driver.session(database=graph.database, default_access_mode=READ_ACCESS)
    async with session, await session.begin_transaction() as tx:
        await statement(tx)


@asynccontextmanager
async def warming(graph: Graph) -> AsyncIterator[asyncio.Task[int]]:
    """`warm` in the background for as long as this is entered, off every request's path: cancelled on
    exit if it is still going."""
    task = asyncio.create_task(warm(graph), name="plans warm-up")
    task.add_done_callback(_told)
    try:
        yield task
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def _told(task: asyncio.Task[int]) -> None:
    """Logs what escaped the warm-up when it ends, not when the app stops and awaits it."""
    if not task.cancelled() and task.exception() is not None:
        logger.error("the plan warm-up failed", exc_info=task.exception())
