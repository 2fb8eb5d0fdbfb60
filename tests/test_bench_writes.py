"""The write bench's bookkeeping: when an event counts as delivered, and the small graph it writes on."""

import pytest

from bench.shape import user_graph
from bench.writes import SMALL, Lags, per_write

THREE = ["a", "b", "c"]


def test_an_event_is_delivered_only_once_every_consumer_has_it() -> None:
    lags = Lags()
    lags.look("ann", [(2, 100.0, False), (3, 100.5, False)], {"a": 1, "b": 1, "c": 1}, THREE, now=100.6)
    assert lags.lags == [] and set(lags.waiting) == {("ann", 2), ("ann", 3)}
    # Two consumers have both events, the third has no cursor of ann's yet: nothing is delivered.
    lags.look("ann", [], {"a": 3, "b": 3}, THREE, now=100.8)
    assert lags.lags == [] and lags.each["a"] == [pytest.approx(0.8), pytest.approx(0.3)]
    # The slowest consumer reaches 2: event 2 is delivered, 1 s after its commit; 3 still waits.
    lags.look("ann", [], {"a": 3, "b": 3, "c": 2}, THREE, now=101.0)
    assert lags.lags == [1.0] and set(lags.waiting) == {("ann", 3)}
    lags.look("ann", [], {"a": 3, "b": 3, "c": 3}, THREE, now=102.0)
    assert lags.lags == [1.0, 1.5] and lags.waiting == {} and lags.after == {"ann": 3}
    assert lags.each["c"] == [1.0, 1.5]


def test_one_owners_cursors_deliver_none_of_anothers_events() -> None:
    lags = Lags()
    lags.look("ann", [(5, 10.0, False)], {"a": 1, "b": 1}, ["a", "b"], now=10.1)
    lags.look("bob", [(5, 10.0, False)], {"a": 5, "b": 5}, ["a", "b"], now=10.2)
    assert lags.owners() == {"ann"} and len(lags.lags) == 1


def test_the_consumers_own_events_are_counted_apart() -> None:
    lags = Lags()
    lags.look("ann", [(2, 10.0, False), (3, 10.5, True)], {"a": 3, "b": 3}, ["a", "b"], now=11.0)
    assert lags.lags == [1.0] and lags.derived == [0.5] and lags.each == {"a": [1.0], "b": [1.0]}


def test_cpu_per_write_counts_milliseconds_and_no_writes_is_not_a_number() -> None:
    assert per_write(10.0, 12.5, 50) == 50.0
    assert per_write(1.0, 2.0, 0) != per_write(1.0, 2.0, 0)  # NaN


def test_the_small_user_is_small_and_whole() -> None:
    graph = user_graph(13, 0, "hash", SMALL)
    assert len(graph.nodes["Recipient"]) == 10 and len(graph.nodes["Memory"]) == 20
    assert len(graph.rels["GAVE"][2]) == 50  # five gifts a recipient, as in the full graph
    nodes = sum(len(rows) for rows in graph.nodes.values())
    assert 150 < nodes < 300
