"""The kind of answer a question asks for: a number, an amount, a time, a vote, a person."""

from __future__ import annotations

import pytest

from qa_service.answer.answer_types import missing_answer_type

TROOPS = (
    "Ik heb toegelicht dat we thans bezig zijn met de uitwerking van de eerder toegezegde "
    "personele bijdrage van ongeveer honderd militairen voor 2018."
)
HOTEL = (
    "Motie van het lid Eerdmans over de asielopvang in het voormalige hotel in Albergen per "
    "1 november 2032 definitief stoppen."
)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Hoeveel militairen stuurt Nederland in 2018?", TROOPS),  # honderd, not 2018
        ("How many troops does the Netherlands send?", TROOPS),
        ("Hoeveel Kamerleden steunden het?", "Het werd door tweehonderdvijftig leden gesteund."),
        ("What percentage of GDP goes to defence?", "Defensie krijgt 2 procent van het bbp."),
        ("Welk percentage?", "Het tarief daalt naar 19%."),
        # a share of a budget is a percentage, not an amount of money
        ("What share of the total budget is affected?", "Een vermindering van plm. 1 % ervan."),
        ("Hoeveel geld trekt het kabinet uit?", "Het kabinet trekt 5 miljard euro uit."),
        ("How much does the ban cost?", "Het verbod kost € 12 mln."),
        # guilders, in the historical documents, with digits grouped by spaces
        ("Hoeveel geld stelt de regering beschikbaar?", "Er wordt f 15 000 000 toegezegd."),
        ("How much money did it cost?", "Het kostte ƒ 2,50 per stuk."),
        ("Hoeveel geld?", "De kosten bedragen hfl. 300 per jaar."),
        ("Hoeveel geld?", "De kosten bedragen 40 gulden."),
        ("Hoe hoog is de subsidie?", "De subsidie bedraagt € 1.200 per jaar. [1]"),
        ("How high was the debt?", "De schuld bedroeg 40.000 gulden. [1]"),
        ("Wie tekende de brief?", "De minister van Defensie."),  # no quantity asked
        ("What did the minister pledge?", HOTEL),
        ("Hoeveel militairen?", TROOPS + " [1]"),
        # a statement with "hoeveel" inside (a motion's subject), not a quantity asked
        ("Motie over inzichtelijk maken hoeveel geld er op de plank ligt", HOTEL),
        ("Motie van het lid Mutluer over onderzoeken hoe groot het tekort is", HOTEL),
        ("Met welke opzet stemden de ministers in?", TROOPS),  # instemmen: agree, not vote
        ("Is de motie aangenomen?", "De motie is met algemene stemmen aangenomen. [1]"),
        ("Who voted against the motion?", "Tegen de motie stemden de leden van de PVV."),
        # a list number is not a figure, the figure after it is
        ("Hoeveel werknemers?", "1 Het bedrijf heeft 250 werknemers ontslagen. [1]"),
        # a duration: a figure of a unit of time, or until when
        ("Hoe lang duurt de missie al?", "De missie loopt al drie jaar. [1]"),
        ("Within what period should a plan follow?", "Binnen een maand een plan. [1]"),
        ("What is the payback period?", "De terugverdientermijn wordt 12 jaar. [1]"),
        ("How long will the ban apply?", "Het verbod geldt tot 1 januari 2025. [1]"),
        ("Hoe lang blijft de opvang open?", "De opvang blijft open tot de zomer. [1]"),
        ("When should the allowance be paid?", "Verzoekt de regering het per direct uit te keren."),
        # the year asked, or the sentences' own year ("dit jaar"); a year naming a document
        ("How many troops in 2018?", "Een bijdrage van honderd militairen voor 2018."),
        ("Hoeveel werknemers kregen in 1977 ontslag?", "In januari van dit jaar 250 werknemers."),
        ("How many homes, according to Van der Sanden's 1973 questions?", "10 000 woningen."),
        ("How many were lit last year?", "Vorig jaar werden er 600 paasvuren ontstoken."),
        ("Hoeveel waren het afgelopen jaar?", "In 2022 waren het er 600."),
        # when something will happen: a date, or an event it comes during, or at once
        ("Wanneer wordt het voorstel voorgelegd?", "Het wordt in februari 2018 voorgelegd."),
        (
            "When will the ban take effect?",
            "Verzoekt de regering het verbod per direct in te voeren.",
        ),
        ("How many?", "(Ontvangen 13 april 1993) 2 Er vertrokken vier kantonrechters. [1]"),
        # a time: a date, month, year, season, recess or deadline
        ("Wanneer informeert de regering de Kamer?", "Voor het zomerreces informeert zij. [1]"),
        ("When does the decree take effect?", "Het besluit treedt uiterlijk 15 februari in."),
        ("Per wanneer komt er beleid?", "Het beleid komt er per 1 januari 1983. [1]"),
        ("By when should the plan be sent?", "Het plan komt er op korte termijn."),
        ("Tot welke datum kon dat?", "Dat kon tot volgend jaar."),
        ("Wanneer hoort de Kamer het?", "De Kamer hoort het bij de Voorjaarsnota. [1]"),
        ("Wanneer komen de voorstellen?", "Verzoekt de regering in de februaribrief te komen."),
        ("When will the House be informed?", "Tijdens het debat over de begroting. [1]"),
        ("When does Heathrow do its maintenance?", "Heathrow doet het zo veel mogelijk ’s nachts."),
        # how often: a frequency is a time
        (
            "Hoe vaak moet de regering rapporteren?",
            "Verzoekt de regering ieder kwartaal te rapporteren.",
        ),
        (
            "How often should the House be informed?",
            "Verzoekt de regering halfjaarlijks te informeren.",
        ),
        # "when" joining a clause asks for no time
        ("What did they stress when discussing North Korea?", "Zij benadrukten de dialoog."),
        ("Welke boete kreeg het bedrijf?", "Het kreeg een boete van 5 miljoen euro. [1]"),
        # a count of a unit answered as one of it: the article is the figure
        (
            "Na hoeveel jaar verblijf moet een rechter toetsen bij overplaatsing?",
            "Verzoekt de regering rechterlijke toetsing na minimaal een jaar verblijf. [1]",
        ),
        ("After how many months is it reviewed?", "Het wordt na één maand getoetst. [1]"),
    ],
)
def test_answers_holding_the_quantity_asked_for_pass(question: str, answer: str) -> None:
    assert missing_answer_type(question, answer) is None


