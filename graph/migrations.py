"""Schema migrations: constraints and indexes, applied in order at start and recorded in the graph.

Each migration runs once; the versions applied are kept as (:Migration {version}) nodes, so running
`apply` again changes nothing. Statements use IF NOT EXISTS, so two instances starting at once are safe.
A migration's text never changes, so one that names labels keeps its own literal list of them.

After the migrations, what the kinds declare (graph/kinds.py) is made to hold whatever a migration
said: every kind's uid constraint and owner index, each drawn kind's community index, and the full-text
index over exactly the searched kinds. A new kind needs no migration of its own for them.

The full-text index is named after the labels it covers: when the searched kinds change, a new one is
made beside the old (once, whichever instance starts first), and the old one is dropped only after every
index is online, so search keeps an index to read throughout.
"""

import hashlib
from dataclasses import dataclass

from neo4j import AsyncManagedTransaction

from graph.driver import Graph
from graph.kinds import COUPLE_SEARCHED_LABELS, KINDS, SEARCHED_LABELS

# Every node a user owns carries `owner` (the user's uid); User is the owner itself. As migration 1 knew
# them (the kinds' own come from their declarations).
OWNED_LABELS = (
    "ApiKey",
    "Recipient",
    "Occasion",
    "Gift",
    "GiftOutcome",
    "Concept",
    "Memory",
    "Conflict",
    "Event",
)
LABELS = ("User", *OWNED_LABELS)
# The times clients give (the others are the server's own, always in UTC), where earlier versions kept
# them as given, with or without a time zone.
_CLIENT_TIMES = (
    ("(x:Memory)", "happened_at"),
    ("(x:Memory)", "expires_at"),
    ("(x:Conflict)", "started_at"),
    ("(x:Conflict)", "ended_at"),
    ("()-[x:KNOWS]->()", "last_interaction"),
)
# The full-text index over the texts semantic search embeds (n.search_text): the name migration 6 gave it,
# and the labels it made it for.
_FULLTEXT = "search_text"
_FIRST_SEARCHED = ("Recipient", "Gift", "Memory", "Concept", "Conflict")
# Labels an early version made constraints for before any code used them.
_UNUSED_LABELS = (
    "GiftSession",
    "Recommendation",
    "Document",
    "Observation",
    "Trait",
    "Goal",
    "Belief",
    "GrowthEvent",
)


# The labels the 3D view laid out when migration 8 was written.
_VIEW_LABELS = ("Recipient", "Occasion", "Concept", "Gift", "GiftOutcome", "Memory", "Conflict")


def search_index(labels: tuple[str, ...]) -> str:
    """The name of the full-text index over these labels."""
    return f"{_FULLTEXT}_{hashlib.sha256('|'.join(sorted(labels)).encode()).hexdigest()[:12]}"


# The index search reads: over the searched kinds as declared now.
SEARCH_INDEX = search_index(SEARCHED_LABELS)
# The full-text index over documents' passages (their chunks' text), so their words find them too.
PASSAGE_INDEX = "passage_text"
PASSAGE_LABEL = "DocumentChunk"
# The labels whose nodes keep their own text as `couple_text` while a partner may read them: the
# searched kinds a partner may read, and the passages of a shared document (graph/couple_texts.py).
COUPLE_TEXT_LABELS: tuple[str, ...] = (*COUPLE_SEARCHED_LABELS, PASSAGE_LABEL)
# The full-text index over those texts: what a member's search finds their partner's shared nodes and
# passages by (graph/search.py).
_COUPLE_FULLTEXT = "couple_text_"
COUPLE_INDEX = (
    _COUPLE_FULLTEXT + hashlib.sha256("|".join(sorted(COUPLE_TEXT_LABELS)).encode()).hexdigest()[:12]
)


def _search_index(labels: tuple[str, ...], name: str | None = None) -> str:
    # The English analyzer stems ("hiking" finds "hike") and drops stop words.
    return (
        f"CREATE FULLTEXT INDEX {name or search_index(labels)} IF NOT EXISTS FOR (n:{'|'.join(labels)}) "
        "ON EACH [n.search_text] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}"
    )


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


