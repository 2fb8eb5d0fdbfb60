"""The write bench's bookkeeping: when an event counts as delivered, and the small graph it writes on."""

from bench.shape import user_graph
from bench.writes import SMALL, Lags, per_write


def test_an_event_is_delivered_only_once_every_consumer_has_it() -> None:
    lags = Lags()
    lags.look("ann", [(2, 100.0, False), (3, 100.5, False)], [1, 1, 1], consumers=3, now=100.6)
    assert lags.lags == [] and set(lags.waiting) == {("ann", 2), ("ann", 3)}
    # Two consumers have both events, the third has no cursor of ann's yet: nothing is delivered.
    lags.look("ann", [], [3, 3], consumers=3, now=100.8)
    assert lags.lags == []
    # The slowest consumer reaches 2: event 2 is delivered, 1 s after its commit; 3 still waits.
    lags.look("ann", [], [3, 3, 2], consumers=3, now=101.0)
    assert lags.lags == [1.0] and set(lags.waiting) == {("ann", 3)}
    lags.look("ann", [], [3, 3, 3], consumers=3, now=102.0)
    assert lags.lags == [1.0, 1.5] and lags.waiting == {} and lags.after == {"ann": 3}


def test_one_owners_cursors_deliver_none_of_anothers_events() -> None:
    lags = Lags()
    lags.look("ann", [(5, 10.0, False)], [1, 1], consumers=2, now=10.1)
    lags.look("bob", [(5, 10.0, False)], [5, 5], consumers=2, now=10.2)
    assert lags.owners() == {"ann"} and len(lags.lags) == 1


def test_the_consumers_own_events_are_counted_apart() -> None:
    lags = Lags()
    lags.look("ann", [(2, 10.0, False), (3, 10.5, True)], [3, 3], consumers=2, now=11.0)
    assert lags.lags == [1.0] and lags.derived == [0.5]


def test_cpu_per_write_counts_milliseconds_and_no_writes_is_not_a_number() -> None:
    assert per_write(10.0, 12.5, 50) == 50.0
    assert per_write(1.0, 2.0, 0) != per_write(1.0, 2.0, 0)  # NaN


def test_the_small_user_is_small_and_whole() -> None:
    graph = user_graph(13, 0, "hash", SMALL)
    assert len(graph.nodes["Recipient"]) == 10 and len(graph.nodes["Memory"]) == 20
    assert len(graph.rels["GAVE"][2]) == 50  # five gifts a recipient, as in the full graph
    nodes = sum(len(rows) for rows in graph.nodes.values())
    assert 150 < nodes < 300
