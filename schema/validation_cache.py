"""Validation once per document text: graphql-core's validation is most of the CPU of a small query.

Whether a document is valid depends only on the schema and its text: the rules (the standard ones, the
depth and alias limits, introspection off) are fixed when the schema is built, and variables play no
part. So a text found valid is remembered (by its sha256, in a bounded LRU) and not validated again.
Only valid texts are kept: a refused one is validated anew each time, as before, so what a client
learns of its errors never depends on what others sent.
"""

import hashlib
from collections.abc import Iterator

from cachetools import LRUCache
from strawberry.extensions import SchemaExtension

KnownValid = LRUCache[bytes, bool]


class ValidationCache(SchemaExtension):
    """Must come after the extensions that refuse in `on_validate` (the cost limit): a refusal they
    set first is left alone, and a document they refuse is never remembered."""

    def __init__(self, known: KnownValid) -> None:
        super().__init__()
        self.known = known

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key = None
        if context.pre_execution_errors is None and context.query is not None:
            key = hashlib.sha256(context.query.encode("utf-8", "surrogatepass")).digest()
            if key in self.known:
                context.pre_execution_errors = []  # Strawberry validates only while this is None
                key = None
        yield
        if key is not None and context.pre_execution_errors == []:
            self.known[key] = True
