"""When the passages found are too far from the question to answer it."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from qa_service.service import QAService


@pytest.fixture(scope="module")
def service(corpus_service: QAService) -> QAService:
    return corpus_service


def test_a_top_passage_holding_every_name_asked_lowers_the_abstain_threshold(
    service: QAService,
) -> None:
    """A rare name the top passage or its document's authors hold (an acronym such as
    ``Wwft``, embedded poorly; the motion's submitter) lowers the similarity needed by
    ``abstain_names_relief``; without names, or with a name they lack, the threshold stands."""
    answerer = service.answerer.abstention
    s = service.settings

    def near(
        question: str, top_text: str, authors: tuple[str, ...] = (), under: float = 0.5
    ) -> Any:
        """The question's hits, the top one with ``top_text`` and ``authors``, all scored
        ``under`` times ``abstain_names_relief`` under the threshold."""
        found = service.retriever.search(question, 5)
        score = (
            s.abstain_threshold_en if found.language == "en" else s.abstain_threshold_nl
        ) - s.abstain_names_relief * under
        top = dataclasses.replace(
            found.hits[0],
            passage=dataclasses.replace(found.hits[0].passage, text=top_text),
            document=dataclasses.replace(
                found.hits[0].document,
                doc_id="not-in-the-index",  # only this passage: no other passage of it
                authors=list(authors),
                title=" en ".join(("Motie van", *authors)) if authors else "Motie",
            ),
        )
        hits = [dataclasses.replace(h, dense_score=score) for h in [top, *found.hits[1:]]]
        return dataclasses.replace(found, hits=hits)

    named = "Welke motie verzoekt de regering de Wwft te evalueren?"
    assert not answerer.should_abstain(near(named, "verzoekt de regering de Wwft te evalueren"))
    assert answerer.should_abstain(near(named, "verzoekt de regering de wet te evalueren"))
    plain = "Welke motie verzoekt de regering de witwaswet te evalueren?"
    assert answerer.should_abstain(near(plain, "verzoekt de regering de witwaswet te bekijken"))
    # a name among the top passage's document's authors counts too ("the motion by Paul c.s."):
    # a motion's dictum never names who submitted it
    by = "Welke motie van Paul verzoekt de regering de witwaswet te evalueren?"
    dictum = "verzoekt de regering de witwaswet te evalueren"
    assert not answerer.should_abstain(near(by, dictum, ("Paul", "Rooderkerk")))
    assert answerer.should_abstain(near(by, dictum, ("Rooderkerk",)))
    # an English question's name is looked for as the documents write it (Morocco: Marokko)
    english = "Which motion asks the government to expel diplomats of Morocco?"
    expel = "verzoekt de regering diplomaten van {} uit te zetten"
    assert not answerer.should_abstain(near(english, expel.format("Marokko")))
    assert answerer.should_abstain(near(english, expel.format("Algerije")))
    # a Dutch question's rare terms count as its names do ("de loonkloof"): a question about
    # a motion embeds far from its text, but the passage that names its topic is about it
    rare = "Wie diende de motie over de loonkloof in?"
    closing = "verzoekt de regering de {} tussen mannen en vrouwen te dichten"
    assert not answerer.should_abstain(near(rare, closing.format("loonkloof")))
    assert answerer.should_abstain(near(rare, closing.format("kloof")))
    # each kind of evidence counts once: a name and a rare term together; a rare term of a
    # question about the document itself counts twice (such a question embeds far from it)
    both = "Wat zei Paul over de loonkloof?"
    gap = closing.format("loonkloof")
    assert not answerer.should_abstain(near(both, gap, ("Paul",), under=1.5))
    assert answerer.should_abstain(near(both, gap, ("Rooderkerk",), under=1.5))
    assert not answerer.should_abstain(near(rare, gap, under=1.5))
    assert answerer.should_abstain(near(rare, gap, under=2.5))
    assert answerer.should_abstain(near("Wat zei men over de loonkloof?", gap, under=1.5))
    # an English question's words written as the documents write them are rare terms too
    # ("bestaanszekerheid"); not the Dutch that its glossary words stand for ("ask": verzoekt)
    quoted = "What did the motion say about bestaanszekerheid?"
    security = "spreekt uit dat {} expliciet moet worden betrokken"
    assert not answerer.should_abstain(near(quoted, security.format("bestaanszekerheid")))
    assert answerer.should_abstain(near(quoted, security.format("zekerheid")))
    asked = "What did the motion ask the government?"
    assert answerer.should_abstain(near(asked, "verzoekt de regering dit te doen"))
    # the verb a Dutch question asks with is not one of its terms: "vroeg" is rare in the
    # documents (they write "verzoekt"), so as a term the passage lacks it cancels the relief
    vroeg = "Wat vroeg Paul over de loonkloof?"
    assert not answerer.should_abstain(near(vroeg, gap, ("Paul",), under=1.5))
    # a Dutch question naming someone whose every term (rare or not) the top passage with its
    # title holds: one step of relief more than the name alone
    scheme = "Wat vroeg Paul over de salderingsregeling?"
    keep = "verzoekt de regering de {} niet af te schaffen"
    assert not answerer.should_abstain(
        near(scheme, keep.format("salderingsregeling"), ("Paul",), 1.5)
    )
    assert answerer.should_abstain(near(scheme, keep.format("regeling"), ("Paul",), 1.5))
    assert not answerer.should_abstain(near(scheme, keep.format("regeling"), ("Paul",), 0.5))
    # an English rendering of a Dutch name ("the Supreme Court", words the corpus lacks) is
    # no name the passage must hold; the names it must hold still count
    court = "Which motion asks the Supreme Court to advise on the Wwft?"
    advise = "verzoekt de regering de Hoge Raad om advies over de {} te vragen"
    assert not answerer.should_abstain(near(court, advise.format("Wwft")))
    assert answerer.should_abstain(near(court, advise.format("witwaswet")))


def test_a_signature_is_no_evidence_that_the_passages_answer(service: QAService) -> None:
    """A motion's signature ("Eerdmans") is near any question naming its signer by the name
    alone: its similarity is not the best passage's. Hits that are all signatures: declined."""
    answerer = service.answerer.abstention
    found = service.retriever.search("What did Eerdmans ask about fishing quotas?", 5)
    high = service.settings.abstain_threshold_en + 0.2
    low = service.settings.abstain_threshold_en - 0.2

    def with_top(text: str) -> Any:
        top = dataclasses.replace(
            found.hits[0],
            passage=dataclasses.replace(found.hits[0].passage, text=text),
            dense_score=high,
        )
        rest = [dataclasses.replace(h, dense_score=low) for h in found.hits[1:]]
        return dataclasses.replace(found, hits=[top, *rest])

    assert answerer.should_abstain(with_top("Peters, Eerdmans"))
    assert not answerer.should_abstain(with_top("verzoekt de regering de vangstquota te verhogen"))
    only = dataclasses.replace(found, hits=with_top("Eerdmans").hits[:1])
    assert answerer.should_abstain(only)