@pytest.mark.parametrize(
    ("question", "answer", "missing"),
    [
        # the topic is right, the figure asked for is not there (dates are not figures)
        ("How many asylum seekers are housed in the hotel in Albergen?", HOTEL, "a number"),
        ("Hoeveel asielzoekers wonen er in 2032?", HOTEL, "a number"),
        # the question's own figures do not count, nor do "Tweede" or "achter"
        ("Hoeveel van de 5 scholen?", "De Tweede Kamer staat achter de 5 scholen.", "a number"),
        ("Welk percentage van het bbp?", "Defensie krijgt 5 miljard euro extra.", "a percentage"),
        ("Voor welk bedrag kocht het COA het hotel?", HOTEL, "an amount of money"),
        # the past tense asks for money too; a size is no cost
        (
            "Hoeveel kostte de sluis?",
            "De sluis wordt 34 m lang en 6,5 m breed.",
            "an amount of money",
        ),
        (
            "How much money goes to the scholarships?",
            "Minstens 50 studiebeurzen.",
            "an amount of money",
        ),
        # compensation is money: 3 years of it is not an amount
        (
            "How much compensation per farmer did they propose?",
            "Verzoekt het kabinet 3 jaar een ruimhartige compensatie uit te keren.",
            "an amount of money",
        ),
        # citation markers are not figures, nor are references to numbered things
        ("How many asylum seekers live there?", "Het hotel in Albergen sluit. [1] [2]", "a number"),
        (
            "How many judges dropped out?",
            "Zie het Juristenblad (nrs. 9 en 10), blz. 5583 en art. 36a van de wet. [1]",
            "a number",
        ),
        # the question's own amount, with its scale word in either language
        (
            "How much of the extra 5 billion euros goes to cyber?",
            "Het kabinet trekt 5 miljard euro extra uit voor de komende vier jaar. [1]",
            "an amount of money",
        ),
        # how the vote went: the motion's own text does not say
        ("Was the motion adopted by the House?", HOTEL + " [1]", "a vote"),
        ("How many MPs voted in favour of the motion?", HOTEL, "a vote"),
        ("Werd de motie verworpen?", HOTEL, "a vote"),
        ("By what percentage did Kops want rents lowered?", HOTEL, "a percentage"),
        ("Wat vroeg de motie, en hoeveel kost het?", HOTEL, "an amount of money"),
        ("Hoeveel geld kost de f.m.-zender?", "De f.m.-zender in 15 steden.", "an amount of money"),
        # a debt, tax, subsidy, fine or price is money: a dossier number is no amount
        (
            "Hoe hoog was de belastingschuld van W. de Lange?",
            "Zitting 1973-1974 12 624 Verslag nr. 50 over het adres van W. de Lange. [1]",
            "an amount of money",
        ),
        (
            "How high is the fine for speeding?",
            "De boete geldt vanaf 10 km te hard.",
            "an amount of money",
        ),
        ("Volgens de motie-Kat, hoeveel mensen?", HOTEL, "a number"),
        # the list numbers of written questions are not figures either
        (
            "Hoeveel dieren werden er gevolgd in het rapport?",
            "(Ingezonden 21 juli 1992) 1 Hebt u kennisgenomen van het rapport? [1]",
            "a number",
        ),
        ("How many judges left?", "2In de advertentie staan de vacatures. [1]", "a number"),
        # "what salary / welke boete" asks an amount as "how much" does
        (
            "What salary did A. P. Staalman receive?",
            "De heer A. P. Staalman is met ingang van 1 November tijdelijk aangesteld. [1]",
            "an amount of money",
        ),
        # a Kamerstuk cited by its dossier and number holds no figure
        (
            "How many motions asked for it?",
            "Zoals de motie-Dassen c.s. (36 120, nr. 24) en (21 501-20, nr. 1911) vroeg. [1]",
            "a number",
        ),
        (
            "How much venture capital did start-ups raise?",
            "Toegang tot kapitaal is cruciaal voor start-ups. [1]",
            "an amount of money",
        ),
        # one of another unit, or of a unit not asked, is no such count
        ("Hoeveel jaar duurt de missie?", "De missie duurt een maand. [1]", "a number"),
        ("Hoeveel militairen gaan er?", "Zij gaan een jaar lang. [1]", "a number"),
        # "when" asked, no time answered (the right topic, another motion's ask)
        (
            "Wanneer moet de regering de Kamer over de selectie informeren?",
            "Verzoekt de regering afspraken te maken met instellingen en de Kamer te informeren.",
            "a time",
        ),
        (
            "Hoe vaak moet de regering de Kamer informeren?",
            "Verzoekt de regering de Kamer te informeren over de achterstanden.",
            "a time",
        ),
        (
            "Uiterlijk op welke datum moet het besluit ingaan?",
            HOTEL.replace(" per 1 november 2032", ""),
            "a time",
        ),
        # how long asked: "elk jaar" is a time, not how long something lasts
        (
            "What is the current payback period for solar panels?",
            "Verzoekt de regering elk jaar inzicht te geven in de actuele terugverdientermijn.",
            "a duration",
        ),
        (
            "Binnen welke termijn moet de regering rapporteren?",
            "De Kamer te informeren.",
            "a duration",
        ),
        ("How long will the ban apply?", "Het verbod geldt tot nader order.", "a duration"),
        (
            "How many schools were hit by a cyberattack last year?",
            "Sinds 21 december 2021 gemiddeld 8.600 aanvallen per dag op scholen.",
            "a figure for last year",
        ),
        # "direct" as "directly" is no time ("per direct" is: immediately)
        (
            "When did the EU place the Wagner Group on its terrorist list?",
            "De Wagner Group kan direct in verband gebracht worden met het Kremlin.",
            "a time",
        ),
    ],
)
def test_answers_without_it_are_flagged(question: str, answer: str, missing: str) -> None:
    assert missing_answer_type(question, answer) == missing


