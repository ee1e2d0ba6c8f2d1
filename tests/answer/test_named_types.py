"""Answer types named by a proper name: which country, which place, which law."""

from __future__ import annotations

from qa_service.answer.named_types import missing_named


def test_which_places_needs_a_place_named_beyond_the_questions_own() -> None:
    asked = "Welke gemeenten weigeren volgens Eerdmans asielzoekers op te vangen?"
    motion = (
        "Motie van het lid Eerdmans: spreekt uit dat dwang richting gemeenten onaanvaardbaar is"
    )
    assert missing_named(asked, motion) == "a place"
    assert missing_named(asked, "Eerdmans noemt de gemeenten Amsterdam en Utrecht") is None
    sold = "To which municipality was a state toll house sold?"
    assert missing_named(sold, "verkoop van een Rijkstolhuis aan de gemeente den Helder") is None


def test_which_country_and_which_law() -> None:
    trade = "Met welke landen sloten Nederland en België handelsovereenkomsten?"
    assert missing_named(trade, "Nederland en België sloten overeenkomsten.") == "a country"
    assert missing_named(trade, "Overeenkomsten met Duitsland en Frankrijk.") is None
    law = "Which law did Eerdmans want withdrawn?"
    assert missing_named(law, "verzoekt de regering de spreiding te stoppen") == "a law"
    assert missing_named(law, "verzoekt de regering de Spreidingswet in te trekken") is None
    assert missing_named("Wat vroeg Eerdmans?", "niets") is None
