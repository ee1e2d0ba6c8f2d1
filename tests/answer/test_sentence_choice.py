"""The sentence chooser on small fixtures: answer passage first, needed neighbours,
composite questions, and the English -> Dutch vocabulary."""

from __future__ import annotations

from qa_service.answer.sentence_choice import (
    Candidate,
    choose,
    flat_terms,
    needs_next,
    needs_previous,
    question_terms,
)
from qa_service.text.overlap import alternatives
from tests.answer.candidates import c


def motion_pool(*sentences: tuple[int, int, float, str, str]) -> list[Candidate]:
    """Candidates ``(passage, order, score, unit, text)`` of motions."""
    pool = [c(p, o, score, unit=unit) for p, o, score, unit, _ in sentences]
    for candidate, (*_, text) in zip(pool, sentences, strict=True):
        candidate.text = text
    return pool


def texts(chosen: list[Candidate]) -> list[str]:
    return [x.text for x in chosen]


def test_connectives_and_colons() -> None:
    assert needs_previous("Voorts heb ik toegezegd trainers beschikbaar te stellen.")
    assert needs_previous("Daarnaast is er geld.")
    assert needs_previous("Dit centrum is geen onderdeel van Resolute Support.")
    assert needs_previous("Also, the minister agreed.")
    assert not needs_previous("Ik heb toegelicht dat we bezig zijn.")
    assert not needs_previous("De Ministers verwelkomden de strategie.")
    # a definite noun of the talk just announced, and a pronominal adverb anywhere
    assert needs_previous("De discussie ging vooral over de patstelling met de Taliban.")
    assert needs_previous("Het gesprek ging over Iran.")
    assert needs_previous("Het artikel gaat hoofdzakelijk in op logistieke problemen.")
    assert needs_previous("De Amerikaanse strategie en de Roadmap dragen hiertoe bij.")
    assert needs_previous("Het kabinet heeft daaraan gevolg gegeven.")
    assert not needs_previous("De discussienota verschijnt in mei.")
    assert not needs_previous("Het kabinet daarentegen wacht af.")
    assert needs_next("De Kamer verzoekt de regering:")
    assert not needs_next("Dat is alles.")


def test_a_continuing_sentence_brings_the_one_before_it() -> None:
    pool = [
        c(0, 0, 0.40, "afghanistan"),
        c(0, 1, 0.55, "toezeg"),
        c(0, 2, 0.70, "toezeg", "afghanistan"),
        c(1, 0, 0.66, "afghanistan"),
    ]
    pool[2].text = "Voorts heb ik toegezegd trainers beschikbaar te stellen."
    chosen = choose(pool, margin=0.08, max_sentences=3)
    # the best sentence with its predecessor, in reading order; passage 1 adds no new term
    assert [(x.passage, x.order) for x in chosen] == [(0, 1), (0, 2)]


def test_a_topic_sentence_brings_the_sentence_continuing_it() -> None:
    pool = [c(0, 0, 0.8, "bijeen"), c(0, 1, 0.3), c(0, 2, 0.2)]
    pool[0].text = "De Ministers van de landen met troepen kwamen kort bijeen."
    pool[1].text = "Hierbij kwamen de veiligheidssituatie en de Russische invloed aan de orde."
    pool[2].text = "Daarbij werd ook Iran besproken."  # one continuation, not a chain
    assert [(x.passage, x.order) for x in choose(pool, margin=0.05, max_sentences=1)] == [
        (0, 0),
        (0, 1),
    ]
    pool[1].text = "De plenaire sessie volgde."  # does not continue it: stays out
    assert [(x.passage, x.order) for x in choose(pool, margin=0.05, max_sentences=1)] == [(0, 0)]


def test_a_sentence_pointing_back_joins_the_answer() -> None:
    pool = [c(0, 0, 0.8, "taliban"), c(0, 1, 0.1)]
    pool[0].text = "SACEUR beklemtoonde dat het gunstig is de Taliban in het defensief te dringen."
    pool[1].text = "De Zuid-Azië strategie en de 3500 extra troepen dragen hiertoe bij."
    assert [(x.passage, x.order) for x in choose(pool, margin=0.05, max_sentences=1)] == [
        (0, 0),
        (0, 1),
    ]
    pool[0].text = "Voorts spraken de Ministers over de Resolute Support Mission."
    pool[1].text = "De discussie ging vooral over de patstelling met de Taliban."
    assert len(choose(pool, margin=0.05, max_sentences=1)) == 2


