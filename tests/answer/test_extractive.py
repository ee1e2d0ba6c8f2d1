"""Which vectors the extractive answerer scores sentences with: stored (index) or embedded now."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from qa_service.answer.extractive import ExtractiveAnswerer
from qa_service.config import Settings
from qa_service.documents import attributed
from qa_service.embedding import Embedder
from qa_service.search.retriever import Hit
from qa_service.service import QAService

DUTCH = "Wat heeft de minister toegezegd voor Afghanistan?"
ENGLISH = "What did the NATO defence ministers decide about deterrence?"


@pytest.fixture(scope="module")
def service(corpus_index: Settings, embedder: Embedder) -> Iterator[QAService]:
    s = QAService(corpus_index.model_copy(update={"answer_sentence_cache": 0}), embedder)
    s.warm_up()
    yield s
    s.close()


class EmbedSpy:
    def __init__(self, answerer: ExtractiveAnswerer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        original = answerer._embed_sentences

        def embed(texts: list[str]) -> np.ndarray:
            self.texts.extend(texts)
            return original(texts)

        monkeypatch.setattr(answerer, "_embed_sentences", embed)


def test_dutch_questions_use_the_stored_sentence_vectors(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = EmbedSpy(service.answerer, monkeypatch)
    answer = service.ask(DUTCH, 5).answer
    assert answer.answerable and answer.citations
    assert spy.texts == []  # no sentence embedded at query time
    assert "toegezegd" in answer.answer  # the pledge itself
    for citation in answer.citations:
        if citation.quote:
            assert citation.quote.split(" … ")[0] in citation.hit.passage.text


def test_english_questions_read_the_sentences_embedded_alone_from_the_index(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """English questions score each sentence embedded on its own: stored at index time, so
    no model runs beyond the question's embedding."""
    spy = EmbedSpy(service.answerer, monkeypatch)
    answer = service.ask(ENGLISH, 5).answer
    assert answer.answerable and answer.citations
    assert spy.texts == []


def test_sentences_embedded_alone_at_index_time_are_those_embedded_now(
    service: QAService,
) -> None:
    answerer = service.answerer
    hits = service.search(ENGLISH, 5).hits
    candidates = answerer._candidates(hits)
    stored = answerer._stored_vectors(hits, candidates, alone=True)
    assert candidates and all(v is not None for v in stored)
    now = answerer._embed_sentences(
        [attributed(hits[c.hit_rank].document, c.text) for c in candidates]
    )
    agreement = [
        float(v @ n) / float(np.linalg.norm(v) * np.linalg.norm(n))
        for v, n in zip(stored, now, strict=True)
        if v is not None
    ]
    assert min(agreement) > 0.999  # int8 storage


