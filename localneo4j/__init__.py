"""The local Neo4j that Kindred starts by itself when NEO4J_URI is not set.

Neo4j Community 5.26 LTS and APOC core come from Maven Central as jars (pom.xml beside this file) and
run embedded in Launcher.java, with a Bolt listener on 127.0.0.1. `python -m localneo4j` starts, stops
and reports on it.
"""

from localneo4j.server import LocalNeo4j, LocalNeo4jError, free_port

__all__ = ["LocalNeo4j", "LocalNeo4jError", "free_port"]
