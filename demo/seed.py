"""python -m demo.seed: fills a demo user with a realistic network, through the GraphQL schema itself.

Dozens of recipients with their relationships, occasions, gifts with outcomes, memories, conflicts and
concepts, the same every run (a fixed random seed). Running it again starts the demo user afresh.
"""

import asyncio
import random
import sys
from datetime import date, timedelta
from typing import Any

from app import open_graph
from errors import Unauthenticated
from graph import kinds, migrations, users
from graph.driver import Graph
from resolvers import accounts
from resolvers.context import Context
from schema import build_schema
from settings import Settings

EMAIL = "demo@example.com"
PASSWORD = "kindred-demo-password"

FIRST_NAMES = [
    "Maya", "Leo", "Ines", "Tomas", "Aiko", "Noah", "Zara", "Elias", "Priya", "Jonas", "Lucia", "Omar",
    "Freya", "Mateo", "Hana", "Felix", "Amara", "Rafael", "Yuki", "Clara", "Kofi", "Sofia", "Ravi", "Nora",
    "Pablo", "Anika", "Theo", "Leila", "Sam", "Ida",
]  # fmt: skip
RELATIONSHIPS = [
    ("FAMILY", "mother", 10), ("FAMILY", "father", 9), ("FAMILY", "sister", 9), ("FAMILY", "grandmother", 8),
    ("PARTNER", "partner", 10), ("FRIEND", "best friend", 9), ("FRIEND", "friend", 7), ("FRIEND", "old friend", 6),
    ("COLLEAGUE", "manager", 5), ("COLLEAGUE", "colleague", 4), ("ACQUAINTANCE", "neighbour", 3),
]  # fmt: skip
INTERESTS = [
    "hiking", "tea", "jazz", "gardening", "board games", "photography", "cooking", "running", "poetry",
    "pottery", "cycling", "science fiction", "yoga", "chess", "travel",
]  # fmt: skip
GIFTS = [
    ("Hand-knitted scarf", "handmade"), ("Concert tickets", "experiential"), ("Cookbook", "books"),
    ("Smart watch", "tech"), ("Pottery class", "experiential"), ("Photo album", "sentimental"),
    ("Tea sampler", "food"), ("Board game", "games"), ("Noise-cancelling headphones", "tech"),
    ("Weekend trip", "experiential"), ("Framed print", "art"), ("Houseplant", "plants"),
]  # fmt: skip
MEMORIES = [
    ("EPISODIC", "Watched the sunrise from the ridge with {name}", ["hiking"], 0.9),
    ("EPISODIC", "{name} taught me to make dumplings", ["cooking"], 0.8),
    ("SEMANTIC", "{name} is allergic to peanuts", [], 0.0),
    ("EMOTIONAL", "Felt unheard when {name} cancelled again", [], -0.6),
    ("IDENTITY", "{name} says I am the family's organiser", [], 0.4),
    ("PROCEDURAL", "{name}'s way to brew oolong: 90 degrees, three minutes", ["tea"], 0.3),
]  # fmt: skip
TOPICS = ["chores", "money", "time together", "in-laws", "communication", "plans"]


async def run(query: str, context: Context, **variables: Any) -> dict[str, Any]:
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    if result.errors:
        raise RuntimeError(f"{result.errors[0].message} in {query.split('(')[0]}")
    return result.data or {}


async def seed(settings: Settings, graph: Graph) -> dict[str, int]:
    context = Context(None, None, settings, graph, "seed")
    try:
        session = await accounts.log_in(context, EMAIL, PASSWORD)
        await graph.write(
            users.delete_data, session["user"]["uid"], (*kinds.BY_LABEL, "DocumentChunk", "Event")
        )
    except Unauthenticated:
        session = await accounts.sign_up(context, EMAIL, PASSWORD, "Demo Person")
    context.viewer_uid = session["user"]["uid"]
    rng = random.Random(7)
    concepts = {name: await _concept(context, name) for name in INTERESTS}
    await _link_concepts(context, concepts, rng)
    people = [await _person(context, name, rng, concepts) for name in FIRST_NAMES]
    for person in people:
        await _life_with(context, person, rng)
    counts = await run(
        "{ recipients { totalCount } gifts { totalCount } occasions { totalCount } "
        "memories { totalCount } conflicts { totalCount } concepts { totalCount } }",
        context,
    )
    return {name: value["totalCount"] for name, value in counts.items()}


async def _concept(context: Context, name: str) -> str:
    data = await run("mutation ($n: String!) { createConcept(input: {name: $n}) { id } }", context, n=name)
    return data["createConcept"]["id"]


async def _link_concepts(context: Context, concepts: dict[str, str], rng: random.Random) -> None:
    names = list(concepts)
    for _ in range(18):
        a, b = rng.sample(names, 2)
        kind = rng.choice(["RELATED_TO", "RELATED_TO", "PART_OF", "INSPIRED_BY", "SUPPORTS"])
        await _link(context, concepts[a], concepts[b], kind, round(rng.uniform(0.3, 1.0), 2))


