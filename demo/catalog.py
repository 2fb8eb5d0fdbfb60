"""What the demo's people care about: interests with the gifts that suit each (with plausible prices in
cents), the values and conflict topics, and how concepts tie together."""

from typing import NamedTuple


class Idea(NamedTuple):
    """A gift that suits an interest: name, category, price range in cents."""

    name: str
    category: str
    low: int
    high: int


def _ideas(*rows: tuple[str, str, int, int]) -> list[Idea]:
    return [Idea(name, category, low * 100, high * 100) for name, category, low, high in rows]


# Each interest: a description, and the gifts one would choose for someone who has it.
INTERESTS: dict[str, tuple[str, list[Idea]]] = {
    "climbing": (
        "Bouldering and sport climbing, indoors and on rock.",
        _ideas(
            ("Chalk bag with a hand-stitched name", "gear", 25, 45),
            ("Climbing guidebook to the Alps", "books", 30, 45),
            ("Day pass bundle for the bouldering gym", "experiential", 60, 120),
            ("Crash pad", "gear", 150, 260),
        ),
    ),
    "hiking": (
        "Long walks, ridges and huts.",
        _ideas(
            ("Merino hiking socks", "clothing", 20, 35),
            ("Trail map of the Dolomites", "books", 15, 25),
            ("Lightweight trekking poles", "gear", 70, 140),
            ("Weekend in a mountain hut", "experiential", 180, 320),
        ),
    ),
    "running": (
        "Morning runs, half marathons, one day a full one.",
        _ideas(
            ("Running vest", "gear", 60, 110),
            ("Race entry to the city half marathon", "experiential", 45, 80),
            ("Foam roller", "gear", 25, 40),
            ("Reflective running jacket", "clothing", 80, 140),
        ),
    ),
    "cycling": (
        "Commuting by bike and long Sunday rides.",
        _ideas(
            ("Bike lights set", "gear", 30, 60),
            ("Cycling cap", "clothing", 15, 30),
            ("Bike service voucher", "experiential", 50, 90),
            ("Handlebar bag", "gear", 45, 80),
        ),
    ),
    "yoga": (
        "A practice that keeps the week calm.",
        _ideas(
            ("Cork yoga block", "gear", 15, 30),
            ("Ten-class yoga pass", "experiential", 90, 150),
            ("Yoga mat", "gear", 50, 110),
        ),
    ),
    "tea": (
        "Oolongs, matcha, and the rituals around them.",
        _ideas(
            ("Oolong tasting set", "food", 30, 55),
            ("Cast-iron teapot", "home", 45, 90),
            ("Matcha whisk and bowl", "home", 30, 60),
            ("Tea ceremony workshop", "experiential", 60, 110),
        ),
    ),
    "ceramics": (
        "Throwing pots, glazes and kilns.",
        _ideas(
            ("Pottery wheel course", "experiential", 150, 280),
            ("Handmade ceramic mug", "home", 25, 45),
            ("Glaze chemistry book", "books", 30, 50),
        ),
    ),
    "cooking": (
        "Dinners for friends, dumplings, slow sauces.",
        _ideas(
            ("Japanese chef's knife", "kitchen", 90, 180),
            ("Dumpling cookbook", "books", 25, 40),
            ("Cast-iron skillet", "kitchen", 40, 80),
            ("Cooking class for two", "experiential", 120, 200),
        ),
    ),
    "baking": (
        "Sourdough and birthday cakes.",
        _ideas(
            ("Proofing basket set", "kitchen", 20, 40),
            ("Stand mixer", "kitchen", 250, 450),
            ("Sourdough baking book", "books", 25, 40),
        ),
    ),
    "gardening": (
        "A balcony of herbs, an allotment of tomatoes.",
        _ideas(
            ("Heirloom seed collection", "garden", 20, 40),
            ("Japanese pruning shears", "garden", 35, 70),
            ("Raised bed kit", "garden", 80, 160),
            ("Olive tree in a terracotta pot", "plants", 60, 120),
        ),
    ),
    "jazz": (
        "Live sets in small clubs and old records.",
        _ideas(
            ("Tickets to a jazz club night", "experiential", 50, 110),
            ("Blue Note vinyl reissue", "music", 30, 45),
            ("Biography of Nina Simone", "books", 20, 35),
        ),
    ),
    "vinyl": (
        "Record shops and a turntable that hums.",
        _ideas(
            ("Record cleaning kit", "music", 25, 45),
            ("Turntable", "music", 200, 400),
            ("Record shop voucher", "music", 40, 80),
        ),
    ),
    "photography": (
        "Film cameras and long walks with one.",
        _ideas(
            ("Rolls of colour film", "photography", 30, 60),
            ("Photo book printing voucher", "photography", 40, 80),
            ("Camera strap in leather", "photography", 35, 70),
            ("Darkroom workshop", "experiential", 90, 160),
        ),
    ),
    "travel": (
        "Trains across Europe, markets in new cities.",
        _ideas(
            ("Carry-on backpack", "travel", 90, 180),
            ("Weekend trip to Porto", "experiential", 250, 480),
            ("Scratch-off world map", "travel", 20, 35),
            ("Interrail pass", "experiential", 250, 400),
        ),
    ),
    "board games": (
        "Game nights that run past midnight.",
        _ideas(
            ("Wingspan", "games", 45, 65),
            ("Cooperative escape-room game", "games", 20, 35),
            ("Terraforming Mars", "games", 55, 75),
            ("Custom wooden game table insert", "games", 80, 140),
        ),
    ),
    "chess": (
        "Online blitz and a club on Thursdays.",
        _ideas(
            ("Weighted wooden chess set", "games", 70, 150),
            ("Chess opening repertoire book", "books", 25, 40),
            ("Chess clock", "games", 35, 60),
        ),
    ),
    "science fiction": (
        "Le Guin, Liu Cixin, and arguments about both.",
        _ideas(
            ("Illustrated edition of The Left Hand of Darkness", "books", 40, 70),
            ("The Three-Body Problem trilogy", "books", 35, 55),
            ("Sci-fi film festival pass", "experiential", 60, 100),
        ),
    ),
    "poetry": (
        "Readings, notebooks, Szymborska.",
        _ideas(
            ("Collected poems of Wislawa Szymborska", "books", 25, 40),
            ("Leather-bound notebook", "stationery", 25, 50),
            ("Tickets to a poetry reading", "experiential", 15, 30),
        ),
    ),
    "books": (
        "A stack by the bed that never shrinks.",
        _ideas(
            ("Bookshop subscription", "books", 60, 120),
            ("Reading lamp", "home", 45, 90),
            ("Personalised bookplate stamp", "stationery", 25, 45),
        ),
    ),
    "knitting": (
        "Wool, patterns, and scarves for everyone.",
        _ideas(
            ("Hand-dyed merino yarn", "craft", 30, 60),
            ("Knitting pattern book", "books", 20, 35),
            ("Interchangeable needle set", "craft", 60, 110),
        ),
    ),
    "painting": (
        "Watercolours on Sunday mornings.",
        _ideas(
            ("Watercolour paint set", "art", 40, 90),
            ("Watercolour paper block", "art", 20, 40),
            ("Life drawing class pass", "experiential", 70, 130),
        ),
    ),
    "football": (
        "Season tickets and Sunday league.",
        _ideas(
            ("Match tickets", "experiential", 60, 140),
            ("Retro club jersey", "clothing", 60, 100),
            ("Football history book", "books", 20, 35),
        ),
    ),
    "swimming": (
        "Lido laps and cold water mornings.",
        _ideas(
            ("Swim goggles", "gear", 20, 35),
            ("Lido season pass", "experiential", 80, 150),
            ("Changing robe", "clothing", 70, 130),
        ),
    ),
    "wine": (
        "Natural wines and tastings with friends.",
        _ideas(
            ("Natural wine tasting evening", "experiential", 60, 120),
            ("Decanter", "home", 40, 80),
            ("Case of Douro reds", "food", 90, 160),
        ),
    ),
    "coffee": (
        "Pour-over at home and small roasters.",
        _ideas(
            ("Hand grinder", "kitchen", 60, 140),
            ("Coffee roaster subscription", "food", 45, 90),
            ("Pour-over kettle", "kitchen", 45, 90),
        ),
    ),
    "video games": (
        "Cosy games and the odd speedrun.",
        _ideas(
            ("Nintendo Switch game", "games", 40, 70),
            ("Game controller", "games", 55, 80),
            ("Art book of a favourite game", "books", 30, 55),
        ),
    ),
    "film": (
        "Cinema on Tuesdays and old noir at home.",
        _ideas(
            ("Cinema membership", "experiential", 80, 150),
            ("Criterion Blu-ray box set", "film", 50, 110),
            ("Film poster print", "art", 30, 60),
        ),
    ),
    "birdwatching": (
        "Binoculars and early mornings by the marsh.",
        _ideas(
            ("Binoculars", "gear", 120, 260),
            ("Field guide to European birds", "books", 25, 40),
            ("Bird feeder", "garden", 25, 50),
        ),
    ),
}

