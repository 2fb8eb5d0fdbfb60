"""The Cypher of scheduled jobs: which period each job last finished, and who may run it now.

A (:Schedule {name}) node per job keeps `period` (the number of the last period it finished: the time
since the epoch divided by its period's length) and a lease (`holder`, `expires_at`), as a consumer's
Lease does (graph/dispatcher.py): an instance runs a job only while it holds that lease, so two instances
never run it at once, and the period it finished survives a restart with the graph. Schedule is a label
of its own, not a Lease: every Lease is a consumer the event log waits for.
"""

from neo4j import AsyncManagedTransaction


async def claim(tx: AsyncManagedTransaction, *, name: str, holder: str, period: int, seconds: float) -> bool:
    """Takes the job's lease for `seconds` when the job has not finished `period` yet and nobody else
    holds it (or their lease ran out: they crashed mid-run, and it is run again)."""
    # The first SET takes the node's write lock before it is read: of two instances racing, the second
    # reads what the first wrote.
    query = """
    MERGE (s:Schedule {name: $name})
    SET s.lock = true
    REMOVE s.lock
    WITH s, coalesce(s.period, -1) < $period
            AND (s.holder IS NULL OR s.holder = $holder OR s.expires_at < datetime()) AS free
    FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
      SET s.holder = $holder, s.expires_at = datetime() + duration({milliseconds: $ms}))
    RETURN free
    """
    result = await tx.run(query, name=name, holder=holder, period=period, ms=int(seconds * 1000))
    return bool((await result.single(strict=True))["free"])


async def finish(tx: AsyncManagedTransaction, *, name: str, holder: str, period: int) -> bool:
    """Records the period as done and lets the lease go, if `holder` still holds it."""
    query = """
    MATCH (s:Schedule {name: $name, holder: $holder})
    SET s.period = $period, s.holder = null, s.expires_at = null, s.finished_at = datetime()
    RETURN true AS done
    """
    return (await (await tx.run(query, name=name, holder=holder, period=period)).single()) is not None


async def release(tx: AsyncManagedTransaction, *, name: str, holder: str) -> None:
    """Lets the lease go without finishing the period (the run failed: it is tried again)."""
    query = "MATCH (s:Schedule {name: $name, holder: $holder}) SET s.holder = null, s.expires_at = null"
    await (await tx.run(query, name=name, holder=holder)).consume()


async def finished(tx: AsyncManagedTransaction, *, name: str) -> int | None:
    """The last period the job finished, if any."""
    record = await (await tx.run("MATCH (s:Schedule {name: $name}) RETURN s.period AS p", name=name)).single()
    return None if record is None else record["p"]
