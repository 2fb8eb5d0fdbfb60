"""Reads awaited together: the first error comes out as it is, and the reads still running are cancelled."""

import asyncio

import pytest

from resolvers.together import all_of


async def test_results_come_in_the_order_asked() -> None:
    async def after(seconds: float, value: int) -> int:
        await asyncio.sleep(seconds)
        return value

    assert await all_of([after(0.02, 1), after(0.0, 2), after(0.01, 3)]) == [1, 2, 3]


async def test_the_first_error_is_raised_and_the_reads_still_running_are_cancelled() -> None:
    cancelled = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def failing() -> None:
        await asyncio.sleep(0)
        raise LookupError("this read failed")

    with pytest.raises(LookupError, match="this read failed"):
        await all_of([slow(), failing()])
    assert cancelled.is_set()
