"""Persona mappers: how a persona is built from a mindscape (seed 003's PersonaMapper), by name and
semantic version, each with a status. A deprecated version builds nothing new (MAPPER_DEPRECATED) and
says which version replaces it; the personas it built stay readable, and their feedback stays counted
under it. Mappers are never deleted, only deprecated.

A mapper reads the insights of a mindscape (graph/mindscape.py) and splits them as the seed does: the
core (what lasts: volatility under 0.5, or not said) and an overlay for the context the agent gave (what
changes, and what its words touch), at a detail level (how many of each category it reads)."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from errors import BadUserInput, KindredError
from graph.mindscape import Found
from graph.pages import Row

# How many of each category's surest insights a detail level reads.
PER_LAYER = {"instant": 3, "balanced": 8, "deep_dive": 25}
# Volatility (0 settled .. 1 fleeting) from which an insight belongs in the overlay, not the core.
VOLATILE = 0.5
_WORD = re.compile(r"[a-z0-9]+")


class MapperDeprecated(KindredError):
    """A persona asked of a mapper version that is deprecated: nothing is built."""

    code = "MAPPER_DEPRECATED"


@dataclass(frozen=True)
class Built:
    """What a mapper made: the core, the overlay, and the uids of the insights it used."""

    core: dict[str, Any]
    overlay: dict[str, Any]
    evidence: list[str]


Build = Callable[[Found, str | None, str], Built]


@dataclass(frozen=True)
class Mapper:
    name: str
    version: str
    purpose: str
    build: Build
    status: str = "active"  # active, deprecated
    parent_version: str | None = None
    replaced_by: str | None = None


def _statements(rows: Iterable[Row]) -> list[str]:
    return [str(row.node["statement"]) for row in rows]


def _settled(row: Row) -> bool:
    volatility = row.node.get("volatility")
    return volatility is None or volatility < VOLATILE


def _core(found: Found) -> tuple[dict[str, Any], list[Row]]:
    def of(category: str) -> list[Row]:
        layer = found.layers.get(category)
        return [row for row in layer.items if _settled(row)] if layer else []

    traits, beliefs, goals = of("trait"), of("belief"), of("goal")
    preferences, facts, patterns = of("preference"), of("fact"), of("pattern")
    person = found.person.node.get("name") if found.person is not None else None
    core = {
        "identity": {
            "name": person,
            "narrative": " ".join(_statements([*traits[:2], *goals[:1]])),
            "coreBeliefs": _statements(beliefs),
            "fundamentalGoals": _statements(goals),
            "personalityProfile": {str(r.node["statement"]): r.node.get("confidence") for r in traits},
        },
        "preferences": _statements(preferences),
        "knowledgeProfile": _statements(facts),
        "responsePatterns": _statements(patterns),
    }
    return core, [*traits, *beliefs, *goals, *preferences, *facts, *patterns]


def _words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if len(word) > 2}


def _overlay(found: Found, context: str | None) -> tuple[dict[str, Any], list[Row]]:
    """What changes (volatile insights), and the insights whose words the context's touch, most first."""
    every = [row for layer in found.layers.values() for row in layer.items]
    volatile = [row for row in every if not _settled(row)]
    asked = _words(context or "")
    touched = sorted(
        (row for row in every if asked & _words(str(row.node["statement"]))),
        key=lambda row: -len(asked & _words(str(row.node["statement"]))),
    )
    overlay = {
        "context": context,
        "currentFocus": _statements(volatile),
        "relevantToContext": _statements(touched),
    }
    return overlay, [*volatile, *touched]


def _core_only(found: Found, context: str | None, detail: str) -> Built:
    core, used = _core(found)
    return Built(core, {"context": context}, [row.uid for row in used])


def _core_and_overlay(found: Found, context: str | None, detail: str) -> Built:
    core, used = _core(found)
    overlay, touched = _overlay(found, context)
    return Built(core, overlay, list(dict.fromkeys(row.uid for row in [*used, *touched])))


DEFAULT = "mindscape"
MAPPERS: tuple[Mapper, ...] = (
    Mapper(
        DEFAULT,
        "1.0.0",
        "A person's lasting core, for any agent; no context overlay.",
        _core_only,
        status="deprecated",
        replaced_by="1.1.0",
    ),
    Mapper(
        DEFAULT,
        "1.1.0",
        "A person's lasting core, and an overlay of what is changing and what the agent's task touches.",
        _core_and_overlay,
        parent_version="1.0.0",
    ),
)


def chosen(name: str | None, version: str | None, registry: tuple[Mapper, ...] = MAPPERS) -> Mapper:
    """The mapper asked for: by name (the default one when not given) and version (its newest active one
    when not given). BAD_USER_INPUT for none such; MAPPER_DEPRECATED for a deprecated version."""
    name = name or DEFAULT
    versions = [mapper for mapper in registry if mapper.name == name]
    if not versions:
        raise BadUserInput(f"There is no persona mapper called {name!r}.", field="mapper")
    if version is None:
        active = [mapper for mapper in versions if mapper.status == "active"]
        if not active:
            raise MapperDeprecated(
                f"Every version of the persona mapper {name!r} is deprecated.", mapper=name
            )
        return max(active, key=lambda mapper: _semver(mapper.version))
    found = next((mapper for mapper in versions if mapper.version == version), None)
    if found is None:
        raise BadUserInput(f"The persona mapper {name!r} has no version {version!r}.", field="mapperVersion")
    if found.status == "deprecated":
        raise MapperDeprecated(
            f"Version {version} of the persona mapper {name!r} is deprecated and builds no new personas"
            + (f": ask for {found.replaced_by}." if found.replaced_by else "."),
            mapper=name,
            version=version,
            replacedBy=found.replaced_by,
        )
    return found


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))
