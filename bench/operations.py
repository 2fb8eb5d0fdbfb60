"""The operations `./kindred bench api` times, each as Kindred's GraphQL document, the Neo4j GraphQL
Library's equivalent, and the variables both take: the one place to change when the API changes.

Each `variables` function takes a `Sample` (one generated user's ids, drawn with a fixed seed) and gives
(Kindred's variables, the peer's variables). `same` turns either server's answer into what is compared
on a sample: the names and ids a user would see.

The peer runs in two setups: `peer` (every node type filtered to the JWT's subject by `@authorization`)
and `peer_where` (no authorization: each document filters by owner with plain `where` arguments, at
the levels the floor's Cypher does; `peer_where` is its document where it differs from the peer's).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from strawberry.relay import to_base64


@dataclass
class Sample:
    """One generated user, and ids of theirs the operations ask for."""

    owner: str
    token: str
    recipients: list[str]  # two, for shortestPath
    occasion: str  # one of the first recipient's
    concept: str  # one with links to other concepts
    gift: str
    mixed: list[tuple[str, str]] = field(default_factory=list)  # (label, uid) for `nodes`
    serial: int = 0  # bumped per createGift, so every gift made has a name of its own


def gid(label: str, uid: str) -> str:
    return to_base64(label, uid)


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    kindred: str
    peer: str | None  # None: the Neo4j GraphQL Library has no equivalent
    make: Callable[[Sample], tuple[dict[str, Any], ...]]  # (Kindred's, the peer's[, the floor's])
    same: Callable[[str, dict[str, Any]], Any]  # (server, data) -> what must be equal
    writes: bool = False
    peer_where: str | None = None  # the `where` setup's document, where it is not the peer's
    # The `where` setup's variables from the peer's and the owner: by default, the peer's and `owner`.
    owned: Callable[[dict[str, Any], str], dict[str, Any]] | None = None

    def variables(self, sample: Sample) -> dict[str, dict[str, Any]]:
        """Each server's variables; the floor takes the peer's plain uids unless it is given its own."""
        made = self.make(sample)
        peer = made[1]
        where = self.owned(peer, sample.owner) if self.owned else {**peer, "owner": sample.owner}
        floor = made[2] if len(made) > 2 else peer
        return {"kindred": made[0], "peer": peer, "peer_where": where, "floor": floor}

    def document(self, server: str) -> str | None:
        """The GraphQL document a GraphQL server is sent (the floor takes none)."""
        if server == "kindred":
            return self.kindred
        if server == "peer_where":
            return self.peer_where or self.peer
        return self.peer

    def compared(self, server: str, data: dict[str, Any]) -> Any:
        """What is compared of a server's answer (both peer setups answer alike)."""
        return self.same("peer" if server.startswith("peer") else server, data)


ME = """query Me {
  me { id name email }
  recipients(first: 20) { edges { cursor node { id name relationship {
    kind label importance closeness emotionalWarmth since
  } } } }
}"""
PEER_ME = """query Me($owner: String!) {
  users(where: { uid: { eq: $owner } }) {
    uid name email
    knowsConnection(first: 20, sort: [{ node: { name: ASC } }]) {
      edges {
        cursor
        properties { relationship_type relationship_label importance closeness emotional_warmth since }
        node { uid name }
      }
    }
  }
}"""

NESTED = """query Nested {
  recipients(first: 20) { edges { node {
    id name
    gifts(first: 5) { edges { node { id name outcome { success reaction } } } }
    occasions(first: 2) { edges { node { id name date nextOccurrence } } }
    interests(first: 3) { edges { node { id name } } }
  } } }
}"""
PEER_NESTED = """query Nested {
  recipients(limit: 20, sort: [{ name: ASC }]) {
    uid name
    gifts(limit: 5, sort: [{ created_at: ASC }]) { uid name outcome { success reaction } }
    occasions(limit: 2, sort: [{ created_at: ASC }]) { uid name date next_occurrence }
    interests(limit: 3, sort: [{ created_at: ASC }]) { uid name }
  }
}"""
PEER_NESTED_WHERE = """query Nested($owner: String!) {
  recipients(where: { owner: { eq: $owner } }, limit: 20, sort: [{ name: ASC }]) {
    uid name
    gifts(where: { owner: { eq: $owner } }, limit: 5, sort: [{ created_at: ASC }]) {
      uid name outcome { success reaction }
    }
    occasions(where: { owner: { eq: $owner } }, limit: 2, sort: [{ created_at: ASC }]) {
      uid name date next_occurrence
    }
    interests(where: { owner: { eq: $owner } }, limit: 3, sort: [{ created_at: ASC }]) { uid name }
  }
}"""

