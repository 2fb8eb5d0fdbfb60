"""schema.graphql, the schema as a file for client developers and code generators, is the schema the code
declares: printed from it, and rewritten by one command when the code changes."""

import difflib
from pathlib import Path

from schema.export import COMMAND, SCHEMA_FILE, printed


def test_schema_graphql_is_the_schema_the_code_declares(project_dir: Path) -> None:
    assert project_dir / "schema.graphql" == SCHEMA_FILE
    assert SCHEMA_FILE.exists(), f"schema.graphql is missing: run `{COMMAND}` and commit the file"
    kept, declared = SCHEMA_FILE.read_text(encoding="utf-8"), printed()
    if kept != declared:
        diff = difflib.unified_diff(
            kept.splitlines(), declared.splitlines(), "schema.graphql", "the code", lineterm="", n=1
        )
        shown = "\n".join(list(diff)[:40])
        raise AssertionError(
            f"schema.graphql differs from the schema the code declares: run `{COMMAND}` "
            f"(or `python -m schema.export`) and commit the file.\n{shown}"
        )
