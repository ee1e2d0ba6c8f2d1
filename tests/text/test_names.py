"""A question's names and numbers (text/names.py)."""

from __future__ import annotations

from qa_service.answer.support import missing_specifics
from qa_service.text.names import names, specifics, written


def test_the_numbers_of_a_range_are_specifics() -> None:
    question = "What were the police costs in the 1995-1996 season, according to Dales?"
    assert specifics(question) == ["1995", "1996", "Dales"]
    assert names(question) == ["Dales"]
    # another season in the answer's document does not answer it
    evidence = "de politie-inzet in het seizoen 1989-1990 kostte 11,2 miljoen. dales"
    assert missing_specifics(question, "en", evidence, lambda w: 6.0) == ["1995", "1996"]
    assert (
        missing_specifics(question.replace("1995-1996", "1989-1990"), "en", evidence, lambda w: 6.0)
        == []
    )


def test_a_name_is_also_looked_up_by_its_dutch_name() -> None:
    assert written("North", "en") == ["north", "noord"]
    assert written("North", "nl") == ["north"]
    assert written("Sea", "en") == ["sea", "zee"]  # the Wadden Sea: "Waddenzee"
    assert written("Easter", "en") == ["easter", "pasen"]  # "de Kamer voor Pasen informeren"
    assert written("Tax", "en") == ["tax", "belasting"]  # the Tax Plan: "Belastingplan"
    assert written("Putin", "en") == ["putin", "poetin"]  # "dat Poetin zeer waarschijnlijk ..."


def test_a_names_particle_is_no_name_and_a_joined_name_is_one() -> None:
    from qa_service.text.names import names

    assert names("Welke moties heeft Van der Plas ingediend?") == ["Plas"]
    assert names("What did Van den Berg ask?") == ["Berg"]
    assert names("Wat vraagt de motie-Westerveld over jeugdbescherming?") == ["Westerveld"]
    assert names("Wat vond het kabinet-Rutte van Noord-Korea?") == ["Rutte", "Noord-Korea"]
    assert names("Wat zei de oud-minister over EU-landen?") == ["EU-landen"]