def test_a_colon_brings_the_next_sentence() -> None:
    pool = [c(0, 0, 0.8, "a"), c(0, 1, 0.1)]
    pool[0].text = "Het kabinet neemt twee maatregelen:"
    assert [(x.passage, x.order) for x in choose(pool, margin=0.05, max_sentences=1)] == [
        (0, 0),
        (0, 1),
    ]


def test_other_passages_join_only_for_missing_parts() -> None:
    pool = [
        c(0, 0, 0.70, "geld"),
        c(1, 0, 0.68, "geld"),  # close, but nothing new: left out
        c(2, 0, 0.65, "troep"),  # the question's other part
        c(3, 0, 0.50, "anders"),  # too far below the best
    ]
    chosen = choose(pool, margin=0.08, max_sentences=3)
    assert [x.passage for x in chosen] == [0, 2]


def test_the_answer_motion_adds_two_missing_terms_from_further_down() -> None:
    """A sentence of the answer's own motion holding two question terms the chosen one lacks
    joins from twice the margin below the best; one term, or another motion's, does not."""
    best = c(1, 0, 0.90, "vervoer", "groei", unit="m1", document="m1")
    first = c(0, 0, 0.60, "eerst", "voordat", "groei", unit="m1", document="m1")
    chosen = choose([best, first], margin=0.16, max_sentences=3)
    assert [x.passage for x in chosen] == [1, 0]
    one = c(0, 0, 0.60, "eerst", "groei", unit="m1", document="m1")
    assert choose([best, one], margin=0.16, max_sentences=3) == [best]
    other = c(2, 0, 0.60, "eerst", "voordat", unit="m2", document="m2")
    assert choose([best, other], margin=0.16, max_sentences=3) == [best]
    far = c(0, 0, 0.50, "eerst", "voordat", unit="m1", document="m1")
    assert choose([best, far], margin=0.16, max_sentences=3) == [best]


def test_a_consideration_continuing_the_one_before_it_in_another_passage_joins() -> None:
    """A motion's considerations are passages of their own: with ``follows`` the one that
    points back ("daarmee") comes with the chosen one before it, as a sentence of the same
    passage would; without it, or for a passage that does not follow, it stays out."""
    moving = c(0, 0, 0.52, "huurder", unit="m", text="constaterende dat huurders moeten verhuizen;")
    loss = c(
        2, 0, 0.36, "huurder", unit="m", text="overwegende dat zij daarmee hun korting verliezen;"
    )
    pool = [moving, loss]
    assert choose(pool, margin=0.1, max_sentences=1, follows={2: 0}) == [moving, loss]
    assert choose(pool, margin=0.1, max_sentences=1) == [moving]
    assert choose(pool, margin=0.1, max_sentences=1, follows={2: 1}) == [moving]


def test_another_document_does_not_add_what_the_answer_motion_says_itself() -> None:
    """The answer motion's consideration is best; another motion of the same MP scores next
    and adds "verzoekt" that the consideration lacks, but the answer motion's own dictum
    holds it: that dictum joins, the other motion stays out. Without such a dictum the
    other motion joins for the missing part, as before."""
    pool = [
        c(0, 0, 0.28, "stoffer", unit="m1", document="m1"),
        c(1, 0, 0.26, "stoffer", "verzoek", unit="m2", document="m2"),
        c(2, 0, 0.23, "stoffer", "verzoek", unit="m1", document="m1"),
    ]
    chosen = choose(pool, margin=0.16, max_sentences=3)
    assert [x.document for x in chosen] == ["m1", "m1"]
    lacking = [pool[0], pool[1], c(2, 0, 0.23, "stoffer", unit="m1", document="m1")]
    assert "m2" in [x.document for x in choose(lacking, margin=0.16, max_sentences=3)]