def test_an_english_question_near_its_authors_motion_without_their_names(
    service: QAService,
) -> None:
    """An English question naming the top passage's authors is nearer it without the names
    when it asks about what the passage says (Kops's motion on lowering social rents), not
    when it asks about something else (seals); naming no author of it, or with the setting
    at 0, it gives no relief."""
    abstention = service.answerer.abstention
    rents = "What percentage cut in social housing rents did Kops ask for?"
    found = service.retriever.search(rents, 5)
    top = next(h for h in found.hits if "20%" in h.passage.text)
    assert abstention.about_authors(rents, ["Kops"], top)
    assert not abstention.about_authors("What did Kops ask about seals?", ["Kops"], top)
    assert not abstention.about_authors(rents.replace("Kops", "Eerdmans"), ["Eerdmans"], top)
    saved = abstention.settings
    abstention.settings = saved.model_copy(update={"abstain_topic_relief_en": 0.0})
    try:
        assert not abstention.about_authors(rents, ["Kops"], top)
    finally:
        abstention.settings = saved


def test_without_names_keeps_what_the_question_asks_about() -> None:
    from qa_service.answer.abstention import without_names

    assert without_names("What did Kops ask about seals?", {"Kops"}) == "What did ask about seals?"
    assert without_names("What does Kops's motion say?", {"Kops"}) == "What does motion say?"
    assert without_names("What did Kopsen ask?", {"Kops"}) == "What did Kopsen ask?"


