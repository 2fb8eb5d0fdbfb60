"""DataLoaders: the nested fields of one GraphQL level are fetched together, in one Neo4j query."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from graph import learning, mentions, nodes, traversals
from graph.driver import Graph
from graph.kind import Kind, Reads
from graph.pages import Page, Row, Rows
from graph.refs import Ref
from graph.traversals import Traversal
from resolvers.together import all_of


@dataclass(frozen=True)
class Step:
    """One parent's neighbors through a traversal: one page of them, in one order."""

    traversal: Traversal
    parent: str
    page: Page
    reads: Reads = None  # what the selection reads of each neighbor (None: every property)


@dataclass
class Loaders:
    """The DataLoaders of one request, as one viewer."""

    graph: Graph
    viewer: str
    neighbors: DataLoader[Step, Rows] = field(init=False)
    counts: DataLoader[tuple[Traversal, str], int] = field(init=False)
    mentions: DataLoader[Ref, list[dict[str, Any]]] = field(init=False)
    # Nodes by (kind, uid): read anew each time asked (uncached), as a write may have changed them since.
    rows: DataLoader[tuple[Kind, str], Row | None] = field(init=False)
    # What is learned of people (resolvers/learning.py), by recipient uid ('' for the viewer's patterns).
    similar: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    histories: DataLoader[str, list[list]] = field(init=False)
    patterns: DataLoader[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.neighbors = DataLoader(self._load_neighbors, cache_key_fn=lambda step: step)
        self.counts = DataLoader(self._load_counts)
        self.mentions = DataLoader(self._load_mentions)
        self.rows = DataLoader(self._load_rows, cache=False)
        self.similar = DataLoader(self._learned(learning.similar))
        self.histories = DataLoader(self._learned(learning.histories))
        self.patterns = DataLoader(self._learned(learning.patterns, "keys"))

    def _learned(self, read: Any, name: str = "uids") -> Any:
        """A batch load of one query of graph/learning.py answering a dict by its keys."""

        async def load(keys: list[str]) -> list[Any]:
            unique = list(dict.fromkeys(keys))
            found = await self.graph.read(read, owner=self.viewer, **{name: unique})
            return [found[key] for key in keys]

        return load

    async def _load_rows(self, keys: list[tuple[Kind, str]]) -> list[Row | None]:
        groups: dict[Kind, list[str]] = defaultdict(list)
        for kind, uid in keys:
            groups[kind].append(uid)
        loaded = await all_of(
            self.graph.read(nodes.by_uids, kind, owner=self.viewer, uids=list(dict.fromkeys(uids)))
            for kind, uids in groups.items()
        )
        found = {(kind, row.uid): row for kind, rows in zip(groups, loaded, strict=True) for row in rows}
        return [found.get(key) for key in keys]

    async def _load_mentions(self, refs: list[Ref]) -> list[list[dict[str, Any]]]:
        # The texts of one level (every memory of a page) are read at once.
        found = await self.graph.read(mentions.of_sources, owner=self.viewer, refs=list(dict.fromkeys(refs)))
        return [found.get(ref, []) for ref in refs]

    async def _load_neighbors(self, steps: list[Step]) -> list[Rows]:
        # Steps that differ only by parent share one query.
        groups: dict[tuple[Any, ...], list[Step]] = defaultdict(list)
        for step in steps:
            groups[(step.traversal, step.page, step.reads)].append(step)
        # Sibling relations of one level (a recipient's gifts, occasions, interests) are read at once,
        # each in its own read transaction, so the level waits for the slowest, not for their sum.
        pages = await all_of(
            (
                self.graph.read(
                    traversals.neighbors,
                    traversal,
                    owner=self.viewer,
                    parents=list(dict.fromkeys(step.parent for step in group)),
                    page=page,
                    reads=reads,
                )
                for (traversal, page, reads), group in groups.items()
            )
        )
        found = {
            step: rows[step.parent]
            for group, rows in zip(groups.values(), pages, strict=True)
            for step in group
        }
        return [found[step] for step in steps]

    async def _load_counts(self, keys: list[tuple[Traversal, str]]) -> list[int]:
        groups: dict[Traversal, list[str]] = defaultdict(list)
        for traversal, parent in keys:
            groups[traversal].append(parent)
        totals: dict[tuple[Traversal, str], int] = {}
        for traversal, parents in groups.items():
            unique = list(dict.fromkeys(parents))
            counted = await self.graph.read(traversals.counts, traversal, owner=self.viewer, parents=unique)
            totals |= {(traversal, parent): counted.get(parent, 0) for parent in parents}
        return [totals[key] for key in keys]
