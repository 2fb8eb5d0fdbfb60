"""Kindred as users run it, for `./kindred bench api`: uvicorn serving app.create_app on a real port.

    python -m bench.serve_kindred --port P     (NEO4J_URI and KINDRED_JWT_SECRET from the environment)

The one addition is GET /bench/statements, the Cypher statements this process has sent
(bench/statements.py). Rate limits are lifted: the load comes from one address and a few users.
"""

import argparse

from app import create_app, serve
from bench import statements
from settings import Settings


def main(port: int) -> None:
    statements.install()
    settings = Settings(rate_limit_per_user="100000000/minute", rate_limit_per_ip="100000000/minute")
    app = create_app(settings)
    app.add_route("/bench/statements", statements.endpoint)
    serve(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    main(parser.parse_args().port)