def test_a_question_asking_what_was_pledged_gets_the_pledges() -> None:
    """Of the chosen sentences of the letter's passage, those holding the pledge
    ("toegezegd") and the neighbours they need: the minister's support for Ghani, chosen for
    its score, pledges nothing."""
    from qa_service.answer.sentence_choice import asks_pledge, only_pledges, question_terms

    assert asks_pledge(question_terms("What did the minister pledge for Afghanistan?", "en"))
    assert asks_pledge(question_terms("Wat heeft de minister beloofd?", "nl"))
    assert not asks_pledge(question_terms("Wat zei de minister over Afghanistan?", "nl"))
    support = c(0, 0, 0.69, "afghanistan")
    troops = c(0, 1, 0.57, "toezeg")
    trainers = c(0, 2, 0.65, "afghanistan", "toezeg")
    trainers.text = "Voorts heb ik toegezegd trainers beschikbaar te stellen"
    pool = [support, troops, trainers]
    assert only_pledges([support, troops, trainers], pool) == [troops, trainers]
    assert only_pledges([support], pool) == [support]  # none pledges: unchanged
    # a pledge sentence keeps the sentence it continues ("Dit centrum ..." after it)
    centre = c(0, 3, 0.50, "afghanistan")
    centre.text = "Dit centrum is geen onderdeel van Resolute Support."
    chosen = [support, troops, trainers, centre]
    assert only_pledges(chosen, [*pool, centre]) == [troops, trainers, centre]


def test_the_answer_passage_contributes_within_the_margin() -> None:
    pool = [c(0, 0, 0.70, "a"), c(0, 3, 0.65, "a"), c(0, 5, 0.5, "a")]
    assert [x.order for x in choose(pool, margin=0.08, max_sentences=3)] == [0, 3]


def test_a_motion_is_one_unit() -> None:
    """Considerations and dictum of one motion may lie in two passages."""
    pool = [c(0, 0, 0.70, "a", unit="m1"), c(1, 0, 0.66, "a", unit="m1")]
    assert [x.passage for x in choose(pool, margin=0.08, max_sentences=3)] == [0, 1]


def test_at_most_max_sentences_chosen_for_their_score() -> None:
    pool = [c(0, i, 0.9 - i * 0.001, "a") for i in range(6)]
    assert len(choose(pool, margin=0.08, max_sentences=3)) == 3
    assert choose([], margin=0.08, max_sentences=3) == []


def test_english_parliamentary_verbs_find_dutch_terms() -> None:
    en = question_terms("What did the minister pledge for Afghanistan?", "en")
    nl = question_terms("Wat heeft de minister toegezegd voor Afghanistan?", "nl")
    assert "toezeg" in en and "toezeg" in nl
    assert set(en) == set(nl)  # question words ("what", "did") are no content terms
    assert ("verzoek", "verzocht") in question_terms("Which motion requested an evaluation?", "en")
    # "agree to" is the report's "stemden in met" or "overeenstemming", not only "akkoord"
    agree = next(t for t in question_terms("What did they agree to?", "en") if "akkoord" in t)
    assert {"stem", "instem", "overeenstem"} <= set(agree)
    # what the question says about the document ("noemt", "als voorbeeld") is no content
    assert question_terms("Welke subsidies noemt de motie als voorbeeld?", "nl") == [
        "subsidie",
        "motie",
    ]
    # the verbs of what motions ask: "enforce" is "handhaven", "abolish" "afschaffen"
    enforce = question_terms("Who should publish and enforce the norms?", "en")
    assert "handhaf" in [a for t in enforce for a in alternatives(t)]
    assert question_terms("Abolish it?", "en") == ["afschaf"]
    # and what considerations weigh: "threats" are "dreigingen", "challenges" "uitdagingen"
    assert "dreig" in str(question_terms("What about North Korea and other threats?", "en"))
    assert "uitdag" in str(question_terms("Which challenges do sports clubs face?", "en"))
    # and "withdraw" is "intrekken" ("de spreidingswet in te trekken"), "stop" "stopzetten"
    assert ("intrek", "introk", "terugtrek") in question_terms("Which law to withdraw?", "en")
    assert "stopzet" in str(question_terms("What did Westerveld want stopped?", "en"))
    # whose words the question asks for ("volgens Van der Lee") is no content either: x442
    # was declined for "volgen" missing from the motion
    assert question_terms("Wat moet volgens Stoffer getoetst worden?", "nl") == ["stoffer", "toets"]
    assert "accord" not in str(question_terms("Which fund, according to Kuzu?", "en"))


