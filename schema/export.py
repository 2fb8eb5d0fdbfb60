"""The schema as a file: `python -m schema.export` (or `./kindred schema`) rewrites schema.graphql at the
repository root from the code, so client developers and code generators can read the API without a
running server. tests/test_schema_file.py fails when the file and the code differ."""

import sys
from pathlib import Path

from strawberry.printer import print_schema

from schema import build_schema
from settings import Settings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
COMMAND = "./kindred schema"


def printed() -> str:
    """The schema in GraphQL's schema definition language, as the code declares it."""
    return print_schema(build_schema(Settings(_env_file=None))) + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(printed(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