def test_an_index_without_them_embeds_the_sentences_and_answers_alike(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index built without ``sentence_vectors_alone`` (or before it): the sentences are
    embedded at question time, and the answer is the same."""
    stored_answer = service.ask(ENGLISH, 5).answer
    index = service.answerer.index
    real = index.sentence_vectors

    def without_alone(rows: list[int], alone: bool = False) -> dict[int, np.ndarray]:
        return {} if alone else real(rows)

    monkeypatch.setattr(index, "sentence_vectors", without_alone)
    spy = EmbedSpy(service.answerer, monkeypatch)
    embedded_answer = service.ask(ENGLISH, 5).answer
    assert spy.texts
    assert embedded_answer.answer == stored_answer.answer


def test_the_setting_chooses_per_language(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = service.answerer.index
    real = index.sentence_vectors
    reads: list[bool] = []

    def spy(rows: list[int], alone: bool = False) -> dict[int, np.ndarray]:
        reads.append(alone)
        return real(rows, alone=alone)

    monkeypatch.setattr(index, "sentence_vectors", spy)
    monkeypatch.setattr(
        service.answerer,
        "settings",
        service.settings.model_copy(
            update={"answer_sentences_nl": "query", "answer_sentences_en": "index"}
        ),
    )
    assert service.ask(ENGLISH, 5).answer.answerable
    assert reads == [False]  # in context only
    reads.clear()
    assert service.ask(DUTCH, 5).answer.answerable
    assert sorted(reads) == [False, True]  # alone, blended with in context


def test_stored_vectors_are_close_to_the_sentences_embedded_alone(service: QAService) -> None:
    """Stored vectors are the sentences read in context: near, not equal, to embedding each
    sentence alone."""
    answerer = service.answerer
    retrieval = service.search(DUTCH, 5)
    hits = retrieval.hits
    candidates = answerer._candidates(hits)
    stored = answerer._stored_vectors(hits, candidates)
    assert all(v is not None for v in stored)
    texts = [c.text for c in candidates]
    alone = answerer._embed_sentences(texts)
    agreement = np.array(
        [float(v @ a) for v, a in zip(stored, alone, strict=True) if v is not None]
    )
    assert np.median(agreement) > 0.5


def stored_changed(
    service: QAService,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[list[Hit], list[Any], dict[int, np.ndarray]], None],
) -> tuple[list[Hit], list[Any]]:
    """The Dutch question's hits and candidates, with the index's stored sentence vectors
    altered by ``change`` (hits, candidates, vectors by row) before the answerer reads them."""
    answerer = service.answerer
    hits = service.search(DUTCH, 5).hits
    candidates = answerer._candidates(hits)
    index = answerer.index
    assert index is not None
    real = index.sentence_vectors

    def altered(rows: list[int], alone: bool = False) -> dict[int, np.ndarray]:
        vectors = real(rows, alone=alone)
        change(hits, candidates, vectors)
        return vectors

    monkeypatch.setattr(index, "sentence_vectors", altered)
    return hits, candidates


def test_a_passage_whose_sentences_changed_falls_back_to_embedding(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored vectors whose count no longer matches the passage's sentences (a different
    sentence splitter wrote them) are not used."""

    def one_short(hits: list[Hit], candidates: list[Any], vectors: dict[int, np.ndarray]) -> None:
        for row in vectors:
            vectors[row] = vectors[row][:-1]

    hits, candidates = stored_changed(service, monkeypatch, one_short)
    stored = service.answerer._stored_vectors(hits, candidates)
    assert stored == [None] * len(candidates)


def test_a_sentence_beyond_the_window_falls_back_to_embedding(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zero row (the sentence lay beyond the model's window when indexed) is embedded now;
    the passage's other sentences keep their stored vectors."""

    def first_zeroed(
        hits: list[Hit], candidates: list[Any], vectors: dict[int, np.ndarray]
    ) -> None:
        first = candidates[0]
        vectors[hits[first.hit_rank].row][first.order] = 0.0

    hits, candidates = stored_changed(service, monkeypatch, first_zeroed)
    first = candidates[0]
    stored = service.answerer._stored_vectors(hits, candidates)
    assert stored[0] is None
    assert all(v is not None for v in stored[1:])
    spy = EmbedSpy(service.answerer, monkeypatch)
    assert service.ask(DUTCH, 5).answer.answerable
    assert spy.texts == [first.text] or spy.texts[0].endswith(first.text)


def test_questions_favour_the_documents_of_the_names_they_name(
    service: QAService,
) -> None:
    """An English question shares its names, not its words, with the Dutch documents: the
    sentences of a motion by the member it names score a bonus, other documents' none, and
    a topic's name (Afghanistan) in a letter's sentences gives none either. A Dutch
    question's names count among its authors only."""
    answerer = service.answerer
    weight = service.settings.answer_name_weight_en
    question = "What did the motion by Westerveld ask about the sale of a vaccine institute?"
    retrieval = service.retriever.search(question, 5)
    shares = answerer._name_shares(question, retrieval)
    assert weight > 0 and shares
    for rank, hit in enumerate(retrieval.hits):
        named = "Westerveld" in f"{hit.document.title} {' '.join(hit.document.authors)}"
        assert shares.get(rank, 0.0) == (pytest.approx(weight) if named else 0.0)
    pledge = service.retriever.search("What did the minister pledge for Afghanistan?", 5)
    assert answerer._name_shares(pledge.query, pledge) == {}
    # Dutch questions: the names among the authors only, at the Dutch weight
    dutch = service.retriever.search("Wat vroeg de motie van Westerveld over de verkoop?", 5)
    dutch_shares = answerer._name_shares(dutch.query, dutch)
    assert dutch_shares
    for rank, hit in enumerate(dutch.hits):
        named = "Westerveld" in " ".join(hit.document.authors)
        nl_weight = service.settings.answer_name_weight_nl
        assert dutch_shares.get(rank, 0.0) == (pytest.approx(nl_weight) if named else 0.0)
    place = "Welke motie vraagt een sociaal minimum voor Caribisch Nederland?"
    in_titles = service.retriever.search(place, 5)
    assert any("Caribisch" in h.document.title for h in in_titles.hits)
    assert answerer._name_shares(place, in_titles) == {}  # a place in titles: no bonus


def test_a_name_its_motions_author_covers_adds_nothing_from_another_motion(
    service: QAService,
) -> None:
    """A sentence of Van Haga's motion covers "Van Haga" of the question through its
    authors: another motion's sentence naming him ("de motie-Van Haga/Smolders") adds no
    term the answer lacks, so it does not join the answer."""
    question = "Wat vroeg Van Haga over de salderingsregeling?"
    retrieval = service.retriever.search(question, 5)
    ranks = list(range(len(retrieval.hits)))
    held = service.answerer._authors_named(question, retrieval.hits, ranks)
    for rank, hit in enumerate(retrieval.hits):
        assert ("haga" in held[rank]) == ("Van Haga" in hit.document.authors)
    answer = service.ask(question, 5).answer
    assert answer.answerable
    assert {c.hit.document.doc_id for c in answer.citations} == {"kst-35594-34"}
    assert "stikstof" not in answer.answer


def test_a_motion_is_named_once_however_many_of_its_passages_are_quoted(
    service: QAService,
) -> None:
    """Each quoted motion is introduced by its title once, before its first sentence."""
    question = "Wat vraagt de motie-Tjeerd de Groot c.s. over het Besluit gebruik meststoffen?"
    answer = service.ask(question, 5).answer
    assert answer.answerable
    motions = {
        c.hit.document.doc_id: c.hit.document.title
        for c in answer.citations
        if c.hit.document.doc_type == "motie"
    }
    assert motions
    for title in motions.values():
        assert answer.answer.count(title) == 1
    assert len({c.hit.passage.passage_id for c in answer.citations}) > len(motions)


@pytest.mark.parametrize(
    "question",
    [
        "Tot welk dossier behoort de motie-Kröger over de geluidshinder voor omwonenden van "
        "Schiphol?",
        "In welk vergaderjaar diende Kröger de motie over geluidsoverlast voor omwonenden van "
        "Schiphol in?",
        "Bij welk dossier hoort motie 36200-IV-49 over het sociaal minimum in Caribisch Nederland?",
    ],
)
def test_a_metadata_answer_also_quotes_the_motions_dictum(
    service: QAService, question: str
) -> None:
    """Asked for a motion's dossier or vergaderjaar by its topic, the answer cites the
    passage showing the fact and the retrieved passage that shows what the motion asks (its
    dictum, "verzoekt de regering ..."), even when a consideration ranked above it: the
    dictum is what tells the reader it is the motion meant."""
    answer = service.ask(question, 5).answer
    assert answer.answerable and len(answer.citations) == 2
    first, second = answer.citations
    assert first.hit.document.doc_id == second.hit.document.doc_id
    assert second.hit.passage.text.lstrip().lower().startswith("verzoekt")


def test_a_metadata_answer_found_by_topic_holds_the_years_asked(service: QAService) -> None:
    """Who submitted "the 2015 motion" on a topic is not answered from a 2023 motion on it
    (declined, not answered from its text either); asked without the year, or with its own,
    it is."""
    topic = "de motie over geluidsoverlast voor omwonenden van Schiphol in"
    for question, answered in (
        (f"Wie diende {topic}?", True),
        (f"Wie diende in 2023 {topic}?", True),
        (f"Wie diende in 2015 {topic}?", False),
        ("Who submitted in 2015 the motion on noise nuisance for Schiphol's residents?", False),
    ):
        answer = service.ask(question, 5).answer
        about = service.answerer.metadata_answer(question, service.retriever.search(question, 5))
        assert about is not None and about.answerable is answered, question
        assert answer.answerable is answered, question
        if answered:
            assert "Kröger" in answer.answer


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_question_dating_the_motion_it_asks_for_is_not_answered_by_another_years(
    service: QAService, language: str
) -> None:
    """ "Which 2015 motion asked ..." is not answered by the 2023 motion that asks it; asked
    with its own year, or none, it is."""
    for year, answered in ((2015, False), (2023, True), (None, True)):
        if language == "nl":
            dated = f" uit {year}" if year else ""
            question = (
                f"Welke motie{dated} vroeg om minder geluidsoverlast voor omwonenden van Schiphol?"
            )
        else:
            dated = f" {year}" if year else ""
            topic = "less noise nuisance for people living near Schiphol"
            question = f"Which{dated} motion asked for {topic}?"
        answer = service.ask(question, 5).answer
        assert answer.answerable is answered, question
        if answered:
            assert "Kröger" in answer.answer


@pytest.mark.parametrize("year", [2030, 2034])
def test_the_numbers_asked_belong_in_the_cited_document_closest_in_meaning(
    service: QAService, year: int
) -> None:
    """The 2030 of a motion on energy up to 2030 (ranked first for the number) does not make
    the motion on the 2034 World Cup, closer in meaning and cited beside it, an answer to a
    question on the 2030 World Cup; asked with its own year, it is one."""
    question = (
        f"Which motion asked the government not to send a cabinet delegation to the {year} "
        "World Cup?"
    )
    answer = service.ask(question, 5).answer
    assert answer.answerable is (year == 2034), answer.answer
    if year == 2034:
        assert "Paulusma" in answer.answer


def test_an_mp_asked_about_must_have_written_the_answer(service: QAService) -> None:
    """Kröger signed so many motions that the corpus names her often; the letter on
    Afghanistan she did not write is still no answer to what she asked about it, while her
    own motion answers what she asked about Iran."""
    assert not service.ask("What did Kröger ask about Afghanistan?", 5).answer.answerable
    answer = service.ask("Wat vroeg Kröger over het ambtsbericht over Iran?", 5).answer
    assert answer.answerable and "Kröger" in answer.answer, answer.answer


def test_the_names_asked_belong_in_the_cited_document_closest_in_meaning(
    service: QAService,
) -> None:
    """The motion on Iran's ambtsbericht, closest to the question, and the letter that names
    Afghanistan, cited beside it, do not together answer when Afghanistan's was published."""
    question = "When was the last ambtsbericht on Afghanistan published?"
    assert not service.ask(question, 5).answer.answerable
    iran = service.ask("When was the last ambtsbericht on Iran published?", 5).answer
    assert iran.answerable and "mei 2022" in iran.answer, iran.answer


def test_a_dutch_answer_whose_closest_document_holds_few_of_the_questions_terms_is_declined(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The motion on allowing Easter fires shares one rare word with a question on a national
    ban of them, and is near it in meaning: it holds under ``answer_term_coverage_nl`` of the
    question's weighted terms, so it is not an answer; asked what it does ask, it is. With
    the setting at 0 the check is off."""
    ban = "Welke motie vraagt de regering een landelijk verbod op paasvuren in te stellen?"
    allow = "Welke motie wil dat paasvuren zoveel mogelijk worden toegestaan?"
    assert not service.ask(ban, 5).answer.answerable
    answer = service.ask(allow, 5).answer
    assert answer.answerable and "Van der Plas" in answer.answer
    monkeypatch.setattr(
        service.answerer.check,
        "settings",
        service.answerer.check.settings.model_copy(update={"answer_term_coverage_nl": 0.0}),
    )
    assert service.ask(ban, 5).answer.answerable


def test_a_dutch_question_asking_what_was_promised_gets_the_pledge(service: QAService) -> None:
    """ "beloofd" is not the letter's word ("toegezegd"): the answer quotes the minister's
    passage, the hundred troops with the surgical team and the trainers, as for "toegezegd",
    not the ministers' talk on RSM (either of the two words counts, not both)."""
    answer = service.ask("Wat heeft de minister beloofd voor Afghanistan?", 5).answer
    assert "honderd militairen" in answer.answer and "trainers" in answer.answer
    assert "patstelling" not in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Does the minister think NATO can currently withstand a threat from Russia?",
        "Wat vindt de minister van de suggestie in Der Spiegel dat de Navo Rusland niet aankan?",
    ],
)
def test_what_the_minister_thinks_is_his_answer_not_the_question_restated(
    service: QAService, question: str
) -> None:
    """The sentence announcing the article "waarin de vraag wordt gesteld of de Navo ..."
    restates the question (and embeds nearest to it); the minister's view follows it: "In
    tegenstelling tot wat het artikel in «Der Spiegel» suggereert is de Navo ook nu al
    uitstekend in staat ..."."""
    text = service.ask(question, 5).answer.answer
    assert "uitstekend in staat" in text
    restated = text.find("de vraag wordt gesteld")
    assert restated == -1 or restated > text.find("uitstekend in staat")  # the view first


@pytest.mark.parametrize("verb", ["promise", "commit to", "offer"])
def test_english_words_for_a_pledge_get_the_ministers_own_sentences(
    service: QAService, verb: str
) -> None:
    """ "What did the minister promise / commit to / offer": the letter's writer speaks in the
    first person ("Ik heb toegelicht ...", "Voorts heb ik toegezegd ..."): the answer quotes
    the hundred troops and the trainers, not the NATO ministers' talk on RSM."""
    answer = service.ask(f"What did the minister {verb} for Afghanistan?", 5).answer
    assert "honderd militairen" in answer.answer and "trainers" in answer.answer
    assert "patstelling" not in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "How many troops will the Netherlands send to Afghanistan in 2018?",
        "Hoeveel militairen levert Nederland in 2018 aan de missie in Afghanistan?",
    ],
)
def test_how_many_troops_the_netherlands_sends_is_the_writers_figure(
    service: QAService, question: str
) -> None:
    """What the Netherlands does is what the letter's writer says "we" do: the answer leads
    with the hundred troops (the first cited passage), not with how long Resolute Support
    has lasted; Germany's share, which the letter does not give, is declined as before."""
    answer = service.ask(question, 5).answer
    assert "honderd militairen" in answer.answer.split("[2]")[0]
    germany = "How many troops does Germany contribute to TAAC-North in Afghanistan?"
    assert not service.ask(germany, 5).answer.answerable


