"""Backend comparison (``qa-service eval --backends``): the generation cache, scoring, the CLI."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.cli.commands import main
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.evaluation import backends as eb
from qa_service.evaluation.data import LabelledQuestion, load_questions
from qa_service.generation.prompt import Message
from tests.samples import LABELLED_QUESTIONS

INVENTED = "Nederland stuurt vijfhonderd tanks naar Mongolië [1]."


@pytest.fixture()
def questions(tmp_path: Path) -> list[LabelledQuestion]:
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in LABELLED_QUESTIONS), encoding="utf-8")
    return load_questions(path)


class QuotingGenerator:
    """A stand-in model: quotes the prompt passage's sentence that holds ``word`` (citing
    it) and adds an invented sentence; counts how often it was asked to generate."""

    name = "local"

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls = 0
        self.warmed = False

    def warm_up(self) -> None:
        self.warmed = True

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]:
        self.calls += 1
        passages = re.findall(
            r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', messages[1]["content"]
        )
        for n, text in passages:
            for sentence in re.split(r"(?<=[.;])\s+", text):
                if self.word in sentence:
                    yield f"{sentence.rstrip('.;')} [{n}]. "
                    yield INVENTED
                    return
        yield INVENTED


def test_parse_backends() -> None:
    assert eb.parse_backends("extractive, local") == ["extractive", "local"]
    assert eb.parse_backends("openai") == ["openai"]
    for bad, message in [
        ("extractive,gpt4", "unknown backend 'gpt4'"),
        ("local,local", "named twice"),
        (" , ", "at least one"),
    ]:
        with pytest.raises(eb.BackendError, match=message):
            eb.parse_backends(bad)


def test_cache_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "generations.jsonl"
    assert eb.read_cache(path) == {}
    record = {"backend": "local", "model": "m@1", "id": "a", "raw": "x", "first_token_ms": 1.0}
    eb.append_cache(path, record)
    eb.append_cache(path, {**record, "raw": "y"})  # a later line wins
    assert eb.read_cache(path) == {("local", "m@1", "a"): {**record, "raw": "y"}}
    settings = Settings(answer_backend="local", local_model="gemma3-270m")
    assert eb.model_key(settings).startswith("gemma3-270m@")
    assert eb.model_key(Settings()) == ""


def test_caching_generator_replays_only_the_same_question() -> None:
    fake = QuotingGenerator("never")
    record = {"backend": "local", "model": "m@1", "id": "a", "question": "Q?", "raw": "cached"}
    record |= {"first_token_ms": 1.0, "generation_ms": 2.0}
    cache: dict[eb.CacheKey, dict] = {("local", "m@1", "a"): record}
    caching = eb.CachingGenerator(fake, "m@1", cache)
    caching.warm_up()
    assert not fake.warmed  # the model is loaded only when something must be generated
    messages: list[Message] = [{"role": "system", "content": ""}, {"role": "user", "content": ""}]
    caching.question_id, caching.question = "a", "Q?"
    assert "".join(caching.stream(messages, 10, threading.Event())) == "cached"
    assert caching.record["cached"] and fake.calls == 0
    caching.question = "Another question under the same id?"
    assert "".join(caching.stream(messages, 10, threading.Event())) == INVENTED
    assert fake.warmed and fake.calls == 1 and not caching.record["cached"]
    assert cache[("local", "m@1", "a")]["question"] == "Another question under the same id?"


def test_comparison_generates_once_then_replays(
    corpus_index: Settings, embedder: Embedder, questions: list[LabelledQuestion], tmp_path: Path
) -> None:
    cache = tmp_path / "generations.jsonl"
    fake = QuotingGenerator("verkiezingen")

    def make(s: Settings) -> QuotingGenerator | None:
        return fake if s.answer_backend == "local" else None

    def run(backends: list[str]) -> eb.BackendComparison:
        return eb.compare_backends(
            corpus_index,
            backends,
            questions,
            cache_path=cache,
            embedder=embedder,
            make=make,
            command="qa-service eval --backends extractive,local",
        )

    first = run(["extractive", "local"])
    extractive, local = first.summaries
    # the unanswerable question is declined before generation: one model call
    assert fake.calls == 1 and fake.warmed
    lines = cache.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert (record["backend"], record["id"]) == ("local", "a")
    assert record["model"] == eb.model_key(
        corpus_index.model_copy(update={"answer_backend": "local"})
    )
    assert record["raw"].endswith(INVENTED) and record["generation_ms"] >= 0
    assert record["question"] == LABELLED_QUESTIONS[0]["question"]

    assert extractive.generated == 0 and extractive.claims == 0
    assert extractive.answers.fact_coverage == 1.0 and extractive.abstention_accuracy == 1.0
    assert (local.generated, local.replayed, local.claims, local.removed) == (1, 0, 2, 1)
    assert local.statuses.get("unsupported") == 1 and local.fallbacks == 0
    assert local.answers.fact_coverage == 1.0 and local.answers.cites_answer == 1.0
    assert local.abstention_accuracy == 1.0
    answer_a = first.rows["local"][0].judged.answer
    assert "verkiezingen" in answer_a and "Mongolië" not in answer_a
    assert all(r.total_ms >= r.first_token_ms > 0 for rows in first.rows.values() for r in rows)

    second = run(["local"])  # replays: the model is not asked again, the cache does not grow
    assert fake.calls == 1
    assert len(cache.read_text(encoding="utf-8").splitlines()) == 1
    local2 = second.summaries[0]
    assert (local2.generated, local2.replayed, local2.removed) == (1, 1, 1)
    assert second.rows["local"][0].judged.answer == answer_a
    # the replayed answer reports the generation time measured when it was generated
    assert second.rows["local"][0].first_token_ms >= record["first_token_ms"]

    text = eb.render_text(second)
    assert "key-fact coverage" in text and "local (" in text and "1 / 0" in text
    md = eb.render_markdown(second)
    assert md.startswith("## Extractive vs generated answers")
    assert "1 replayed from `generations.jsonl`, 0 generated" in md
    json.dumps(second.to_dict(), allow_nan=False)  # NaN (no English answers) written as null


def test_eval_backends_command(
    corpus_index: Settings, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The CLI replays a cached output (no model is loaded) and writes its docs section."""
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in LABELLED_QUESTIONS), encoding="utf-8")
    cache = tmp_path / "generations.jsonl"
    model = eb.model_key(Settings(answer_backend="local"))
    raw = "De ministers riepen Afghanistan op tot geloofwaardige verkiezingen [1]."
    eb.append_cache(
        cache,
        {"backend": "local", "model": model, "id": "a", "raw": raw}
        | {"first_token_ms": 1500.0, "generation_ms": 4000.0},
    )
    docs = tmp_path / "evaluation.md"
    kept = "# Evaluation\n\nNotes that must survive.\n\n<!-- BEGIN qa-service eval -->\nx\n"
    kept += "<!-- END qa-service eval -->\n\nMore notes.\n"
    old_section = (
        "<!-- BEGIN qa-service eval --backends -->\nold\n<!-- END qa-service eval --backends -->"
    )
    docs.write_text(kept + old_section + "\n\nAfter.\n", encoding="utf-8")
    out = tmp_path / "comparison.json"
    argv = ["eval", "--backends", "extractive,local", "--questions", str(path)]
    argv += ["--index-dir", str(corpus_index.index_dir), "--generations-cache", str(cache)]
    argv += ["--limit", "1", "--docs", str(docs), "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "time to first token" in printed and "extractive" in printed
    text = docs.read_text(encoding="utf-8")
    # the section is replaced in place; the rest (the other generated block too) is kept
    assert text.startswith(kept + "<!-- BEGIN qa-service eval --backends -->\n")
    assert text.endswith("<!-- END qa-service eval --backends -->\n\nAfter.\n")
    assert "\nold\n" not in text and text.count("<!-- BEGIN qa-service eval --backends") == 1
    assert "## Extractive vs generated answers" in text and "1 questions" in text
    figures = json.loads(out.read_text(encoding="utf-8"))
    local = figures["summaries"][1]
    assert (local["backend"], local["questions"], local["replayed"]) == ("local", 1, 1)
    assert len(cache.read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--backends", "extractive,gpt4"], "unknown backend 'gpt4'"),
        (["--backends", "local,local"], "named twice"),
        (["--limit", "0"], "--limit must be at least 1"),
        (["--generations-cache", "x.jsonl"], "--generations-cache needs --backends"),
    ],
)
def test_eval_backends_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str], message: str
) -> None:
    assert main(["eval", "--index-dir", str(tmp_path / "none"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "none").exists()  # rejected before anything was loaded or built


def test_eval_backends_unreachable_model_server(
    corpus_index: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model server that is down is a clear error (exit 1), not a traceback."""
    monkeypatch.setenv("QA_OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("QA_OPENAI_MODEL", "m")
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps(LABELLED_QUESTIONS[0]), encoding="utf-8")
    cache = tmp_path / "generations.jsonl"
    argv = ["eval", "--backends", "openai", "--questions", str(path)]
    argv += ["--index-dir", str(corpus_index.index_dir), "--generations-cache", str(cache)]
    assert main(argv) == 1
    assert "cannot reach the model server" in capsys.readouterr().err
    assert not cache.exists()
