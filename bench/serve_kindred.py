"""Kindred as users run it, for `./kindred bench api`: uvicorn serving app.create_app on a real port.

    python -m bench.serve_kindred --port P     (NEO4J_URI and KINDRED_JWT_SECRET from the environment)

The additions: each response's headers carry the Cypher statements run on behalf of its request
(bench/statements.py: not the dispatcher's, and the credential's check against the auth-state cache
counted apart), and GET /bench/statements answers the process's total. Rate limits are lifted: the load
comes from one address.
"""

import argparse

import resolvers.context
from app import create_app, serve
from bench import statements
from settings import Settings


def main(port: int) -> None:
    statements.install()
    # The check of a credential against the auth state is every request's, whatever it asks: its
    # statements (on a cache miss) are counted apart from the operation's.
    resolvers.context.problem_with = statements.aside(resolvers.context.problem_with)
    resolvers.context.credential_of = statements.aside(resolvers.context.credential_of)
    settings = Settings(rate_limit_per_user="100000000/minute", rate_limit_per_ip="100000000/minute")
    app = create_app(settings)
    app.add_route("/bench/statements", statements.endpoint)
    app.add_middleware(statements.PerRequest)
    serve(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    main(parser.parse_args().port)