def test_a_motions_we_is_the_kamer_not_the_writer(service: QAService) -> None:
    """A question about what the Netherlands does favours a letter's writer speaking, not a
    motion's consideration that says "onze luchtmacht": the Brekelmans motion on NATO is
    answered from itself, not with his F-35 motion."""
    question = "Wat wil de motie-Brekelmans dat Nederland binnen de NAVO doet?"
    answer = service.ask(question, 5).answer
    assert "dialoog" in answer.answer and "F35" not in answer.answer


def test_the_letter_named_only_by_its_kind_is_the_only_letter_searched(
    service: QAService,
) -> None:
    """The bundled corpus holds one letter among 484 motions: "Who signed the letter?" is
    about it, though the question embeds far from any passage. "The motion" is one of many
    (declined), and a search restricted to motions or to a dossier without letters has no
    letter to speak of."""
    from qa_service.filters import Filters

    signed = service.ask("Who signed the letter?", 5).answer
    assert signed.answerable and "Bijleveld-Schouten" in signed.answer
    assert signed.citations[0].hit.document.doc_id == "kst-28676-280"
    dossier = service.ask("Tot welk dossier behoort de brief?", 5).answer
    assert dossier.answerable and "28676" in dossier.answer
    assert not service.ask("Who submitted the motion?", 5).answer.answerable
    about = service.ask("What is the letter about?", 5).answer
    assert about.answerable and "bijeenkomst van de Navo-ministers" in about.answer
    assert len(about.citations) == 1
    motion = service.ask("Waar gaat motie 34682-119 over?", 5).answer
    assert "verzoekt het kabinet om de provincies maximaal te ondersteunen" in motion.answer
    assert not service.ask("What is the motion about?", 5).answer.answerable  # which one?
    for filters in (Filters.create(doc_type="motie"), Filters.create(dossier="36410-V")):
        answer = service.ask("Who signed the letter?", 5, filters=filters).answer
        assert "Bijleveld-Schouten" not in answer.answer