UPCOMING = """query Upcoming {
  upcomingOccasions(withinDays: 30, first: 20) { edges { node {
    id name date nextOccurrence recipients(first: 1) { edges { node { id name } } }
  } } }
}"""
PEER_UPCOMING = """query Upcoming($today: Date!, $until: Date!) {
  occasions(where: { next_occurrence: { gte: $today, lte: $until } }, limit: 20,
            sort: [{ next_occurrence: ASC }, { uid: ASC }]) {
    uid name date next_occurrence recipients(limit: 1) { uid name }
  }
}"""
PEER_UPCOMING_WHERE = """query Upcoming($today: Date!, $until: Date!, $owner: String!) {
  occasions(where: { owner: { eq: $owner }, next_occurrence: { gte: $today, lte: $until } }, limit: 20,
            sort: [{ next_occurrence: ASC }, { uid: ASC }]) {
    uid name date next_occurrence recipients(limit: 1) { uid name }
  }
}"""

NEIGHBOURHOOD = """query Neighbourhood($id: ID!) {
  node(id: $id) { ... on Concept { id name
    neighbors(depth: 2, first: 100) { edges { distance node { id name } } } } }
}"""
PEER_NEIGHBOURHOOD = """query Neighbourhood($uid: String!) {
  concepts(where: { uid: { eq: $uid } }) { uid name within_two { uid name } }
}"""
PEER_NEIGHBOURHOOD_WHERE = """query Neighbourhood($uid: String!, $owner: String!) {
  concepts(where: { uid: { eq: $uid }, owner: { eq: $owner } }) { uid name within_two { uid name } }
}"""

SHORTEST_PATH = """query Path($from: ID!, $to: ID!) {
  shortestPath(from: $from, to: $to) { length nodes { __typename id } steps { kind fromId toId } }
}"""
# The `owner` argument is the `where` setup's viewer; the `@authorization` setup's is the JWT's subject.
PEER_SHORTEST_PATH = """query Path($from: String!, $to: String!, $owner: String) {
  shortest_path_uids(from: $from, to: $to, owner: $owner)
}"""

NODE = """query Node($id: ID!) {
  node(id: $id) { id ... on Gift { name category priceCents giving { date surpriseLevel } } }
}"""
PEER_NODE = """query Node($uid: String!) {
  gifts(where: { uid: { eq: $uid } }) { uid name category price_cents
    giverConnection { edges { properties { date surprise_level } } } }
}"""
PEER_NODE_WHERE = """query Node($uid: String!, $owner: String!) {
  gifts(where: { uid: { eq: $uid }, owner: { eq: $owner } }) { uid name category price_cents
    giverConnection { edges { properties { date surprise_level } } } }
}"""

NODES = """query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Recipient { name }
    ... on Gift { name }
    ... on Memory { content }
    ... on Concept { name }
  }
}"""
PEER_NODES = """query Nodes(
  $recipients: [String!]!, $gifts: [String!]!, $memories: [String!]!, $concepts: [String!]!
) {
  recipients(where: { uid: { in: $recipients } }) { uid name }
  gifts(where: { uid: { in: $gifts } }) { uid name }
  memories(where: { uid: { in: $memories } }) { uid content }
  concepts(where: { uid: { in: $concepts } }) { uid name }
}"""
PEER_NODES_WHERE = """query Nodes(
  $recipients: [String!]!, $gifts: [String!]!, $memories: [String!]!, $concepts: [String!]!, $owner: String!
) {
  recipients(where: { uid: { in: $recipients }, owner: { eq: $owner } }) { uid name }
  gifts(where: { uid: { in: $gifts }, owner: { eq: $owner } }) { uid name }
  memories(where: { uid: { in: $memories }, owner: { eq: $owner } }) { uid content }
  concepts(where: { uid: { in: $concepts }, owner: { eq: $owner } }) { uid name }
}"""

CREATE_GIFT = """mutation CreateGift($input: CreateGiftInput!) {
  createGift(input: $input) { id name outcome { success } tags { edges { node { name } } } }
}"""
PEER_CREATE_GIFT = """mutation CreateGift($input: [GiftCreateInput!]!) {
  createGifts(input: $input) { gifts { uid name outcome { success } tags { name } } }
}"""


