"""Links between two of the viewer's nodes: typed, with a weight and properties on the relationship."""

import re
from typing import Any

from errors import BadUserInput
from graph.kinds import ENDS, joins, relation
from graph.nodes import Link
from resolvers import checks, nodes
from resolvers.context import Context

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_MAX_PROPERTIES = 20
_MAX_LIST = 50
_INT64 = 2**63
_FORM = (
    "Link properties are an object of up to 20 names (letters, digits, _) with text (up to 500 "
    "characters), number or true/false values, or flat lists of up to 50 of them."
)


async def link(
    context: Context,
    rel: str,
    source: tuple[str, str],
    target: tuple[str, str],
    props: Any,
    weight: float | None = None,
) -> None:
    _ends(rel, source, target)
    given = properties(props)
    if weight is not None:
        given["weight"] = weight
    checks.in_range(given.get("weight"), 0, 1, "weight")
    await nodes.link(context, source[0], source[1], Link(rel, target[0], target[1], props=given))


async def unlink(context: Context, rel: str, source: tuple[str, str], target: tuple[str, str]) -> bool:
    _ends(rel, source, target)
    return await nodes.unlink(context, source[0], source[1], Link(rel, target[0], target[1]))


def _ends(rel: str, source: tuple[str, str], target: tuple[str, str]) -> None:
    for (_, uid), field in ((source, "from"), (target, "to")):
        if not uid:
            raise BadUserInput("Give the ids of two nodes.", field=field)
    if source == target:
        raise BadUserInput("A node is not linked to itself.", field="to")
    if not joins(rel, source[0], target[0]):
        pairs = " or ".join(f"a {a} to a {b}" for a, b in sorted(ENDS[rel]))
        raise BadUserInput(f"{rel} links {pairs}.", field="kind")
    declared = relation(rel, source[0], target[0])
    if declared is not None and not declared.linkable and declared.kept_by:
        raise BadUserInput(
            f"A {source[0]}'s {rel} is kept by {declared.kept_by}, not linked by hand.", field="kind"
        )
    if declared is not None and not declared.linkable:
        raise BadUserInput(f"A {source[0]}'s {rel} is given when it is made, not linked after.", field="kind")


def properties(props: Any) -> dict[str, Any]:
    """The properties of a link as Neo4j can keep them: flat, of one type per list, bounded."""
    if props is None:
        return {}
    if not isinstance(props, dict) or len(props) > _MAX_PROPERTIES:
        raise BadUserInput(_FORM, field="properties")
    for name, value in props.items():
        values = value if isinstance(value, list) else [value]
        if not _KEY.fullmatch(name) or len(values) > _MAX_LIST or not all(map(_scalar, values)):
            raise BadUserInput(_FORM, field="properties")
        if len({type(v) for v in values}) > 1:
            raise BadUserInput("A list in link properties holds values of one type.", field="properties")
    if "weight" in props and (
        isinstance(props["weight"], bool) or not isinstance(props["weight"], int | float)
    ):
        raise BadUserInput("weight must be a number from 0 to 1.", field="weight")
    return dict(props)


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= 500 and checks.text(value, "properties", 500, lines=True) is not None
    if isinstance(value, bool | float):
        return True
    return isinstance(value, int) and -_INT64 <= value < _INT64