def test_a_motion_answers_with_its_dictum_though_it_was_not_retrieved(
    service: QAService,
) -> None:
    """Piri's motion on the BRP backlog: the question matches its considerations, and its
    dictum ("... ieder kwartaal te rapporteren") is not among the top passages; what the
    motion wants, or how often the government must report, is that dictum."""
    for question in (
        "Wat wil Piri weten over de inschrijving van statushouders?",
        "Hoe vaak moet de regering rapporteren over de achterstanden bij de BRP-inschrijving?",
    ):
        answer = service.ask(question, 5).answer
        assert "ieder kwartaal te rapporteren" in answer.answer, question
        dictum = next(c for c in answer.citations if "kwartaal" in c.quote)
        assert dictum.hit.document.doc_id == "kst-36410-VI-81"


def test_which_motions_lists_several_motions(service: QAService) -> None:
    """ "Welke moties gaan over stikstof?" is answered with each motion near the best one,
    each led by its own title, not with one motion."""
    answer = service.ask("Welke moties gaan over stikstof?", 5).answer
    assert answer.answerable
    assert len({c.hit.document.doc_id for c in answer.citations}) >= 2
    assert answer.answer.count("Motie van") >= 2


def test_a_metadata_question_is_answered_from_the_hit_holding_its_rare_terms(
    service: QAService,
) -> None:
    """ "Wie diende de motie over een landelijk verbod op paasvuren in?": the motion on
    Easter fires answers it, also when another motion ("een landelijk verbod op varend
    ontgassen", ranked first by the common words) tops the hits; when no hit holds the
    rare terms, the first hit stands."""
    import dataclasses

    question = "Wie diende de motie over een landelijk verbod op paasvuren in?"
    found = service.retriever.search(question, 5)
    fires = [h for h in found.hits if "paasvuur" in h.passage.text.lower()]
    others = [h for h in found.hits if h.document.doc_id != fires[0].document.doc_id]
    assert fires and others
    reordered = dataclasses.replace(found, hits=[others[0], fires[0], *others[1:]])
    answer = service.answerer.run(question, reordered)
    assert answer.answerable
    assert answer.citations[0].hit.document.doc_id == fires[0].document.doc_id
    assert "Van der Plas" in answer.answer
    # nothing holds "ruimtevaart": the first hit answers, as before
    elsewhere = "Wie diende de motie over een landelijk verbod op ruimtevaart in?"
    moved = dataclasses.replace(reordered, query=elsewhere)
    first = service.answerer.run(elsewhere, moved)
    lead = first.citations[0].hit.document.doc_id if first.answerable else None
    assert lead in (None, others[0].document.doc_id)


