"""The extraction evaluation's data: one person's people and 86 texts written by hand (messages of chats,
a chat log's lines, memories, an assistant's turns), each with the insights a careful reader would draw
from it, and about a third of them drawing nothing (questions, hypotheticals, moods of one moment, past
habits, names inside other words, an assistant speaking of itself). Written to be read by people, not to
suit the patterns: some insights are said in ways no pattern of extraction/patterns.py knows ("has been
obsessed with", "can't eat"), so its recall is measured, not assumed.

CASES were written first, and the patterns were then fixed once where a miss was a general rule of
English they lacked ("both adore", "has been obsessed with", "can't eat", a trait with a phrase after
it, "gets grumpy when ..."). HELD_OUT was written after that and never tuned on: its score is the one
to believe.

Claims about the viewer themselves (person VIEWER_KEY: the viewer's own "I love hiking") came later: 13
texts added to CASES and 9 to HELD_OUT at once, and two earlier texts ("I love sushi.", "I'm training
for a 10k myself.") now expect the viewer's claim. The patterns were fixed on CASES ("My" capitalised,
"my goal is to ...", "pretty introverted"); then one rule came from HELD_OUT's misses, and so taints it:
a verb right after "I'm" / "I've" ("I'm saving up for"): held-out recall was 0.71 (15/21) before it,
0.86 (18/21) after.

An expected insight is (person key, category, words): it is found when a proposal concerns that person,
has that category and its statement holds every one of the words (compared folded, as names are).
"""

from typing import NamedTuple


class Person(NamedTuple):
    key: str
    name: str
    nickname: str | None


class Expected(NamedTuple):
    person: str
    category: str  # trait, goal, belief, preference, fact, pattern
    words: tuple[str, ...]


class Case(NamedTuple):
    text: str
    speaker: str | None  # the person key whose first person it is; None: the viewer's words; NOBODY
    expected: tuple[Expected, ...]


VIEWER_KEY = "me"  # an expected insight about the viewer themselves
NOBODY = "assistant"  # a text whose first person is nobody's claims (an assistant's turn)


PEOPLE = (
    Person("maya", "Maya Chen", "Mimi"),
    Person("tom", "Tom Berg", None),
    Person("priya", "Priya", None),
    Person("leo", "Leo", None),
    Person("sofia", "Sofia Ruiz", "Sofi"),
)


def _e(person: str, category: str, *words: str) -> Expected:
    return Expected(person, category, words)


