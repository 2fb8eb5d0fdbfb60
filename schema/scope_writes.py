"""What a key limited to named kinds may write (auth/scopes.py), decided from the mutation alone, before
it runs (schema/scopes.py): nothing it refuses is half-written.

Each root field must write one of the key's kinds: `create<Kind>`, `update<Kind>` or `delete<Kind>` of one
of them, or `link` / `unlink` (whose ends are the ids it is given). Every id in a field's arguments (the
document's and its variables') must name a node of one of the key's kinds, and so must every node it
makes along the way (a gift's new recipient, concepts made by name): an occasion made for a person is
refused to a key that may not write people. An id that is no id Kindred gave out is left to the field,
which refuses it as bad input.
"""

from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    value_from_ast_untyped,
)
from strawberry import relay

from auth.scopes import Scope
from errors import OutOfScope
from graph.kinds import BY_LABEL

VERBS = ("create", "update", "delete")
LINKS = frozenset({"link", "unlink"})  # their kinds are those of their ends
# Inputs that make a node of another kind in the same change (besides each kind's Create<Kind>Input,
# nested: a gift's newRecipient), and fields that make concepts by name, where new.
MADE_BY = {"GiftOutcomeInput": "GiftOutcome"}
MADE_BY_NAME = {
    ("CreateGiftInput", "tags"): "Concept",
    ("CreateConflictInput", "topics"): "Concept",
    ("CreateMemoryInput", "concepts"): "Concept",
}


def refusal(
    scope: Scope, root: GraphQLObjectType, fields: list[FieldNode], variables: dict[str, Any] | None
) -> OutOfScope | None:
    """Why a key limited to `scope.reads` may not run these mutation fields, or None."""
    allowed = scope.reads or frozenset()
    writes = _writes(root)
    for node in fields:
        name = node.name.value
        if name == "__typename":
            continue
        if name not in LINKS and writes.get(name) not in allowed:
            return OutOfScope(
                f"This API key may write only its kinds ({', '.join(sorted(allowed))}): not {name}.",
                field=name,
            )
        outside = sorted(_kinds_given(root, node, variables or {}) - allowed)
        if outside:
            return OutOfScope(f"This API key may not write {name} with nodes of other kinds.", kinds=outside)
    return None


@lru_cache(maxsize=8)
def _writes(root: GraphQLObjectType) -> dict[str, str]:
    """The mutation fields that create, update or delete a node of one kind, and its label."""
    return {
        f"{verb}{label}": label for label in BY_LABEL for verb in VERBS if f"{verb}{label}" in root.fields
    }


def _kinds_given(root: GraphQLObjectType, node: FieldNode, variables: dict[str, Any]) -> set[str]:
    """The kinds of the nodes the field's arguments name by id, or make along the way."""
    definition = root.fields.get(node.name.value)
    if definition is None:
        return set()
    kinds: set[str] = set()
    for argument in node.arguments or ():
        declared = definition.args.get(argument.name.value)
        if declared is not None:
            value = value_from_ast_untyped(argument.value, variables)
            kinds |= {kind for kind in _reached(value, declared.type) if kind is not None}
    return kinds


def _reached(value: Any, kind: GraphQLInputType, made: str | None = None) -> list[str | None]:
    """The kinds of the ids in `value`, read as `kind` (None for what is no id Kindred gave out), and
    of the nodes it makes."""
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if value is None:
        return []
    if isinstance(kind, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return [found for item in items for found in _reached(item, kind.of_type, made)]
    if made is not None:
        return [made]
    if isinstance(kind, GraphQLInputObjectType) and isinstance(value, dict):
        return [*_made_here(kind), *_in_fields(value, kind)]
    if isinstance(kind, GraphQLScalarType) and kind.name == "ID":
        return [_kind_of(value)]
    return []


def _in_fields(value: dict[str, Any], kind: GraphQLInputObjectType) -> list[str | None]:
    return [
        found
        for name, given in value.items()
        if name in kind.fields
        for found in _reached(given, kind.fields[name].type, MADE_BY_NAME.get((kind.name, name)))
    ]


def _made_here(kind: GraphQLInputObjectType) -> list[str | None]:
    """What a nested input makes (a new recipient within a gift): the root field's own is its kind."""
    label = MADE_BY.get(kind.name)
    if label is None and kind.name.startswith("Create") and kind.name.endswith("Input"):
        label = kind.name.removeprefix("Create").removesuffix("Input")
    return [label] if label in BY_LABEL else []


def _kind_of(given: Any) -> str | None:
    """The type an id names (None when it is no id Kindred gave out)."""
    try:
        return relay.GlobalID.from_id(str(given)).type_name
    except Exception:  # strawberry raises a bare GlobalIDValueError for any malformed id
        return None
