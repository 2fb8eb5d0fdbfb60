"""The cache interface: short-lived string values by key, in Redis or in process."""

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def close(self) -> None: ...
