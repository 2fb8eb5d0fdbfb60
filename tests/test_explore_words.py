"""The explorer panel's wording of a field's value (web/explore/src/panel.js `readable`), run in node: an
enum's value is put in words, a person's own capitals are kept as they wrote them."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PANEL = Path(__file__).resolve().parent.parent / "web" / "explore" / "src" / "panel.js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is installed by ./kindred test")

SAID = [
    ["NASA", False],
    ["GIFT_SEARCH", True],
    [["IKEA", "OK"], False],
    [["LOVED", "NOT_FOR_THEM"], True],
    ["2026-12-07T03:30:24.5+00:00", False],
    [{"cuisine": "THAI"}, False],
]


def test_only_an_enum_value_is_put_in_words() -> None:
    script = (
        f"import({json.dumps(PANEL.as_uri())}).then((panel) => console.log(JSON.stringify("
        f"{json.dumps(SAID)}.map(([value, enumerated]) => panel.readable(value, enumerated)))))"
    )
    ran = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(ran.stdout) == [
        "NASA",
        "gift search",
        "IKEA, OK",
        "loved, not for them",
        "2026-12-07 03:30 UTC",
        "cuisine: THAI",
    ]