def _edges(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def _one_of(value: Any) -> dict[str, Any]:
    """A to-one field's value: the peer's is a list of at most one, the floor's a map or null."""
    if isinstance(value, list):
        return value[0] if value else {}
    return value or {}


def _uid(global_id: str) -> str:
    from strawberry.relay import from_base64

    return from_base64(global_id)[1]


def _me_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    return {}, {"owner": sample.owner}


def _me_same(server: str, data: dict[str, Any]) -> Any:
    if server == "peer":
        user = data["users"][0]
        return [
            user["name"],
            [(e["node"]["uid"], e["node"]["name"]) for e in user["knowsConnection"]["edges"]],
        ]
    if server == "floor":
        return [data["me"]["name"], [(r["uid"], r["name"]) for r in data["recipients"]]]
    return [data["me"]["name"], [(_uid(r["id"]), r["name"]) for r in _edges(data["recipients"])]]


def _nested_same(server: str, data: dict[str, Any]) -> Any:
    def shape(uid: str, name: str, gifts: list[Any], occasions: list[Any], interests: list[Any]) -> Any:
        return [uid, name, gifts, occasions, interests]

    if server == "kindred":
        return [
            shape(
                _uid(r["id"]),
                r["name"],
                [(_uid(g["id"]), (g["outcome"] or {}).get("success")) for g in _edges(r["gifts"])],
                [_uid(o["id"]) for o in _edges(r["occasions"])],
                [c["name"] for c in _edges(r["interests"])],
            )
            for r in _edges(data["recipients"])
        ]
    return [
        shape(
            r["uid"],
            r["name"],
            [(g["uid"], _one_of(g["outcome"]).get("success")) for g in r["gifts"]],
            [o["uid"] for o in r["occasions"]],
            [c["name"] for c in r["interests"]],
        )
        for r in data["recipients"]
    ]


def _upcoming_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    return {}, {"today": today.isoformat(), "until": (today + timedelta(days=30)).isoformat()}


def _upcoming_same(server: str, data: dict[str, Any]) -> Any:
    if server == "kindred":
        return [(_uid(o["id"]), str(o["nextOccurrence"])) for o in _edges(data["upcomingOccasions"])]
    key = "occasions" if server == "peer" else "upcoming"
    return [(o["uid"], str(o["next_occurrence"])) for o in data[key]]


def _neighbourhood_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"id": gid("Concept", sample.concept)}, {"uid": sample.concept}


def _neighbourhood_same(server: str, data: dict[str, Any]) -> Any:
    if server == "kindred":
        return sorted(e["node"]["name"] for e in data["node"]["neighbors"]["edges"])
    if server == "peer":
        return sorted(n["name"] for n in data["concepts"][0]["within_two"])
    return sorted(n["name"] for n in data["neighbours"])


def _path_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    a, b = sample.recipients[:2]
    return {"from": gid("Recipient", a), "to": gid("Recipient", b)}, {"from": a, "to": b}


def _path_same(server: str, data: dict[str, Any]) -> Any:
    # Two shortest paths may differ; their length may not.
    if server == "kindred":
        return len(data["shortestPath"]["nodes"]) if data["shortestPath"] else None
    if server == "peer":
        return len(data["shortest_path_uids"]) or None
    return len(data["path"]) or None


def _node_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"id": gid("Gift", sample.gift)}, {"uid": sample.gift}


def _node_same(server: str, data: dict[str, Any]) -> Any:
    if server == "kindred":
        return [_uid(data["node"]["id"]), data["node"]["name"], data["node"]["priceCents"]]
    gift = data["gifts"][0] if server == "peer" else data["gift"]
    return [gift["uid"], gift["name"], gift["price_cents"]]


_PEER_KEYS = {"Recipient": "recipients", "Gift": "gifts", "Memory": "memories", "Concept": "concepts"}


