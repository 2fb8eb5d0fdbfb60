"""What the benches read of the machine: processes' CPU, the load average (sampled while a measurement
runs), and waiting until processes have gone quiet."""

import asyncio
import contextlib
import os
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

CLOCK = os.sysconf("SC_CLK_TCK")
QUIET_SECONDS = 1.5  # a process is quiet once it spends less than QUIET_CPU over this long
QUIET_CPU = 0.03


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used, its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


def load_average() -> float:
    return os.getloadavg()[0]


async def until_quiet(
    pids: list[int],
    seconds: float = QUIET_SECONDS,
    cpu: Sequence[float] | float = QUIET_CPU,
    within: float = 0,
) -> float:
    """Waits until each of the processes spends less than its `cpu` seconds (one for all, or one each)
    over `seconds`, or `within` seconds have passed (when not 0); returns the CPU of the first at the
    start of the last look."""
    limits = [cpu] * len(pids) if isinstance(cpu, float | int) else list(cpu)
    deadline = time.monotonic() + within
    while True:
        before = [cpu_seconds(pid) for pid in pids]
        await asyncio.sleep(seconds)
        spent = [cpu_seconds(pid) - at for pid, at in zip(pids, before, strict=True)]
        if all(s < limit for s, limit in zip(spent, limits, strict=True)):
            return before[0]
        if within and time.monotonic() > deadline:
            return before[0]


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (every core, every process), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = Path("/proc/stat").read_text().split()[1:9]
    return sum(int(value) for value in (user, nice, system, irq, softirq, steal)) / CLOCK


class LoadWatch:
    """The one-minute load average before a measurement and every `every` seconds while it runs
    (`async with LoadWatch(pids) as watch: ...`; then `watch.before`, `watch.peak`, `watch.rise`), and
    how many cores other processes than `pids` (the measurement's own) kept busy meanwhile (`others`)."""

    def __init__(self, pids: Sequence[int] = (), every: float = 0.5) -> None:
        self.pids = list(pids)
        self.every = every
        self.before = 0.0
        self.during: list[float] = []
        self.started = 0.0
        self.seconds = 0.0
        self.others = 0.0
        self._busy = 0.0
        self._ours = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "LoadWatch":
        self.before = load_average()
        self.started = time.perf_counter()
        self._busy, self._ours = busy_seconds(), self._our_cpu()
        self._task = asyncio.create_task(self._sample())
        return self

    def _our_cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self.during.append(load_average())  # at least one sample, however short the measurement
        self.seconds = time.perf_counter() - self.started
        others = (busy_seconds() - self._busy) - (self._our_cpu() - self._ours)
        self.others = max(others, 0.0) / self.seconds if self.seconds else 0.0

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.during.append(load_average())

    @property
    def peak(self) -> float:
        return max(self.during, default=self.before)

    @property
    def rise(self) -> float:
        return self.peak - self.before