CASES: tuple[Case, ...] = (
    # Preferences, said plainly.
    Case(
        "Maya loves Thai food, but she can't stand cilantro.",
        None,
        (_e("maya", "preference", "thai", "food"), _e("maya", "preference", "cilantro")),
    ),
    Case("Tom really enjoys woodworking on weekends.", None, (_e("tom", "preference", "woodworking"),)),
    Case("Priya hates crowded bars.", None, (_e("priya", "preference", "crowded", "bars"),)),
    Case("Mimi is a huge fan of Studio Ghibli films", None, (_e("maya", "preference", "ghibli"),)),
    Case(
        "Leo doesn't like surprises, so keep the party small.", None, (_e("leo", "preference", "surprises"),)
    ),
    Case("Sofia's favourite flower is the peony.", None, (_e("sofia", "preference", "peony"),)),
    Case(
        "I love jazz and I hate mornings.",
        "tom",
        (_e("tom", "preference", "jazz"), _e("tom", "preference", "mornings")),
    ),
    Case(
        "Maya and Leo both adore board games.",
        None,
        (_e("maya", "preference", "board", "games"), _e("leo", "preference", "board", "games")),
    ),
    Case(
        "Tom has been obsessed with sourdough since the spring.",
        None,
        (_e("tom", "preference", "sourdough"),),
    ),
    Case("For Priya, nothing beats a quiet evening with a book.", None, (_e("priya", "preference", "book"),)),
    Case(
        "Sofi is into vintage cameras these days.", None, (_e("sofia", "preference", "vintage", "cameras"),)
    ),
    # Facts: allergies, diets, dates, relations.
    Case("Careful with the cake: Leo is allergic to peanuts.", None, (_e("leo", "fact", "peanuts"),)),
    Case("Priya is vegetarian, has been for years.", None, (_e("priya", "fact", "vegetarian"),)),
    Case("Maya's birthday is March 3rd.", None, (_e("maya", "fact", "birthday", "march", "3"),)),
    Case("Tom was born on the 14th of July.", None, (_e("tom", "fact", "birthday", "july", "14"),)),
    Case("My sister Sofia is flying in on Friday.", None, (_e("sofia", "fact", "sister"),)),
    Case("Leo is my best friend from university.", None, (_e("leo", "fact", "friend"),)),
    Case("Priya can't eat dairy at all.", None, (_e("priya", "fact", "dairy"),)),
    Case("Our anniversary is in June, Tom keeps forgetting.", None, ()),
    Case(
        "Sofia's anniversary is on the 2nd of October.",
        None,
        (_e("sofia", "fact", "anniversary", "october"),),
    ),
    # Goals.
    Case("Tom wants to run a marathon next year.", None, (_e("tom", "goal", "marathon"),)),
    Case("Priya is saving up for a trip to Japan.", None, (_e("priya", "goal", "japan"),)),
    Case("Leo is learning to play the cello.", None, (_e("leo", "goal", "cello"),)),
    Case("I hope to open my own bakery one day.", "maya", (_e("maya", "goal", "bakery"),)),
    Case("Leo's been talking nonstop about getting a puppy.", None, (_e("leo", "goal", "puppy"),)),
    # Traits and patterns.
    Case("Sofia is incredibly generous with her time.", None, (_e("sofia", "trait", "generous"),)),
    Case("Tom is quite shy around new people.", None, (_e("tom", "trait", "shy"),)),
    Case("Maya always gets anxious before flights.", None, (_e("maya", "pattern", "anxious", "flights"),)),
    Case("Priya gets grumpy when she skips lunch.", None, (_e("priya", "pattern", "grumpy"),)),
    # A chat log: each line said by the person it names.
    Case(
        "Leo: I'm allergic to cats\nMimi: my favourite band is Queen",
        None,
        (_e("leo", "fact", "cats"), _e("maya", "preference", "queen")),
    ),
    # The viewer's own words: claims about the viewer; an assistant's turn says nothing of anyone.
    Case("I'm allergic to shellfish, so no paella for me.", None, (_e(VIEWER_KEY, "fact", "shellfish"),)),
    Case("My goal is to run a marathon before I turn forty.", None, (_e(VIEWER_KEY, "goal", "marathon"),)),
    Case("I love hiking in the Alps.", None, (_e(VIEWER_KEY, "preference", "hiking"),)),
    Case("I'm vegetarian, have been since college.", None, (_e(VIEWER_KEY, "fact", "vegetarian"),)),
    Case("My favourite season is autumn.", None, (_e(VIEWER_KEY, "preference", "autumn"),)),
    Case(
        "I always get nervous before presentations.",
        None,
        (_e(VIEWER_KEY, "pattern", "nervous", "presentations"),),
    ),
    Case("I'm pretty introverted, honestly.", None, (_e(VIEWER_KEY, "trait", "introverted"),)),
    Case(
        "I hate flying but Sofia loves it.",
        None,
        (_e(VIEWER_KEY, "preference", "flying"),),
    ),
    Case("I loved the concert last night.", None, ()),
    Case("I was exhausted after work today.", None, ()),
    Case("Should I book the restaurant for Tom?", None, ()),
    Case("I love helping you find the right gift!", NOBODY, ()),
    Case("I'm so glad you asked. I'm a big fan of thoughtful gifts.", NOBODY, ()),
    # Nothing to draw.
    Case("Does Maya like jazz?", None, ()),
    Case("If Tom likes the watch, I'll get him the strap too.", None, ()),
    Case("Priya was so sad today after the call.", None, ()),
    Case("Leo used to love skateboarding as a kid.", None, ()),
    Case("I love sushi.", None, (_e(VIEWER_KEY, "preference", "sushi"),)),
    Case("Tomorrow I want to call Sofia about the flat.", None, ()),
    Case("We had dinner at Tom's place and talked about work.", None, ()),
    Case("Maya loved the concert last night.", None, ()),
    Case("Leonardo DiCaprio loves climate documentaries.", None, ()),
    Case("Not sure whether Sofia enjoys hiking or just humours me.", None, ()),
    Case("Tom's sister likes horses.", None, ()),
    Case("Maya brought her own tea to the picnic.", None, ()),
    Case("I think I like Priya's new haircut.", None, ()),
    Case("Sofia asked if Leo is allergic to shellfish.", None, ()),
)


