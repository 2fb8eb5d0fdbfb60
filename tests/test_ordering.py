"""Every list of a kind may be ordered by exactly the sorts its declaration names (graph/kinds.py), in
their order: the API's `<Label>OrderField` enums are made from them (schema/ordering.py)."""

from enum import Enum

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType

from graph.kinds import KINDS, RECIPIENT
from schema import build_schema
from schema.ordering import order_fields, ordering
from settings import Settings


def test_each_kinds_order_field_offers_exactly_its_declared_sorts() -> None:
    types = build_schema(Settings(_env_file=None))._schema.type_map
    ordered = [kind for kind in KINDS if f"{kind.label}Order" in types]
    assert len(ordered) >= 15  # every kind with a list of its own
    for kind in ordered:
        order = types[f"{kind.label}Order"]
        assert isinstance(order, GraphQLInputObjectType)
        fields = order.fields["field"].type.of_type  # NonNull
        assert isinstance(fields, GraphQLEnumType)
        assert [value.value for value in fields.values.values()] == list(kind.sorts), kind.label


def test_each_kinds_order_and_delete_are_made_by_the_factories() -> None:
    """No kind's ordering or delete is written by hand, so none drifts from its declaration: a delete
    answers another payload only where it says more (a series' entries) or counts less (a document's
    passages are not its nodes)."""
    built = build_schema(Settings(_env_file=None))
    types = built._schema.type_map
    made = [
        types[f"{kind.label}OrderField"].extensions["strawberry-definition"].wrapped_cls.__module__
        for kind in KINDS
        if f"{kind.label}OrderField" in types
    ]
    assert set(made) == {"schema.ordering"}
    mutation = built.get_type_by_name("Mutation")
    deletes = {f"delete_{_snake(kind.label)}" for kind in KINDS} - {"delete_series", "delete_document"}
    writers = {
        field.python_name: field.base_resolver.wrapped_func.__module__
        for field in mutation.fields  # type: ignore[union-attr]
        if field.python_name in deletes and field.base_resolver is not None
    }
    assert len(writers) >= 15
    assert {name for name, module in writers.items() if module != "schema.deletion"} == set()


def _snake(label: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in label).lstrip("_")


def test_a_description_of_a_sort_the_kind_does_not_declare_is_refused() -> None:
    with pytest.raises(ValueError, match="shoe_size"):
        order_fields("Recipient", RECIPIENT.sorts, "recipients", {"shoe_size": "How big their feet are."})


def test_an_ordering_named_after_another_kind_is_refused() -> None:
    with pytest.raises(TypeError, match="RecipientOrder"):

        @ordering(RECIPIENT, "recipients")
        class PersonOrder: ...


def test_a_made_order_field_reads_back_as_its_sort() -> None:
    made = order_fields(
        "Sample", {"next": "n.next", "created_at": "n.created_at"}, "samples", names={"next": "SOON"}
    )
    assert isinstance(made, type) and issubclass(made, Enum)
    assert [(member.name, member.value) for member in made] == [
        ("SOON", "next"),
        ("CREATED_AT", "created_at"),
    ]
    definition = made.__strawberry_definition__  # type: ignore[attr-defined]
    assert (definition.name, definition.description) == (
        "SampleOrderField",
        "What a list of samples may be ordered by.",
    )
