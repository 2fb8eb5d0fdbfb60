"""Property maps for Cypher, made by a model's declared properties: defaults, required ones, encoding.

Dates and datetimes stay native, so Neo4j stores them as Date and DateTime and Cypher can compute
with them (neomodel's own deflate would turn them into strings and floats).
"""

from typing import Any

from neomodel import DateProperty, DateTimeProperty
from neomodel.exceptions import RequiredProperty

_NATIVE = (DateProperty, DateTimeProperty)


def for_create(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Every declared property: the value given, else its default; a missing required one is an error."""
    result = {}
    for name, prop in model.defined_properties(aliases=False, rels=False).items():
        value = values.get(name)
        if value is None and prop.has_default:
            value = prop.default_value()
        if value is None and prop.required and name not in ("created_at", "updated_at"):
            raise RequiredProperty(name, model)
        result[name] = _encode(prop, value)
    return result


def for_update(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Only the declared properties given (None clears one): for `SET n += $changes`."""
    declared = model.defined_properties(aliases=False, rels=False)
    unknown = set(values) - set(declared)
    if unknown:
        raise KeyError(f"{model.__name__} has no properties {sorted(unknown)}")
    return {name: _encode(declared[name], value) for name, value in values.items()}


def unclearable(model: Any) -> tuple[str, ...]:
    """The properties every node (or relationship) of the model has: required, or with a default. An
    update may change them, not clear them."""
    declared = model.defined_properties(aliases=False, rels=False)
    return tuple(name for name, prop in declared.items() if prop.required or prop.has_default)


def _encode(prop: Any, value: Any) -> Any:
    if value is None or isinstance(prop, _NATIVE):
        return value
    return prop.deflate(value)