def test_an_english_question_naming_an_mp_needs_its_topic_near_the_answer(
    service: QAService,
) -> None:
    """An MP's motion is near a question naming the MP by the name alone: without the name,
    "seals" is far from Kops's motions (declined), the provinces and nitrogen policy are
    near his motion on them (answered)."""
    far = "What did Kops ask about seals?"
    near = "What did Kops ask about the provinces and nitrogen policy?"
    assert not service.ask(far, 5).answer.answerable
    answer = service.ask(near, 5).answer
    assert answer.answerable
    assert all("Kops" in c.hit.document.authors for c in answer.citations)
    hits = [c.hit for c in answer.citations]
    abstention = service.answerer.abstention
    floor = service.settings.answer_topic_threshold_en
    assert abstention.topic_similarity(far, {"Kops"}, hits) < floor
    assert abstention.topic_similarity(near, {"Kops"}, hits) > floor
    assert abstention.topic_similarity("What about seals?", {"Kops"}, hits) == 1.0  # no name
    # the check declines what is under the threshold: raised above a near question's topic
    # similarity, it declines that too, unless the motion holds two of its policy topics
    # or more (provinces and nitrogen); at 0 it is off
    one = "What did Kops ask about nitrogen policy?"
    assert service.ask(one, 5).answer.answerable
    check = service.answerer.check
    saved = check.settings
    try:
        check.settings = saved.model_copy(update={"answer_topic_threshold_en": 0.99})
        assert not service.ask(one, 5).answer.answerable
        assert service.ask(near, 5).answer.answerable
        check.settings = saved.model_copy(update={"answer_topic_threshold_en": 0.0})
        assert service.ask(one, 5).answer.answerable
    finally:
        check.settings = saved


def test_of_an_mps_motions_the_one_nearest_the_topic_answers_about_itself(
    service: QAService,
) -> None:
    """Each of Kathmann's motions is about as near to "When was Kathmann's motion on basic
    jobs submitted?" by the name; without it, the one on basisbanen is nearest."""
    question = "When was Kathmann's motion on basic jobs submitted?"
    answer = service.ask(question, 5).answer
    assert answer.answerable and "26 January 2023" in answer.answer
    assert {c.hit.document.doc_id for c in answer.citations} == {"kst-34352-269"}
    hits = service.retriever.search(question, 5).hits
    ordered = service.answerer.abstention.nearest_topic_first(question, {"Kathmann"}, hits)
    assert sorted(h.row for h in ordered) == sorted(h.row for h in hits)
    assert service.answerer.abstention.nearest_topic_first(question, set(), hits) == hits


def test_what_an_mp_asked_about_a_topic_needs_the_topic_in_the_answer(
    service: QAService,
) -> None:
    """ "Wat vroeg Ouwehand over de export van dieren?": a motion of hers naming export but
    no animals lacks the topic; one naming both holds it. Only the topic after "over" counts
    (up to a clause break), not the MP's name, and only in a question asking what was asked."""
    lacking = service.answerer.abstention.topic_lacking
    question = "Wat vroeg Ouwehand over de export van dieren?"
    mercosur = "Motie van het lid Ouwehand: het verdrag leidt tot meer export van soja"
    assert lacking(question, {"Ouwehand"}, mercosur) == ["dier"]
    assert lacking(question, {"Ouwehand"}, mercosur + " en van levende dieren") == []
    assert lacking(question, set(), mercosur) == []  # no MP named
    assert lacking("Hoeveel dieren gaan over de grens?", {"Ouwehand"}, mercosur) == []
    composite = "Wat vraagt de motie van Kops over stikstof, en hoeveel boeren stoppen?"
    assert lacking(composite, {"Kops"}, "verzoekt het stikstofbeleid te stoppen") == []
    # end to end: declined, while her motion on breeding answers the question on breeding
    assert not service.ask(question, 5).answer.answerable
    assert service.ask("Wat vroeg Ouwehand over de fok van dieren?", 5).answer.answerable


def test_a_motion_holds_the_rare_terms_that_any_of_its_passages_holds(
    service: QAService,
) -> None:
    """The coal plants and the compensation are named in two considerations of one motion:
    its top passage names only the compensation, the motion names both, so the relief
    applies and the question is answered with the figure."""
    question = "Hoe hoog kan de nadeelcompensatie voor kolencentrales oplopen?"
    found = service.retriever.search(question, 5)
    abstention = service.answerer.abstention
    top = found.hits[0]
    assert top.document.doc_type == "motie"
    assert not abstention.holds_all(abstention.rare_terms(question), top)
    assert abstention.holds_rare_terms(question, top)
    answer = service.ask(question, 5).answer
    assert answer.answerable and "730 miljoen euro" in answer.answer


