"""Any of the viewer's nodes by its global id."""

import strawberry
from strawberry import relay


def node_query() -> type:
    """A fresh type per schema: Strawberry's node fields bind their resolver when a schema is built."""

    @strawberry.type
    class NodeQuery:
        node: relay.Node | None = relay.node(description="One of the viewer's nodes by its id; null if none.")
        nodes: list[relay.Node | None] = relay.node(description="The viewer's nodes by their ids, in order.")

    return NodeQuery
