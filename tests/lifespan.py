"""An app started and stopped as a server would, with bounds that hold on a loaded machine.

asgi-lifespan's own bounds are 5 s each way: starting reads the embedder's weights and opens the vector
store, and stopping lets the dispatcher finish its batch; on two busy cores either can take longer, and a
test that fails then is a flake, not a finding.
"""

from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

STARTUP_SECONDS = 120
SHUTDOWN_SECONDS = 60


def started(app: ASGIApp) -> LifespanManager:
    return LifespanManager(app, startup_timeout=STARTUP_SECONDS, shutdown_timeout=SHUTDOWN_SECONDS)