def test_an_mps_documents_on_the_policy_topic_asked_answer_a_declined_question(
    service: QAService,
) -> None:
    """ "What did Beckerman ask about the rent tribunal?" embeds nearer her motion on the
    social domain than the one on the Huurcommissie; that one mentions the topic's Dutch
    word (huur) and answers once the question would be declined. Her motion on the social
    domain does not mention it; a question naming no MP is left alone."""
    abstention = service.answerer.abstention
    question = "What did Beckerman ask about the rent tribunal?"
    retrieval = service.retriever.search(question, 5)
    focused = abstention.topic_first(retrieval)
    assert focused is not retrieval
    assert "kst-32847-1001" not in {h.document.doc_id for h in focused.hits}  # social domain
    assert all(abstention.topic_held(question, h) for h in focused.hits)
    answer = service.ask(question, 5).answer
    assert answer.answerable and answer.citations[0].hit.document.doc_id == "kst-36130-36"
    unnamed = service.retriever.search("What was asked about the rent tribunal?", 5)
    assert abstention.topic_first(unnamed) is unnamed


def test_an_answer_from_a_document_lacking_the_policy_topic_is_asked_again(
    service: QAService,
) -> None:
    """ "What did Nijboer and Klaver want investigated regarding landlords?" quoted Nijboer's
    motion on normhuren (a consideration near the question), which names no landlord; their
    motion on a permit duty for verhuurders, retrieved first, holds the topic and answers."""
    question = "What did Nijboer and Klaver want investigated regarding landlords?"
    answer = service.ask(question, 5).answer
    assert answer.answerable and answer.citations[0].hit.document.doc_id == "kst-36130-32"
    assert "vergunningplicht" in answer.answer
    assert service.answerer.abstention.topic_held(question, answer.citations[0].hit)
    # the policy topics it names, its MPs' names left out; a question naming none is never
    # asked again for lacking one
    from qa_service.answer.abstention import topic_terms

    assert [t[0] for t in topic_terms(question)] == ["landlords"]
    assert topic_terms("What did Van den Berg ask the government to share with parliament?") == []


def test_two_policy_topics_an_mps_motion_holds_relieve_twice(service: QAService) -> None:
    """ "the recommendations of the committee on conduit companies" names four policy
    topics (aanbeveling, commissie, doorstroom, vennootschap) that Alkaya's motion on the
    Commissie doorstroomvennootschappen holds: it answers, though it embeds far from the
    question (0.16, and 0.07 without her name); the rent tribunal names one topic
    ("tribunal" has no Dutch form)."""
    abstention = service.answerer.abstention
    question = (
        "What did Alkaya want done with the recommendations of the committee on conduit companies?"
    )
    hits = service.retriever.search(question, 5).hits
    motion = next(h for h in hits if h.document.doc_id == "kst-25087-311")
    assert abstention.topics_held(question, motion) == 4
    other = next(h for h in hits if h.document.doc_id != "kst-25087-311")
    assert abstention.topics_held(question, other) == 0
    answer = service.ask(question, 5).answer
    assert answer.answerable and answer.citations[0].hit.document.doc_id == "kst-25087-311"
    assert "onverkort" in answer.answer
    rent = "What did Beckerman ask about the rent tribunal?"
    tribunal = service.retriever.search(rent, 5).hits
    assert max(abstention.topics_held(rent, h) for h in tribunal) == 1


def test_two_policy_topics_relieve_a_question_naming_no_one(service: QAService) -> None:
    """ "Where are sheep exported to on a massive scale?" embeds below the English threshold
    from the motion on sheep exports, which mentions both its topics (schapen, export):
    relieved once, it answers; sheep alone (one topic) earns nothing."""
    abstention = service.answerer.abstention
    question = "Where are sheep exported to on a massive scale?"
    retrieval = service.retriever.search(question, 5)
    assert abstention.topics_held(question, retrieval.hits[0]) == 2
    assert max(h.dense_score for h in retrieval.hits) < service.settings.abstain_threshold_en
    assert not abstention.should_abstain(retrieval)
    assert service.ask(question, 5).answer.answerable
    one = "Where are sheep kept on a massive scale?"
    assert abstention.topics_held(one, retrieval.hits[0]) < 2