async def _link(context: Context, a: str, b: str, kind: str, weight: float | None = None) -> None:
    query = "mutation ($a: ID!, $b: ID!, $t: LinkKind!, $w: Float) { link(from: $a, to: $b, kind: $t, weight: $w) { changed } }"
    await run(query, context, a=a, b=b, t=kind, w=weight)


async def _person(
    context: Context, name: str, rng: random.Random, concepts: dict[str, str]
) -> dict[str, Any]:
    kind, label, importance = rng.choice(RELATIONSHIPS)
    relationship = {
        "kind": kind, "label": label, "importance": importance, "closeness": max(1, importance - rng.randint(0, 3)),
        "since": (date(2024, 1, 1) - timedelta(days=rng.randint(200, 12000))).isoformat(),
        "emotionalWarmth": round(rng.uniform(0.4, 1.0), 2), "conflictLevel": round(rng.uniform(0.0, 0.5), 2),
        "communicationFrequency": rng.choice(["DAILY", "WEEKLY", "MONTHLY", "RARELY"]),
        "communicationChannels": rng.sample(["text", "call", "in_person", "email"], 2),
    }  # fmt: skip
    person = {"name": name, "approximateAge": rng.randint(8, 85), "location": rng.choice(["Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi"]),
              "preferences": {"likes": rng.sample(INTERESTS, 2)}, "relationship": relationship}  # fmt: skip
    query = "mutation ($p: CreateRecipientInput!) { createRecipient(input: $p) { id name } }"
    made = (await run(query, context, p=person))["createRecipient"]
    for interest in rng.sample(INTERESTS, rng.randint(1, 3)):
        await _link(context, made["id"], concepts[interest], "INTERESTED_IN", round(rng.uniform(0.5, 1.0), 2))
    return made


async def _life_with(context: Context, person: dict[str, Any], rng: random.Random) -> None:
    birthday = date(1940 + rng.randint(0, 70), rng.randint(1, 12), rng.randint(1, 28))
    occasion = {"name": f"{person['name']}'s birthday", "kind": "BIRTHDAY", "date": birthday.isoformat(),
                "recurring": True, "importance": rng.randint(5, 10), "reminderDays": [14, 3], "recipientIds": [person["id"]]}  # fmt: skip
    made = await run(
        "mutation ($o: CreateOccasionInput!) { createOccasion(input: $o) { id } }", context, o=occasion
    )
    gift_ids = []
    for _ in range(rng.randint(1, 3)):
        name, category = rng.choice(GIFTS)
        success = round(rng.uniform(0.1, 1.0), 2)
        gift = {"name": name, "category": category, "priceCents": rng.randint(10, 300) * 100,
                "effortLevel": rng.randint(1, 10), "recipientIds": [person["id"]], "occasionId": made["createOccasion"]["id"],
                "giving": {"surpriseLevel": rng.randint(1, 10), "date": date(2024, rng.randint(1, 12), 1).isoformat()},
                "outcome": {"success": success, "reaction": "THRILLED" if success > 0.8 else "HAPPY" if success > 0.5 else "NEUTRAL"},
                "tags": [category]}  # fmt: skip
        query = "mutation ($g: CreateGiftInput!) { createGift(input: $g) { id } }"
        gift_ids.append((await run(query, context, g=gift))["createGift"]["id"])
    if len(gift_ids) > 1:
        await _link(context, gift_ids[0], gift_ids[1], "COMPLEMENTS", 0.7)
    kind, text, mentions, valence = rng.choice(MEMORIES)
    memory = {"kind": kind, "content": text.format(name=person["name"]), "valence": valence,
              "importance": round(rng.uniform(0.2, 1.0), 2), "recipientIds": [person["id"]], "concepts": mentions,
              "happenedAt": f"20{rng.randint(15, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T18:00:00Z"}  # fmt: skip
    await run("mutation ($m: CreateMemoryInput!) { createMemory(input: $m) { id } }", context, m=memory)
    if rng.random() < 0.3:
        conflict = {"recipientId": person["id"], "severity": round(rng.uniform(0.1, 0.9), 2),
                    "summary": f"Disagreement with {person['name']}", "topics": rng.sample(TOPICS, 2),
                    "status": rng.choice(["ACTIVE", "RESOLVED", "ANALYZED"])}  # fmt: skip
        await run(
            "mutation ($c: CreateConflictInput!) { createConflict(input: $c) { id } }", context, c=conflict
        )


SCHEMA = build_schema(Settings(_env_file=None, max_cost=10**9))


async def main() -> int:
    settings = Settings()
    async with open_graph(settings) as graph:
        await migrations.apply(graph)
        counts = await seed(settings, graph)
    made = ", ".join(f"{count} {name}" for name, count in counts.items())
    print(f"Seeded {EMAIL} (password: {PASSWORD}): {made}.")
    print(
        'Log in from GraphiQL with: mutation { logIn(email: "demo@example.com", password: "kindred-demo-password") { token } }'
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
