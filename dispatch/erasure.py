"""Erasing accounts ("forget me"): a job of its own beside the consumers, that finds the accounts marked
for erasure (graph/erasure.py) and deletes everything of each from every store.

Each account is erased under a lease on its User node, so two instances never erase it at once, and in
steps that are each idempotent, the User node last: an erasure cut short (a crash, a store down) is found
again at the next start or poll, and done from the start again, which finds less left each time.
"""

import logging
import time
from dataclasses import dataclass
from uuid import uuid4

from auth.state import forget_key, forget_user
from dispatch import Services
from dispatch.periodic import Periodic
from graph import erasure
from storage.cache import Cache
from storage.companion import CompanionCaches
from storage.rate_limits import RateLimits

logger = logging.getLogger("kindred.erasure")


@dataclass(frozen=True)
class Keyed:
    """The caches and rate limits that key entries by a user's uid or email, and their limits."""

    auth_cache: Cache | None
    persisted_queries: Cache | None
    rate_limits: RateLimits | None
    per_user_limit: str
    per_email_limit: str
    # Conversations' working memory (resolvers/working_memory.py), kept under "user:<uid>:".
    working_memory: Cache | None = None
    # Gift recommendation lists (resolvers/recommendations.py), kept under "user:<uid>:".
    recommendations: Cache | None = None
    # The companion's orb and scene state (resolvers/companion.py), kept under "user:<uid>:".
    companion: CompanionCaches | None = None


class Eraser(Periodic):
    def __init__(
        self,
        services: Services,
        keyed: Keyed,
        *,
        batch: int = 1000,
        poll_seconds: float = 5.0,
        lease_seconds: float = 60.0,
    ) -> None:
        super().__init__("erasure", poll_seconds, logger)
        self.services = services
        self.keyed = keyed
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.holder = str(uuid4())
        self.erased = 0  # accounts this instance finished (for tests and logs)

    async def run_pass(self) -> None:
        await self.erase_pending()

    async def erase_pending(self) -> int:
        """Erases every account marked for it that no other instance is erasing; how many."""
        done = 0
        for uid in await self.services.graph.read(erasure.pending):
            if await self._claim(uid):
                try:
                    await self.erase(uid)
                except LeaseLost:  # another instance erases it now: go on with the others
                    continue
                done += 1
        return done

    async def _claim(self, uid: str) -> bool:
        graph = self.services.graph
        return bool(await graph.write(erasure.claim, uid=uid, holder=self.holder, seconds=self.lease_seconds))

    async def erase(self, uid: str) -> None:
        started = time.monotonic()
        graph = self.services.graph
        found = await graph.read(erasure.secrets, uid)
        if found is None:
            return
        email, key_hashes = found["email"], found["key_hashes"]
        await self._forget_cached(uid, email, key_hashes)
        nodes = 0
        for label in erasure.OWNED:
            nodes += await self._delete_batches(uid, label)
        nodes += await self._delete_batches(uid, None)
        await self.services.vectors.delete_owner(uid)
        if self.services.blobs is not None:
            await self.services.blobs.delete_owner(uid)
        # Again: a request may have cached the account's state or a key's record meanwhile.
        await self._forget_cached(uid, email, key_hashes)
        await graph.write(erasure.delete_user, uid)
        await forget_user(self.keyed.auth_cache, uid)
        self.erased += 1
        seconds = time.monotonic() - started
        logger.info("erased an account: %d nodes in %.1f s", nodes, seconds)

    async def _delete_batches(self, uid: str, label: str | None) -> int:
        """Deletes the owner's nodes of a label (None: of any label) a batch per transaction, renewing the
        lease as it goes; LeaseLost when another instance took it."""
        graph, deleted = self.services.graph, 0
        while True:
            if label is None:
                count = await graph.write(erasure.delete_any_owned, owner=uid, limit=self.batch)
            else:
                count = await graph.write(erasure.delete_owned, owner=uid, label=label, limit=self.batch)
            deleted += count
            if count < self.batch:
                return deleted
            if not await self._claim(uid):
                raise LeaseLost(uid)

    async def _forget_cached(self, uid: str, email: str | None, key_hashes: list[str]) -> None:
        keyed = self.keyed
        await forget_user(keyed.auth_cache, uid)
        for key_hash in key_hashes:
            await forget_key(keyed.auth_cache, key_hash)
        if keyed.persisted_queries is not None:
            # web/graphql_view.py keeps a user's persisted queries under "user:<uid>:<sha256>".
            await keyed.persisted_queries.delete_prefix(f"user:{uid}:")
        if keyed.working_memory is not None:
            await keyed.working_memory.delete_prefix(f"user:{uid}:")
        if keyed.recommendations is not None:
            await keyed.recommendations.delete_prefix(f"user:{uid}:")
        if keyed.companion is not None:
            await keyed.companion.delete_prefix(f"user:{uid}:")
        if keyed.rate_limits is not None:
            await keyed.rate_limits.forget(keyed.per_user_limit, "user", uid)
            if email:
                await keyed.rate_limits.forget(keyed.per_email_limit, "email", email)


class LeaseLost(Exception):
    """Another instance erases this account now (this one's lease ran out)."""
