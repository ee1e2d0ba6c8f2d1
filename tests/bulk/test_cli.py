"""``qa-service bulk`` locally: each format end to end, and resuming after a kill -9."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from qa_service.answer.answers import Answer
from qa_service.api.schemas import AskResponse
from qa_service.bulk.answerers import local_answerer
from qa_service.bulk.inputs import read_questions
from qa_service.bulk.run import run_bulk
from qa_service.config import PROJECT_ROOT, Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

EXAMPLES = PROJECT_ROOT / "examples"
ASK_FIELDS = set(AskResponse.model_fields)


def bulk_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "qa_service.cli", "bulk", *map(str, args)]


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_examples_in_every_format(
    tmp_path: Path, corpus_index: Settings, embedder: Embedder
) -> None:
    """The shipped examples, through the local answerer: each input and output format."""
    service = QAService(corpus_index, embedder)
    service.warm_up()
    answer = local_answerer(service, top_k=5)
    jsonl_in = tmp_path / "questions.jsonl"
    items = read_questions(EXAMPLES / "questions.csv")
    jsonl_in.write_text(
        "".join(json.dumps({"id": i.id, "question": i.question}) + "\n" for i in items)
    )
    expected: dict[str, Answer] = {}
    runs = [
        (EXAMPLES / "questions.txt", ".jsonl"),
        (EXAMPLES / "questions.csv", ".csv"),
        (jsonl_in, ".csv"),
    ]
    for source, suffix in runs:
        questions = read_questions(source)
        assert len(questions) >= 5 and not any(q.error for q in questions)
        out = tmp_path / f"{source.stem}-{source.suffix[1:]}{suffix}"
        summary = run_bulk(questions, out, answer, batch_size=3, progress=False)
        assert summary.failed == 0 and summary.answered >= 3 and summary.declined >= 1
        rows = read_rows(out)
        assert [r["id"] for r in rows] == [q.id for q in questions]
        for q, row in zip(questions, rows, strict=True):
            if q.question not in expected:
                expected[q.question] = service.ask(q.question, 5).answer
            want = expected[q.question]
            assert row["answer"] == want.answer
            if suffix == ".jsonl":
                assert set(row) == ASK_FIELDS | {"id"}
                assert row["answerable"] is want.answerable
                assert [c["passage_id"] for c in row["citations"]] == [
                    c.hit.passage.passage_id for c in want.citations
                ]
            else:
                assert row["answerable"] == str(want.answerable).lower()
                first = want.citations[0].hit.passage
                assert row["citations"].startswith(f"[1] {first.doc_id}")
                assert "officielebekendmakingen.nl" in row["sources"]
    service.close()


def test_malformed_input_fails_before_loading_anything(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": 1, "question": "Wat?"}\n{"id": 2, "question": "Hoe?"\n')
    proc = subprocess.run(
        bulk_cmd(bad, "-o", tmp_path / "out.jsonl", "--index-dir", tmp_path / "none"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert f"{bad}, line 2: not valid JSON" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        bulk_cmd(EXAMPLES / "questions.txt", "-o", tmp_path / "out.xlsx"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "output must be one of .jsonl, .csv" in proc.stderr


def complete_lines(path: Path) -> list[str]:
    """The lines of ``path`` that were written whole (a kill may cut the last one)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text.split("\n")[:-1]


@pytest.mark.parametrize(
    ("suffix", "sig"),
    [(".jsonl", signal.SIGKILL), (".csv", signal.SIGKILL), (".jsonl", signal.SIGINT)],
)
def test_resume_after_kill(
    tmp_path: Path, corpus_index: Settings, suffix: str, sig: signal.Signals
) -> None:
    """Kill a run midway (kill -9, or Ctrl-C), check what it left, and run it again."""
    questions = read_questions(EXAMPLES / "questions.csv")
    total = 200  # a few seconds of answers: the signal comes while they run
    source = tmp_path / "questions.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": f"q{n:03d}", "question": questions[n % len(questions)].question})
            + "\n"
            for n in range(total)
        )
    )
    out = tmp_path / f"answers{suffix}"
    cmd = bulk_cmd(source, "-o", out, "--index-dir", corpus_index.index_dir, "--batch-size", "4")
    header = 1 if suffix == ".csv" else 0
    proc = subprocess.Popen(
        [*cmd, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # a test run started in the background (``cmd &``) ignores SIGINT, and so would the
        # bulk run it starts: Python then never raises KeyboardInterrupt. Ctrl-C's default back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    while len(complete_lines(out)) < header + 4:  # the first batch is written
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, "no answers within 300 s"
        time.sleep(0.05)
    proc.send_signal(sig)
    output = proc.communicate(timeout=120)[0].decode()
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:  # Ctrl-C: the run stops after the batch in progress and says how to resume
        assert proc.returncode == 130, output
        assert "run the same command again to resume" in output
        assert "Traceback" not in output

    # What the killed run left is valid up to its last complete line.
    lines = complete_lines(out)
    kept = len(lines) - header
    assert 4 <= kept < total, "the run was not interrupted midway"
    if suffix == ".csv":
        assert next(csv.reader(lines[:1])) == [
            "id",
            "question",
            "answer",
            "answerable",
            "citations",
            "sources",
            "error",
        ]
        assert all(len(r) == 7 for r in csv.reader(lines[1:]))
    else:
        assert all(json.loads(line)["answer"] for line in lines)

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{kept} answered by an earlier run" in again.stdout
    rows = read_rows(out)
    ids = [r["id"] for r in rows]
    assert sorted(ids) == [f"q{n:03d}" for n in range(total)]  # every id exactly once
    assert all(r["answer"] and not r.get("error") for r in rows)
    finished = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0 and "already answered" in finished.stdout
