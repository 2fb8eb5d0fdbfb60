"""Answers compared both ways: with reads that project only what a selection asks for (the default) and
with reads of every property (`read_selected` off, the path before). A query must answer the same,
errors included, whichever way it is read.

`DifferentialClient` does it for every query a test sends when KINDRED_DIFFERENTIAL_READS=1 is set
(`KINDRED_DIFFERENTIAL_READS=1 pytest tests/test_recipients.py ...` runs those tests' queries both
ways); tests/test_read_selected.py does it always, for a corpus generated over the schema.
"""

import os
from typing import Any

import httpx
from graphql import OperationType, parse
from graphql.error import GraphQLSyntaxError

from settings import Settings
from tests.client import GraphQLClient

DIFFERENTIAL = os.environ.get("KINDRED_DIFFERENTIAL_READS", "") not in ("", "0", "false")


def is_query(document: str) -> bool:
    try:
        parsed = parse(document)
    except GraphQLSyntaxError:
        return False
    operations = [d for d in parsed.definitions if hasattr(d, "operation")]
    return bool(operations) and all(op.operation is OperationType.QUERY for op in operations)


# What a read itself changes: a conversation's working memory is kept hot from each read (its expiry moves)
# and rebuilt by the first read that finds no hot copy.
_PER_READ = {"workingMemory": {"expiresAt", "rebuilt"}}


def comparable(answer: Any, within: str = "") -> Any:
    """An answer without what differs per request (the request id of an error, what a read changes)."""
    if isinstance(answer, dict):
        left_out = {"requestId", *_PER_READ.get(within, ())}
        return {key: comparable(value, key) for key, value in answer.items() if key not in left_out}
    if isinstance(answer, list):
        return [comparable(item, within) for item in answer]
    return answer


async def both_ways(
    client: GraphQLClient, settings: Settings, query: str, variables: dict[str, Any] | None, token: str | None
) -> tuple[httpx.Response, httpx.Response]:
    """(the answer read as selected, the answer read whole), the setting restored afterwards."""
    kept = settings.read_selected
    try:
        settings.read_selected = True
        selected = await GraphQLClient.post(client, query, variables, token=token)
        settings.read_selected = False
        whole = await GraphQLClient.post(client, query, variables, token=token)
    finally:
        settings.read_selected = kept
    return selected, whole


class DifferentialClient(GraphQLClient):
    """A test client that sends each query both ways and fails the test when the answers differ."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        super().__init__(http)
        self.settings = settings
        self.compared = 0

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        if not is_query(query):
            return await super().post(query, variables, token=token)
        selected, whole = await both_ways(self, self.settings, query, variables, token)
        assert selected.status_code == whole.status_code, (query, selected.text, whole.text)
        assert comparable(selected.json()) == comparable(whole.json()), (query, selected.text, whole.text)
        self.compared += 1
        return selected
