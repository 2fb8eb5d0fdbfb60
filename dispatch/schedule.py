"""Runs the scheduled jobs (dispatch/__init__.py's Job): each once a period, across all instances.

A period is `every` seconds counted from the epoch (an hourly job's periods start on the hour, UTC). At
each tick an instance tries, for each job whose current period it has not seen finished, to claim it in
Neo4j (graph/schedule.py): only one instance gets it, and only while the period is not recorded as
finished, so a restart in the same period does not run it again. A run that fails lets the claim go
(tried again at the next tick); one cut short by a crash is run again once its lease runs out.
"""

import logging
import time
from collections.abc import Callable, Sequence
from uuid import uuid4

from dispatch import Job, Services
from dispatch.periodic import Periodic
from graph import schedule

logger = logging.getLogger("kindred.schedule")
Clock = Callable[[], float]


def period_of(job: Job, now: float) -> int:
    return int(now // job.every)


class Scheduler(Periodic):
    def __init__(
        self,
        services: Services,
        jobs: Sequence[Job],
        *,
        tick_seconds: float = 60.0,
        lease_seconds: float = 600.0,
        clock: Clock = time.time,
    ) -> None:
        super().__init__("scheduler", tick_seconds, logger)
        self.services = services
        self.jobs = list(jobs)
        self.holder = str(uuid4())
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.runs: dict[str, int] = {job.name: 0 for job in self.jobs}  # runs this instance made (tests)
        self._finished: dict[str, int] = {}  # job -> the last period seen finished

    async def run_pass(self) -> None:
        await self.run_due()

    async def run_due(self) -> dict[str, int]:
        """Runs each job whose current period no instance has finished and none is running; returns what
        each job run now did (those not run are left out). A job's failure is logged, not raised."""
        done: dict[str, int] = {}
        for job in self.jobs:
            count = await self._run_if_due(job)
            if count is not None:
                done[job.name] = count
        return done

    async def _run_if_due(self, job: Job) -> int | None:
        now = self.clock()
        period = period_of(job, now)
        if self._finished.get(job.name, -1) >= period:
            return None
        graph = self.services.graph
        claimed = await graph.write(
            schedule.claim, name=job.name, holder=self.holder, period=period, seconds=self.lease_seconds
        )
        if not claimed:
            finished = await graph.read(schedule.finished, name=job.name)
            if finished is not None:
                self._finished[job.name] = finished
            return None
        try:
            count = await job.run(self.services, now)
        except Exception:
            logger.warning("scheduled job %s failed; tried again at the next tick", job.name, exc_info=True)
            await graph.write(schedule.release, name=job.name, holder=self.holder)
            return None
        self.runs[job.name] += 1
        if await graph.write(schedule.finish, name=job.name, holder=self.holder, period=period):
            self._finished[job.name] = period
        else:  # the run outlasted its lease: another instance may run it again (jobs are idempotent)
            logger.warning("scheduled job %s outlasted its lease", job.name)
        logger.info("scheduled job %s ran for period %d: %d done", job.name, period, count)
        return count
