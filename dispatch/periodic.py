"""A background job that makes a pass every so many seconds until it is stopped: the eraser, the
exporter and the scheduler. A pass that fails (a store down) is logged and made again at the next."""

import asyncio
import contextlib
import logging


class Periodic:
    def __init__(self, name: str, every: float, logger: logging.Logger) -> None:
        self.name = name
        self.every = every
        self.logger = logger
        self._task: asyncio.Task[None] | None = None

    async def run_pass(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_pass()
            except Exception:
                self.logger.warning(
                    "%s stopped short; tried again in %g s", self.name, self.every, exc_info=True
                )
            await asyncio.sleep(self.every)
