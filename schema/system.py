"""The connection itself: a heartbeat subscription that shows a live, authenticated channel."""

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from errors import BadUserInput
from resolvers.context import Context

Info = strawberry.Info[Context, None]


@strawberry.type
class SystemSubscription:
    @strawberry.subscription(description="The server's time every few seconds, for as long as you listen.")
    async def heartbeat(
        self,
        info: Info,
        every_seconds: Annotated[
            float, strawberry.argument(description="Seconds between beats: 0.05 to 3,600; 15 by default.")
        ] = 15.0,
    ) -> AsyncGenerator[datetime, None]:
        if not 0.05 <= every_seconds <= 3600:
            raise BadUserInput("everySeconds must be 0.05 to 3600.", field="everySeconds")
        while True:
            yield datetime.now(UTC)
            await asyncio.sleep(every_seconds)