def test_an_english_name_finds_its_dutch_name() -> None:
    """``Russia`` is ``Rusland`` in the documents: either counts; a lower-case word that is a
    name's key ("may") stays itself, and without the glossary only the words as written."""
    terms = question_terms("Can NATO withstand a threat from Russia in May?", "en")
    assert ("russia", "rusland") in terms and ("nato", "navo") in terms
    assert ("may", "mei") in terms  # the month, capitalised
    assert "mei" not in str(question_terms("What may the cabinet do?", "en"))
    assert "rusland" not in str(question_terms("Russia?", "en", glossary=False))


def test_the_frame_of_a_question_is_left_out_on_request() -> None:
    """Without ``frame``, "vroeg" of "Wat vroeg X ...?" and "hoog" of "Hoe hoog ...?" are
    not terms: how the question asks, not what it is about."""
    from qa_service.answer.sentence_choice import question_terms

    asked = "Wat vroeg Kops over de hoge kosten?"
    assert "vroeg" in question_terms(asked, "nl")
    assert "vroeg" not in question_terms(asked, "nl", frame=False)
    assert "hoge" in question_terms(asked, "nl", frame=False)  # not after "hoe": a term
    height = "Hoe hoog kan de nadeelcompensatie oplopen?"
    assert len(question_terms(height, "nl")) == len(question_terms(height, "nl", frame=False)) + 1
    assert question_terms(height, "nl", frame=False) == question_terms(
        "Kan de nadeelcompensatie oplopen?", "nl"
    )


def test_dutch_words_for_a_pledge_also_look_up_the_documents_word() -> None:
    """ "beloofd", "beloven", "belofte" are looked up as themselves and as "toegezegd" /
    "toezegging", the letters' word; a reward ("beloning") is not a promise."""
    for question in (
        "Wat heeft de minister beloofd voor Afghanistan?",
        "Welke beloften deed de minister over Afghanistan?",
        "Wat zal de minister beloven?",
    ):
        terms = question_terms(question, "nl")
        pledge = next(t for t in terms if isinstance(t, tuple))  # alternatives: either counts
        assert pledge[0].startswith("belo") and "toezeg" in pledge, question
    assert ("beloofd", "toezeg") in question_terms("Wat heeft de minister beloofd?", "nl")
    assert "toezeg" not in flat_terms(question_terms("Hoe hoog is de beloning?", "nl"))


def test_an_english_word_with_several_dutch_terms_gives_alternatives() -> None:
    terms = question_terms("What did the minister promise for Afghanistan?", "en")
    assert ("toezeg", "beloofd") in terms and "afghanistan" in terms
    assert flat_terms(terms) == ["mini", "toezeg", "beloofd", "afghanistan"]


def test_a_why_question_on_a_motion_gets_its_consideration() -> None:
    from qa_service.answer.sentence_choice import asks_reason, with_reason

    assert asks_reason("Why did De Roon want diplomats expelled?")
    assert asks_reason("Waarom wil de indiener dat?")
    assert asks_reason("Om welke reden vraagt de motie dit?")
    assert not asks_reason("What did the motion ask?")
    pool = motion_pool(
        (0, 0, 0.30, "m1", "constaterende dat Marokko een spionage-operatie runde;"),
        (0, 1, 0.35, "m1", "overwegende dat dit onaanvaardbaar is;"),
        (1, 0, 0.60, "m1", "verzoekt de regering diplomaten uit te zetten,"),
        (2, 0, 0.50, "m2", "constaterende dat iets anders speelt;"),  # another motion's reason
    )
    chosen = with_reason([pool[2]], pool)
    assert [x.text for x in chosen] == [pool[1].text, pool[2].text]
    assert with_reason(chosen, pool) == chosen  # a consideration is there already
    assert with_reason([pool[3]], pool) == [pool[3]]


