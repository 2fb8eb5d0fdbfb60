"""The schema's part in telemetry: which operation a request runs (for its log lines and metrics), and,
when tracing is on, a span for the operation and one for each resolver Kindred wrote (not for a field
read off its parent, nor introspection). A resolver's span names its type, field and path, never its
arguments (a logIn's password is one)."""

from collections.abc import Callable, Iterator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension
from strawberry.extensions.tracing.utils import should_skip_tracing

from telemetry import logs, tracing


class RecordOperation(SchemaExtension):
    """Sets the operation's name (as the document names it) where logs and metrics read it."""

    def on_validate(self) -> Iterator[None]:
        self._record()
        yield

    def on_execute(self) -> Iterator[None]:
        self._record()
        yield

    def _record(self) -> None:
        try:
            name = self.execution_context.operation_name
        except Exception:  # a document with several operations and none named: validation says so
            name = None
        if name is not None:
            logs.OPERATION.set(name)


class Traced(SchemaExtension):
    """Spans of the operation and of Kindred's resolvers: in the schema only while tracing is on, as
    wrapping every field's resolution costs even when it records nothing."""

    def on_operation(self) -> Iterator[None]:
        with tracing.span("graphql operation") as span:
            yield
            if span is not None:
                context = self.execution_context
                name = context.operation_name or "anonymous"
                span.update_name(f"graphql {name}")
                span.set_attribute("graphql.operation.name", name)
                if context.operation_type is not None:
                    span.set_attribute("graphql.operation.type", context.operation_type.value)

    async def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        if should_skip_tracing(_next, info):
            result = _next(root, info, *args, **kwargs)
            return await result if isawaitable(result) else result
        path = ".".join(str(key) for key in info.path.as_list())
        with tracing.span(
            f"resolve {info.parent_type.name}.{info.field_name}",
            **{"graphql.field.name": info.field_name, "graphql.field.path": path},
        ):
            result = _next(root, info, *args, **kwargs)
            return await result if isawaitable(result) else result
