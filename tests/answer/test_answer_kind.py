"""Completing the chosen sentences with the kind of answer asked, on small fixtures."""

from __future__ import annotations

from tests.answer.candidates import c


def test_a_missing_figure_comes_from_a_nearly_tied_sentence_of_the_same_document() -> None:
    from qa_service.answer.answer_kind import with_answer_type

    question = "How many homes were to be built in Wateringen?"
    heading = c(0, 0, 0.445, text="Vragen van het lid Van der Sanden over de gemeente Wateringen.")
    figure = c(
        1, 1, 0.410, text="Is het waar, dat de bouw van 10 000 woningen in Wateringen is voorzien?"
    )
    other = c(2, 0, 0.440, text="In Delft worden 500 woningen gebouwd.")  # another document: never
    far = c(1, 2, 0.300, text="Er komen 2 scholen.")  # too far below the chosen sentence
    documents = {0: "d1", 1: "d1", 2: "d2"}
    pool = [heading, figure, other, far]
    assert with_answer_type(question, [heading], pool, documents, 0.05) == [heading, figure]
    assert with_answer_type(question, [heading], pool, documents, 0.01) == [heading]
    # not asked for a figure, or the chosen sentences hold one already: unchanged
    assert with_answer_type("Who asked?", [heading], pool, documents, 0.05) == [heading]
    assert with_answer_type(question, [figure], pool, documents, 0.5) == [figure]
    assert with_answer_type(question, [heading], [heading, far], documents, 0.1) == [heading]


def test_a_motions_sentence_with_the_time_and_the_terms_the_answer_lacks_joins() -> None:
    """Of a motion (its unit is the document), the sentence that holds the time asked and
    question terms no chosen sentence holds joins at any score: the dictum "onderzoeken
    ..." answers what, "de Kamer hierover te informeren uiterlijk 1 september 2023" when.
    Not one that adds no term of the question, nor in a passage of a letter."""
    from qa_service.answer.answer_kind import with_answer_type

    question = "By when should the government inform parliament about solar panel production?"
    m = {"unit": "kst-1", "document": "kst-1"}
    dictum = c(0, 0, 0.58, "regeer", "zonnepanel", **m, text="verzoekt de regering te onderzoeken")
    when = c(1, 0, 0.36, "regeer", "kamer", "informer", **m, text="de Kamer uiterlijk 1 mei 2023")
    bare = c(
        1, 0, 0.36, "regeer", **m, text="verzoekt de regering dit uiterlijk 1 mei 2023 te doen"
    )
    other = c(2, 0, 0.40, "kamer", "informer", unit="kst-2", document="kst-2", text="in 2024")
    documents = {0: "kst-1", 1: "kst-1", 2: "kst-2"}
    assert with_answer_type(question, [dictum], [dictum, when, other], documents, 0.05) == [
        dictum,
        when,
    ]
    assert with_answer_type(question, [dictum], [dictum, bare], documents, 0.05) == [dictum]
    letter = {"unit": "brief#p0", "document": "brief"}
    lead = c(0, 0, 0.58, "regeer", **letter, text="De regering onderzoekt het.")
    later = c(0, 3, 0.36, "kamer", **letter, text="De Kamer hoort het in mei 2023.")
    assert with_answer_type(question, [lead], [lead, later], {0: "brief"}, 0.05) == [lead]


def test_a_motions_sentence_with_the_figure_asked_joins_on_any_question_term() -> None:
    """A figure asked ("Welk deel ...", "Hoeveel ...") that the chosen sentences lack: the
    motion's sentence giving one joins at any score when it holds a question term, though
    no term the chosen ones lack; not one holding none, and not for a time asked."""
    from qa_service.answer.answer_kind import with_answer_type

    question = "Welk deel van de zonnestroom van daken wordt nu zelf verbruikt?"
    m = {"unit": "kst-1", "document": "kst-1"}
    dictum = c(0, 0, 0.93, "dak", "verbruik", **m, text="verzoekt de regering het eigen verbruik")
    share = c(2, 0, 0.75, "dak", **m, text="slechts 30% van de zon op dak wordt zelf gebruikt")
    bare = c(3, 0, 0.75, **m, text="er zijn 5 aanbieders")
    documents = {0: "kst-1", 2: "kst-1", 3: "kst-1"}
    assert with_answer_type(question, [dictum], [dictum, share], documents, 0.05) == [
        dictum,
        share,
    ]
    assert with_answer_type(question, [dictum], [dictum, bare], documents, 0.05) == [dictum]
    when = "Wanneer wordt het eigen verbruik van daken gemeten?"
    dated = c(2, 0, 0.75, "dak", **m, text="op dak wordt in mei 2023 gemeten")
    assert with_answer_type(when, [dictum], [dictum, dated], documents, 0.05) == [dictum]


