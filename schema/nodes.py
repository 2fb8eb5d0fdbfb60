"""Any of the viewer's nodes by its global id: every id Kindred hands out resolves here."""

from collections import defaultdict
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types.base import StrawberryObjectDefinition

from errors import BadUserInput
from graph.refs import Ref
from resolvers.together import all_of
from schema.relay import Info

MAX_IDS = 100


async def load(info: Info, refs: list[tuple[str, str]]) -> list[Any]:
    """The nodes of these (type name, uid) pairs, in order; None for what is not one of the viewer's
    nodes (another user's, a deleted one, or an id of a type that is no node). One query per type."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_name, uid in refs:
        by_type[type_name].append(uid)
    # What an API key's scope leaves out is as good as none of the viewer's (auth/scopes.py).
    scope = info.context.scope
    types: dict[str, Any] = {name: _node_type(info, name) if scope.allows(name) else None for name in by_type}
    loading = [(name, uids) for name, uids in by_type.items() if types[name] is not None]
    # Each type is its own read: all at once, so the call waits for the slowest, not for their sum.
    loaded = await all_of(types[name].resolve_nodes(info=info, node_ids=uids) for name, uids in loading)
    found: dict[tuple[str, str], Any] = {}
    for (type_name, uids), nodes in zip(loading, loaded, strict=True):
        found |= {(type_name, uid): node for uid, node in zip(uids, nodes, strict=True) if node is not None}
    return [found.get(ref) for ref in refs]


def _node_type(info: Info, type_name: str) -> Any:
    """The Node type of this name, or None when the name is no concrete Node type."""
    definition = info.schema.get_type_by_name(type_name)
    if not isinstance(definition, StrawberryObjectDefinition) or definition.is_interface:
        return None
    origin = definition.origin
    return origin if issubclass(origin, relay.Node) else None


def ref_of(global_id: strawberry.ID, field: str) -> Ref:
    """The node (type name, uid) of an id a client sent; BadUserInput naming `field` if it is no global id."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except Exception as error:  # strawberry raises a bare GlobalIDValueError for any malformed id
        raise BadUserInput("This is not an id Kindred gave out.", field=field) from error
    return Ref(parsed.type_name, parsed.node_id)


def refs_of(ids: Any, field: str) -> list[Ref] | None:
    """The nodes named by ids a client gave (None when not given, or given as null)."""
    if ids is None or ids is strawberry.UNSET:
        return None
    return [ref_of(global_id, field) for global_id in ids]


@strawberry.type
class NodeQuery:
    @strawberry.field(description="One of the viewer's nodes by its id; null if there is none.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A node's id.")]
    ) -> relay.Node | None:
        return (await load(info, [ref_of(id, "id")]))[0]

    @strawberry.field(
        description="The viewer's nodes by their ids (up to 100), in order; null where there is none."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="The nodes' ids.")],
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_IDS:
            raise BadUserInput(f"Ask for at most {MAX_IDS} nodes at once.", field="ids")
        return await load(info, [ref_of(global_id, "ids") for global_id in ids])
