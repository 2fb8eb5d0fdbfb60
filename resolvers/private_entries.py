"""Cycle and intimacy entries: checked, their personal fields sealed with the viewer's key, written with
whom they are about; listed by date, the newest first; opened for the viewer (their author) alone.

A list of symptoms and a satisfaction are sealed as text (a sealed field is text): JSON and a digit, read
back here as what they are."""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import private_entries
from graph.kind import Kind
from graph.kinds import CYCLE_ENTRY, INTIMACY_ENTRY
from graph.pages import Row
from resolvers import checks, nodes, sealed
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

MAX_MOOD = 100
MAX_SYMPTOMS = 20
MAX_SYMPTOM = 50
SATISFACTION = (1, 5)
EARLIEST = date(1900, 1, 1)
AHEAD = timedelta(days=1)  # how far past today a date may be: a time zone ahead of UTC, no more


async def create_cycle(context: Context, values: dict[str, Any], about: str | None) -> Row:
    return await _create(context, CYCLE_ENTRY, _cycle(values), about)


async def update_cycle(context: Context, uid: str, values: dict[str, Any]) -> Row:
    return await _update(context, CYCLE_ENTRY, uid, _cycle(values))


async def create_intimacy(context: Context, values: dict[str, Any], about: str | None) -> Row:
    return await _create(context, INTIMACY_ENTRY, _intimacy(values), about)


async def update_intimacy(context: Context, uid: str, values: dict[str, Any]) -> Row:
    if "intimacy_type" in values and values["intimacy_type"] is None:
        raise BadUserInput("kind cannot be cleared: give a value.", field="kind")
    return await _update(context, INTIMACY_ENTRY, uid, _intimacy(values))


async def delete(context: Context, kind: Kind, uid: str) -> list[str]:
    return await nodes.delete(context, kind, uid)


cycle_by_uids = nodes.by_uids_of(CYCLE_ENTRY)
intimacy_by_uids = nodes.by_uids_of(INTIMACY_ENTRY)


async def cycle_page(
    context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs
) -> Paged:
    _span(where.get("since"), where.get("until"))
    return await nodes.page(context, CYCLE_ENTRY, private_entries.cycle_condition(**where), orders, args)


async def intimacy_page(
    context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs
) -> Paged:
    _span(where.get("since"), where.get("until"))
    return await nodes.page(
        context, INTIMACY_ENTRY, private_entries.intimacy_condition(**where), orders, args
    )


async def text(context: Context, kind: Kind, uid: str, name: str, stored: Any) -> str | None:
    """A sealed text field (a mood, a note), opened for the viewer."""
    return await sealed.opened(context, kind.label, uid, name, stored)


async def symptoms(context: Context, uid: str, stored: Any) -> list[str] | None:
    opened = await sealed.opened(context, CYCLE_ENTRY.label, uid, "symptoms", stored)
    return None if opened is None else [str(item) for item in json.loads(opened)]


async def satisfaction(context: Context, uid: str, stored: Any) -> int | None:
    opened = await sealed.opened(context, INTIMACY_ENTRY.label, uid, "satisfaction", stored)
    return None if opened is None else int(opened)


# The relations that reach them from a person, and the person each is about.
cycle_of_recipient = nodes.relation(private_entries.CYCLE_OF_RECIPIENT)
cycle_about = nodes.relation_one(private_entries.CYCLE_RECIPIENT, Order("created_at"))
intimacy_of_recipient = nodes.relation(private_entries.INTIMACY_OF_RECIPIENT)
intimacy_about = nodes.relation_one(private_entries.INTIMACY_RECIPIENT, Order("created_at"))


async def _create(context: Context, kind: Kind, values: dict[str, Any], about: str | None) -> Row:
    uid = str(uuid4())
    values = await sealed.seal(context, kind, uid, {k: v for k, v in values.items() if v is not None})
    return await context.graph.write(
        private_entries.create, kind, owner=context.viewer, uid=uid, values=values, about=about
    )


async def _update(context: Context, kind: Kind, uid: str, values: dict[str, Any]) -> Row:
    return await nodes.update(context, kind, uid, await sealed.seal(context, kind, uid, values))


def _cycle(values: dict[str, Any]) -> dict[str, Any]:
    """The values checked (every one before anything is written), a list of symptoms as the text sealed."""
    checks.ranges(CYCLE_ENTRY, values)
    if values.get("date") is not None:
        _not_ahead(values["date"], "date")
    if values.get("mood") is not None:
        values["mood"] = checks.text(values["mood"], "mood", MAX_MOOD)
    if values.get("note") is not None:
        values["note"] = checks.text(values["note"], "note", sealed.MAX_LENGTH, lines=True)
    if values.get("symptoms") is not None:
        given = checks.texts(values["symptoms"], "symptoms", MAX_SYMPTOMS, MAX_SYMPTOM)
        values["symptoms"] = json.dumps(list(dict.fromkeys(given))) if given else None
    return values


def _intimacy(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("occurred_at") is not None:
        _not_ahead(values["occurred_at"], "occurred_at")
    if values.get("satisfaction") is not None:
        values["satisfaction"] = str(checks.in_range(values["satisfaction"], *SATISFACTION, "satisfaction"))
    if values.get("mood") is not None:
        values["mood"] = checks.text(values["mood"], "mood", MAX_MOOD)
    if values.get("note") is not None:
        values["note"] = checks.text(values["note"], "note", sealed.MAX_LENGTH, lines=True)
    return values


def _not_ahead(when: date | datetime, field: str) -> None:
    """Refuses a date (or a time) before 1900 or more than a day after today (UTC)."""
    today = datetime.now(UTC).date()
    day = when.astimezone(UTC).date() if isinstance(when, datetime) else when
    if day > today + AHEAD or day < EARLIEST:
        raise BadUserInput(
            f"{checks.camel(field)} must be from 1900 up to tomorrow: an entry records what happened.",
            field=checks.camel(field),
        )


def _span(since: date | datetime | None, until: date | datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise BadUserInput("since must not be after until.", field="since")
