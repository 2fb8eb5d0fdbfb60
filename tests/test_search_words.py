"""The words signal of search (resolvers/search_words.py): folding, names, phrases and rarity."""

from resolvers.search_words import content, match, rarity, words


def test_case_possessives_and_plurals_fold_and_stop_words_do_not_count() -> None:
    assert words("Mom's Glasses") == ["mom", "glass"]
    assert content("a gift for my sister's puppies") == ["gift", "sister", "puppy"]
    assert content("what is it") == []


def test_a_name_said_in_the_query_is_named_and_a_name_in_another_field_is_not() -> None:
    person = match(content("dinner with Hana"), {}, {"name": "Hana", "label": "friend"}, ("name",))
    assert (person.named, person.fields, person.found) == (1.0, ("name",), ("hana",))
    gift = match(content("dinner with Hana"), {}, {"name": "Vase", "recipients": "Hana"}, ("name",))
    assert gift.named == 0.0 and gift.fields == ("recipients",)
    assert match(content("Mr. Okafor"), {}, {"name": "Mr. Okafor"}, ("name",)).named == 1.0


def test_a_rare_word_outweighs_a_common_one_among_the_owners_nodes() -> None:
    query = content("zither lesson")
    documents = [{"lesson"}] * 9 + [{"zither", "lesson"}]
    weights = rarity(query, documents, total=10)
    assert weights["zither"] > weights["lesson"]
    rare = match(query, weights, {"content": "my zither"}, ())
    common = match(query, weights, {"content": "a lesson"}, ())
    assert rare.coverage > 0.5 > common.coverage


def test_a_phrase_is_the_query_words_together_in_one_field() -> None:
    query = content("quince jam")
    assert match(query, {}, {"passage": "quince jam on rye"}, ()).phrase == 1.0
    assert match(query, {}, {"passage": "jam, and a quince tree"}, ()).phrase == 0.0
    assert match(query, {}, {"passage": "jam, and a quince tree"}, ()).coverage == 1.0