VALUES = {
    "family": "Sunday lunches, being there when it counts.",
    "honesty": "Saying the hard thing kindly.",
    "adventure": "Saying yes to the trip.",
    "generosity": "Giving time as much as things.",
}

# Conflict topics, with the relationship kinds they come up in.
TOPICS: dict[str, tuple[str, ...]] = {
    "chores": ("romantic",),
    "time together": ("romantic", "friend"),
    "money": ("romantic", "family"),
    "in-laws": ("romantic",),
    "visits": ("family",),
    "communication": ("family", "friend", "colleague"),
    "plans": ("friend",),
    "punctuality": ("friend", "colleague"),
    "workload": ("colleague",),
    "credit": ("colleague",),
}

# How concepts tie together: (from, kind, to).
TIES: list[tuple[str, str, str]] = [
    ("climbing", "RELATED_TO", "hiking"), ("hiking", "RELATED_TO", "birdwatching"),
    ("running", "RELATED_TO", "cycling"), ("swimming", "RELATED_TO", "running"),
    ("yoga", "SUPPORTS", "climbing"), ("tea", "RELATED_TO", "ceramics"), ("coffee", "RELATED_TO", "tea"),
    ("cooking", "RELATED_TO", "baking"), ("gardening", "SUPPORTS", "cooking"), ("wine", "RELATED_TO", "cooking"),
    ("jazz", "RELATED_TO", "vinyl"), ("poetry", "PART_OF", "books"), ("science fiction", "PART_OF", "books"),
    ("film", "RELATED_TO", "science fiction"), ("photography", "SUPPORTS", "travel"),
    ("painting", "INSPIRED_BY", "photography"), ("chess", "RELATED_TO", "board games"),
    ("video games", "EVOLVED_FROM", "board games"), ("knitting", "RELATED_TO", "ceramics"),
    ("travel", "SUPPORTS", "adventure"), ("hiking", "SUPPORTS", "adventure"), ("cooking", "SUPPORTS", "family"),
    ("communication", "SUPPORTS", "honesty"), ("workload", "CONTRADICTS", "time together"),
    ("money", "RELATED_TO", "generosity"), ("visits", "PART_OF", "family"), ("in-laws", "PART_OF", "family"),
]  # fmt: skip