# Labels cannot be query parameters, so these statements are built from the constants above only.
MIGRATIONS = (
    Migration(
        1,
        "a unique uid per label, a unique User email and ApiKey hash, an owner index per owned label",
        (
            *(
                f"CREATE CONSTRAINT {label}_uid IF NOT EXISTS FOR (n:{label}) REQUIRE n.uid IS UNIQUE"
                for label in LABELS
            ),
            "CREATE CONSTRAINT User_email IF NOT EXISTS FOR (u:User) REQUIRE u.email IS UNIQUE",
            "CREATE CONSTRAINT ApiKey_hash IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.hash IS UNIQUE",
            *(
                f"CREATE INDEX {label}_owner IF NOT EXISTS FOR (n:{label}) ON (n.owner)"
                for label in OWNED_LABELS
            ),
        ),
    ),
    Migration(
        2,
        "one Concept per name per user; Event sequence per owner; occasion dates",
        (
            "CREATE CONSTRAINT Concept_owner_key IF NOT EXISTS "
            "FOR (c:Concept) REQUIRE (c.owner, c.key) IS UNIQUE",
            "CREATE CONSTRAINT Event_owner_sequence IF NOT EXISTS "
            "FOR (e:Event) REQUIRE (e.owner, e.sequence) IS UNIQUE",
            "CREATE INDEX Occasion_date IF NOT EXISTS FOR (o:Occasion) ON (o.owner, o.date)",
        ),
    ),
    Migration(
        3,
        "logged-out session tokens: one RevokedToken per token id, found by owner",
        (
            "CREATE CONSTRAINT RevokedToken_jti IF NOT EXISTS FOR (r:RevokedToken) REQUIRE r.jti IS UNIQUE",
            "CREATE INDEX RevokedToken_owner IF NOT EXISTS FOR (r:RevokedToken) ON (r.owner)",
        ),
    ),
    Migration(
        4,
        "drop the constraints and indexes of labels no code uses yet (each comes back with its domain)",
        (
            *(f"DROP CONSTRAINT {label}_uid IF EXISTS" for label in _UNUSED_LABELS),
            *(f"DROP INDEX {label}_owner IF EXISTS" for label in _UNUSED_LABELS),
        ),
    ),
    Migration(
        5,
        "times given without a time zone, as earlier versions kept them, become UTC times",
        tuple(
            # `IS :: LOCAL DATETIME` alone holds for null too: a missing time would fail the statement.
            f"MATCH {pattern} WHERE x.{name} IS :: LOCAL DATETIME NOT NULL "
            f"SET x.{name} = datetime({{datetime: x.{name}, timezone: 'UTC'}})"
            for pattern, name in _CLIENT_TIMES
        ),
    ),
    Migration(
        6,
        "the dispatcher's cursors and leases; a full-text index over the texts search embeds",
        (
            "CREATE CONSTRAINT Cursor_consumer_owner IF NOT EXISTS "
            "FOR (c:Cursor) REQUIRE (c.consumer, c.owner) IS UNIQUE",
            "CREATE CONSTRAINT Lease_name IF NOT EXISTS FOR (l:Lease) REQUIRE l.name IS UNIQUE",
            _search_index(_FIRST_SEARCHED, _FULLTEXT),
        ),
    ),
    Migration(
        7,
        "Documents (blobs' metadata) and their chunks: a unique uid, by owner; Documents by blob key",
        (
            *(
                f"CREATE CONSTRAINT {label}_uid IF NOT EXISTS FOR (n:{label}) REQUIRE n.uid IS UNIQUE"
                for label in ("Document", "DocumentChunk")
            ),
            *(
                f"CREATE INDEX {label}_owner IF NOT EXISTS FOR (n:{label}) ON (n.owner)"
                for label in ("Document", "DocumentChunk")
            ),
            "CREATE INDEX Document_owner_key IF NOT EXISTS FOR (n:Document) ON (n.owner, n.storage_key)",
        ),
    ),
    Migration(
        8,
        "the 3D view: each owned node's community (view_community), indexed per owner for expandCommunity",
        tuple(
            f"CREATE INDEX {label}_view_community IF NOT EXISTS "
            f"FOR (n:{label}) ON (n.owner, n.view_community)"
            for label in _VIEW_LABELS
        ),
    ),
    Migration(
        9,
        "the dispatcher's index of owners with undelivered events (User.dispatch_due), marked on the owners "
        "a consumer has not had every event of yet",
        (
            "CREATE INDEX User_dispatch_due IF NOT EXISTS FOR (u:User) ON (u.dispatch_due)",
            # A consumer is known by its Lease; one not seen yet marks every owner when it first runs
            # (graph/dispatcher.py's acquire), so only the owners some known consumer is behind on wait.
            "MATCH (u:User) WHERE u.event_sequence IS NOT NULL AND EXISTS { MATCH (l:Lease) "
            "WHERE NOT EXISTS { MATCH (c:Cursor {consumer: l.name, owner: u.uid}) "
            "WHERE c.sequence >= u.event_sequence } } "
            "SET u.dispatch_due = true",
        ),
    ),
    Migration(
        10,
        "sessions (each logIn or signUp): a unique uid, by owner",
        (
            "CREATE CONSTRAINT Session_uid IF NOT EXISTS FOR (s:Session) REQUIRE s.uid IS UNIQUE",
            "CREATE INDEX Session_owner IF NOT EXISTS FOR (s:Session) ON (s.owner)",
        ),
    ),
    Migration(
        11,
        "scheduled jobs, one Schedule node each (graph/schedule.py), and the purge's index of what expires",
        (
            "CREATE CONSTRAINT Schedule_name IF NOT EXISTS FOR (s:Schedule) REQUIRE s.name IS UNIQUE",
            "CREATE INDEX Memory_expires_at IF NOT EXISTS FOR (n:Memory) ON (n.expires_at)",
        ),
    ),
    Migration(
        12,
        "insights about the user themselves (Insight.about_viewer): every earlier one is about someone else",
        ("MATCH (n:Insight) WHERE n.about_viewer IS NULL SET n.about_viewer = false",),
    ),
    Migration(
        13,
        "couples (graph/couples.py): a unique uid per Couple; invites found by their code's hash, by owner",
        (
            "CREATE CONSTRAINT Couple_uid IF NOT EXISTS FOR (c:Couple) REQUIRE c.uid IS UNIQUE",
            "CREATE CONSTRAINT CoupleInvite_code_hash IF NOT EXISTS "
            "FOR (i:CoupleInvite) REQUIRE i.code_hash IS UNIQUE",
            "CREATE INDEX CoupleInvite_owner IF NOT EXISTS FOR (i:CoupleInvite) ON (i.owner)",
        ),
    ),
    Migration(
        14,
        "a series' month buckets (graph/series.py), found by owner when an account is erased",
        ("CREATE INDEX SeriesBucket_owner IF NOT EXISTS FOR (b:SeriesBucket) ON (b.owner)",),
    ),
    Migration(
        15,
        "growth credits' month buckets (graph/growth.py), found by owner and by the entity they credit",
        ("CREATE INDEX GrowthBucket_owner_entity IF NOT EXISTS FOR (b:GrowthBucket) ON (b.owner, b.entity)",),
    ),
    Migration(
        16,
        "memories an extractor proposes (Memory.status): every earlier one was written by its user, so it is "
        "confirmed",
        ("MATCH (n:Memory) WHERE n.status IS NULL SET n.status = 'confirmed'",),
    ),
)

