"""python -m demo.seed [--people N]: fills the demo user with a coherent person's world.

The world (demo/world.py, demo/life.py, demo/stories.py) is made from a fixed random seed, so every run
writes the same people, occasions, gifts, memories and conflicts; demo/load.py writes it. Running it
again starts the demo user afresh. `--people N` makes a larger world (more friend circles, work teams
and family branches), large enough at a few hundred for the 3D view to fold communities into super-nodes.
"""

import argparse
import asyncio
import random
import sys
import time
from typing import Any

from app import open_graph
from demo import life, load, stories, talks, world
from errors import Unauthenticated
from graph import kinds, migrations, users
from graph.driver import Graph
from resolvers import accounts
from resolvers.context import Context
from schema import build_schema
from settings import Settings

EMAIL = "demo@example.com"
PASSWORD = "kindred-demo-password"
PEOPLE = 30
SEED = 7
MIN_PEOPLE, MAX_PEOPLE = 12, 2000


def build(people: int = PEOPLE, seed: int = SEED) -> world.World:
    """The demo's world of `people` people: the same for the same arguments."""
    made = world.people(people, seed)
    rng = random.Random(seed + 1)
    life.occasions(made, rng)
    life.gifts(made, rng)
    stories.memories(made, rng)
    stories.conflicts(made, rng)
    talks.talks(made, rng)
    return made


async def seed(settings: Settings, graph: Graph, people: int = PEOPLE) -> dict[str, int]:
    """Fills the demo user (made if missing, emptied if not) with the world of `people`; returns how
    many of each were made, as the API counts them."""
    context = Context(None, None, settings, graph, "seed")
    try:
        session = await accounts.log_in(context, EMAIL, PASSWORD)
        await graph.write(
            users.delete_data, session["user"]["uid"], (*kinds.BY_LABEL, "DocumentChunk", "Event")
        )
    except Unauthenticated:
        session = await accounts.sign_up(context, EMAIL, PASSWORD, "Demo Person")
    context.viewer_uid = session["user"]["uid"]
    await load.load(graph, context.viewer, build(people))
    return await counts(context)


async def counts(context: Context) -> dict[str, int]:
    query = (
        "{ recipients { totalCount } gifts { totalCount } occasions { totalCount } "
        "memories { totalCount } conflicts { totalCount } concepts { totalCount } "
        "conversations { totalCount } }"
    )
    result = await SCHEMA.execute(query, context_value=context)
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    data: dict[str, Any] = result.data or {}
    return {name: value["totalCount"] for name, value in data.items()}


SCHEMA = build_schema(Settings(_env_file=None, max_cost=10**9))


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kindred seed", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=int, default=PEOPLE, help=f"how many people ({MIN_PEOPLE} to {MAX_PEOPLE})"
    )
    given = parser.parse_args(argv)
    if not MIN_PEOPLE <= given.people <= MAX_PEOPLE:
        parser.error(f"--people must be {MIN_PEOPLE} to {MAX_PEOPLE}")
    return given


async def main(argv: list[str]) -> int:
    given = _arguments(argv)
    settings = Settings()
    started = time.monotonic()
    async with open_graph(settings) as graph:
        await migrations.apply(graph)
        made = await seed(settings, graph, given.people)
    listed = ", ".join(f"{count} {name}" for name, count in made.items())
    print(f"Seeded {EMAIL} (password: {PASSWORD}) in {time.monotonic() - started:.1f} s: {listed}.")
    print(
        'Log in from GraphiQL with: mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
