"""Whether an answer carries what the question asks: the checks on real passages."""

from __future__ import annotations

from qa_service.service import QAService


def test_of_the_quoted_motions_of_the_mps_asked_about_the_far_ones_are_named(
    corpus_service: QAService,
) -> None:
    """An English question naming MPs, quoting two of their motions: the one far from what
    it asks without their names (buying farms for motorways) is left out, the one it asks
    about (netting on latent space stopped at once) kept. A Dutch question, one document, or
    a question naming no MP: all kept."""
    check = corpus_service.answerer.check
    question = "Which practice did Bromet and Thijssen want ended at once?"
    hits = corpus_service.retriever.search(question, 10).hits
    farms = next(h for h in hits if "boerderijen" in h.passage.text)
    latent = next(h for h in hits if "latente ruimte per direct" in h.passage.text)
    assert check.on_topic(question, "en", [farms, latent]) == [1]
    assert check.on_topic(question, "en", [latent, farms, latent]) == [0, 2]
    assert check.on_topic(question, "en", [farms]) == [0]
    assert check.on_topic(question, "nl", [farms, latent]) == [0, 1]
    unnamed = "Which practice did the members want ended at once?"
    assert check.on_topic(unnamed, "en", [farms, latent]) == [0, 1]


def test_what_the_minister_said_is_not_answered_by_a_motion_that_does_not_quote_one(
    corpus_service: QAService,
) -> None:
    """A motion is the Kamer's words, not the minister's: "What did the minister say about
    reconstruction in Turkey?" is declined though Kuzu's motion on it is near; the minister's
    pledge is still answered from his letter, and a motion quoting a minister may answer."""
    from qa_service.answer.answer_check import minister_said

    assert minister_said("What did the minister say about Turkey?")
    assert minister_said("Wat zei de minister over Turkije?")
    assert not minister_said("What did the motion ask the minister to do?")
    assert not minister_said("What did minister Hoekstra promise?")  # a named one: any source
    assert not corpus_service.ask(
        "What did the minister say about reconstruction in Turkey?", 5
    ).answer.answerable
    pledge = corpus_service.ask("What did the minister pledge for Afghanistan?", 5).answer
    assert pledge.answerable and "honderd militairen" in pledge.answer


