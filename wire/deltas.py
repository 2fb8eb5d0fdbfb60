"""The wire form of deltas (graph/changes.py) on pub/sub: the channel of each owner, and the JSON of
each message, with temporal values tagged so they come back as they were.

dispatch/live.py publishes in this form and resolvers/live.py reads it. The two sit side by side above
graph/ and storage/, and neither imports the other; storage/ (the pub/sub, which carries bytes) may not
import graph/, whose Delta this encodes; graph/ reads the deltas, and need not know how they travel. So
the form both ends agree on is here, on its own.
"""

import json
from datetime import date, datetime
from typing import Any

from graph.changes import Delta, LinkChange, NodeChange


def channel(owner: str) -> str:
    """The pub/sub channel of one owner's deltas: only that owner's subscriptions listen to it."""
    return f"owner:{owner}"


# "__t" cannot be a property name (properties and link keys start with a letter).
def encode(deltas: list[Delta]) -> bytes:
    return json.dumps(
        [_encoded(delta) for delta in deltas], default=_temporal, separators=(",", ":")
    ).encode()


def decode(message: bytes) -> list[Delta]:
    return [_decoded(item) for item in json.loads(message, object_hook=_untagged)]


def _encoded(delta: Delta) -> dict[str, Any]:
    def nodes(changes: tuple[NodeChange, ...]) -> list[Any]:
        return [[n.label, n.uid, n.properties] for n in changes]

    def links(changes: tuple[LinkChange, ...]) -> list[Any]:
        return [[x.type, x.source, x.target, x.properties] for x in changes]

    return {
        "owner": delta.owner,
        "sequence": delta.sequence,
        "kind": delta.kind,
        "at": delta.at,
        "nodes": [nodes(delta.added), nodes(delta.updated), nodes(delta.removed)],
        "links": [links(delta.links_added), links(delta.links_updated), links(delta.links_removed)],
    }


def _decoded(item: dict[str, Any]) -> Delta:
    added, updated, removed = ([NodeChange(*n) for n in group] for group in item["nodes"])
    links = [tuple(LinkChange(*x) for x in group) for group in item["links"]]
    return Delta(
        item["owner"],
        item["sequence"],
        item["kind"],
        item["at"],
        tuple(added),
        tuple(updated),
        tuple(removed),
        *links,
    )


def _temporal(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__t": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"__t": "date", "v": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not sent to live clients")


def _untagged(value: dict[str, Any]) -> Any:
    tag = value.get("__t")
    if tag == "datetime":
        return datetime.fromisoformat(value["v"])
    if tag == "date":
        return date.fromisoformat(value["v"])
    return value