def test_a_motions_consideration_pointing_back_comes_with_the_one_before_it(
    corpus_service: QAService,
) -> None:
    """ "overwegende dat deze sociale huurders daarmee deze eenmalige huurverlaging kunnen
    verliezen" is a passage of its own that continues the consideration before it: asked
    what problem these tenants face, the answer quotes both."""
    question = (
        "Which problem do social tenants who have to move for medical reasons run into, "
        "according to Beckerman and Nijboer?"
    )
    answer = corpus_service.ask(question, 5).answer
    assert answer.answerable and "huurverlaging kunnen verliezen" in answer.answer


def test_the_consideration_a_daarom_points_back_to_is_fetched(corpus_service: QAService) -> None:
    """ "overwegende dat het aandeel Engelstalige opleidingen daarom ... moet worden
    teruggedrongen" gives no reason of its own; the consideration before it (the pressure
    on student housing) is read from the index though no search found it."""
    question = "Waarom wil Eerdmans het aandeel Engelstalige opleidingen terugdringen?"
    retrieval = corpus_service.retriever.search(question, 5)
    evidence = corpus_service.answerer.evidence
    fetched = evidence.missing_antecedents(retrieval.hits, retrieval.query_vector)
    assert fetched and all(h.passage.doc_id == "kst-31288-1015" for h in fetched)
    answer = corpus_service.ask(question, 5).answer
    assert answer.answerable and "druk oplevert op huisvesting" in answer.answer