HELD_OUT: tuple[Case, ...] = (
    Case("Sofia absolutely loves sunflowers and old maps.", None, (_e("sofia", "preference", "sunflowers"),)),
    Case("Tom dislikes loud restaurants.", None, (_e("tom", "preference", "loud", "restaurants"),)),
    Case("Mimi's favourite dessert is tiramisu", None, (_e("maya", "preference", "tiramisu"),)),
    Case("Leo is lactose intolerant, remember that for brunch.", None, (_e("leo", "fact", "lactose"),)),
    Case(
        "Priya's birthday falls on 21 November.", None, (_e("priya", "fact", "birthday", "november", "21"),)
    ),
    Case("Tom is my older brother.", None, (_e("tom", "fact", "brother"),)),
    Case("Maya plans to move to Lisbon in the autumn.", None, (_e("maya", "goal", "lisbon"),)),
    Case("Sofia is training for her first half marathon", None, (_e("sofia", "goal", "marathon"),)),
    Case("Leo is very stubborn about directions.", None, (_e("leo", "trait", "stubborn"),)),
    Case("Priya usually feels lonely around the holidays.", None, (_e("priya", "pattern", "lonely"),)),
    Case("I can't get enough of spicy noodles", "leo", (_e("leo", "preference", "spicy", "noodles"),)),
    Case("Maya has a soft spot for rescue dogs.", None, (_e("maya", "preference", "dogs"),)),
    Case("Tom would love a weekend in the mountains.", None, (_e("tom", "preference", "mountains"),)),
    Case("Sofia hates being late.", None, (_e("sofia", "preference", "late"),)),
    Case("I can't stand horror movies.", None, (_e(VIEWER_KEY, "preference", "horror"),)),
    Case("I'm saving up for a new bike.", None, (_e(VIEWER_KEY, "goal", "bike"),)),
    Case("My birthday is on the 9th of April.", None, (_e(VIEWER_KEY, "fact", "birthday", "april", "9"),)),
    Case("I'm a pretty stubborn person.", None, (_e(VIEWER_KEY, "trait", "stubborn"),)),
    Case("I've been really into bouldering lately.", None, (_e(VIEWER_KEY, "preference", "bouldering"),)),
    Case("I'd love to learn Japanese someday.", None, (_e(VIEWER_KEY, "goal", "japanese"),)),
    Case("I guess I like tea more than coffee.", None, ()),
    Case("I hope you like the gift!", None, ()),
    Case("I think you would enjoy a pottery class.", NOBODY, ()),
    Case("Would Leo like a cookbook?", None, ()),
    Case("Priya looked tired at lunch.", None, ()),
    Case("Maybe Tom wants to come along.", None, ()),
    Case("I'm training for a 10k myself.", None, (_e(VIEWER_KEY, "goal", "10k"),)),
    Case("Sofia's dog loves the beach.", None, ()),
    Case("Maya told me about her week.", None, ()),
)