def _nodes_vars(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    peer = {key: [uid for label, uid in sample.mixed if label == name] for name, key in _PEER_KEYS.items()}
    return {"ids": [gid(label, uid) for label, uid in sample.mixed]}, peer


def _nodes_same(server: str, data: dict[str, Any]) -> Any:
    if server == "kindred":
        return sorted(_uid(node["id"]) for node in data["nodes"] if node)
    if server == "peer":
        return sorted(node["uid"] for key in _PEER_KEYS.values() for node in data[key])
    return sorted(node["uid"] for node in data["nodes"])


def _create_vars(sample: Sample) -> tuple[dict[str, Any], ...]:
    sample.serial += 1
    name = f"Bench gift {sample.serial}"
    kindred = {
        "input": {
            "name": name,
            "category": "books",
            "priceCents": 2500,
            "recipientIds": [gid("Recipient", sample.recipients[0])],
            "occasionId": gid("Occasion", sample.occasion),
            "outcome": {"success": 0.8, "reaction": "HAPPY"},
            "tags": list(TAGS),
        }
    }
    peer = {
        "input": [
            {
                "uid": str(uuid4()),
                "owner": sample.owner,
                "name": name,
                "category": "books",
                "price_cents": 2500,
                "giver": {"connect": [{"where": {"node": {"uid": {"eq": sample.owner}}}}]},
                "recipients": {"connect": [{"where": {"node": {"uid": {"eq": sample.recipients[0]}}}}]},
                "occasion": {"connect": [{"where": {"node": {"uid": {"eq": sample.occasion}}}}]},
                "outcome": {
                    "create": [
                        {
                            "node": {
                                "uid": str(uuid4()),
                                "owner": sample.owner,
                                "success": 0.8,
                                "reaction": "happy",
                                "was_given": True,
                            }
                        }
                    ]
                },
                "tags": {"connect": [{"where": {"node": {"key": {"in": list(TAGS)}}}}]},
            }
        ]
    }
    floor = {"name": name, "recipient": sample.recipients[0], "occasion": sample.occasion, "tags": list(TAGS)}
    return kindred, peer, floor


def _create_owned(peer: dict[str, Any], owner: str) -> dict[str, Any]:
    """The peer's createGift with every node it connects to filtered to the owner (the `@authorization`
    setup's filters do that on the server)."""
    (gift,) = peer["input"]
    connected = {}
    for name in ("recipients", "occasion", "tags"):  # the giver is the User, whose uid is the owner
        node = gift[name]["connect"][0]["where"]["node"]
        connected[name] = {"connect": [{"where": {"node": {**node, "owner": {"eq": owner}}}}]}
    return {"input": [{**gift, **connected}]}


# Two of the generated gift categories: a createGift links to concepts that are there already.
TAGS = ("books", "art")


def _create_same(server: str, data: dict[str, Any]) -> Any:
    if server == "kindred":
        gift = data["createGift"]
        return [gift["outcome"]["success"], sorted(t["name"] for t in _edges(gift["tags"]))]
    gift = data["createGifts"]["gifts"][0] if server == "peer" else data["gift"]
    outcome = gift["outcome"][0] if server == "peer" else gift["outcome"]
    # Each server makes a gift of its own: its name (numbered per call) is not compared.
    return [outcome["success"], sorted(t["name"] for t in gift["tags"])]


def _none(sample: Sample) -> tuple[dict[str, Any], dict[str, Any]]:
    return {}, {}


OPERATIONS = (
    Operation(
        "me", "`me` and the first 20 recipients with their relationship", ME, PEER_ME, _me_vars, _me_same
    ),
    Operation(
        "nested",
        "nested: 20 recipients -> 5 gifts -> outcome, occasions, interests",
        NESTED,
        PEER_NESTED,
        _none,
        _nested_same,
        peer_where=PEER_NESTED_WHERE,
    ),
    Operation(
        "upcoming",
        "upcoming occasions over the network, 30 days",
        UPCOMING,
        PEER_UPCOMING,
        _upcoming_vars,
        _upcoming_same,
        peer_where=PEER_UPCOMING_WHERE,
    ),
    Operation(
        "neighbourhood",
        "a concept's neighbourhood, depth 2",
        NEIGHBOURHOOD,
        PEER_NEIGHBOURHOOD,
        _neighbourhood_vars,
        _neighbourhood_same,
        peer_where=PEER_NEIGHBOURHOOD_WHERE,
    ),
    Operation(
        "shortest_path",
        "shortestPath between two recipients",
        SHORTEST_PATH,
        PEER_SHORTEST_PATH,
        _path_vars,
        _path_same,
    ),
    Operation(
        "node",
        "`node`: a gift by its id",
        NODE,
        PEER_NODE,
        _node_vars,
        _node_same,
        peer_where=PEER_NODE_WHERE,
    ),
    Operation(
        "nodes",
        "`nodes`: 10 ids of four labels",
        NODES,
        PEER_NODES,
        _nodes_vars,
        _nodes_same,
        peer_where=PEER_NODES_WHERE,
    ),
    Operation(
        "create_gift",
        "createGift with an outcome and two tags",
        CREATE_GIFT,
        PEER_CREATE_GIFT,
        _create_vars,
        _create_same,
        writes=True,
        owned=_create_owned,
    ),
)
