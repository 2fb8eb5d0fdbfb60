"""Links between two of the viewer's nodes: typed, with a weight and properties on the relationship."""

import re
from typing import Any

from errors import BadUserInput
from graph.owned import ENDS, Link
from resolvers import checks, owned
from resolvers.context import Context

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_SCALARS = (str, int, float, bool)


async def link(
    context: Context, rel: str, source: tuple[str, str], target: tuple[str, str], props: dict[str, Any]
) -> None:
    _ends(rel, source, target)
    await owned.link(context, source[0], source[1], Link(rel, target[0], target[1], props=_properties(props)))


async def unlink(context: Context, rel: str, source: tuple[str, str], target: tuple[str, str]) -> bool:
    _ends(rel, source, target)
    return await owned.unlink(context, source[0], source[1], Link(rel, target[0], target[1]))


def _ends(rel: str, source: tuple[str, str], target: tuple[str, str]) -> None:
    expected = ENDS[rel]
    if (source[0], target[0]) != expected:
        raise BadUserInput(f"{rel} links a {expected[0]} to a {expected[1]}.", field="type")


def _properties(props: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(props.get("weight"), 0, 1, "weight")
    for name, value in props.items():
        values = value if isinstance(value, list) else [value]
        if not _KEY.fullmatch(name) or not all(isinstance(v, _SCALARS) for v in values):
            raise BadUserInput(
                "Link properties are names (letters, digits, _) with text, number or true/false values, "
                "or lists of them.",
                field="properties",
            )
    return props