def test_a_who_question_gets_the_nearly_tied_sentence_naming_the_person() -> None:
    from qa_service.answer.answer_kind import with_answer_type

    answer = c(1, 0, 0.370, text="Deze vraag kwam op naar aanleiding van mijn voornemen.")
    person = c(
        0, 0, 0.351, text="Op 16 maart is door de heer Van den Berg de vraag gesteld of het mag."
    )
    pool, documents = [answer, person], {0: "d1", 1: "d1"}
    asked = "Which MP asked whether the Constitution allows it?"
    assert with_answer_type(asked, [answer], pool, documents, 0.05) == [answer, person]
    assert with_answer_type("Why was it asked?", [answer], pool, documents, 0.05) == [answer]


def test_who_holds_a_role_gets_the_sentence_naming_the_holder() -> None:
    from qa_service.answer.answer_kind import with_holder

    role = c(0, 0, 0.372, text="De Secretaris-generaal opende het werkdiner.")
    holder = c(1, 0, 0.317)  # far below, but it names him
    holder.text = "Op voorstel van Secretaris-generaal Stoltenberg spraken de Ministers."
    other = c(2, 0, 0.360, text="Secretaris-generaal Rutte sprak.")  # another document: never
    pool, documents = [role, holder, other], {0: "d1", 1: "d1", 2: "d2"}
    for asked in (
        "Who is the NATO Secretary General?",
        "What is the name of the Secretary General who opened the working dinner?",
        "Hoe heet de secretaris-generaal van de Navo?",
        "Wie is de secretaris-generaal?",
    ):
        assert with_holder(asked, [role], pool, documents) == [role, holder], asked
    # named already, another question, or no sentence names the holder: unchanged
    assert with_holder("Who is the NATO Secretary General?", [holder], pool, documents) == [holder]
    assert with_holder("What did the Secretary General say?", [role], pool, documents) == [role]
    assert with_holder("Who is the Secretary General?", [role], [role], documents) == [role]


def test_what_a_question_counts_gets_the_sentence_giving_a_figure_of_it() -> None:
    from qa_service.answer.answer_kind import with_counted

    coins = c(
        0,
        0,
        1.066,
        text="In het jaar 1890 zijn tot nieuwe zilveren pasmunt vermunt: 648 787 stukken.",
    )
    loss = c(1, 0, 0.612)  # far below, but it gives the loss
    loss.text = "Op die vermunting is mitsdien een verlies geleden van f 25 125,10."
    other = c(2, 0, 0.700, text="Het verlies bedroeg 300 gulden.")  # another document: never
    pool, documents = [coins, loss, other], {0: "d1", 1: "d1", 2: "d2"}
    asked = "Hoeveel verlies werd in 1890 geleden op de vermunting van nieuwe pasmunt?"
    assert with_counted(asked, [coins], pool, documents) == [coins, loss]
    # named already, nothing counted, or no sentence gives a figure of it: unchanged
    assert with_counted(asked, [loss], pool, documents) == [loss]
    assert with_counted("Wat werd er in 1890 vermunt?", [coins], pool, documents) == [coins]
    loss.text = "Op die vermunting is mitsdien een verlies geleden."
    assert with_counted(asked, [coins], pool, documents) == [coins]


