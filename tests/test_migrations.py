"""Schema migrations: applied once, recorded in the graph, and the constraints hold in the database."""

import pytest
from neo4j.exceptions import ConstraintError

from graph import migrations
from graph.driver import Graph


async def _schema(graph: Graph) -> tuple[list[str], list[str]]:
    async with graph.driver.session() as session:
        constraints = await (
            await session.run("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name")
        ).data()
        indexes = await (await session.run("SHOW INDEXES YIELD name RETURN name ORDER BY name")).data()
    return [c["name"] for c in constraints], [i["name"] for i in indexes]


async def test_applying_migrations_again_changes_nothing(graph: Graph) -> None:
    before = await _schema(graph)
    assert await migrations.apply(graph) == []
    assert await _schema(graph) == before
    assert await migrations.applied_versions(graph) == [m.version for m in migrations.MIGRATIONS]


async def test_every_label_has_a_unique_uid_and_every_owned_label_an_owner_index(graph: Graph) -> None:
    constraints, indexes = await _schema(graph)
    for label in migrations.LABELS:
        assert f"{label}_uid" in constraints
    for label in migrations.OWNED_LABELS:
        assert f"{label}_owner" in indexes
    assert "User_email" in constraints


async def test_the_database_itself_refuses_a_second_user_with_the_same_email(graph: Graph) -> None:
    async with graph.driver.session() as session:
        await session.run("CREATE (:User {uid: 'u1', email: 'same@example.com'})")
        with pytest.raises(ConstraintError):
            await session.run("CREATE (:User {uid: 'u2', email: 'same@example.com'})")
        record = await (await session.run("MATCH (u:User) RETURN count(u) AS n")).single()
    assert record["n"] == 1


async def test_the_database_itself_refuses_a_duplicate_uid(graph: Graph) -> None:
    async with graph.driver.session() as session:
        await session.run("CREATE (:Recipient {uid: 'r1', owner: 'u1'})")
        with pytest.raises(ConstraintError):
            await session.run("CREATE (:Recipient {uid: 'r1', owner: 'u2'})")


async def test_times_kept_without_a_zone_become_utc_and_missing_times_stay_missing(graph: Graph) -> None:
    async with graph.driver.session() as session:
        await session.run(
            "CREATE (:Memory {uid: 'm-local', happened_at: localdatetime('2024-05-01T10:00:00')}),"
            " (:Memory {uid: 'm-zoned', happened_at: datetime('2024-05-01T10:00:00+02:00')}),"
            " (:Memory {uid: 'm-none'})"
        )
    five = next(m for m in migrations.MIGRATIONS if m.version == 5)
    for statement in five.statements:  # as on a graph an earlier version wrote
        async with graph.driver.session() as session:
            await (await session.run(statement)).consume()
    async with graph.driver.session() as session:
        rows = await (
            await session.run(
                "MATCH (m:Memory) RETURN m.uid AS uid, toString(m.happened_at) AS at ORDER BY uid"
            )
        ).data()
    assert rows == [
        {"uid": "m-local", "at": "2024-05-01T10:00:00Z[UTC]"},
        {"uid": "m-none", "at": None},
        {"uid": "m-zoned", "at": "2024-05-01T10:00:00+02:00"},
    ]
