"""A PDF's page texts, read in a child process of its own: `python -m dispatch.pdf_text PATH MAX_PAGES
MAX_MEMORY_MB` prints them as a JSON list. The child caps its own memory (RLIMIT_AS) and the parent
kills it past the time bound, so a PDF bomb (a page tree that repeats one page thousands of times, a
page whose content is built to take minutes or gigabytes) costs a bounded amount and never the event
loop's time. Exit codes say which bound was met; stderr says what cannot be read."""

import asyncio
import json
import resource
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOO_MANY_PAGES = 3
UNREADABLE = 4
OUT_OF_MEMORY = 5
PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Refused(Exception):
    """The PDF is past a bound or cannot be read: `reason` says so to a person."""

    reason: str


async def page_texts(path: str, max_pages: int, max_memory_mb: int, seconds: float) -> list[str]:
    """The text of each page, in order; Refused past a bound or for a file pypdf cannot read."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "dispatch.pdf_text",
        path,
        str(max_pages),
        str(max_memory_mb),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=PROJECT,  # where `dispatch` is importable, wherever the server was started from
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), seconds)
    except TimeoutError:
        with suppress(ProcessLookupError):
            child.kill()
        await child.wait()
        raise Refused(f"reading it took more than {seconds:g} seconds") from None
    if child.returncode == 0:
        return list(json.loads(out))
    if child.returncode == TOO_MANY_PAGES:
        raise Refused(f"it has more than {max_pages} pages")
    if child.returncode == OUT_OF_MEMORY:
        raise Refused(f"reading it needs more than {max_memory_mb} MB")
    detail = err.decode(errors="replace").strip().splitlines()
    raise Refused(f"the PDF cannot be read: {detail[-1] if detail else 'unknown error'}"[:400])


def _read(path: str, max_pages: int) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        # The page tree says how many pages it holds before any is read: a tree repeating one page
        # 2,500 times is refused here, in milliseconds (and the count is checked as pages are walked).
        tree: Any = reader.root_object.get("/Pages")
        declared = tree.get_object().get("/Count", 0) if tree is not None else 0
        if isinstance(declared, int) and declared > max_pages:
            return TOO_MANY_PAGES
        texts = []
        for number, page in enumerate(reader.pages, start=1):
            if number > max_pages:
                return TOO_MANY_PAGES
            texts.append(page.extract_text() or "")
    except MemoryError:
        return OUT_OF_MEMORY
    except Exception as error:  # pypdf raises many kinds on a malformed file
        print(str(error) if isinstance(error, PyPdfError) else type(error).__name__, file=sys.stderr)
        return UNREADABLE
    json.dump(texts, sys.stdout)
    return 0


def main() -> None:
    path, max_pages, max_memory_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    limit = max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.exit(_read(path, max_pages))


if __name__ == "__main__":
    main()
