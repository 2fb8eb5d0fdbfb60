"""Telling a poison event (one a consumer always fails on: a node its store refuses, say) from an outage
(the consumer's store is down, and every event fails).

An event is poison once it has failed POISON_ATTEMPTS times alone and the consumer has handled some
other event since it first failed: then the consumer works, and the fault is the event's. In an outage
nothing succeeds, so nothing is ever taken for poison.
"""

from collections.abc import Iterable

from dispatch import Event

POISON_ATTEMPTS = 5


class Failures:
    """What each consumer has failed on, and how often it has succeeded, in this process."""

    def __init__(self) -> None:
        self._successes: dict[str, int] = {}
        self._attempts: dict[tuple[str, str], int] = {}  # (consumer, event uid) -> failures alone
        self._successes_then: dict[tuple[str, str], int] = {}  # the consumer's successes at the first

    def succeeded(self, consumer: str, events: Iterable[Event]) -> None:
        self._successes[consumer] = self._successes.get(consumer, 0) + 1
        for event in events:
            self._forget((consumer, event.uid))

    def failed(self, consumer: str, event: Event) -> bool:
        """Counts one more failure of this event alone; whether it is now known for poison."""
        key = (consumer, event.uid)
        self._attempts[key] = self._attempts.get(key, 0) + 1
        self._successes_then.setdefault(key, self._successes.get(consumer, 0))
        poison = self._attempts[key] >= POISON_ATTEMPTS and (
            self._successes.get(consumer, 0) > self._successes_then[key]
        )
        if poison:
            self._forget(key)
        return poison

    def _forget(self, key: tuple[str, str]) -> None:
        self._attempts.pop(key, None)
        self._successes_then.pop(key, None)