def test_a_declined_question_is_answered_from_the_whole_motion_on_its_topic(
    service: QAService,
) -> None:
    """ "coal-fired" names coal (kolen); of Grinwis's motions only the one on the coal
    plants mentions it, and its consideration on the 730 million euros, which no search
    found, comes with it on the second try: the amount asked for is answered."""
    abstention = service.answerer.abstention
    question = (
        "How much can the compensation for coal-fired power stations rise to, according to Grinwis?"
    )
    focused = abstention.topic_first(service.retriever.search(question, 5))
    assert {h.document.doc_id for h in focused.hits} == {"kst-36197-16"}
    assert any("730 miljoen" in h.passage.text for h in focused.hits)
    answer = service.ask(question, 5).answer
    assert answer.answerable and "730 miljoen euro" in answer.answer


def test_a_long_word_held_by_its_start_relieves_a_question_naming_its_mps(
    service: QAService,
) -> None:
    """ "Which principle did Kwint and Westerveld want made concrete?" (0.24) names no policy
    topic; their motion holds "principle" and "concrete" by their starts
    (nee-tenzijprincipe, concretiseren): relieved once more, it answers. A document of
    other MPs earns nothing."""
    abstention = service.answerer.abstention
    question = "Which principle did Kwint and Westerveld want made concrete?"
    retrieval = service.retriever.search(question, 5)
    top = retrieval.hits[0]
    assert top.document.doc_id == "kst-35942-24"
    assert abstention.cognates_held(question, ["Kwint", "Westerveld"], top) == 2
    assert not abstention.should_abstain(retrieval)
    answer = service.ask(question, 5).answer
    assert answer.answerable and "nee-tenzijprincipe" in answer.answer
    assert abstention.cognates_held("Which principle was made concrete?", [], top) == 2
    kops = "Which principle did Kops want made concrete?"  # he wrote none of it
    assert abstention._near_otherwise(kops, "en", ["Kops"], top) == 0


def test_a_name_in_the_top_motions_title_counts_as_held(service: QAService) -> None:
    """The motion's consideration on "het budget van circa 8 miljard euro" does not name
    the Europese Vredesfaciliteit; its title does: the question is answered from it."""
    answer = service.ask("Hoe groot is het budget van de Europese Vredesfaciliteit?", 5).answer
    assert answer.answerable and "8 miljard" in answer.answer


def test_a_bare_question_on_what_an_mp_asked_is_near_their_own_motions_dictum(
    service: QAService,
) -> None:
    """ "What did Van den Berg ask the government to share with parliament?" names no topic:
    the dictum of a motion Van den Berg submitted answers it, though so bare a question
    embeds far from it (one more relief beside the name's); not a motion she only
    co-signed, nor a question naming a topic ("about ...") the checks judge otherwise."""
    abstention = service.answerer.abstention
    s = service.settings

    def near(question: str, authors: tuple[str, ...], text: str) -> Any:
        found = service.retriever.search(question, 5)
        score = s.abstain_threshold_en - 1.5 * s.abstain_names_relief
        top = dataclasses.replace(
            found.hits[0],
            passage=dataclasses.replace(found.hits[0].passage, text=text),
            document=dataclasses.replace(
                found.hits[0].document, doc_id="not-in-the-index", authors=list(authors)
            ),
        )
        hits = [dataclasses.replace(h, dense_score=score) for h in [top, *found.hits[1:]]]
        return dataclasses.replace(found, hits=hits)

    bare = "What did Van den Berg ask the government to share with parliament?"
    dictum = "verzoekt de regering de Kamer een marktoverzicht te geven"
    assert not abstention.should_abstain(near(bare, ("Van den Berg", "Tielen"), dictum))
    assert abstention.should_abstain(near(bare, ("Tielen", "Van den Berg"), dictum))
    assert abstention.should_abstain(
        near(bare, ("Van den Berg",), "constaterende dat er een markt is")
    )
    about = "What did Van den Berg ask the government about degassing?"
    assert abstention.should_abstain(near(about, ("Van den Berg",), dictum))