def test_a_why_question_gets_a_consideration_that_weighs_not_only_one_that_notes() -> None:
    """ "constaterende dat" notes a fact (the Commission's proposal), "overwegende dat" weighs
    a reason (the taxpayer): when only the first is chosen, the best of the second joins."""
    from qa_service.answer.sentence_choice import with_reason

    pool = motion_pool(
        (0, 0, 0.60, "m1", "constaterende dat de Commissie een fonds voorstelt;"),
        (0, 1, 0.40, "m1", "overwegende dat de belastingbetaler niet mag opdraaien;"),
        (0, 2, 0.30, "m1", "van mening dat het fonds overbodig is;"),
        (1, 0, 0.55, "m1", "verzoekt de regering niet in te stemmen met het fonds,"),
    )
    chosen = with_reason([pool[0], pool[3]], pool)
    assert [x.text for x in chosen] == [pool[0].text, pool[1].text, pool[3].text]
    assert with_reason(chosen, pool) == chosen
    noted = motion_pool((0, 0, 0.6, "m1", "constaterende dat X;"), (1, 0, 0.5, "m1", "verzoekt Y,"))
    assert with_reason(noted, noted) == noted  # no reasoning consideration to add


def test_a_question_asking_what_a_motion_wants_gets_its_dictum() -> None:
    from qa_service.answer.sentence_choice import asks_request, with_dictum

    assert asks_request("Wat wil Tielen bereiken voor jongeren?")
    assert asks_request("Wat vroegen Kat en Paulusma?")
    assert asks_request("What did Eppink call on the cabinet to do for the self-employed?")
    assert asks_request("What does the Dobbe motion want the government to say?")
    assert not asks_request("Welke organisatie inventariseert de schade?")
    assert asks_request("Hoe vaak moet de regering rapporteren over de achterstanden?")
    assert asks_request("How often should the government report on the backlog?")
    assert not asks_request("Hoe vaak vergaderde de Navo?")
    pool = motion_pool(
        (0, 0, 0.85, "m1", "Overwegende dat er jongeren zijn met behoefte aan zorg;"),
        (0, 1, 0.40, "m1", "Constaterende dat onderzoekers aanbevelen de zorg te verbreden;"),
        (1, 0, 0.22, "m1", "Verzoekt de regering te komen tot bredere zorgprotocollen;"),
        (2, 0, 0.30, "m2", "verzoekt de regering iets anders,"),  # another motion's ask
    )
    chosen = with_dictum([pool[0]], pool)
    assert [x.text for x in chosen] == [pool[0].text, pool[2].text]
    assert with_dictum(chosen, pool) == chosen  # the dictum is there already
    assert with_dictum([pool[3]], pool) == [pool[3]]
    letter = c(3, 0, 0.9)  # a letter's passage is no motion: nothing to add
    assert with_dictum([letter], [letter, *pool]) == [letter]


def test_signatures_are_not_answer_sentences() -> None:
    from qa_service.text.names import names_only

    assert names_only("Jasper van Dijk")
    assert names_only("Westerveld, Kwint")
    assert names_only("Van der Plas en Eppink")
    assert not names_only("De Ministers verwelkomden de strategie.")
    assert not names_only("verzoekt de regering het SNF-keurmerk verplicht te stellen,")


def test_a_question_asking_an_opinion_and_a_sentence_asking_back() -> None:
    from qa_service.answer.sentence_choice import asks_back, asks_opinion

    assert asks_opinion("Wat vindt de minister van de knelpunten?")
    assert asks_opinion("Does the minister think NATO can withstand it?")
    assert asks_opinion("What is the cabinet's view on the article?")
    assert not asks_opinion("What did the minister say about Russia?")
    assert asks_back("Een artikel waarin de vraag wordt gesteld of de Navo het aankan. [1]")
    assert asks_back("Deelt u de mening dat dit onwenselijk is?")
    assert not asks_back("De Navo is uitstekend in staat om het hoofd te bieden.")


