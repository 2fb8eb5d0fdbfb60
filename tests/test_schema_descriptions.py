"""The schema explains itself: every type, field and argument a client sees in GraphiQL is described,
in the client's terms."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from schema import build_schema
from settings import Settings


def _undescribed() -> list[str]:
    schema = build_schema(Settings(_env_file=None))._schema
    missing = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not (kind.description or "").strip():
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif not isinstance(kind, GraphQLEnumType | GraphQLUnionType) and not kind.description:
            missing.append(name)
    return missing


def _texts() -> list[tuple[str, str]]:
    schema = build_schema(Settings(_env_file=None))._schema
    texts = []
    for name, kind in schema.type_map.items():
        texts.append((name, kind.description or ""))
        for field_name, field in getattr(kind, "fields", {}).items():
            texts.append((f"{name}.{field_name}", field.description or ""))
            for arg_name, arg in getattr(field, "args", {}).items():
                texts.append((f"{name}.{field_name}({arg_name})", arg.description or ""))
        for value_name, value in getattr(kind, "values", {}).items():
            texts.append((f"{name}.{value_name}", value.description or ""))
    return texts


def test_every_type_field_and_argument_has_a_description() -> None:
    assert _undescribed() == []


def test_no_description_speaks_of_the_seed_documents() -> None:
    assert [where for where, text in _texts() if "seed" in text.lower()] == []
