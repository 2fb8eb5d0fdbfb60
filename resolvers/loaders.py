"""DataLoaders: the nested fields of one GraphQL level are fetched together, in one Neo4j query."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from graph import traversals
from graph.pages import Rows
from resolvers.context import Context
from resolvers.pages import PageArgs


@dataclass(frozen=True)
class Step:
    """One parent's neighbours through a named traversal, one page of them in one order."""

    traversal: str
    parent: str
    args: PageArgs
    order: str = "created_at"
    descending: bool = False


@dataclass
class Loaders:
    context: Context
    _neighbours: DataLoader[Step, Rows] | None = None
    _counts: DataLoader[tuple[str, str], int] | None = field(default=None)

    @property
    def neighbours(self) -> DataLoader[Step, Rows]:
        if self._neighbours is None:
            self._neighbours = DataLoader(self._load_neighbours, cache_key_fn=lambda step: step)
        return self._neighbours

    @property
    def counts(self) -> DataLoader[tuple[str, str], int]:
        if self._counts is None:
            self._counts = DataLoader(self._load_counts)
        return self._counts

    async def _load_neighbours(self, steps: list[Step]) -> list[Rows]:
        # Steps that differ only by parent share one query.
        groups: dict[tuple[Any, ...], list[Step]] = defaultdict(list)
        for step in steps:
            groups[(step.traversal, step.args, step.order, step.descending)].append(step)
        found: dict[Step, Rows] = {}
        max_size = self.context.settings.max_page_size
        for (name, args, order, descending), group in groups.items():
            page = args.page(traversals.SORTS[order], descending, max_size)
            parents = list(dict.fromkeys(step.parent for step in group))
            rows = await self.context.graph.read(
                traversals.neighbours, name, owner=self.context.viewer, parents=parents, page=page
            )
            found |= {step: rows[step.parent] for step in group}
        return [found[step] for step in steps]

    async def _load_counts(self, keys: list[tuple[str, str]]) -> list[int]:
        groups: dict[str, list[str]] = defaultdict(list)
        for name, parent in keys:
            groups[name].append(parent)
        totals: dict[tuple[str, str], int] = {}
        for name, parents in groups.items():
            counted = await self.context.graph.read(
                traversals.counts, name, owner=self.context.viewer, parents=list(dict.fromkeys(parents))
            )
            totals |= {(name, parent): counted.get(parent, 0) for parent in parents}
        return [totals[key] for key in keys]