def test_a_question_asking_consequences_gets_the_sentence_saying_what_it_leads_to() -> None:
    from qa_service.answer.answer_kind import with_consequence

    dictum = c(
        0, 0, 0.654, text="roept het kabinet op een realistischer fictief rendement te hanteren,"
    )
    leads = c(1, 0, 0.342)  # far below, but it says what the return leads to
    leads.text = "overwegende dat dit leidt tot onder andere significant welvaartsverlies;"
    other = c(2, 0, 0.500, text="overwegende dat dit tot uithuiszettingen leidt;")  # another doc
    pool, documents = [dictum, leads, other], {0: "m27", 1: "m27", 2: "m31"}
    asked = "Welke gevolgen van het hoge fictieve rendement noemt Eppink?"
    assert with_consequence(asked, [dictum], pool, documents) == [dictum, leads]
    english = "What consequences of the notional return does Eppink mention?"
    assert with_consequence(english, [dictum], pool, documents) == [dictum, leads]
    # no consequences asked, one chosen already, or none in the document: unchanged
    assert with_consequence("Wat vroeg Eppink?", [dictum], pool, documents) == [dictum]
    assert with_consequence("Wie leidt de missie?", [dictum], pool, documents) == [dictum]
    led = "Which country leads the mission to Mali?"
    assert with_consequence(led, [dictum], pool, documents) == [dictum]
    assert with_consequence("What does the return lead to?", [dictum], pool, documents) == [
        dictum,
        leads,
    ]
    assert with_consequence(asked, [leads], pool, documents) == [leads]
    assert with_consequence(asked, [dictum], [dictum, other], documents) == [dictum]


def test_a_kind_of_answer_no_sentence_of_the_document_gives_comes_from_a_nearly_tied_one() -> None:
    from qa_service.answer.answer_kind import from_typed_document

    asked = "Wanneer moet de regering de Kamer informeren over de selectieprocedures?"
    lead = c(
        0, 0, 0.907, text="verzoekt de regering afspraken te maken met instellingen over selectie,"
    )
    near = c(
        1, 0, 0.814, text="verzoekt de regering dat instellingen hun selectieprocedures toetsen,"
    )
    when = c(2, 0, 0.495)  # the same motion as ``near``: it says when
    when.text = "verzoekt de regering om de Kamer hierover te informeren voor het zomerreces,"
    far = c(3, 0, 0.700, text="verzoekt de regering de Kamer voor 1 juni te informeren,")
    documents = {0: "m14", 1: "m16", 2: "m16", 3: "m99"}
    pool = [lead, near, when, far]
    assert from_typed_document(asked, [lead], pool, documents, 0.1) == [near, when]
    # within the margin only (``far`` holds a time but scores 0.2 under), and 0 = off
    assert from_typed_document(asked, [lead], [lead, far], documents, 0.1) == [lead]
    assert from_typed_document(asked, [lead], pool, documents, 0.0) == [lead]
    # the chosen sentences give the kind asked: unchanged
    assert from_typed_document(asked, [when], pool, documents, 0.1) == [when]
    # only the nearest other document: when it names no time, one further down that does
    # (a motion on another fund, 200 miljoen euro) is no answer either
    untimed = c(
        1, 0, 0.850, text="verzoekt de regering inzichtelijk te maken hoe instellingen selecteren,"
    )
    later = c(3, 0, 0.830, text="verzoekt de regering de Kamer voor 1 juni te informeren,")
    further = [lead, untimed, later]
    assert from_typed_document(asked, [lead], further, documents, 0.1) == [lead]


def test_a_pledge_asked_gets_the_nearly_tied_sentence_holding_one() -> None:
    """ "What had the government already promised to explore with Suriname?": another
    motion's request scores best, the consideration "de regering heeft toegezegd ..." of
    the motion that answers it 0.16 lower: it leads, within the margin only."""
    from qa_service.answer.answer_kind import with_pledge

    request = c(0, 0, 0.679, "reger", "suriname", unit="m7")
    pledge = c(1, 0, 0.518, "reger", "suriname", "toezeg", unit="m5")
    own = c(3, 0, 0.499, "reger", "suriname", unit="m5")
    pool = [request, pledge, own]
    assert with_pledge([request, own], pool, 0.32) == [pledge, own]
    assert with_pledge([request], pool, 0.1) == [request]  # too far below
    assert with_pledge([pledge], pool, 0.32) == [pledge]  # one holds it already