def test_a_who_question_needs_a_person_named() -> None:
    from qa_service.answer.persons import missing_person

    asked = "Which MP asked in March 1989 whether the Constitution allows it?"
    assert missing_person(asked, "Deze vraag kwam op naar aanleiding van mijn voornemen.")
    assert not missing_person(asked, "Is door de heer Van den Berg de vraag gesteld of ...")
    assert not missing_person("Wie diende de motie in?", "Ingediend door het lid Kops.")
    assert not missing_person("Welke minister antwoordde?", "Antwoord van minister Lubbers.")
    assert not missing_person("Who answered?", "Antwoord van Minister Lubbers (EZ).")
    assert not missing_person("Wie vroeg het?", "De heer Van den Berg vroeg het.")
    assert not missing_person("What did the minister pledge?", "Trainers.")  # not a who


def test_a_question_asking_for_a_role_or_a_name_needs_someone_holding_it() -> None:
    from qa_service.answer.answer_types import missing_answer_type
    from qa_service.answer.persons import missing_role

    commander = "Which Dutch commander will lead the surgical team at TAAC-North?"
    letter = "Ik heb toegelicht dat we bezig zijn, inclusief een chirurgisch team aan TAAC-North."
    assert missing_role(commander, letter)
    assert missing_answer_type(commander, letter) == "a person"
    assert not missing_role(commander, "De commandant van het team is kolonel Jansen.")
    assert not missing_role("Welke commandant sprak?", "Generaal Middendorp, commandant.")
    assert not missing_role("Which NATO commander spoke?", "SACEUR beklemtoonde dat het kan.")
    assert not missing_role("Which commanders replied?", "Toen lieten SACEUR en SACT weten dat")
    assert missing_role("Welke generaal sprak?", "De Secretaris-generaal sprak.")  # not a generaal
    court = "What was the name of the president of the district court?"
    assert missing_role(court, "De vacatures van vice-president van en rechter te Alkmaar.")
    assert missing_role(court, "In de rubriek Vacatures in de Rechterlijke Macht")
    assert not missing_role(court, "Op verzoek van de president, mr. J. de Vries, is")
    chair = "Hoe heette de voorzitter?"
    assert not missing_role(chair, "De voorzitter van de Commissie, Van der Meer")
    assert missing_role(chair, "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal")
    assert missing_role(chair, "De voorzitter van het Militair Comité, de Supreme Allied")
    # a post's capitalised name is not a person; a nationality before a role is no post name
    posts = "de Supreme Allied Commander Europe (SACEUR) en de Allied Commander Transformation"
    assert missing_role("Welke generaal voert het bevel?", posts)
    assert missing_role(chair, posts)
    # "Wie was (in 1937) voorzitter van ...": a name asked as "hoe heette" asks it
    held = "Wie was in 1937 voorzitter van de Commissie van Advies en Bijstand?"
    assert missing_role(held, "Verslag van de Commissie van Advies en Bijstand over 1937.")
    assert not missing_role(held, "De voorzitter van de Commissie, Van der Meer")
    assert not missing_role("Who is the chair of the committee?", "Voorzitter mr. J. de Vries")
    assert not missing_role("Wie is verantwoordelijk?", "Het ministerie.")  # no role asked
    assert not missing_role(chair, "de Amerikaanse Secretary of Defense Mattis sprak")
    assert not missing_role("Which president spoke?", "Afghan President Ghani spoke.")
    # a thing's name, an adjective, the writer's role: not a person asked for by role
    assert not missing_role("Hoe heet de «Iran deal» officieel?", "Het JCPOA.")
    assert not missing_role("Which general principles apply?", "Er gelden regels.")
    assert not missing_role("Which minister pledged trainers?", "Voorts heb ik toegezegd")
    assert not missing_role("Which leader opened it?", "De Secretaris-generaal opende het.")
    # a role asked by its verb needs the words of leading, whoever the answer names
    motion = "Motie van het lid Kuzu c.s.: verzoekt de regering een adviesgroep in te stellen"
    assert missing_role("Who chairs the advisory group?", motion)
    assert not missing_role(
        "Who chaired it?", "De ministers kwamen onder Duits voorzitterschap bijeen."
    )
    assert not missing_role("Wie leidt het team?", "Het team wordt geleid door kolonel Jansen.")


