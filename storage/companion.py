"""Where the companion's ephemeral state is kept: the orb's and the scene's, each in a cache of its own
(Redis when REDIS_URL is set, else in process) with its own time to live. Never in the graph."""

from dataclasses import dataclass

from storage.cache import Cache


@dataclass(frozen=True)
class CompanionCaches:
    orb: Cache
    scene: Cache

    async def delete_prefix(self, prefix: str) -> None:
        """Drops both parts of every state under `prefix` (an erased user's)."""
        await self.orb.delete_prefix(prefix)
        await self.scene.delete_prefix(prefix)

    async def close(self) -> None:
        await self.orb.close()
        await self.scene.close()
