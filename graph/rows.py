"""Turns what Cypher returns into plain Python values: Neo4j temporal types become datetime and date."""

from typing import Any

from neo4j.time import Date, DateTime


def native(value: Any) -> Any:
    if isinstance(value, DateTime | Date):
        return value.to_native()
    if isinstance(value, dict):
        return {key: native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [native(item) for item in value]
    return value
