"""The mutation that deletes one of the viewer's nodes by its id, the same for every kind that has one:
`delete_insight = deleting("Insight", resolve.delete, "Deletes an insight.", "The insight.")`."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import strawberry
from strawberry import relay

from resolvers.context import Context
from schema.relay import DeletePayload, Info, node_uid


def deleting(
    type_name: str, delete: Callable[[Context, str], Awaitable[Sequence[str]]], description: str, which: str
) -> Any:
    """A mutation taking the `id` (described by `which`) of one of the viewer's nodes of `type_name`, which
    `delete(context, uid)` deletes: what it returns, the uids of it and all that went with it, is counted."""

    async def delete_node(
        info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description=which)]
    ) -> DeletePayload:
        deleted = await delete(info.context, node_uid(id, type_name))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))

    return strawberry.mutation(resolver=delete_node, description=description)