def test_what_does_it_cost_asks_for_an_amount() -> None:
    from qa_service.answer.answer_types import missing_answer_type

    troops = "Een bijdrage van ongeveer honderd militairen."
    assert missing_answer_type("Wat kost het trainingsprogramma?", troops) == "an amount of money"
    assert missing_answer_type("What could the programme cost?", troops) == "an amount of money"
    assert missing_answer_type("What did the renovation cost?", "Het kostte f 1,5 miljoen.") is None
    assert missing_answer_type("What did the minister say about costs?", "Niets.") is None


def test_a_dutch_how_many_question_needs_a_figure_of_what_it_counts() -> None:
    from qa_service.answer.answer_types import counted_noun, missing_answer_type, missing_count

    police = "Hoeveel Afghaanse politieagenten worden er opgeleid?"
    assert counted_noun(police) == "politieagenten"
    letter = (
        "Ik heb toegelicht dat we werken aan een bijdrage van honderd militairen. [1] "
        "Voorts heb ik trainers toegezegd voor het programma voor de Afghaanse politie. [1]"
    )
    assert missing_count(police, letter)
    assert missing_answer_type(police, letter) == "a number of politieagenten"
    assert not missing_count(police, "Er worden 500 Afghaanse politieagenten opgeleid.")
    assert missing_count(police, "Er worden 500 politieagenten opgeleid.")  # whose?
    assert not missing_count("Hoeveel woningen?", "Tot 2030 komen 290.000 seniorenwoningen.")
    assert not missing_count("Hoeveel Kamerleden?", "Het werd door 150 leden gesteund.")
    assert not missing_count("Hoeveel kinderen?", "Meer dan 7 miljoen kinderen zijn getroffen.")
    assert not missing_count("Hoeveel militairen?", "Het aantal militairen bedraagt 100.")
    quake = "meer dan 50.000 dodelijke slachtoffers en een veelvoud aan gewonden"
    assert not missing_count("Hoeveel slachtoffers?", quake)
    assert missing_count("Hoeveel gewonden?", quake)  # the 50.000 counts others
    assert missing_count("Hoeveel militairen in 2018?", "De militairen in 2018.")  # its own
    # another word for the thing counted may count it: not judged
    assert not missing_count("Hoeveel soldaten?", "Een bijdrage van honderd militairen.")
    assert not missing_count("Hoeveel doden?", "Meer dan 50.000 dodelijke slachtoffers.")
    # a verb, a unit or money after "hoeveel", or an English question naming nothing: none
    for question in ("Hoeveel bedroegen de kosten?", "Hoeveel geld?", "Hoeveel ton?", "How many?"):
        assert counted_noun(question) is None


