"""Kindred with tracemalloc on, for the soak bench's `--trace-memory`: `python -m bench.traced` serves as
`python app.py` does, and each SIGUSR1 writes a snapshot of what is allocated, and by which lines, to
`$KINDRED_BENCH_SNAPSHOTS/<n>.snapshot`. Comparing two tells memory that keeps growing (a leak) from
memory that is work waiting (a backlog), by where it was allocated."""

import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

FRAMES = 6  # enough of each allocation's stack to name the caller that keeps it


def _dump(folder: Path) -> None:
    taken = len(list(folder.glob("*.snapshot")))
    tracemalloc.take_snapshot().dump(str(folder / f"{taken}.snapshot"))


def main() -> None:
    folder = Path(os.environ["KINDRED_BENCH_SNAPSHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    tracemalloc.start(FRAMES)

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        _dump(folder)

    signal.signal(signal.SIGUSR1, on_signal)
    import app  # after tracemalloc starts, so that what importing allocates is traced too

    app.main()


if __name__ == "__main__":
    main()
