"""A topic's words and their Dutch forms, and whether a text holds them."""

from __future__ import annotations

from qa_service.answer.topic_words import holds, subject, topic_terms


def test_a_topic_word_is_found_in_compounds_and_forms_not_inside_other_words() -> None:
    assert holds("over het stikstofbeleid", topic_terms("stikstof", "nl"))
    assert holds("bodemberoerende garnalenvisserij", topic_terms("de visserij", "nl"))
    assert holds("inspecties van huurwoningen", topic_terms("huurwoning", "nl"))
    assert holds("lastenverzwaringen voor zzp'ers", topic_terms("zzp’ers", "nl"))
    assert not holds("Motie van het lid Martin Bosma", topic_terms("Mars", "nl"))
    assert not holds("een vruchtbare politieke samenwerking", topic_terms("politie", "nl"))
    assert holds("meer politieagenten", topic_terms("politie", "nl"))
    assert not holds("over stikstof", topic_terms("stikstof en water", "nl"))  # every word


def test_an_english_topic_is_also_looked_up_in_dutch() -> None:
    assert holds("Oekraïne blijvend te steunen", topic_terms("Ukraine", "en"))
    assert holds("de ambassade in Israël", topic_terms("Israel", "en"))
    assert holds("de stikstofaanpak", topic_terms("nitrogen", "en"))  # a policy topic
    assert holds("huurwoningen", topic_terms("housing", "en"))
    assert holds("pensioenen", topic_terms("pensions", "en"))  # a regular plural
    assert holds("kinderopvang", topic_terms("childcare", "en"))
    assert not holds("de stikstofaanpak", topic_terms("hydrogen", "en"))
    # a Latin word by its start: "transition" as "transitie", not "transport"
    assert holds("de energietransitie", topic_terms("the energy transition", "en"))
    assert not holds("het transport van energie", topic_terms("energy transition", "en"))
    assert holds("over pensioenen in loondienst", topic_terms("pensions", "en"))


def test_the_subject_of_a_title_is_after_over() -> None:
    assert subject("Motie van het lid Martin Bosma over het fonds") == "het fonds"
    assert subject("Motie van het lid Westerveld") == ""


def test_only_english_words_the_glossary_translates_are_translated_terms() -> None:
    from qa_service.answer.topic_words import translated_terms

    assert translated_terms("high rent for students") == [
        ("rent", "huur"),
        ("students", "student", "studie", "studen"),
    ]
    assert translated_terms("the Wadden Sea (its islands)") == []  # names, a parenthesis
    # a phrase's Dutch word: the coalition agreement is the "regeerakkoord", the business
    # climate the "vestigingsklimaat"
    assert "regeerakkoord" in translated_terms("the coalition agreement", False)[0]
    assert "vestigingsklimaat" in translated_terms("the business climate", False)[0]


def test_a_term_is_mentioned_as_the_head_of_a_compound() -> None:
    from qa_service.answer.topic_words import mentions

    assert mentions("het minimumloon verhogen", ("wage", "loon", "lonen"))
    assert mentions("de minimumlonen", ("wage", "loon", "lonen"))
    assert not mentions("de lonende aanpak", ("wage", "loon"))  # not at the end
    assert not mentions("dat is zeer goed", ("sea", "zee"))  # under four letters: no head


def test_common_policy_words_have_their_dutch_start() -> None:
    from qa_service.answer.glossary import english_topic

    assert english_topic("sustainable") == ["duurza"]  # duurzame, verduurzamen
    assert english_topic("subsidies") == ["subsidie"]
    # the fleet replacement programme is the vlootvervangingsprogramma (x119)
    assert english_topic("replacement") == ["vervang", "vernieuw"]
    assert holds("het vlootvervangingsprogramma", [tuple(english_topic("replacement"))])
