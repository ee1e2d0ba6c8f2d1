"""What a question names that the answer must hold: its names, other specifics and numbers."""

from __future__ import annotations

from qa_service.answer.support import (
    english_renderings,
    missing_specifics,
)
from qa_service.text.names import written


def test_an_acronym_inside_a_hyphenated_compound_is_held() -> None:
    evidence = "verzoekt de regering het snf-keurmerk verplicht te stellen"
    question = "Which motion asks to make the SNF quality mark mandatory?"
    assert missing_specifics(question, "en", evidence, lambda w: 9.0) == []
    assert missing_specifics("Which motion asks about the NHG?", "en", evidence, lambda w: 9.0) == [
        "NHG"
    ]


def test_an_acronym_with_a_plural_apostrophe_is_held() -> None:
    """The documents write "de RMT’s" (a curly apostrophe): the question's RMT's is held."""
    evidence = "sociaal ontwikkelbedrijven aanhaken bij de rmt’s,"
    for question in ("What did parliament want for the RMT's?", "Wat wil de Kamer voor de RMT’s?"):
        lang = "en" if question.startswith("What") else "nl"
        assert missing_specifics(question, lang, evidence, lambda w: 9.0) == []
    assert missing_specifics("What about the UWV's?", "en", evidence, lambda w: 9.0) == ["UWV's"]


def test_name_terms_are_the_capitalised_words_as_written() -> None:
    from qa_service.answer.support import name_terms

    assert name_terms("Which sale did Westerveld's motion want stopped in 2024?") == ["westerveld"]
    assert name_terms("What did the motion by Kat c.s. ask?") == ["kat"]
    assert name_terms("What did the minister say?") == []


def test_an_english_rendering_of_a_name_is_held_or_translated_as_a_whole() -> None:
    """``Road Traffic Act`` renders Wegenverkeerswet: its known word ``Act`` alone is no
    name the answer must hold; a run of names the corpus knows (Hirsch Ballin) still is."""
    known = {"act": 6.0, "hirsch": 8.0, "ballin": 8.0, "alkmaar": 7.0}

    def rarity(word: str) -> float | None:
        return known.get(word.lower())

    question = "Which MP asked whether the Road Traffic Act allows it, says Hirsch Ballin?"
    assert english_renderings(question, rarity) == {"Road", "Traffic", "Act"}
    evidence = "de wegenverkeerswet volgens minister hirsch ballin"
    assert missing_specifics(question, "en", evidence, rarity) == []
    assert missing_specifics(question, "en", "de wegenverkeerswet", rarity) == [
        "Hirsch",
        "Ballin",
    ]
    # in a Dutch question every name counts
    assert missing_specifics("Wat zegt de Act?", "nl", "de wet", rarity) == ["Act"]


def test_an_english_name_with_a_dutch_name_is_judged_by_the_dutch_one() -> None:
    """``Ukraine`` is Oekraïne in the documents: the corpus lacking the English word says
    nothing, so it is judged as Oekraïne, which the corpus holds; an answer whose documents
    lack it is no answer. An English word the corpus lacks without a Dutch name is held by a
    word of the answer spelled alike ("Warsaw": "Warschau"), and lacking otherwise
    ("Kosovo", "Brexit": the documents never name them)."""
    known = {"oekraine": 6.5, "navo": 3.0, "nederland": 1.0}

    def rarity(word: str) -> float | None:
        return known.get(word.lower())

    question = "What did the NATO ministers decide about Ukraine?"
    assert missing_specifics(question, "en", "de navo-ministers stemden in", rarity) == ["Ukraine"]
    assert missing_specifics(question, "en", "steun aan oekraine en de navo", rarity) == []
    assert missing_specifics("What about the Mars rover?", "en", "de navo", rarity) == ["Mars"]
    summit = "What was agreed at the Lisbonne summit?"
    assert missing_specifics(summit, "en", "de navo-top in lissabon", rarity) == []
    assert missing_specifics(summit, "en", "de navo-top in warschau", rarity) == ["Lisbonne"]
    kosovo = "What did the minister say about NATO's mission in Kosovo?"
    assert missing_specifics(kosovo, "en", "de navo-missie in afghanistan", rarity) == ["Kosovo"]
    # a Dutch name too common to name anything specific stays passed over
    assert missing_specifics("What did the Netherlands do?", "en", "de navo", rarity) == []