def test_an_english_how_many_question_needs_a_figure_of_what_it_counts() -> None:
    """ "How many lawyers ..." counts lawyers ("advocaten"): a motion on assigning a lawyer
    within four months names them but counts months; the thing counted is found by its
    Dutch forms, after the words before it ("How many Dutch soldiers": militairen)."""
    from qa_service.answer.answer_types import (
        counted_forms,
        counted_noun,
        missing_answer_type,
        missing_count,
    )

    lawyers = "How many lawyers does the Raad voor Rechtsbijstand assign each year?"
    assert counted_noun(lawyers) == "lawyers"
    assert "advoca" in counted_forms(lawyers)
    motion = (
        "verzoekt de regering 30 rechtzoekenden bij de Jeugdbeschermingstafel een "
        "zelfgekozen advocaat toe te voegen"
    )
    assert missing_answer_type(lawyers, motion) == "a number of lawyers"
    assert missing_answer_type(lawyers, "Er werden 3.000 advocaten toegevoegd.") is None
    soldiers = "How many Dutch soldiers are in Mali?"
    assert "militairen" in counted_forms(soldiers)
    assert not missing_count(soldiers, "ongeveer honderd militairen in Mali")
    # a name counted, as written without its plural: "F-35s" in "F35-onderdelen"
    jets = "How many F-35s has the Netherlands ordered?"
    assert counted_forms(jets) == ("f-35", "f35")
    court = "binnen 7 dagen de doorlevering van Amerikaanse F35-onderdelen stopzetten"
    assert missing_count(jets, court)
    assert not missing_count(jets, "Nederland bestelde 52 F-35's.")
    # a unit, or words without a Dutch form: judged otherwise, or not at all
    for question in ("How many months?", "How many widgets were sold?", "How many MPs signed?"):
        assert counted_forms(question) == ()
    assert not missing_count("How many widgets were sold?", "Er zijn widgets.")


