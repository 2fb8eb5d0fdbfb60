"""The cache interface: short-lived string values by key, in Redis or in process."""

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def replace(self, key: str, value: str) -> None:
        """Sets the value only where the key is held now (never brings back one deleted meanwhile)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_prefix(self, prefix: str) -> None:
        """Drops every entry whose key starts with `prefix` (an erased user's)."""
        ...

    async def close(self) -> None: ...
