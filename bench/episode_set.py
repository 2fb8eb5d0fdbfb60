"""The memory-proposal evaluation's data: conversations written by hand (the viewer's turns, in order),
each with the episodes a careful reader would keep as memories: one per moment told, however many
messages tell it, and none for what tells no moment (preferences, plans, habits, questions).

TUNED was written with the episode finder (extraction/episodes.py) and its rules were fixed on it.
HELD_OUT was written after, in one go, and never tuned on: its score is the one to believe. Both use
bench/extraction_set.py's people (maya "Maya Chen"/"Mimi", tom "Tom Berg", priya, leo, sofia "Sofia
Ruiz"/"Sofi").

An expected episode is (the people it involves, words its content must hold): a proposed memory is right
when it involves exactly those people and holds every word (folded), each expected episode matched once.
"""

from typing import NamedTuple


class Episode(NamedTuple):
    people: tuple[str, ...]
    words: tuple[str, ...]


class Conversation(NamedTuple):
    messages: tuple[str, ...]
    expected: tuple[Episode, ...]


def _c(messages: tuple[str, ...], *expected: Episode) -> Conversation:
    return Conversation(messages, expected)


def _e(people: tuple[str, ...], *words: str) -> Episode:
    return Episode(people, words)


TUNED: tuple[Conversation, ...] = (
    _c(
        ("We went to the lake with Leo last Saturday.", "Leo caught a huge pike!", "Leo loves fishing."),
        _e(("leo",), "lake", "pike"),
    ),
    _c(
        ("Yesterday Tom and I had dinner at Luigi's.", "On Sunday I visited my mum."),
        _e(("tom",), "dinner"),
        _e((), "visited", "mum"),
    ),
    _c(("Priya: we celebrated my birthday last night",), _e(("priya",), "birthday")),
    _c(
        ("I think we will go hiking with Leo next week.", "Tom always cooks on Fridays."),
    ),
    _c(
        ("Did you see Maya yesterday?", "We didn't go to the party with Sofia."),
    ),
    _c(
        ("Sofia and I flew to Lisbon last month.", "We ate so many pastries.", "Sofia got sunburnt."),
        _e(("sofia",), "lisbon", "sunburnt"),
    ),
    _c(("Mimi and I watched the fireworks last night.",), _e(("maya",), "fireworks")),
    _c(
        ("We used to go camping with Leo.", "Tom loves jazz."),
    ),
)

HELD_OUT: tuple[Conversation, ...] = (
    _c(
        (
            "Tom and I finally climbed Snowdon last weekend.",
            "He was exhausted at the top.",
            "Worth it though.",
        ),
        _e(("tom",), "snowdon"),
    ),
    _c(
        ("Maya hosted a dinner party on Friday.", "Leo brought his famous lasagne.", "I stayed until 2am."),
        _e(("maya", "leo"), "dinner", "lasagne"),
    ),
    _c(
        ("Sofi is vegetarian.", "Sofi wants to learn the cello."),
    ),
    _c(
        ("Two weeks ago Priya and I painted her kitchen.", "Yesterday I met Tom for coffee."),
        _e(("priya",), "kitchen"),
        _e(("tom",), "coffee"),
    ),
    _c(
        ("Will Leo come on Sunday?", "Maybe we should take Maya to the zoo."),
    ),
    _c(
        ("Leo proposed to his girlfriend in June!", "We all cried.", "The ring was his grandmother's."),
        _e(("leo",), "proposed"),
    ),
    _c(("This morning Sofia and I walked the dogs by the river.",), _e(("sofia",), "dogs")),
    _c(
        ("Tom usually runs on Sundays.", "I hope Priya gets the job."),
    ),
    _c(
        ("We spent Christmas at Maya's place.", "Maya made a huge roast.", "Tom fell asleep on the sofa."),
        _e(("maya", "tom"), "christmas", "roast"),
    ),
    _c(("Priya and Leo moved to Leeds three years ago.",), _e(("priya", "leo"), "leeds")),
    _c(
        ("I went to the gym.", "Then I read a book."),
    ),
    _c(("Sofia told me about her new job at the bakery.",), _e(("sofia",), "job")),
)

# When the times said resolve to (extraction/when.py): sentences told on SENT (a Friday afternoon, UTC),
# each with the day a careful reader would date it to (None: no day can be told). Written after the
# resolver, by its author, not tuned on.
SENT = "2025-03-21T15:30:00+00:00"
TIMES: tuple[tuple[str, str | None], ...] = (
    ("Tom and I had dinner at Luigi's last Tuesday.", "2025-03-18"),
    ("I met Priya on 3 March.", "2025-03-03"),
    ("We visited Leo in Rome two years ago.", "2023-03-21"),
    ("Sofia and I hiked the Alps in June 2021.", "2021-06-01"),
    ("Yesterday Maya baked a cake.", "2025-03-20"),
    ("We went to the lake with Leo last Saturday.", "2025-03-15"),
    ("Tom and I watched the fireworks last night.", "2025-03-20"),
    ("I visited my mum three days ago.", "2025-03-18"),
    ("Priya and I went bowling on Sunday.", "2025-03-16"),
    ("Sofia flew to Lisbon a few weeks ago.", "2025-02-28"),
    ("We celebrated Maya's birthday on the 2nd of February.", "2025-02-02"),
    ("Leo and I went skiing in January.", "2025-01-01"),
    ("I went to the gym this morning.", "2025-03-21"),
    ("Tom and I played tennis last weekend.", "2025-03-15"),
    ("We went camping with Leo last summer.", "2024-06-01"),
    ("Maya and I moved to Berlin in 2019.", "2019-01-01"),
    ("We went to the lake with Tom.", None),
)
