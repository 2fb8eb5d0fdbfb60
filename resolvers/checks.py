"""Input checks shared by resolvers: each failure is a BadUserInput naming the field."""

import json
import re
from collections.abc import Sequence
from typing import Any

from errors import BadUserInput
from graph.kind import Kind
from graph.refs import Ref

# Names are one line: no control characters at all. Longer texts may hold line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_JSON_BYTES = 20_000
MAX_LINKED = 50  # nodes of several kinds given at once (a memory's or an insight's evidence)
_MAX_JSON_DEPTH = 20


def camel(field: str) -> str:
    """The GraphQL name of a field: importance_min -> importanceMin."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def text(
    value: str | None,
    field: str,
    max_length: int = 200,
    *,
    required: bool = False,
    lines: bool = False,
) -> str | None:
    """The text without surrounding space: 1 to `max_length` characters, one line unless `lines`."""
    if value is None:
        if required:
            raise BadUserInput(f"{camel(field)} is required.", field=camel(field))
        return None
    value = value.strip()
    if not 1 <= len(value) <= max_length:
        raise BadUserInput(f"{camel(field)} must be 1 to {max_length} characters.", field=camel(field))
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(value):
        raise BadUserInput(f"{camel(field)} must not hold control characters.", field=camel(field))
    try:
        value.encode()
    except UnicodeEncodeError as error:
        raise BadUserInput(
            f"{camel(field)} is not valid text (a lone surrogate).", field=camel(field)
        ) from error
    return value


def texts(values: list[str], field: str, max_count: int, max_length: int = 100) -> list[str]:
    """A list of short texts: at most `max_count`, each checked as a name."""
    if len(values) > max_count:
        raise BadUserInput(f"{camel(field)} holds at most {max_count} items.", field=camel(field))
    return [text(value, field, max_length, required=True) or "" for value in values]


def in_range(value: float | None, low: float, high: float, field: str) -> Any:
    if value is not None and not low <= value <= high:
        raise BadUserInput(
            f"{camel(field)} must be between {_number(low)} and {_number(high)}.", field=camel(field)
        )
    return value


def _number(bound: float) -> str:
    """A bound as a person reads it: 1,000,000,000 rather than 1e+09."""
    return f"{int(bound):,}" if float(bound).is_integer() else f"{bound:g}"


def ranges(kind: Kind, values: dict[str, Any]) -> None:
    """Refuses a value of the kind's numeric properties outside its declared bounds."""
    for name, (low, high) in kind.ranges.items():
        in_range(values.get(name), low, high, kind.api_names.get(name, name))


def kept(values: dict[str, Any], *fields: str) -> None:
    """Refuses an update that would clear (set to null) a field every node of its kind has."""
    for field in fields:
        if field in values and values[field] is None:
            raise BadUserInput(f"{camel(field)} cannot be cleared: give a value.", field=camel(field))


def json_object(value: Any, field: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """A JSON argument that must be an object (or null), of bounded size and depth."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadUserInput(f"{camel(field)} must be a JSON object.", field=camel(field))
    if _nests_deeper(value, _MAX_JSON_DEPTH):  # first: what follows recurses as deep as the value
        raise BadUserInput(f"{camel(field)} nests too deeply.", field=camel(field))
    try:
        size = len(json.dumps(value, ensure_ascii=False).encode())
    except (ValueError, UnicodeEncodeError, RecursionError) as error:
        raise BadUserInput(f"{camel(field)} is not valid JSON text.", field=camel(field)) from error
    if size > max_bytes:
        raise BadUserInput(f"{camel(field)} must be at most {max_bytes} bytes.", field=camel(field))
    return value


def _nests_deeper(value: Any, most: int) -> bool:
    """Whether objects and lists nest more than `most` deep, found without recursion (a value may nest
    far past Python's own limit), stopping at the first path too deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth + 1 > most:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def linked(refs: list[Ref] | None, labels: Sequence[str], field: str) -> list[Ref] | None:
    """The nodes a node is to be linked to by a relation to several kinds (its evidence), each of a
    label the relation is declared to, each once; None when none were given."""
    if refs is None:
        return None
    if len(refs) > MAX_LINKED:
        raise BadUserInput(f"{field} holds at most {MAX_LINKED} ids.", field=field)
    for ref in refs:
        if ref.label not in labels:
            raise BadUserInput(
                f"{field} takes ids of {', '.join(labels)}, not of a {ref.label}.", field=field
            )
    return list(dict.fromkeys(refs))
