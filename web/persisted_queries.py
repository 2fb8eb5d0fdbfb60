"""Automatic persisted queries: a client may send the sha256 of a query it sent before instead of the query.

The request shape is the common one: `extensions.persistedQuery = {version: 1, sha256Hash}`. Queries are
kept per owner (a user, or the address of an anonymous client): a shared store would tell anyone who
asks by hash whether someone else has sent that exact query.
"""

import hashlib
from dataclasses import replace

from strawberry.http import GraphQLRequestData

from errors import BadUserInput, PersistedQueryNotFound
from storage.cache import Cache


async def resolve(data: GraphQLRequestData, cache: Cache, owner: str) -> GraphQLRequestData:
    """The request with its query: looked up by hash among `owner`'s, or checked against its hash and
    kept as `owner`'s."""
    persisted = (data.extensions or {}).get("persistedQuery")
    if persisted is None:
        return data
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(digest, str):
        raise BadUserInput("extensions.persistedQuery must be {version: 1, sha256Hash: <hex>}.")
    digest = digest.lower()
    if data.query is None:
        query = await cache.get(f"{owner}:{digest}")
        if query is None:
            raise PersistedQueryNotFound
        return replace(data, query=query)
    if hashlib.sha256(data.query.encode()).hexdigest() != digest:
        raise BadUserInput("extensions.persistedQuery.sha256Hash is not the sha256 of the query.")
    await cache.set(f"{owner}:{digest}", data.query)
    return data
