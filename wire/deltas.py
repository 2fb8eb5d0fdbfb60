"""The wire form of deltas (graph/changes.py) on pub/sub: the channel of each owner, and the JSON of
each message, with dates and datetimes tagged (temporal.py) so they come back as they were.

dispatch/live.py publishes in this form and resolvers/live.py reads it. The two sit side by side above
graph/ and storage/, and neither imports the other; storage/ (the pub/sub, which carries bytes) may not
import graph/, whose Delta this encodes; graph/ reads the deltas, and need not know how they travel. So
the form both ends agree on is here, on its own.
"""

import json
from typing import Any

from graph.changes import Delta, LinkChange, NodeChange, Placement
from graph.refs import Ref
from wire import temporal


def channel(owner: str) -> str:
    """The pub/sub channel of one owner's deltas: only that owner's subscriptions listen to it. Named anew
    with each change of the wire form, so that during a rolling deploy no instance reads a form it does
    not know: a subscriber of an earlier instance catches up by `since` when it subscribes again."""
    return f"deltas.2:{owner}"  # 2: with the layout's placements (positions)


def encode(deltas: list[Delta]) -> bytes:
    encoded = [_encoded(delta) for delta in deltas]
    return json.dumps(encoded, default=temporal.default, separators=(",", ":")).encode()


def decode(message: bytes) -> list[Delta]:
    return [_decoded(item) for item in json.loads(message)]


def _encoded(delta: Delta) -> dict[str, Any]:
    def nodes(changes: tuple[NodeChange, ...]) -> list[Any]:
        return [[n.label, n.uid, n.properties] for n in changes]

    def links(changes: tuple[LinkChange, ...]) -> list[Any]:
        return [[x.type, str(x.source), str(x.target), x.properties] for x in changes]

    return {
        "owner": delta.owner,
        "sequence": delta.sequence,
        "kind": delta.kind,
        "at": delta.at,
        "nodes": [nodes(delta.added), nodes(delta.updated), nodes(delta.removed)],
        "links": [links(delta.links_added), links(delta.links_updated), links(delta.links_removed)],
        # Column by column, as the schema's PositionsDelta gives them: tens of nodes a layout pass.
        "positions": [
            [getattr(placed, column) for placed in delta.positions] for column in _PLACEMENT_COLUMNS
        ],
    }


_PLACEMENT_COLUMNS = ("label", "uid", "x", "y", "z", "community")  # Placement's fields, in order


def _decoded(item: dict[str, Any]) -> Delta:
    def node(label: str, uid: str, properties: dict[str, Any] | None) -> NodeChange:
        return NodeChange(label, uid, _properties(properties))

    def link(type_: str, source: str, target: str, properties: dict[str, Any]) -> LinkChange:
        return LinkChange(type_, Ref.parse(source), Ref.parse(target), _properties(properties) or {})

    added, updated, removed = ([node(*n) for n in group] for group in item["nodes"])
    links_added, links_updated, links_removed = (tuple(link(*x) for x in group) for group in item["links"])
    positions = tuple(Placement(*row) for row in zip(*item["positions"], strict=True))
    return Delta(
        item["owner"],
        item["sequence"],
        item["kind"],
        temporal.untag(item["at"]),
        tuple(added),
        tuple(updated),
        tuple(removed),
        links_added,
        links_updated,
        links_removed,
        positions,
    )


def _properties(properties: dict[str, Any] | None) -> dict[str, Any] | None:
    """A node's or a link's properties with their values untagged (the map itself is never a tag)."""
    return None if properties is None else {name: _value(value) for name, value in properties.items()}


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return [_value(item) for item in value]
    if isinstance(value, dict):  # a map a kind computes (a relationship's fields, say), or a tag
        untagged = temporal.untag(value)
        return untagged if untagged is not value else {key: _value(item) for key, item in value.items()}
    return value
