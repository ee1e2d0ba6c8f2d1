"""The one term-overlap scorer (answer sentence choice and the citation guard): pinned values
on a small fixture."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from qa_service.text.lexical import analyze
from qa_service.text.overlap import TermOverlap, TextTerms, word_prefixes

QUESTION = "Wat heeft de minister toegezegd over Afghanistan en de NAVO-missie in 2021?"
TEXTS = [
    "De minister heeft de Kamer toegezegd de Afghaanse tolken te helpen.",
    "In 2021 eindigde de Navo missie.",
    "Geen overlap hier.",
]
IDF = {"mini": 0.5, "toezeg": 2.0, "afghanistan": 3.0, "navo": 1.5, "missie": 1.0, "2021": 2.5}


def idf(terms: Sequence[str]) -> list[float]:
    return [IDF[t] for t in terms]


def test_terms_of_the_fixture() -> None:
    assert analyze(QUESTION) == ["mini", "toezeg", "afghanistan", "navo", "missie", "2021"]
    first = TextTerms.of(TEXTS[0])
    assert {"mini", "toezeg", "afghaans"} <= first.terms
    assert "afgha" in first.prefixes and "mini" not in first.prefixes  # 4 letters: no prefix


def test_idf_weighted_share_with_half_credit_for_a_prefix() -> None:
    shares, held = TermOverlap(idf).score(analyze(QUESTION), TEXTS)
    # total weight 10.5; the first text holds mini + toezeg by stem and afghanistan by its
    # prefix "afgha" (Afghaanse): 0.5 + 2.0 + 0.5 * 3.0
    assert shares == pytest.approx([4.0 / 10.5, 5.0 / 10.5, 0.0])
    assert shares[0] == 0.38095238095238093
    assert held == [{"mini", "toezeg", "afghanistan"}, {"navo", "missie", "2021"}, set()]


def test_without_an_idf_lookup_every_term_weighs_one() -> None:
    shares, _ = TermOverlap().score(analyze(QUESTION), TEXTS)
    assert shares == [2.5 / 6, 3.0 / 6, 0.0]


def test_repeated_terms_count_once_and_analysed_texts_score_the_same() -> None:
    overlap = TermOverlap(idf)
    terms = analyze(QUESTION)
    analysed = [TextTerms.of(t) for t in TEXTS]
    assert overlap.score(terms + terms, analysed) == overlap.score(terms, TEXTS)


def test_no_terms_scores_zero() -> None:
    assert TermOverlap(idf).score([], TEXTS) == ([0.0, 0.0, 0.0], [set(), set(), set()])


def test_stop_words_give_no_prefix() -> None:
    words = ["hebben", "afghaanse", "navo"]
    assert word_prefixes(words) == {"afgha"}  # "hebben" is a stop word, "navo" too short
    assert word_prefixes(words, skip=frozenset()) == {"hebbe", "afgha"}


def test_a_past_participle_also_gives_the_prefix_after_its_ge() -> None:
    """``geproduceerd`` starts like "productie" and "production" after its "ge"; a word that
    only starts with "ge" and is too short for a participle stem gives its own prefix."""
    assert word_prefixes(["geproduceerd"]) == {"gepro", "produ"}
    assert word_prefixes(["gevaar"]) == {"gevaa"}
    shares, held = TermOverlap().score(["productie"], ["zonnepanelen worden geproduceerd"])
    assert held == [{"productie"}] and shares == [0.5]


def test_a_separable_verb_split_in_the_question_finds_it_joined() -> None:
    """The split "kondigden ... aan" (``kond``) is the text's "aangekondigde" (``aankond``): half
    credit, as a prefix; a stem that only ends a longer word is not."""
    text = "Ondanks de eerder aangekondigde verhoging van de bijdrage van 27 landen."
    assert "kond" in TextTerms.of(text).verbs
    shares, held = TermOverlap().score(["kond", "land"], [text])
    assert held == [{"kond", "land"}] and shares == [0.75]
    assert TermOverlap().score(["kond"], ["Hij verkondigde het."])[1] == [set()]


def test_a_term_that_heads_a_compound_of_the_text_earns_half() -> None:
    """Dutch compounds end with their head: "vestigingsbeleid" holds "beleid" (half
    credit); a term of fewer than five letters, or one inside a word, does not count."""
    text = "verzoekt de regering in het vestigingsbeleid in te zetten op een eerlijke verdeling"
    assert "beleid" in TextTerms.of(text).heads
    shares, held = TermOverlap().score(["beleid", "verdel"], [text])
    assert held == [{"beleid", "verdel"}] and shares == [0.75]
    assert TermOverlap().score(["vest"], [text])[1] == [set()]  # too short
    assert TermOverlap().score(["geving"], [text])[1] == [set()]  # not its end


def test_alternatives_count_once_as_the_rarest_of_them() -> None:
    """A word with the documents' words for it ("beloofd" or "toegezegd") is held when any
    of them is, weighs as its rarest, and is named by its first."""
    weights = {"beloofd": 4.0, "toezeg": 2.0, "afghanistan": 3.0}
    overlap = TermOverlap(lambda terms: [weights[t] for t in terms])
    terms = [("beloofd", "toezeg"), "afghanistan"]
    shares, held = overlap.score(terms, TEXTS)
    # total 4.0 + 3.0; the first text holds "toezeg" (full weight of the group, 4.0) and
    # afghanistan by its prefix (0.5 * 3.0)
    assert shares == pytest.approx([5.5 / 7.0, 0.0, 0.0])
    assert held == [{"beloofd", "afghanistan"}, set(), set()]
    # both alternatives apart would ask a text to hold both
    apart, _ = overlap.score(["beloofd", "toezeg", "afghanistan"], TEXTS)
    assert apart[0] == pytest.approx(3.5 / 9.0)
