"""DataLoaders: the nested fields of one GraphQL level are fetched together, in one Neo4j query."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from strawberry.dataloader import DataLoader

from graph import growth, learning, mentions, nodes, series, traversals
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


@dataclass(frozen=True)
class SeriesRange:
    """What one series' field asks of its entries: a page of them, or (`period` given) their summary."""

    uid: str
    start: int
    end: int
    page: Page | None = None
    newest_first: bool = True
    period: str | None = None
    most: int = 0


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
    # A series' entries and summaries: those of every series of a level, asked alike, in one query.
    entries: DataLoader[SeriesRange, Rows] = field(init=False)
    summaries: DataLoader[SeriesRange, list[dict[str, Any]]] = field(init=False)
    # What is learned of people (resolvers/learning.py), by recipient uid ('' for the viewer's patterns).
    similar: DataLoader[str, list[dict[str, Any]]] = field(init=False)
    histories: DataLoader[str, list[list]] = field(init=False)
    patterns: DataLoader[str, dict[str, Any]] = field(init=False)
    # Growth credits summed (graph/growth.py), by (entity uid, start, end, period): every card of a level
    # asked alike in one query. Uncached: a recording in the same request changes them.
    growth: DataLoader[tuple[str, int, int, str | None], dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.neighbors = DataLoader(self._load_neighbors, cache_key_fn=lambda step: step)
        self.counts = DataLoader(self._load_counts)
        self.mentions = DataLoader(self._load_mentions)
        self.rows = DataLoader(self._load_rows, cache=False)
        self.entries = DataLoader(self._load_entries, cache=False)
        self.summaries = DataLoader(self._load_summaries, cache=False)
        self.similar = DataLoader(self._learned(learning.similar))
        self.histories = DataLoader(self._learned(learning.histories))
        self.patterns = DataLoader(self._learned(learning.patterns, "keys"))
        self.growth = DataLoader(self._load_growth, cache=False)

    async def _load_growth(self, keys: list[tuple[str, int, int, str | None]]) -> list[dict[str, Any]]:
        groups: dict[tuple[int, int, str | None], list[str]] = defaultdict(list)
        for uid, start, end, period in keys:
            groups[(start, end, period)].append(uid)
        read = [
            self.graph.read(
                growth.sums,
                owner=self.viewer,
                entities=list(dict.fromkeys(uids)),
                start=start,
                end=end,
                period=period,
            )
            for (start, end, period), uids in groups.items()
        ]
        found = {
            (uid, *asked): sums
            for asked, summed in zip(groups, await all_of(read), strict=True)
            for uid, sums in summed.items()
        }
        return [found.get(key, {}) for key in keys]

    async def _load_entries(self, keys: list[SeriesRange]) -> list[Rows]:
        groups: dict[SeriesRange, list[str]] = defaultdict(list)
        for key in keys:
            groups[replace(key, uid="")].append(key.uid)
        read = [
            self.graph.read(
                series.entries,
                owner=self.viewer,
                uids=list(dict.fromkeys(uids)),
                start=asked.start,
                end=asked.end,
                page=asked.page,
                newest_first=asked.newest_first,
            )
            for asked, uids in groups.items()
            if asked.page is not None
        ]
        found = {
            replace(asked, uid=uid): rows
            for asked, pages in zip(groups, await all_of(read), strict=True)
            for uid, rows in pages.items()
        }
        return [found[key] for key in keys]

    async def _load_summaries(self, keys: list[SeriesRange]) -> list[list[dict[str, Any]]]:
        groups: dict[SeriesRange, list[str]] = defaultdict(list)
        for key in keys:
            groups[replace(key, uid="")].append(key.uid)
        read = [
            self.graph.read(
                series.summary,
                owner=self.viewer,
                uids=list(dict.fromkeys(uids)),
                period=asked.period or "",
                start=asked.start,
                end=asked.end,
                most=asked.most,
            )
            for asked, uids in groups.items()
        ]
        found = {
            replace(asked, uid=uid): periods
            for asked, summaries in zip(groups, await all_of(read), strict=True)
            for uid, periods in summaries.items()
        }
        return [found[key] for key in keys]

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
