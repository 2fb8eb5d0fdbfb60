"""python -m localneo4j {fetch,start,stop,status,restart} [--home DIR] [--port N]"""

import argparse
import sys
from pathlib import Path

from localneo4j import jars
from localneo4j.server import LocalNeo4j, LocalNeo4jError


def main(argv: list[str] | None = None) -> int:
    from settings import Settings

    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m localneo4j", description=__doc__)
    parser.add_argument("command", choices=["fetch", "start", "stop", "status", "restart"])
    parser.add_argument("--home", type=Path, default=settings.local_neo4j_home)
    parser.add_argument("--port", type=int, default=settings.local_neo4j_port)
    args = parser.parse_args(argv)

    server = LocalNeo4j(args.home, args.port, heap=settings.local_neo4j_heap)
    try:
        if args.command == "fetch":
            print(f"jars in {jars.fetch()}")
        if args.command in ("stop", "restart"):
            print("stopped" if server.stop() else "was not running")
        if args.command in ("start", "restart"):
            started = server.start()
            print(f"{'started' if started else 'already running'}: {server.uri} (data in {server.home})")
    except LocalNeo4jError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.command == "status":
        status = server.status()
        state = f"running (pid {status.pid})" if status.running else "stopped"
        print(f"{state}: {status.uri} (data in {status.home})")
        return 0 if status.running else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