_LEDGER = "CREATE CONSTRAINT Migration_version IF NOT EXISTS FOR (m:Migration) REQUIRE m.version IS UNIQUE"


async def apply(graph: Graph, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Applies the migrations not yet recorded; returns the versions applied now."""
    await graph.write(_run, _LEDGER)
    done = set(await graph.read(_applied_versions))
    applied = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in done:
            continue
        # A schema change cannot share a transaction with data writes, so each runs on its own.
        for statement in migration.statements:
            await graph.write(_run, statement)
        await graph.write(_record, migration.version, migration.description)
        applied.append(migration.version)
    for statement in await graph.read(_undeclared):
        await graph.write(_run, statement)
    await graph.write(_run, "CALL db.awaitIndexes(300)")
    for name in await graph.read(_stale_search_indexes):  # only now: the one search reads is online
        await graph.write(_run, f"DROP INDEX {name} IF EXISTS")
    return applied


def declared() -> dict[str, str]:
    """The constraints and indexes the kinds' declarations call for, by name: what each statement makes."""
    wanted = {}
    for kind in KINDS:
        label = kind.label
        wanted[f"{label}_uid"] = (
            f"CREATE CONSTRAINT {label}_uid IF NOT EXISTS FOR (n:{label}) REQUIRE n.uid IS UNIQUE"
        )
        wanted[f"{label}_owner"] = f"CREATE INDEX {label}_owner IF NOT EXISTS FOR (n:{label}) ON (n.owner)"
        if kind.drawn:
            wanted[f"{label}_view_community"] = (
                f"CREATE INDEX {label}_view_community IF NOT EXISTS "
                f"FOR (n:{label}) ON (n.owner, n.view_community)"
            )
    wanted[SEARCH_INDEX] = _search_index(SEARCHED_LABELS)
    wanted[COUPLE_INDEX] = (
        f"CREATE FULLTEXT INDEX {COUPLE_INDEX} IF NOT EXISTS FOR (n:{'|'.join(COUPLE_TEXT_LABELS)}) "
        "ON EACH [n.couple_text] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}"
    )
    wanted[PASSAGE_INDEX] = (
        f"CREATE FULLTEXT INDEX {PASSAGE_INDEX} IF NOT EXISTS FOR (n:{PASSAGE_LABEL}) "
        "ON EACH [n.text] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}"
    )
    return wanted


async def _undeclared(tx: AsyncManagedTransaction) -> list[str]:
    """The statements that make what the kinds declare and the database lacks (two reads when nothing
    does)."""
    result = await tx.run("SHOW INDEXES YIELD name, type, labelsOrTypes RETURN name, type, labelsOrTypes")
    indexes = {r["name"]: r async for r in result}
    result = await tx.run("SHOW CONSTRAINTS YIELD name RETURN name")
    present = set(indexes) | {r["name"] async for r in result}
    return [statement for name, statement in declared().items() if name not in present]


async def _stale_search_indexes(tx: AsyncManagedTransaction) -> list[str]:
    """The full-text indexes search read before the searched (or couple-texted) labels last changed."""
    query = """
    SHOW INDEXES YIELD name, type WHERE type = 'FULLTEXT'
      AND ((name STARTS WITH $prefix AND name <> $current) OR (name STARTS WITH $couples AND name <> $couple))
    RETURN name
    """
    params = dict(prefix=_FULLTEXT, current=SEARCH_INDEX, couples=_COUPLE_FULLTEXT, couple=COUPLE_INDEX)
    return [r["name"] async for r in await tx.run(query, params)]


async def applied_versions(graph: Graph) -> list[int]:
    return await graph.read(_applied_versions)


async def _run(tx: AsyncManagedTransaction, statement: str) -> None:
    await (await tx.run(statement)).consume()


async def _applied_versions(tx: AsyncManagedTransaction) -> list[int]:
    result = await tx.run("MATCH (m:Migration) RETURN m.version AS version ORDER BY version")
    return [record["version"] async for record in result]


async def _record(tx: AsyncManagedTransaction, version: int, description: str) -> None:
    query = """
    MERGE (m:Migration {version: $version})
    ON CREATE SET m.description = $description, m.applied_at = datetime()
    """
    await (await tx.run(query, version=version, description=description)).consume()