def test_a_name_is_written_as_asked_and_for_english_questions_in_dutch() -> None:
    assert written("Morocco's", "en") == ["morocco's", "marokko"]
    assert written("Kabul", "en") == ["kabul", "kaboel"]
    assert written("Wwft", "en") == ["wwft"]
    assert written("Kabul", "nl") == ["kabul"]  # a Dutch question means what it writes
    assert written("US", "en") == ["us", "vs"]  # "in de VS"
    assert written("Benelux", "en") == ["benelux", "luxemburg"]  # "Nederland, België en Luxemburg"


def test_the_numbers_a_question_asks_about_and_the_evidence_lacks() -> None:
    from qa_service.answer.support import missing_numbers

    question = "Wie diende in 2015 de motie over 1.500 woningen in?"
    assert missing_numbers(question, "motie van 2015 over 1500 woningen") == []
    assert missing_numbers(question, "motie van 2023 over 1.500 woningen") == ["2015"]
    assert missing_numbers("Wie diende de motie over Schiphol in?", "iets anders") == []


def test_an_author_asked_about_is_specific_however_often_the_corpus_names_them() -> None:
    """Kröger signed many motions, so the corpus names her often (a low IDF, like
    ``Nederland``); still "What did Kröger ask about Afghanistan?" is not answered by a letter
    on Afghanistan that she did not write."""
    evidence = "voorts spraken de ministers over de resolute support mission in afghanistan"
    question = "What did Kröger's motion ask about Afghanistan?"
    assert missing_specifics(question, "en", evidence, lambda w: 3.0) == []
    assert missing_specifics(question, "en", evidence, lambda w: 3.0, people=["Kröger"]) == [
        "Kröger's"
    ]
    signed = evidence + " kroger"  # her motion: its (folded) authors are in the evidence
    assert missing_specifics(question, "en", signed, lambda w: 3.0, people=["Kröger"]) == []


def test_a_separable_verb_of_a_motion_holds_the_questions_joined_verb() -> None:
    """The motion asks the government "hier binnen vier weken aan de Kamer over terug te
    koppelen"; the question's ``terugkoppelen`` (a word the corpus lacks) is held."""
    from qa_service.answer.support import evidence_text

    question = "Binnen hoeveel weken moet de regering terugkoppelen over de opvang?"
    unknown = {"terugkoppelen"}

    def rarity(word: str) -> float | None:
        return None if word in unknown else 9.0

    passage = "verzoekt de regering over de opvang binnen vier weken terug te koppelen,"
    assert missing_specifics(question, "nl", evidence_text([passage], []), rarity) == []
    other = "verzoekt de regering over de opvang binnen vier weken te rapporteren,"
    assert missing_specifics(question, "nl", evidence_text([other], []), rarity) == [
        "terugkoppelen"
    ]


def test_a_compound_the_asker_coined_is_held_by_its_start_and_known_head() -> None:
    """``terugnameprobleem`` is in no document; a motion on countries that do not take
    their nationals back ("terug toelaten") and on "de asielproblematiek" holds its start
    and its known head ``probleem``. A compound whose head the answer lacks, or whose head
    the corpus does not know, is still missing."""
    known = {"probleem": 3.0, "draagvlak": 4.0, "asielopvang": 5.0, "boten": 6.0}

    def rarity(word: str) -> float | None:
        return known.get(word.lower())

    question = "Waarom hindert het terugnameprobleem het draagvlak voor asielopvang?"
    motion = "onderdanen niet terug toelaten; het draagvlak voor asielopvang; de asielproblematiek"
    assert missing_specifics(question, "nl", motion, rarity) == []
    no_head = "onderdanen niet terug toelaten; het draagvlak voor asielopvang"
    assert missing_specifics(question, "nl", no_head, rarity) == ["terugnameprobleem"]
    submarines = "Hoeveel onderzeeboten wil Defensie aanschaffen?"
    assert missing_specifics(submarines, "nl", "defensie: onder meer fregatten", rarity) == [
        "onderzeeboten"
    ]


def test_an_english_language_name_is_held_by_its_dutch_adjective() -> None:
    """ "English-taught programmes" are "Engelstalige opleidingen"."""
    question = "What did Peters want investigated among graduates of English-taught programmes?"
    evidence = "afgestudeerden van engelstalige opleidingen peters"
    assert missing_specifics(question, "en", evidence, lambda w: 6.0) == []
    assert missing_specifics(question, "en", "afgestudeerden peters", lambda w: 6.0) == [
        "English-taught"
    ]
