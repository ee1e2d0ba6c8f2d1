"""Evaluation: the metric functions on hand-made cases, the question formats, the report
rendering, and a regression check of today's quality on the bundled corpus."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from qa_service.cli.commands import main
from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.evaluation.answers import (
    AnswerRecord,
    abstention_decisions,
    answer_questions,
    fact_coverage,
    score_answers,
)
from qa_service.evaluation.core import CachedEmbedder, check_goals
from qa_service.evaluation.data import (
    DEFAULT_QUESTION_FILES,
    EVAL_DATA,
    TATOEBA_DIR,
    EvalDataError,
    LabelledQuestion,
    bundled_motion_queries,
    default_question_files,
    load_questions,
    load_tatoeba,
    motion_queries,
)
from qa_service.evaluation.metrics import (
    absent_gold,
    hit_at_k,
    ndcg_at_k,
    passage_is_relevant,
    reciprocal_rank,
)
from qa_service.evaluation.report import replace_block, table
from qa_service.evaluation.retrieval import (
    PLAIN_DENSE,
    PlainDenseRetriever,
    Ranking,
    RetrievalScores,
    aggregate,
    evaluate_retrieval,
    groups_of,
    rank_questions,
    score_rankings,
)
from qa_service.search.retriever import Retriever
from qa_service.service import QAService
from qa_service.store.loaded import load_index
from tests.samples import LABELLED_QUESTIONS

# -- metrics ---------------------------------------------------------------------------------


def test_hit_at_k() -> None:
    ranking = [False, False, True, False]
    assert hit_at_k(ranking, 1) == 0.0
    assert hit_at_k(ranking, 2) == 0.0
    assert hit_at_k(ranking, 3) == 1.0
    assert hit_at_k(ranking, 10) == 1.0
    assert hit_at_k([], 5) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank([True, True]) == 1.0
    assert reciprocal_rank([False, False, False, True]) == 0.25
    # only the first relevant item counts, and only within k
    assert reciprocal_rank([False, True, True]) == 0.5
    assert reciprocal_rank([False] * 10 + [True], k=10) == 0.0
    assert reciprocal_rank([False] * 10 + [True], k=11) == pytest.approx(1 / 11)


def test_ndcg_known_values() -> None:
    # one relevant item at rank 3: DCG = 1/log2(4) = 0.5, ideal = 1
    assert ndcg_at_k([False, False, True], 10, 1) == pytest.approx(0.5)
    # two relevant at ranks 1 and 3 of two: (1 + 0.5) / (1 + 1/log2(3))
    assert ndcg_at_k([True, False, True], 10, 2) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    # perfect ranking
    assert ndcg_at_k([True, True, False], 10, 2) == pytest.approx(1.0)
    # relevant items below k do not count; nothing relevant in the index gives 0
    assert ndcg_at_k([False, False, True], 2, 1) == 0.0
    assert ndcg_at_k([False, False], 10, 0) == 0.0
    # more relevant items than k: the ideal DCG is capped at k
    assert ndcg_at_k([True, True], 2, 5) == pytest.approx(1.0)


def test_score_rankings_means() -> None:
    rankings = [
        Ranking("a", "dev", "nl", [True, False], 1),
        Ranking("b", "dev", "nl", [False, False, False, False, False, True], 1),
        Ranking("c", "dev", "nl", [False, False], 1),
    ]
    s = score_rankings(rankings, depth=6)
    assert s.n == 3
    assert s.hit1 == pytest.approx(1 / 3)
    assert s.hit5 == pytest.approx(1 / 3)
    assert s.hit10 == pytest.approx(2 / 3)
    assert s.mrr10 == pytest.approx((1 + 1 / 6) / 3)
    assert s.curve == pytest.approx([1 / 3] * 5 + [2 / 3])


def test_groups_and_aggregate() -> None:
    items = [
        Ranking("a", "dev", "nl", [True], 1),
        Ranking("b", "calibration", "nl", [False], 1),
        Ranking("c", "dev", "en", [True], 1),
        Ranking("m", "motions", "nl", [True], 1),
    ]
    groups = groups_of(items)
    assert {k: len(v) for k, v in groups.items()} == {
        "dev/nl": 1,
        "calibration/nl": 1,
        "dev/en": 1,
        "motions": 1,
        "questions/nl": 2,
        "questions/en": 1,
        "all": 4,
    }
    scores = {k: score_rankings(v) for k, v in groups.items()}
    # each pool weighs the same: (0.5 + 1 + 1) / 3
    assert aggregate(scores, "hit1") == pytest.approx(2.5 / 3)


# -- relevance and answers -------------------------------------------------------------------
def _question(**kw: object) -> LabelledQuestion:
    base: dict = dict(
        id="q",
        set="dev",
        lang="nl",
        question="Waartoe riepen de ministers op?",
        answerable=True,
        gold_docs=("kst-1",),
        gold_passage=("oproep aan  Afghanistan",),
        facts=(("verkiezingen", "elections"), ("Ghani",)),
    )
    base.update(kw)
    return LabelledQuestion(**base)


def test_passage_relevance_collapses_whitespace_and_case() -> None:
    q = _question()
    hit = Passage("kst-1#p1", "kst-1", "De ministers deden een OPROEP aan\nAfghanistan.")
    other_doc = Passage("kst-2#p1", "kst-2", "een oproep aan Afghanistan")
    miss = Passage("kst-1#p2", "kst-1", "Iets anders.")
    assert passage_is_relevant(q, hit)
    assert not passage_is_relevant(q, other_doc)
    assert not passage_is_relevant(q, miss)
    doc_level = _question(gold_passage=())
    assert passage_is_relevant(doc_level, miss)
    assert not passage_is_relevant(doc_level, other_doc)


def test_fact_coverage() -> None:
    facts = (("verkiezingen", "elections"), ("Ghani",))
    assert fact_coverage("Tijdige  VERKIEZINGEN [1]", facts) == 0.5
    assert fact_coverage("elections; president Ghani", facts) == 1.0
    assert fact_coverage("niets", facts) == 0.0
    assert math.isnan(fact_coverage("x", ()))


def test_score_answers() -> None:
    records = [
        # answered, both facts, cites the answer, 1 of 2 citations in a gold document
        AnswerRecord("a", "dev", "nl", True, False, 0.5, 1.0, True, 2, 1),
        # answerable but declined
        AnswerRecord("b", "dev", "nl", True, True, 0.2, 0.0, None),
        # unanswerable, declined
        AnswerRecord("c", "dev", "nl", False, True, 0.1),
        # unanswerable, answered
        AnswerRecord("d", "dev", "nl", False, False, 0.4),
    ]
    s = score_answers(records)
    assert (s.answerable, s.unanswerable) == (2, 2)
    assert s.fact_coverage == 0.5
    assert s.facts_complete == 0.5
    assert s.cites_answer == 1.0
    assert s.citation_precision == 0.5
    assert s.declined_unanswerable == 0.5
    assert s.declined_answerable == 0.5
    assert s.abstention_precision == 0.5
    only_answerable = score_answers(records[:2])
    assert math.isnan(only_answerable.abstention_precision)
    assert math.isnan(only_answerable.declined_unanswerable)


# -- data files ------------------------------------------------------------------------------
def test_bundled_question_files_load() -> None:
    questions = [q for f in DEFAULT_QUESTION_FILES for q in load_questions(f)]
    assert len(questions) == 68
    assert {q.set for q in questions} == {"dev", "calibration"}
    assert {q.lang for q in questions} == {"nl", "en"}
    assert all(q.gold_docs and q.gold_passage for q in questions if q.answerable)
    nld, eng = load_tatoeba(TATOEBA_DIR)
    assert len(nld) == len(eng) == 1000


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2"),
        ('["a list"]', "JSON object"),
        ('{"question": ""}', "non-empty"),
        ('{"question": "q", "lang": "de", "gold_docs": ["x"]}', "lang"),
        ('{"question": "q", "answerable": true}', "gold_docs"),
        ('{"question": "q", "gold_docs": "kst-1"}', "list of strings"),
    ],
)
def test_bad_question_file(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "mine.jsonl"
    good = '{"question": "Wat?", "answerable": false}'
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match=message):
        load_questions(path)


def test_empty_or_unreadable_question_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="no questions"):
        load_questions(empty)
    with pytest.raises(EvalDataError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(EvalDataError, match="cannot read"):
        load_questions(binary)


def test_motion_queries_map_files_to_documents(tmp_path: Path) -> None:
    moties = tmp_path / "moties.jsonl"
    rows = [
        {"file": "kst-1-2.txt", "subject": "Motie van het lid A over B"},
        {"file": "tk-abc.txt", "subject": "Motie van het lid C over D"},
        {"file": "absent.txt", "subject": "Motie van het lid E"},
    ]
    moties.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    docs = [
        DocumentMeta("kst-1-2", source="corpus/moties/kst-1-2.txt"),
        DocumentMeta("kst-36410-V-65", source="/abs/corpus/moties/tk-abc.txt"),
    ]
    queries, missing = motion_queries(moties, docs)
    assert [(q.question, q.gold_docs) for q in queries] == [
        ("Motie van het lid A over B", ("kst-1-2",)),
        ("Motie van het lid C over D", ("kst-36410-V-65",)),
    ]
    assert all(q.doc_level and q.set == "motions" for q in queries)
    assert missing == ["absent.txt"]


# -- the plain dense baseline -----------------------------------------------------------------
def test_plain_dense_baseline(small_index: Path, embedder: Embedder) -> None:
    """Each passage's plain text embedded as a passage, a flat inner-product search with the
    question embedded as a query: the same ranking as brute force over those vectors."""
    index = load_index(small_index)
    store = index.store
    baseline = PlainDenseRetriever(store, CachedEmbedder(embedder))
    rows_passages = store.all_passages()
    assert baseline.vectors.ntotal == len(rows_passages) == index.size
    plain = embedder.encode_passages([p.text for _, p in rows_passages])  # no title in front
    row, passage = rows_passages[5]
    assert np.allclose(baseline.vectors.reconstruct(row), plain[5], atol=1e-3)

    queries = ["Wat heeft de minister toegezegd voor Afghanistan?", "Which motion mentions CO2?"]
    results = baseline.search_batch(queries, 7)
    expected = embedder.encode_queries(queries) @ plain.T
    for result, sims, query in zip(results, expected, queries, strict=True):
        assert result.query == query and len(result.hits) == 7
        order = np.argsort(-sims, kind="stable")[:7]
        assert [h.row for h in result.hits] == [rows_passages[i][0] for i in order]
        assert [h.score for h in result.hits] == pytest.approx(sims[order].tolist(), abs=1e-3)
        for hit in result.hits:
            assert hit.passage == dict(rows_passages)[hit.row]
            assert hit.document.doc_id == hit.passage.doc_id and hit.document.title
    assert [r.language for r in results] == ["nl", "en"]
    assert baseline.search_batch([], 5) == []

    # measured beside the service's retrievers, with MRR@5
    question = LabelledQuestion(
        "q", "mine", "nl", queries[0], True, ("kst-28676-280",), ("toegezegd",)
    )
    retriever = Retriever(index, embedder, Settings(index_dir=small_index))
    scores, rankings = evaluate_retrieval(retriever, [question], baseline=baseline)
    assert set(scores) == {"bm25", "dense", "hybrid", PLAIN_DENSE}
    ranking = rankings[PLAIN_DENSE][0]
    assert scores[PLAIN_DENSE]["mine/nl"].mrr5 == reciprocal_rank(ranking.relevance, 5)
    index.close()


def test_baseline_goal() -> None:
    def scores(mrr5: float) -> RetrievalScores:
        return RetrievalScores(1, 1.0, 1.0, 1.0, 1.0, 1.0, [], mrr5)

    retrieval = {
        "hybrid": {"dev/nl": scores(1.0), "dev/en": scores(0.5), "all": scores(0.1)},
        PLAIN_DENSE: {"dev/nl": scores(1.0), "dev/en": scores(0.75), "all": scores(0.9)},
    }
    goal = check_goals(retrieval, {})[-1]
    assert goal.value == "1/2 (behind: dev/en)" and not goal.met
    retrieval["hybrid"]["dev/en"] = scores(0.75)
    goal = check_goals(retrieval, {})[-1]
    assert goal.value == "2/2" and goal.met


# -- rendering -------------------------------------------------------------------------------
def test_replace_block_keeps_the_rest() -> None:
    text = "# T\n\nintro\n\n<!-- BEGIN x -->\nold\n<!-- END x -->\n\nhand-written notes\n"
    out = replace_block(text, "x", "new")
    assert out == "# T\n\nintro\n\n<!-- BEGIN x -->\nnew\n<!-- END x -->\n\nhand-written notes\n"
    assert replace_block("# T\n", "y", "a") == "# T\n\n<!-- BEGIN y -->\na\n<!-- END y -->\n"
    # a second block of another name is left alone
    assert "new" in replace_block(out, "z", "zz") and "zz" in replace_block(out, "z", "zz")


def test_table_pads_columns() -> None:
    assert table(["a", "bb"], [["ccc", "d"]]).splitlines() == [
        "| a   | bb |",
        "|-----|----|",
        "| ccc | d  |",
    ]


# -- against the bundled corpus --------------------------------------------------------------
@pytest.fixture(scope="module")
def service(corpus_index: Settings, embedder: Embedder) -> Iterator[QAService]:
    svc = QAService(corpus_index, CachedEmbedder(embedder))
    svc.warm_up()
    yield svc
    svc.close()


#: Floors a little under the figures of docs/evaluation.md; a change that drops below one has
#: made retrieval or abstention worse. One question of a pool of 23 is 0.043.
HIT5_FLOORS = {"questions/nl": 0.95, "questions/en": 0.85, "motions": 0.97}
MIN_UNANSWERABLE_DECLINED = 0.80  # today 20/22
MAX_ANSWERABLE_DECLINED = 0.10  # today 1/46


def test_hybrid_retrieval_does_not_regress(service: QAService) -> None:
    questions = [q for f in DEFAULT_QUESTION_FILES for q in load_questions(f)]
    motions, note = bundled_motion_queries(service.settings, service.index.store)
    assert len(motions) == 484, note
    ranked = rank_questions(service.retriever, questions + motions[::4], "hybrid")
    hit5 = {name: score_rankings(rs).hit5 for name, rs in groups_of(ranked).items()}
    for pool, floor in HIT5_FLOORS.items():
        assert hit5[pool] >= floor, hit5
    # the project's goal: every answerable dev question's passage in the top 5
    assert hit5["dev/nl"] == hit5["dev/en"] == 1.0, hit5


def test_abstention_does_not_regress(service: QAService) -> None:
    questions = [q for f in DEFAULT_QUESTION_FILES for q in load_questions(f)]
    records = abstention_decisions(service, questions)
    scores = score_answers(records)
    assert scores.declined_unanswerable >= MIN_UNANSWERABLE_DECLINED, scores
    assert scores.declined_answerable <= MAX_ANSWERABLE_DECLINED, scores
    # the project's goal: every unanswerable dev question declined, no answerable one
    dev = score_answers([r for r in records if r.set == "dev"])
    assert dev.declined_unanswerable == 1.0 and dev.declined_answerable == 0.0, dev


def test_every_labelled_gold_document_is_in_the_bundled_index(service: QAService) -> None:
    """A label naming a document by a file name the index does not keep as its id (an OCR'd
    motion's ``tk-...``) can never count as found or cited; the evaluation names such
    labels in its notes."""
    files = [*default_question_files(), EVAL_DATA / "calibration-extra-questions.jsonl"]
    questions = [q for f in files for q in load_questions(f)]
    assert absent_gold(questions, service.index.store) == []
    wrong = _question(id="x1", gold_docs=("tk-e796381d-cde5-4c09-8a2c-2948947d600f",))
    assert absent_gold([wrong], service.index.store) == [f"x1 ({wrong.gold_docs[0]})"]


def test_abstention_decisions_match_ask(service: QAService) -> None:
    questions = [q for q in load_questions(DEFAULT_QUESTION_FILES[0])]
    quick = abstention_decisions(service, questions)
    asked = answer_questions(service, questions)
    assert [r.declined for r in quick] == [r.declined for r in asked]
    assert {r.declined for r in asked} == {True, False}


def test_eval_command(
    corpus_index: Settings, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    questions = tmp_path / "mine.jsonl"
    questions.write_text("\n".join(json.dumps(r) for r in LABELLED_QUESTIONS), encoding="utf-8")
    out, docs = tmp_path / "figures.json", tmp_path / "docs" / "evaluation.md"
    docs.parent.mkdir()
    docs.write_text("# Evaluation\n\nNotes that must survive.\n", encoding="utf-8")
    argv = ["eval", "--questions", str(questions), "--index-dir", str(corpus_index.index_dir)]
    argv += ["--no-motions", "--quick", "--out", str(out), "--docs", str(docs)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "hit@5" in printed and "Tatoeba" in printed and "reranker" in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert set(figures["retrieval"]) == {"bm25", "dense", "hybrid", PLAIN_DENSE}
    assert "MRR@5" in printed and PLAIN_DENSE in printed
    assert figures["retrieval"]["hybrid"]["mine/nl"]["n"] == 1
    assert figures["answers"]["mine/en"]["declined_unanswerable"] == 1.0
    assert figures["tatoeba"]["pairs"] == 250 and figures["tatoeba"]["nld->eng"] > 0.8
    assert figures["command"].startswith("qa-service eval --questions")
    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Evaluation\n\nNotes that must survive.")
    assert "<!-- BEGIN qa-service eval -->" in text and "evaluation-hitk.png" in text
    assert (docs.parent / "evaluation-hitk.png").stat().st_size > 1000


def test_eval_command_rejects_a_bad_question_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\n{oops\n', encoding="utf-8")
    assert main(["eval", "--questions", str(bad), "--index-dir", str(tmp_path)]) == 2
    assert "line 1" in capsys.readouterr().err
