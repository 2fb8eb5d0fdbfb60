"""The viewer's sensitive fields (stored encrypted, resolvers/sealed.py): whether live updates carry them."""

from typing import Annotated

import strawberry

from resolvers import sealed
from schema.relay import Info


@strawberry.type
class SensitiveMutation:
    @strawberry.mutation(
        description="Whether the viewer's sensitive fields (a conflict's privateNote) travel in their own "
        "live updates (graphChanged and node deltas); off by default. Returns the setting now."
    )
    async def set_show_sensitive(
        self,
        info: Info,
        show: Annotated[bool, strawberry.argument(description="True to include them, false not to.")],
    ) -> bool:
        return await sealed.set_show_sensitive(info.context, show)