def test_an_english_topic_the_answer_document_lacks_in_dutch_is_missing() -> None:
    """ "What did Kathmann ask about the minimum wage?": "minimum" and "wage" have Dutch
    forms ("minim", "loon"), which her motion on buy-now-pay-later lacks; a word without one
    ("gadgets") is not judged. Names, a parenthesis and a question that asks no request are
    not judged here."""
    from qa_service.answer.answer_check import topic_lacking_en

    bnpl = "Motie van het lid Kathmann c.s.: verzoekt de regering minderjarigen te beschermen"
    assert topic_lacking_en("What did Kathmann ask about the minimum wage?", bnpl) == [
        ("minimum", "minim"),
        ("wage", "loon", "lonen"),
    ]
    assert topic_lacking_en("What did Kathmann ask about wage gadgets?", bnpl) == [
        ("wage", "loon", "lonen")
    ]
    wages = "verzoekt de regering het minimumloon te verhogen"
    assert topic_lacking_en("What did Kathmann ask about the minimum wage?", wages) == []
    # of police training on child abuse, a motion on forensic expertise on child abuse
    # lacks two words of four: the police and the training
    abuse = "het tekort aan forensische expertise over kindermisbruik"
    question = "What did Mutluer ask about police training on child abuse?"
    assert [t[0] for t in topic_lacking_en(question, abuse)] == ["police", "training"]
    quake = "een bijdrage aan de reconstructie in Turkije en Syrië"
    assert topic_lacking_en("What did Kuzu ask about schools in Syria?", quake)
    # a name (checked as a name elsewhere), a parenthesis: none
    assert topic_lacking_en("What did Kuzu ask about Syria?", quake) == []
    kat = "verzoekt de regering de beslagvrije voet jaarlijks te indexeren"
    question = "What did Kat ask about the beslagvrije voet (the protected income)?"
    assert topic_lacking_en(question, kat) == []
    # another kind of question: one lacking topic is not enough, two are
    assert topic_lacking_en("Is there a motion about wages?", bnpl) == []
    assert len(topic_lacking_en("Is there a motion about the minimum wage?", bnpl)) == 2
    # procedure words are not topics ("reporters" is not "rapporteren"); of three topic
    # words one may be lacking ("school": the motion says "onderwijs"), of two none
    pas = "verzoekt de regering het verificatieproces van PAS-melders te versnellen"
    assert topic_lacking_en("What did Van Campen ask about PAS reporters?", pas) == []
    refugees = "vluchtelingenkinderen die onderwijs mislopen"
    assert topic_lacking_en("What did X ask about refugee children missing school?", refugees) == []
    assert topic_lacking_en("What did X ask about refugee students?", refugees) == [
        ("students", "student", "studie", "studen")
    ]
    # what the minister said about a topic: as what an MP asked about one
    letter = "de materiële en personele tekorten en de dienstplichtige niet"
    said = "What did the minister say about women in the armed forces?"
    assert [t[0] for t in topic_lacking_en(said, letter)] == ["women"]
    shortages = "What did the minister say about the shortages of equipment and personnel?"
    assert topic_lacking_en(shortages, letter) == []
    # any other question: two lacking topics and more than a third, not one
    ai = "verzoekt de regering een AI-strategie voor het onderwijs te ontwikkelen"
    lacking = topic_lacking_en("Which schools already use AI in their lessons?", ai)
    assert [t[0] for t in lacking] == ["schools", "lessons"]
    road = "de stikstofruimte die Rijkswaterstaat voor de A27 opkocht"
    assert topic_lacking_en("What nitrogen space was bought for the A27 motorway?", road) == []
    # the tax burden is the "lastendruk"; an inheritance tax is not any tax
    burden = "niet in de eerste plaats de lastendruk voor het bedrijfsleven te verhogen"
    assert topic_lacking_en("What did X ask about the tax burden on businesses?", burden) == []
    plan = "elk jaar in aanloop naar het Belastingplan inzicht geven"
    assert topic_lacking_en("What did X ask about inheritance tax?", plan) == [
        ("inheritance", "erfbelasting", "erfenis", "nalaten", "successie", "inheritan")
    ]


def test_an_english_question_names_a_topic_the_floor_can_measure() -> None:
    """The topic floor measures the question without its MPs' names: a topic after "about"
    or a policy topic; a question naming neither has nothing left to measure."""
    from qa_service.answer.answer_check import names_topic

    assert names_topic("What did Kops ask about seals?")
    assert names_topic("What did Kathmann want for the minimum wage?")
    assert not names_topic("What did Romke de Jong and Boucke ask the government to draw up?")


def test_a_hyphenated_word_names_the_topics_of_its_parts() -> None:
    from qa_service.answer.topic_words import translated_terms

    assert [t[0] for t in translated_terms("coal-fired power stations", False)] == ["coal"]
    assert [t[0] for t in translated_terms("self-employed people", False)] == ["self-employed"]


def test_the_year_of_an_undated_document_dates_it_not_the_figure() -> None:
    """An OCR report without a recorded date ("Vastgesteld 16 December 1893" in its text):
    "the toll levy proposed in 1893" names the report's year, not the year of the figure
    asked. A dated document, or an undated one whose text lacks the year, keeps the check."""
    from qa_service.answer.answer_check import _undated
    from qa_service.documents import DocumentMeta

    undated = DocumentMeta(doc_id="0000378581", title="")
    text = "binnen den tijd van vijf jaar ... vastgesteld 16 december 1893"
    assert _undated("a figure for 1893", undated, text) is None
    assert _undated("a figure for 1894", undated, text) == "a figure for 1894"
    assert _undated("a number", undated, text) == "a number"
    assert _undated(None, undated, text) is None
    dated = DocumentMeta(doc_id="kst-1", title="Motie", date="2023-02-01")
    assert _undated("a figure for 1893", dated, text) == "a figure for 1893"
