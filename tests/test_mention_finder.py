"""The rules by which a text names a person or a concept (dispatch/mention_finder.py), and the names
and prefilters the mentions consumer builds from a user's people (dispatch/mentions.py)."""

from dispatch.mention_finder import Finder, Name, fold
from dispatch.mentions import names_of, needle
from graph.refs import Ref

CLARA = Ref("Recipient", "clara")
NEW_YORK = Ref("Concept", "new-york")
YORK = Ref("Concept", "york")


def found(names: list[Name], text: str) -> list[tuple[str, str]]:
    return [(m.text, m.target.uid) for m in Finder(names).find({"content": text})]


def test_plurals_and_case_fold_to_one_word_and_distinct_words_stay_apart() -> None:
    assert {fold(w) for w in ("pottery", "Pottery", "POTTERIES", "potteries")} == {"pottery"}
    assert fold("glasses") == fold("glass") == "glass"
    assert fold("lunches") == "lunch" and fold("boxes") == "box" and fold("concerts") == "concert"
    assert fold("Annual") != fold("Ann") and fold("bus") == "bus"


def test_a_name_matches_whole_words_only_and_a_possessive_still_names_her() -> None:
    names = [Name(Ref("Recipient", "ann"), "Ann")]
    assert found(names, "The Annual fair, Annika, and Ann's stall; ANN.") == [("Ann", "ann"), ("ANN", "ann")]


def test_the_longest_name_wins_where_names_overlap() -> None:
    names = [Name(NEW_YORK, "New York"), Name(YORK, "York")]
    assert found(names, "New York, then york.") == [("New York", "new-york"), ("york", "york")]


def test_offsets_are_the_characters_of_the_field_as_written() -> None:
    finder = Finder([Name(CLARA, "Clara")])
    (mention,) = finder.find({"content": None, "place": "Café with Clara"})
    assert (mention.field, mention.start, mention.end, mention.text) == ("place", 10, 15, "Clara")


def test_a_one_letter_name_links_nothing() -> None:
    assert found([Name(Ref("Concept", "a"), "A")], "A day, a walk.") == []


def test_a_first_name_counts_only_where_one_person_goes_by_it() -> None:
    jensen, berg, hana = Ref("Recipient", "j"), Ref("Recipient", "b"), Ref("Recipient", "h")
    known = [(jensen, ["Clara Jensen"]), (berg, ["Clara Berg"]), (hana, ["Hana Sato", "Nana"])]
    texts = {name.text for name in names_of(known)}
    assert texts == {"Clara Jensen", "Clara Berg", "Hana Sato", "Nana", "Hana"}
    assert found(names_of(known), "Clara and Hana met Clara Berg.") == [("Hana", "h"), ("Clara Berg", "b")]


def test_a_prefilter_needle_is_in_every_form_the_finder_folds_together() -> None:
    assert needle("Pottery") == "potter"
    assert all(needle("Pottery") in form for form in ("pottery", "potteries"))
    assert needle("Glasses") == "glass" and needle("Clara Jensen") == "clara"
