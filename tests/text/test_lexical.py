"""Text analysis for keyword search: a document's words broken by hyphens, and its separable
verbs split by "te", also count whole."""

from __future__ import annotations

from qa_service.text.lexical import analyze, analyze_query, analyze_text, without_question_words
from qa_service.text.overlap import TermOverlap


def test_a_word_hyphenated_at_a_line_break_is_also_found_whole() -> None:
    # OCR keeps the hyphen of a line break: "moeder-maatschappij", "ont-slag"
    text = "De moeder-maatschappij gaf de werk-nemers ont-slag."
    terms = analyze_text(text)
    for word in ("moedermaatschappij", "werknemers", "ontslag"):
        (term,) = analyze(word)
        assert term in terms
        assert term not in analyze(text)  # the plain analysis only has the parts
    assert set(analyze(text)) <= set(terms)


def test_names_and_numbers_with_hyphens_are_not_joined() -> None:
    # a capital after the hyphen: two names (Noord-Korea, Badger-Belgium), not a broken word
    terms = analyze_text("Noord-Korea en Badger-Belgium NV, 2018-2019")
    assert terms == analyze("Noord Korea en Badger Belgium NV, 2018 2019")


def test_a_plural_and_its_singular_meet_in_one_term() -> None:
    # the Snowball Dutch stemmer keeps the plural's long vowel: "bedragen" gave "bedraag"
    for plural, singular in (
        ("bedragen", "bedrag"),
        ("daken", "dak"),
        ("dagen", "dag"),
        ("geïnformeerd", "informeren"),
    ):
        assert analyze(plural) == analyze(singular)
    assert analyze("zee") == ["zee"]  # a long vowel that ends the stem stays


def test_a_separable_verb_split_by_te_is_also_found_whole() -> None:
    # the motions ask "hierover terug te koppelen", "de heffing af te schaffen"
    text = "Verzoekt de regering de heffing Af te schaffen en hierover terug te koppelen."
    terms = analyze_text(text)
    for word in ("afschaffen", "terugkoppelen"):
        (term,) = analyze(word)
        assert term in terms and term not in analyze(text)
    # "te" after a word that is no particle joins nothing: "om te" opens a clause
    for clause in ("verzoekt de regering om te onderzoeken", "hem te vragen"):
        assert analyze_text(clause) == analyze(clause)


def test_a_question_word_finds_the_hyphenated_word_in_a_sentence() -> None:
    overlap = TermOverlap()
    scores, found = overlap.score(
        analyze("Welk bedrijf is de moedermaatschappij?"),
        ["De moeder-maatschappij is Badger Company.", "Het concern ontsloeg 250 mensen."],
    )
    assert found[0] >= set(analyze("moedermaatschappij"))
    assert scores[0] > scores[1]


def test_a_question_is_searched_without_its_interrogatives() -> None:
    asked = "Waarom is het te vroeg om uit de regio te vertrekken?"
    assert analyze_query(asked) == analyze("is het te vroeg om uit de regio te vertrekken")
    assert "waarom" in analyze(asked)  # a document's "waarom" is still a word of it
    assert analyze_query("Which motions, and when?") == analyze("motions")
    assert without_question_words("Welke moties gaan over Waar?") == " moties gaan over ?"