def test_things_counted_from_a_country_need_it_in_the_figures_sentence() -> None:
    """ "Hoeveel Afghaanse militairen" counts Afghan soldiers: "honderd militairen" (Dutch
    ones) with the Afghan police in the next sentence does not; the documents' own country
    goes without saying."""
    from qa_service.answer.answer_types import missing_count

    afghans = "Hoeveel Afghaanse militairen volgen het trainingsprogramma?"
    dutch = "een bijdrage van ongeveer honderd militairen. [1] trainers voor de Afghaanse politie"
    assert missing_count(afghans, dutch)
    assert not missing_count(afghans, "Er volgen 300 Afghaanse militairen de training.")
    assert not missing_count("Hoeveel Nederlandse militairen?", "ongeveer honderd militairen")


def test_which_country_needs_a_country_beyond_the_questions_own() -> None:
    question = "Which country already takes national measures against violent settlers?"
    assert missing_answer_type(question, "verzoekt de regering sancties in te stellen") == (
        "a country"
    )
    assert missing_answer_type(question, "constaterende dat Frankrijk al maatregelen treft") is None
    trade = "Met welke landen sloten Nederland, België en Luxemburg handelsovereenkomsten?"
    assert missing_answer_type(trade, "Nederland, België en Luxemburg") == "a country"
    assert missing_answer_type(trade, "en de Republiek Tunesië anderzijds") is None
    danes = "Met de regering van welk land wil Eerdmans optrekken?"
    assert missing_answer_type(danes, "op te trekken met de Deense regering") is None
    assert missing_answer_type("Where is the land registry?", "Het kadaster.") is None
    # member states are countries too
    states = "Which member states already meet the WHO air quality standards?"
    assert missing_answer_type(states, "de WHO-normen worden vastgelegd") == "a country"
    assert missing_answer_type("Welke lidstaten?", "Alleen Zweden en Finland.") is None
    # the question's own country as an adjective, the documents' own country and union: none
    besides = "Which countries besides Morocco did Van der Plas want return agreements with?"
    morocco = "de Nederlandse regering heeft concessies gedaan; zijn Marokkaanse tegenhanger"
    assert missing_answer_type(besides, morocco) == "a country"
    assert missing_answer_type(besides, "de Europese Commissie en Tunesië") is None


