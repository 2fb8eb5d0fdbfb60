"""The in-process cache: bounded, with a time to live, for one instance of Kindred."""

from cachetools import TTLCache


class MemoryCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._entries: TTLCache[str, str] = TTLCache(maxsize=max_entries, ttl=ttl_seconds)

    async def get(self, key: str) -> str | None:
        return self._entries.get(key)

    async def set(self, key: str, value: str) -> None:
        self._entries[key] = value

    async def replace(self, key: str, value: str) -> None:
        if key in self._entries:
            self._entries[key] = value

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        for key in [key for key in self._entries if key.startswith(prefix)]:
            self._entries.pop(key, None)

    async def close(self) -> None:
        self._entries.clear()
