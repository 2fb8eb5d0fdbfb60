"""The data folder's lock: every running Kindred on a data folder holds it shared (any number of
instances at once); a restore (and a backup) takes it exclusively, so neither runs under a live app."""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "kindred.lock"


class InUse(Exception):
    """Kindred is running on this data folder."""


@contextlib.contextmanager
def running_on(data_dir: Path) -> Iterator[None]:
    """Held by an app for as long as it runs on `data_dir`."""
    with _locked(data_dir, fcntl.LOCK_SH):  # waits out a backup or restore in progress
        yield


@contextlib.contextmanager
def alone_on(data_dir: Path) -> Iterator[None]:
    """Held by a backup or restore; InUse at once when an app runs on `data_dir`."""
    try:
        with _locked(data_dir, fcntl.LOCK_EX | fcntl.LOCK_NB):
            yield
    except BlockingIOError:
        raise InUse(
            f"Kindred is running on {data_dir}: stop it first (every instance using this data folder)"
        ) from None


@contextlib.contextmanager
def _locked(data_dir: Path, how: int) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, how)
        yield
    finally:
        os.close(fd)  # closing lets the lock go
