"""Input checks shared by resolvers: each failure is a BadUserInput naming the field."""

from typing import Any

from errors import BadUserInput


def camel(field: str) -> str:
    """The GraphQL name of a field: importance_min -> importanceMin."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def text(value: str | None, field: str, max_length: int = 200, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise BadUserInput(f"{camel(field)} is required.", field=camel(field))
        return None
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise BadUserInput(f"{camel(field)} must be 1 to {max_length} characters.", field=camel(field))
    return value


def in_range(value: float | None, low: float, high: float, field: str) -> Any:
    if value is not None and not low <= value <= high:
        raise BadUserInput(f"{camel(field)} must be between {low:g} and {high:g}.", field=camel(field))
    return value


def kept(values: dict[str, Any], *fields: str) -> None:
    """Refuses an update that would clear (set to null) a field every node of its kind has."""
    for field in fields:
        if field in values and values[field] is None:
            raise BadUserInput(f"{camel(field)} cannot be cleared.", field=camel(field))
