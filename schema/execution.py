"""How Kindred executes an operation, where it differs from graphql-core's own: the 3D view's long
lists of plain values complete at once (FlatViewLists, the execution context of the whole schema)."""

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    OperationType,
    get_nullable_type,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import DeferUsage, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from resolvers.view import gc_paused
from schema import compiled, scopes
from schema.view import FLAT_TYPES
from telemetry import metrics

_Plan = list[tuple[str, Callable[[Any], Any]]]


logger = logging.getLogger("kindred.execution")


class FlatViewLists(StrawberryGraphQLCoreExecutionContext):
    """graphql-core completes each field of each object on its own (a resolve info, a resolver call and a
    completion per field): for a view of 2,000 nodes and 8,000 links that was most of its time. A list of
    the view's types, whose fields are plain attributes with no arguments, is completed here at once: the
    selection is collected once (fragments, aliases, @skip and @include as graphql-core collects them)
    and each item read by attribute and coerced by its field's type. Anything else (a resolver, an
    argument, @defer, a middleware, an unexpected null) goes the ordinary way."""

    @classmethod
    def build(cls, schema: GraphQLSchema, document: DocumentNode, *args: Any, **kwargs: Any) -> Any:
        """The executor; for a subscription its API key's scope may not allow, its refusal instead.
        Strawberry runs a subscription whatever the extensions decided before it (schema/admission.py
        refuses queries and mutations there), so its scope is held here, before it subscribes."""
        built = super().build(schema, document, *args, **kwargs)
        if isinstance(built, list) or built.operation.operation is not OperationType.SUBSCRIPTION:
            return built
        context = args[1] if len(args) > 1 else kwargs.get("context_value")
        scope = getattr(context, "scope", None)
        fragments = {name: details.definition for name, details in built.fragments.items()}
        refused = scopes.refusal(scope, schema, built.operation, fragments) if scope else None
        if refused is None:
            return built
        return [GraphQLError(refused.message, extensions=refused.extensions)]

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> Any:
        """A query Kindred can read in one statement is answered so (schema/compiled.py), after
        validation, limits and admission as any other, with what the statement cannot answer resolved
        field by field below it; anything else, field by field."""
        context = self.context_value
        if (
            self.operation.operation is OperationType.QUERY
            and not serially
            and not new_defer_usages
            and not (self.middleware_manager and self.middleware_manager.middlewares)
            and getattr(getattr(context, "settings", None), "compiled_reads", False)
            and getattr(context, "viewer_uid", None) is not None
        ):
            return self._compiled(root_type, root_value, grouped_field_set, serially, new_defer_usages)
        return super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    async def _compiled(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> Any:
        try:
            plan = await compiled.plan(self, root_type, grouped_field_set)
            data = await compiled.read(self, plan)
        except compiled.NotCompiled:
            metrics.COMPILED_READS.labels(outcome="fallback").inc()
        except Exception:
            # Neo4j away, or a value the plan could not shape: answered field by field, where a failure is
            # a field's, masked and coded as any other (schema/errors.py), never raw driver text.
            logger.warning("a compiled read failed; it is answered field by field", exc_info=True)
            metrics.COMPILED_READS.labels(outcome="error").inc()
        else:
            # What the statement could not answer, the usual way: its errors are the fields' own.
            metrics.COMPILED_READS.labels(outcome="partial" if plan.partial else "compiled").inc()
            return await compiled.complete(self, plan, data)
        result = super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )
        return await result if self.is_awaitable(result) else result

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        item_type = return_type.of_type
        plan = None
        middlewares = self.middleware_manager.middlewares if self.middleware_manager else ()
        if isinstance(item_type, GraphQLNonNull) and not middlewares:
            plan = self._plan(item_type.of_type, field_details_list)
        if plan is not None and isinstance(result, list):
            flat = _flat(plan, result)
            if flat is not None:
                return flat
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, object_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> _Plan | None:
        if not is_object_type(object_type) or object_type.name not in FLAT_TYPES:
            return None
        assert isinstance(object_type, GraphQLObjectType)
        grouped, deferred, _ = self.collect_subfields(object_type, field_details_list)
        if deferred:
            return None
        plan: _Plan = []
        for key, details in grouped.items():
            step = self._step(object_type, details)
            if step is None:
                return None
            plan.append((key, step))
        return plan

    def _step(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Callable[[Any], Any] | None:
        """How one response key of an item is made, or None if it needs graphql-core."""
        node = details[0].node
        if node.name.value == "__typename":
            name = object_type.name
            return lambda _item: name
        field_def = object_type.fields.get(node.name.value)
        definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF) if field_def else None
        if field_def is None or definition is None or definition.base_resolver is not None:
            return None
        if any(d.node.arguments for d in details) or definition.extensions or definition.permission_classes:
            return None
        attribute, required = definition.python_name, isinstance(field_def.type, GraphQLNonNull)
        field_type = get_nullable_type(field_def.type)
        if is_leaf_type(field_type):
            coerce, plain = field_type.coerce_output_value, _PLAIN.get(field_type)
            return lambda item: _leaf(getattr(item, attribute), coerce, plain, required)
        inner = self._plan(field_type, details)
        if inner is None:
            return None
        return lambda item: _object(getattr(item, attribute), inner, required)


class _Unflat(Exception):
    """A value the flat completion does not make (a null where the type forbids one)."""


# What a built-in scalar answers unchanged: a value of exactly this type, within its range.
_PLAIN: dict[Any, Callable[[Any], bool]] = {
    GraphQLString: lambda value: type(value) is str,
    GraphQLID: lambda value: type(value) is str,
    GraphQLFloat: lambda value: type(value) is float and math.isfinite(value),
    GraphQLInt: lambda value: type(value) is int and -(2**31) <= value < 2**31,
}


def _leaf(
    value: Any, coerce: Callable[[Any], Any], plain: Callable[[Any], bool] | None, required: bool
) -> Any:
    if value is None:
        if required:
            raise _Unflat
        return None
    if plain is not None and plain(value):
        return value
    coerced = coerce(value)
    if coerced is None or coerced is Undefined:  # graphql-core reports what a scalar cannot answer
        raise _Unflat
    return coerced


def _object(value: Any, plan: _Plan, required: bool) -> Any:
    if value is None:
        if required:
            raise _Unflat
        return None
    return {key: step(value) for key, step in plan}


def _flat(plan: _Plan, items: Iterable[Any]) -> list[dict[str, Any]] | None:
    try:
        with gc_paused():
            return [{key: step(item) for key, step in plan} for item in items]
    except Exception:  # a null where the type forbids one, a value its scalar refuses: graphql-core
        return None  # then completes the list itself and reports the error where it is
