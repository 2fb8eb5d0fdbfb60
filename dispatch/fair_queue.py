"""Work served owner by owner in turn: one user's documents never wait behind another's.

Each owner has a line of its own; owners take turns (round robin), at most `concurrency` jobs run at
once and at most one per owner, so a user who uploads a heavy document (or a hundred) holds one slot
while every other user's documents go through the others. A job that fails is tried again after a
backoff (at the back of its owner's line); `drain()` waits until nothing is waiting or running and
raises the last failure since the previous drain.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger("kindred.dispatch")

Job = Callable[[str, str], Awaitable[None]]  # (owner, key)


class FairQueue:
    def __init__(
        self, run: Job, concurrency: int, *, backoff_seconds: float = 0.5, backoff_max_seconds: float = 60.0
    ) -> None:
        self._run = run
        self._concurrency = concurrency
        self._backoff = (backoff_seconds, backoff_max_seconds)
        self._waiting: dict[str, deque[str]] = {}  # owner -> keys; the dict's order is the owners' turns
        self._running: dict[str, asyncio.Task[None]] = {}  # owner -> its one running job
        self._known: set[tuple[str, str]] = set()  # waiting or running: submitted twice, run once
        self._attempts: dict[tuple[str, str], int] = {}
        self._retries: set[asyncio.TimerHandle] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._error: Exception | None = None
        self.completed = 0  # jobs finished (or failed for good by their own reckoning)

    def submit(self, owner: str, key: str) -> None:
        if (owner, key) in self._known:
            return
        self._known.add((owner, key))
        self._waiting.setdefault(owner, deque()).append(key)
        self._idle.clear()
        self._fill()

    async def drain(self) -> None:
        await self._idle.wait()
        error, self._error = self._error, None
        if error is not None:
            raise error

    async def stop(self) -> None:
        for handle in self._retries:
            handle.cancel()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _fill(self) -> None:
        while len(self._running) < self._concurrency:
            owner = next((owner for owner in self._waiting if owner not in self._running), None)
            if owner is None:
                return
            keys = self._waiting.pop(owner)  # taken off the turns, and put back last
            key = keys.popleft()
            if keys:
                self._waiting[owner] = keys
            self._running[owner] = asyncio.create_task(self._one(owner, key))

    async def _one(self, owner: str, key: str) -> None:
        try:
            await self._run(owner, key)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a store that is down: tried again after a backoff
            self._error = error
            attempts = self._attempts[(owner, key)] = self._attempts.get((owner, key), 0) + 1
            delay = min(self._backoff[1], self._backoff[0] * 2 ** (attempts - 1))
            logger.warning("job %s of %s failed (%d in a row); again in %.1f s", key, owner, attempts, delay)
            self._retry_later(owner, key, delay)
        else:
            self._attempts.pop((owner, key), None)
            self.completed += 1
        finally:
            self._known.discard((owner, key))
            del self._running[owner]
            self._fill()
            if not self._running and not self._waiting:
                self._idle.set()

    def _retry_later(self, owner: str, key: str, delay: float) -> None:
        def again() -> None:
            self._retries.discard(handle)
            self.submit(owner, key)

        handle = asyncio.get_running_loop().call_later(delay, again)
        self._retries.add(handle)
