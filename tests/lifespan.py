"""An app started and stopped as a server would, with bounds that hold on a loaded machine.

asgi-lifespan's own bounds are 5 s each way: starting reads the embedder's weights and opens the vector
store, and stopping lets the dispatcher finish its batch; on two busy cores either can take longer, and a
test that fails then is a flake, not a finding. An app that starts its own local Neo4j (the embedded
default, as tests/test_backup.py runs it) waits up to 180 s for it (localneo4j/server.py) before its
migrations: the bound is above that, or a slow first start of the JVM on a fresh, loaded machine fails
the test where `./kindred run` would have started.
"""

from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

STARTUP_SECONDS = 360
SHUTDOWN_SECONDS = 60


def started(app: ASGIApp) -> LifespanManager:
    return LifespanManager(app, startup_timeout=STARTUP_SECONDS, shutdown_timeout=SHUTDOWN_SECONDS)
