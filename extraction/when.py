"""When a time said happened: "last Tuesday", "on 3 March", "two years ago", "in June 2021", "yesterday"
resolved against the time the text itself was written (never now: a message read again a week later
still means the day before it was sent), in UTC. The words are dateparser's to read (English, dates
preferred in the past); what it cannot read ("last weekend", "last summer") resolves to None.
"""

import re
from datetime import UTC, datetime

import dateparser

# Counts dateparser does not read as numbers: said as the number they stand for.
_COUNTS = (
    (re.compile(r"\ba few\b", re.IGNORECASE), "3"),
    (re.compile(r"\ba couple of\b", re.IGNORECASE), "2"),
)
_AGO = re.compile(r"\bago\b", re.IGNORECASE)
_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
}


def resolve(said: str | None, at: datetime | None) -> datetime | None:
    """The time `said` means, counted from `at` (the text's own time), in UTC; None when nothing is said,
    the text's time is unknown, or the words are no time dateparser reads."""
    if not said or not said.strip() or at is None:
        return None
    for pattern, number in _COUNTS:
        said = pattern.sub(number, said)
    base = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    # A month said without its day ("in June 2021") is its first day, not the day of the month the text
    # was written; a count back ("two years ago") keeps the text's own day.
    day = "current" if _AGO.search(said) else "first"
    settings = {**_SETTINGS, "RELATIVE_BASE": base, "PREFER_DAY_OF_MONTH": day}
    found = dateparser.parse(said.strip(), languages=["en"], settings=settings)
    return None if found is None else found.astimezone(UTC)


__all__ = ["resolve"]