def test_which_law_needs_a_law_named() -> None:
    """A law is named as "de Wet luchtvaart", "de Afvalstoffenwet" or "the ... Act"; a motion
    on companies that names none does not answer which law should allow exceptions."""
    question = "Which law should allow exceptions for companies according to Van der Plas?"
    lacking = "verzoekt de regering om in overleg met corporaties een werkbare oplossing te vinden"
    assert missing_answer_type(question, lacking) == "a law"
    assert missing_answer_type(question, "hoe de Afvalstoffenwet gewijzigd kan worden") is None
    dutch = "Na de inwerkingtreding van welke wet spelen de regietafels een rol?"
    assert missing_answer_type(dutch, "de regietafels spelen een rol") == "a law"
    assert missing_answer_type(dutch, "na inwerkingtreding van de Wet gemeentelijke taak") is None
    assert missing_answer_type("Under which act?", "under the Aliens Act") is None
    # "wetgeving" (legislation) names no law; a question not asking which law needs none
    assert missing_answer_type(question, "vooruitlopen op Europese wetgeving") == "a law"
    assert missing_answer_type("What did the act change?", "niets") is None
    assert missing_answer_type("Which acts of violence were named?", "geweld") is None


def test_an_english_date_in_the_question_is_not_the_figure_asked_for() -> None:
    # "1 June" is a date: the answer's "1 miljoen euro" is a figure beyond the question's own
    asked = "How much money will the fund lack from 1 June, according to the motion?"
    fund = "overwegende dat dit fonds vanaf 1 juni waarschijnlijk 1 miljoen euro tekortkomt;"
    assert missing_answer_type(asked, fund) is None
    assert missing_answer_type(asked, "overwegende dat dit fonds vanaf 1 juni tekortkomt;")
    assert missing_answer_type("How many on June 1?", "Op 1 juni waren het er 1.") is None


def test_what_something_earned_asks_an_amount() -> None:
    """Earnings, profit, revenue (winst, opbrengst, verdienen) are money: a percentage on
    another subject does not answer how much coal plants earned."""
    asked = "How much did coal plants earn in 2022?"
    assert missing_answer_type(asked, "in lijn met 60% CO2-reductie") == "an amount of money"
    assert missing_answer_type(asked, "in 2022 een winst van 730 miljoen euro") is None
    dutch = "Hoeveel winst maakten de kolencentrales?"
    assert missing_answer_type(dutch, "zij draaiden veelvuldig") == "an amount of money"
    assert missing_answer_type("Wat leverde shirtreclame op?", "niets") is None  # no quantity


def test_money_and_percentages_are_asked_in_the_quantity_clause_only() -> None:
    # the tax is what the first clause asks for; the figure asked is of millionaires
    asked = "What tax did Dijk's motion want introduced, and how many millionaires are there?"
    motion = "constaterende dat er 317.000 miljonairs zijn; een miljonairsbelasting in te voeren"
    assert missing_answer_type(asked, motion) is None
    assert missing_answer_type(asked, "een miljonairsbelasting in te voeren") == "a number"
    assert missing_answer_type("How much tax did it raise?", "It raised 317.000.") == (
        "an amount of money"
    )


def test_things_counted_are_a_figure_not_money() -> None:
    """ "How many households must have earned back ...", "Hoeveel miljonairs ... een
    miljonairsbelasting": a figure of them answers, though the question speaks of money; a
    scale word before a plural noun counts it ("3,6 miljoen cyberaanvallen"), not euros."""
    asked = "How many households must have earned back their solar panels first?"
    assert missing_answer_type(asked, "wanneer minimaal 5 miljoen huishoudens") is None
    dutch = "Hoeveel miljardairs zijn er volgens de motie over een miljonairsbelasting?"
    assert missing_answer_type(dutch, "er zijn 51 miljardairs in Nederland") is None
    assert missing_answer_type("How many euros did it cost?", "5 miljoen mensen") == (
        "an amount of money"
    )
    spent = "How much did the government spend on software for schools?"
    attacks = "wat neerkomt op zo'n 3,6 miljoen cyberaanvallen"
    assert missing_answer_type(spent, attacks) == "an amount of money"
    assert missing_answer_type(spent, "er is 10 miljoen uitgetrokken") is None
    # a word with "ge" inside is a plural noun all the same ("jongeren"), not a participle
    assert missing_answer_type(spent, "voor 2 miljoen jongeren") == "an amount of money"


