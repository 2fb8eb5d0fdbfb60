"""The wire form of deltas between instances (wire/deltas.py): what one instance publishes, another reads
back as the same delta, the layout's placements in columns included."""

from datetime import UTC, datetime

from graph.changes import Delta, LinkChange, NodeChange, Placement
from graph.refs import Ref
from wire import deltas as wire


def test_a_positions_delta_travels_as_columns_and_comes_back_whole() -> None:
    moved = (
        Placement("Concept", "c1", 1.5, -2.0, 3.25, 4),
        Placement("Recipient", "r1", 0.0, 9.0, -1.0, None),
    )
    delta = Delta("owner", 7, "PositionsChanged", datetime(2026, 12, 6, tzinfo=UTC), positions=moved)
    message = wire.encode([delta])
    assert (
        b'"positions":[["Concept","Recipient"],["c1","r1"],[1.5,0.0],[-2.0,9.0],[3.25,-1.0],[4,null]]'
        in message
    )
    assert wire.decode(message) == [delta]


def test_a_change_without_placements_comes_back_whole() -> None:
    link = LinkChange("INTERESTED_IN", Ref("Recipient", "r1"), Ref("Concept", "c1"), {"weight": 0.5})
    delta = Delta(
        "owner",
        8,
        "ConceptCreated",
        datetime(2026, 12, 6, tzinfo=UTC),
        added=(NodeChange("Concept", "c1", {"uid": "c1", "name": "Tea"}),),
        links_added=(link,),
    )
    assert wire.decode(wire.encode([delta])) == [delta]