def test_a_question_about_the_minister_asks_for_the_writer_speaking() -> None:
    from qa_service.answer.sentence_choice import asks_writer, writer_speaks

    assert asks_writer("What did the minister promise for Afghanistan?")
    assert asks_writer("Wat heeft de staatssecretaris toegezegd?")
    assert asks_writer("What did the Prime Minister say?")
    assert not asks_writer("What did the ministers discuss?")  # NATO's ministers
    assert not asks_writer("Wat bespraken de ministers van Defensie?")
    assert asks_writer("How many troops will the Netherlands send in 2018?")
    assert asks_writer("Hoeveel militairen levert Nederland in 2018?")
    assert asks_writer("What has the Dutch government promised?")
    assert not asks_writer("Welke Nederlandse bijdrage noemde Stoltenberg?")
    assert not asks_writer("How many troops does Germany contribute?")
    assert writer_speaks("Voorts heb ik toegezegd trainers beschikbaar te stellen.")
    assert writer_speaks("Zoals gemeld in mijn brief van 3 oktober.")
    assert writer_speaks("Ik heb toegelicht dat we thans bezig zijn.")
    assert not writer_speaks("Voorts spraken de Ministers over de RSM.")
    assert not writer_speaks("De Mijnbouwwet wordt gewijzigd.")  # a word, not "mijn"
    from qa_service.documents import DocumentMeta

    motion = DocumentMeta(doc_id="kst-1-2", doc_type="motie")
    letter = DocumentMeta(doc_id="kst-1-3", doc_type="brief")
    assert not writer_speaks("terwijl dit programma centraal staat binnen onze luchtmacht;", motion)
    assert writer_speaks("Voorts heb ik toegezegd trainers te leveren.", letter)


def test_a_question_asking_which_motions_gets_several() -> None:
    from qa_service.answer.sentence_choice import LIST_MAX, asks_list, with_others

    assert asks_list("Welke moties gaan over stikstof?")
    assert asks_list("Which motions ask for support for Ukraine?")
    assert asks_list("Zijn er moties over asielopvang?")
    assert not asks_list("Welke motie vraagt om de Wwft te evalueren?")  # one motion
    assert not asks_list("Wat vroeg de motie over stikstof?")
    pool = motion_pool(
        (0, 0, 0.64, "m1", "verzoekt de regering stikstof te reduceren,"),
        (1, 0, 0.61, "m2", "overwegende dat extern salderen stikstof kost;"),
        (2, 0, 0.52, "m3", "verzoekt de regering met de buurlanden stikstof te reduceren,"),
        (3, 0, 0.40, "m4", "verzoekt de regering iets anders te doen,"),  # too far below
        (4, 0, 0.60, "m2", "verzoekt de regering extern salderen te beperken,"),  # m2 again
    )
    listed = with_others([pool[0]], pool, margin=0.16)
    assert [x.unit for x in listed] == ["m1", "m2", "m3"]
    assert pool[4] not in listed  # one sentence per motion: its best
    many = motion_pool(*((i, 0, 0.9 - i * 0.01, f"m{i}", f"verzoekt {i},") for i in range(9)))
    assert len(with_others([many[0]], many, margin=0.16)) == LIST_MAX


def test_a_question_asking_which_motion_keeps_the_motions_sentences() -> None:
    """ "Welke motie vraagt om betere beveiliging ...?" is answered by the motion; a letter's
    sentence on the same security, nearly as near, is left out (its document would be the
    answer's own and lack "motie"); without a motion among them, every sentence stays."""
    from qa_service.answer.sentence_choice import only_motions

    chosen = [c(0, 0, 0.63), c(1, 0, 0.59)]
    motion = {0: True, 1: False}.__getitem__
    asked = "Welke motie vraagt om betere beveiliging van overheidswebsites?"
    assert [x.passage for x in only_motions(asked, chosen, motion)] == [0]
    assert only_motions("Which motions ask for security?", chosen, motion) == chosen[:1]
    assert only_motions("Wat zei de minister over beveiliging?", chosen, motion) == chosen
    assert only_motions(asked, chosen, lambda r: False) == chosen
