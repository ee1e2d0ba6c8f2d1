"""Country names, Dutch and English, from pycountry."""

from __future__ import annotations

from qa_service.text.countries import countries_in


def test_a_country_is_the_same_in_dutch_and_english() -> None:
    assert countries_in("constaterende dat Frankrijk al maatregelen treft") == {"FR"}
    assert countries_in("Which country besides France?") == {"FR"}
    assert countries_in("de Verenigde Staten en Zuid-Korea") == {"US", "KR"}


def test_names_are_capitalised_and_whole() -> None:
    assert countries_in("frankrijk") == set()
    assert countries_in("in Noord-Korea") == {"KP"}  # not Korea
    assert countries_in("het Oekraïne-beleid") == {"UA"}  # the head of a compound
    assert countries_in("Verenigde Statenbond") == set()


def test_withdrawn_and_everyday_names_count() -> None:
    assert countries_in("Tsjecho-Slowakije") and countries_in("de Sovjet-Unie")
    assert countries_in("Engeland") == countries_in("Verenigd Koninkrijk")


def test_a_dutch_adjective_inside_a_sentence_names_a_country() -> None:
    assert countries_in("optrekken met de Deense regering") == {"Deense"}
    assert countries_in("Deense regering") == set()  # capitalised as the first word


def test_an_adjective_starting_as_its_country_is_that_country() -> None:
    """ "Marokkaanse" is Morocco's, as "Marokko" is; "Deense" shares too little with
    "Denemarken" and stays as written; "Amerikaanse" is not Amerikaans-Samoa's."""
    assert countries_in("de Marokkaanse tegenhanger") == countries_in("Morocco") == {"MA"}
    assert countries_in("de Nederlandse regering") == {"NL"}
    assert countries_in("de Amerikaanse regering") == {"Amerikaanse"}