def test_a_part_asked_for_is_a_fraction_or_a_figure() -> None:
    """ "Welk deel van het fonds ..." is answered by "de helft", not by money; a part asked
    for needs some figure."""
    asked = "Welk deel van het fonds moet buiten de grote steden worden uitgegeven?"
    assert missing_answer_type(asked, "minimaal de helft van het fonds") is None
    assert missing_answer_type(asked, "zo veel mogelijk buiten de steden") == "a number"
    assert missing_answer_type("Which part of income is exempt?", "de eerste 30.000") is None


def test_a_count_of_a_unit_needs_a_figure_of_that_unit() -> None:
    """ "How many times did children move" is not answered by "binnen vier weken"; "hoeveel
    weken" is, and "hoeveel jaar" by "tien jaar" or "een jaar"."""
    weeks = "en hier binnen vier weken aan de Kamer over terug te koppelen"
    asked = "How many times did refugee children move last year?"
    assert missing_answer_type(asked, weeks) == "a number of times"
    assert (
        missing_answer_type("Binnen hoeveel weken moet de regering terugkoppelen?", weeks) is None
    )
    for answer in ("voor minimaal tien jaar vastleggen", "na minimaal een jaar verblijf"):
        assert missing_answer_type("Voor hoeveel jaar?", answer) is None
    assert missing_answer_type("For how many days?", "voor de duur van 180 dagen") is None


def test_a_span_of_time_is_not_the_figure_of_another_quantity() -> None:
    """ "Hoe hoog is de vermogensgrens?" asks an amount: a motion's "dertien weken" is no
    answer; a question asking a unit of time, a duration or a time still takes one."""
    from qa_service.answer.answer_types import missing_answer_type

    stay = (
        "ouderen verliezen de AIO bij een verblijf van langer dan dertien weken in het buitenland"
    )
    assert missing_answer_type("Hoe hoog is de vermogensgrens voor de AIO?", stay) == "a number"
    limit = "de vermogensgrens is 7.605 euro"
    assert missing_answer_type("Hoe hoog is de vermogensgrens voor de AIO?", limit) is None
    assert missing_answer_type("Hoeveel weken mag een oudere in het buitenland zijn?", stay) is None
    methane = "How much methane do humans produce per year?"
    assert missing_answer_type(methane, "grondstoffen die miljoenen jaren lagen opgeslagen")
    # nor by the digit of a name: "CO2" is no figure (a guilder amount "f6" is)
    assert missing_answer_type(methane, "CO2 die overblijft na het afbreken van methaan")
    assert missing_answer_type("How much was cut?", "ruim f6 min. wordt bezuinigd") is None
    both = "How many jobs are there, and within what period should parliament be informed?"
    assert missing_answer_type(both, "30.000 banen; binnen zes maanden informeren") is None


def test_a_number_word_glued_to_its_unit_by_ocr_counts_it() -> None:
    """OCR glues "vijf jaar" into "vijfjaar": it still gives the years asked."""
    from qa_service.answer.answer_types import missing_answer_type

    asked = "For how many years was the toll levy proposed?"
    assert missing_answer_type(asked, "binnen den tijd van vijfjaar, zijnde de termijn") is None
    assert missing_answer_type(asked, "binnen den tijd, zijnde de termijn") == "a number"
    # "een halfjaar" is written so: a duration
    within = "Binnen welke termijn moeten de oplossingen aan de Kamer worden gepresenteerd?"
    assert missing_answer_type(within, "deze binnen een halfjaar aan de Kamer presenteren") is None
    assert missing_answer_type(within, "deze aan de Kamer presenteren") == "a duration"
