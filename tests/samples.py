"""Test data shared by several test modules."""

from __future__ import annotations

#: Labelled questions in the ``eval_data`` format: one answerable about the bundled
#: Kamerbrief, one the corpus cannot answer.
LABELLED_QUESTIONS = [
    {
        "id": "a",
        "lang": "nl",
        "question": "Waartoe riepen de ministers Afghanistan op?",
        "answerable": True,
        "gold_docs": ["kst-28676-280"],
        "gold_passage": ["oproep aan Afghanistan"],
        "facts": [["verkiezingen"]],
    },
    {
        "id": "b",
        "lang": "en",
        "question": "What is the capital of Australia?",
        "answerable": False,
    },
]

#: A motion (``kst-99999-1``) about a ``{word}`` of the test polder: fill in a word to make
#: a new version of the document.
TEST_MOTION = """Tweede Kamer der Staten-Generaal

Vergaderjaar 2023–2024

99 999

Proefdossier

Nr. 1

MOTIE VAN HET LID PROEF
Voorgesteld 1 februari 2024
De Kamer,
gehoord de beraadslaging,
constaterende dat de {word} van de proefpolder stijgt;
verzoekt de regering de {word} in de proefpolder te onderzoeken,
en gaat over tot de orde van de dag.
Proef
"""
