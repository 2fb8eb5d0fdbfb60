"""The paging arguments are declared once: every connection field gets them from the Paging extension,
in one shape, and no other field does."""

from typing import Any

import pytest
import strawberry
from graphql import get_named_type

from resolvers.pages import PageArgs
from schema import build_schema
from schema.relay import PAGE_ARGUMENTS, Paging, paged
from settings import Settings


def _fields() -> list[tuple[str, Any]]:
    schema = build_schema(Settings(_env_file=None))._schema
    return [
        (f"{name}.{field_name}", field)
        for name, kind in schema.type_map.items()
        if not name.startswith("__")
        for field_name, field in getattr(kind, "fields", {}).items()
    ]


def _paged(field: Any) -> bool:
    definition = field.extensions.get("strawberry-definition")
    return definition is not None and any(isinstance(e, Paging) for e in definition.extensions)


def test_every_connection_field_and_only_those_are_paged_by_the_extension() -> None:
    connections = {
        where for where, field in _fields() if get_named_type(field.type).name.endswith("Connection")
    }
    assert {"Query.recipients", "Recipient.gifts", "Concept.neighbors", "Query.timeline"} <= connections
    assert {where for where, field in _fields() if _paged(field)} == connections


def test_every_connection_field_ends_with_the_same_paging_arguments() -> None:
    expected = [(name, "Int" if kind is int else "String", text) for name, kind, text in PAGE_ARGUMENTS]
    for where, field in _fields():
        if _paged(field):
            args = [(name, str(arg.type), arg.description) for name, arg in field.args.items()][-4:]
            assert args == expected, where
            assert all(field.args[name].default_value is None for name, _, _ in PAGE_ARGUMENTS), where


def test_a_paged_resolver_gets_one_page_args() -> None:
    @strawberry.type
    class Query:
        @paged("A list.")
        def items(self, paging: PageArgs, name: str = "") -> str:
            return f"{name}:{paging!r}"

    result = strawberry.Schema(query=Query).execute_sync('{ items(name: "x", last: 2, before: "c") }')
    assert result.errors is None
    assert result.data == {"items": f"x:{PageArgs(last=2, before='c')!r}"}


def test_a_paged_field_whose_resolver_takes_no_page_args_is_refused() -> None:
    @strawberry.type
    class Query:
        @paged("A list.")
        def items(self, first: int = 0) -> str:
            return ""

    with pytest.raises(TypeError, match="takes `paging: PageArgs`"):
        print(strawberry.Schema(query=Query))
