"""The GraphQL schema: one module per domain, merged into one Query and one Mutation here."""

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.accounts import AccountMutation, AccountQuery
from schema.extensions import MaskInternalErrors, RequireViewer, log_internal_errors

Query = merge_types("Query", (AccountQuery,))
Mutation = merge_types("Mutation", (AccountMutation,))


class KindredSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Client errors are expected and not logged; internal ones are, with the request id.
        context: Any = execution_context.context if execution_context else None
        log_internal_errors(errors, getattr(context, "request_id", "-"))


schema = KindredSchema(query=Query, mutation=Mutation, extensions=[RequireViewer, MaskInternalErrors])
