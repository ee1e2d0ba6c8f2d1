"""Bulk questions without a model: reading inputs, writing and resuming outputs, the run
loop with a fake answerer, and the HTTP client's retries against a mock transport."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_service.bulk.answerers import RemoteAnswerer
from qa_service.bulk.inputs import read_questions
from qa_service.bulk.items import BulkError, Item, ServiceError
from qa_service.bulk.outputs import CSV_COLUMNS, OutputWriter, csv_row, prepare_output
from qa_service.bulk.run import run_bulk


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def answer_row(item: Item, answerable: bool = True) -> dict[str, Any]:
    """What an answer object looks like (the /api/ask shape plus id)."""
    return {
        "id": item.id,
        "question": item.question,
        "answer": f"Antwoord op: {item.question} [1]",
        "answerable": answerable,
        "citations": [
            {
                "n": 1,
                "passage_id": "kst-28676-280#p3",
                "doc_id": "kst-28676-280",
                "title": "Navo; Brief regering",
                "citation": "Kamerstukken II 2017/18, 28676, nr. 280, p. 2",
                "url": "https://zoek.officielebekendmakingen.nl/kst-28676-280.html",
                "section": "",
                "page": 2,
                "text": "Een passage,\nmet een regelovergang.",
                "quote": "Een passage.",
                "score": 0.5,
            }
        ],
        "timings_ms": {"total": 1.0},
    }


class FakeAnswerer:
    """Answers every question (declines those mentioning the weather); records batches."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, items: list[Item]) -> list[dict[str, Any]]:
        self.batches.append([i.id for i in items])
        return [answer_row(i, answerable="weather" not in i.question) for i in items]


def read_output(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- input ----------------------------------------------------------------------------------
def test_txt_one_question_a_line_ids_are_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.txt",
        "\ufeffWat zei de minister?\r\n\r\n  \nWhat about Moldova?\r\nLaatste vraag",
    )
    items = read_questions(path)
    assert [(i.id, i.question, i.error) for i in items] == [
        ("1", "Wat zei de minister?", ""),
        ("4", "What about Moldova?", ""),
        ("5", "Laatste vraag", ""),
    ]


def test_csv_with_and_without_id_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.csv",
        'ID,Question,extra\na1,"Wat zei de minister, en waarom?",x\n\n,"Twee\nregels",y\n',
    )
    items = read_questions(path)
    assert [(i.id, i.question) for i in items] == [
        ("a1", "Wat zei de minister, en waarom?"),
        ("4", "Twee\nregels"),  # no id: the line the record starts on
    ]
    path = write(tmp_path / "q2.csv", "question\nEerste vraag\nTweede vraag\n")
    assert [(i.id, i.question) for i in read_questions(path)] == [
        ("2", "Eerste vraag"),
        ("3", "Tweede vraag"),
    ]


def test_csv_semicolon_export(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "id;question\n1;Wat kost het, ongeveer?\n")
    assert [(i.id, i.question) for i in read_questions(path)] == [("1", "Wat kost het, ongeveer?")]


def test_jsonl_ids_given_or_derived(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.jsonl",
        '{"id": "x", "question": "Eerste?"}\n\n{"id": 7, "question": "Tweede?"}\n'
        '{"question": "Derde?", "lang": "nl"}\n',
    )
    assert [(i.id, i.question) for i in read_questions(path)] == [
        ("x", "Eerste?"),
        ("7", "Tweede?"),
        ("4", "Derde?"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("q.jsonl", '{"question": "a"}\n{"question": "b"\n', "line 2: not valid JSON"),
        (
            "q.jsonl",
            '{"question": "a"}\n["a"]\n',
            'line 2: expected a JSON object with a "question"',
        ),
        ("q.jsonl", '{"id": "1", "q": "a"}\n', 'line 1: expected a JSON object with a "question"'),
        ("q.jsonl", '{"id": [1], "question": "a"}\n', "line 1: id must be a string or an integer"),
        ("q.jsonl", '{"id": 1, "question": "a"}\n{"id": "1", "question": "b"}\n', "occurs twice"),
        ("q.csv", "id,vraag\n1,Wat?\n", "line 1: no 'question' column (columns: id, vraag)"),
        ("q.csv", 'question\n"Wat?\n', "line 2: malformed CSV"),
        ("q.csv", 'question\n"Wat" nu?\nb\n', "line 2: malformed CSV"),
        ("q.txt", "\n  \n", "no questions"),
        ("q.docx", "Wat?", "input must be one of .txt, .csv, .jsonl"),
    ],
)
def test_malformed_input_is_a_clear_error(
    tmp_path: Path, name: str, data: str, message: str
) -> None:
    with pytest.raises(BulkError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_questions(write(tmp_path / name, data))


def test_bad_questions_become_failed_items(tmp_path: Path) -> None:
    long = "x" * 2001
    data = (
        b'{"id": "ok", "question": "Wat zei de minister?"}\n'
        b'{"id": "empty", "question": "  \\t "}\n'
        b'{"id": "long", "question": "' + long.encode() + b'"}\n'
        b'{"id": "bytes", "question": "caf\xe9 \xff?"}\n'
        b'{"id": "number", "question": 42}\n'
        b'{"id": "null", "question": null}\n'
    )
    items = {i.id: i for i in read_questions(write(tmp_path / "q.jsonl", data))}
    assert items["ok"].error == ""
    assert "must not be empty" in items["empty"].error
    assert "at most 2000 characters" in items["long"].error
    assert items["bytes"].error == "question is not valid UTF-8 text"
    assert items["bytes"].question == "caf\ufffd \ufffd?"
    assert items["number"].error == items["null"].error == "question must be a string"
    txt = write(tmp_path / "q.txt", b"Goede vraag\nslechte \xc3 bytes\n" + long.encode() + b"\n")
    assert [bool(i.error) for i in read_questions(txt)] == [False, True, True]


# -- output and resume ----------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_run_writes_each_format_and_resumes(tmp_path: Path, suffix: str) -> None:
    questions = write(
        tmp_path / "q.txt",
        "Wat zei de minister?\nWhat is the weather?\n" + "x" * 2001 + "\nLaatste vraag?\n",
    )
    items = read_questions(questions)
    out = tmp_path / f"out{suffix}"
    fake = FakeAnswerer()
    summary = run_bulk(items, out, fake, batch_size=2, progress=False)
    assert (summary.answered, summary.declined, summary.failed) == (2, 1, 1)
    assert fake.batches == [["1", "2"], ["4"]]  # the bad question never reaches the answerer
    rows = {r["id"]: r for r in read_output(out)}
    assert set(rows) == {"1", "2", "3", "4"}
    assert "at most 2000 characters" in rows["3"]["error"]
    if suffix == ".csv":
        assert list(read_output(out)[0]) == CSV_COLUMNS
        assert rows["1"]["answerable"] == "true" and rows["2"]["answerable"] == "false"
        assert rows["1"]["citations"] == "[1] kst-28676-280 p.2"
        assert rows["1"]["sources"] == (
            "[1] Kamerstukken II 2017/18, 28676, nr. 280, p. 2 "
            "https://zoek.officielebekendmakingen.nl/kst-28676-280.html"
        )
        assert out.read_text().count("\n") == 5  # one line per record
    else:
        assert rows["1"]["citations"][0]["text"] == "Een passage,\nmet een regelovergang."
        assert rows["1"]["answerable"] is True

    # Run again: answered ids are skipped, the failed one is retried (and fails again).
    again = FakeAnswerer()
    summary = run_bulk(items, out, again, progress=False)
    assert again.batches == [] and summary.skipped == 3 and summary.failed == 1
    ids = [r["id"] for r in read_output(out)]
    assert sorted(ids) == ["1", "2", "3", "4"]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_resume_drops_a_truncated_last_line(tmp_path: Path, suffix: str) -> None:
    items = read_questions(write(tmp_path / "q.txt", "Een?\nTwee?\nDrie?\n"))
    out = tmp_path / f"out{suffix}"
    run_bulk(items[:2], out, FakeAnswerer(), progress=False)
    complete = out.read_bytes()
    out.write_bytes(complete[:-40])  # killed while writing the second row
    done = prepare_output(out)
    assert list(done) == ["1"]
    assert out.read_bytes() == complete[: complete.rindex(b"\n", 0, len(complete) - 40) + 1]
    fake = FakeAnswerer()
    run_bulk(items, out, fake, progress=False)
    assert fake.batches == [["2", "3"]]
    assert sorted(r["id"] for r in read_output(out)) == ["1", "2", "3"]


class InterruptedWriter:
    """Patches ``OutputWriter.write`` to raise KeyboardInterrupt (Ctrl-C) once, right after
    its ``after``-th row was written."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, after: int) -> None:
        self.calls = 0
        real = OutputWriter.write

        def write(writer: OutputWriter, row: dict[str, Any]) -> None:
            real(writer, row)
            self.calls += 1
            if self.calls == after:
                raise KeyboardInterrupt

        monkeypatch.setattr(OutputWriter, "write", write)


def test_ctrl_c_before_any_batch_is_submitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while the failed rows are written (no batch submitted yet): the run stops
    with KeyboardInterrupt (not an UnboundLocalError) and a resume finishes the rest."""
    items = read_questions(write(tmp_path / "q.txt", "x" * 2001 + "\nEen?\nTwee?\n"))
    out = tmp_path / "out.jsonl"
    fake = FakeAnswerer()
    with monkeypatch.context() as patch:
        InterruptedWriter(patch, after=1)
        with pytest.raises(KeyboardInterrupt):
            run_bulk(items, out, fake, progress=False)
    assert fake.batches == [] and [r["id"] for r in read_output(out)] == ["1"]
    run_bulk(items, out, fake, progress=False)
    assert sorted(r["id"] for r in read_output(out)) == ["1", "2", "3"]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_ctrl_c_while_a_batch_is_written_writes_no_row_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    items = read_questions(write(tmp_path / "q.txt", "".join(f"Vraag {i}?\n" for i in range(7))))
    out = tmp_path / f"out{suffix}"
    with monkeypatch.context() as patch:
        InterruptedWriter(patch, after=2)  # in the middle of the first batch of three
        with pytest.raises(KeyboardInterrupt):
            run_bulk(items, out, FakeAnswerer(), batch_size=3, progress=False)
    ids = [r["id"] for r in read_output(out)]
    assert len(ids) == len(set(ids)) and ids[:2] == ["1", "2"]
    fake = FakeAnswerer()
    run_bulk(items, out, fake, batch_size=3, progress=False)
    assert all(i not in ids for batch in fake.batches for i in batch)  # only what is missing
    ids = [r["id"] for r in read_output(out)]
    assert sorted(ids, key=int) == [str(i) for i in range(1, 8)]


def test_resume_refuses_a_changed_input(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_bulk(read_questions(write(tmp_path / "q.txt", "Een?\nTwee?\n")), out, FakeAnswerer())
    changed = read_questions(write(tmp_path / "q.txt", "Nul?\nEen?\nTwee?\n"))
    with pytest.raises(BulkError, match="holds an answer for id '1' to another question"):
        run_bulk(changed, out, FakeAnswerer(), progress=False)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "out.jsonl",
            '{"id": "1", "answer": "a", "question": "q", "answerable": true}\nnot json\n',
            "line 2: not a `qa-service bulk` output row",
        ),
        ("out.csv", "a,b,c\n1,2,3\n", "not a `qa-service bulk` CSV output"),
        ("out.txt", "", "output must be one of .jsonl, .csv"),
        ("missing/out.jsonl", "", "no such directory"),
    ],
)
def test_foreign_output_files_are_refused(
    tmp_path: Path, name: str, data: str, message: str
) -> None:
    path = tmp_path / name
    if path.parent.is_dir():
        write(path, data)
    with pytest.raises(BulkError, match=message):
        prepare_output(path)


def test_a_service_error_stops_the_run_and_keeps_the_output_valid(tmp_path: Path) -> None:
    items = read_questions(write(tmp_path / "q.txt", "Een?\nTwee?\nDrie?\nVier?\n"))
    out = tmp_path / "out.jsonl"
    calls = []

    def flaky(batch: list[Item]) -> list[dict[str, Any]]:
        calls.append(batch)
        if len(calls) > 1:
            raise ServiceError("the service went away")
        return [answer_row(i) for i in batch]

    with pytest.raises(ServiceError):
        run_bulk(items, out, flaky, batch_size=2, progress=False)
    assert [r["id"] for r in read_output(out)] == ["1", "2"]
    fake = FakeAnswerer()
    run_bulk(items, out, fake, batch_size=2, progress=False)
    assert fake.batches == [["3", "4"]]


def test_csv_row_of_a_failed_question() -> None:
    row = csv_row({"id": "9", "question": "a\nb", "error": "question must not be empty"})
    assert row == ["9", "a b", "", "", "", "", "question must not be empty"]


# -- the HTTP client ------------------------------------------------------------------------
def remote(handler: Any, retries: int = 3) -> RemoteAnswerer:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return RemoteAnswerer("http://qa.test/", top_k=3, retries=retries, backoff_s=0, client=client)


ITEMS = [Item("a", "Wat zei de minister?"), Item("b", "Een vraag die de dienst weigert")]


def test_remote_retries_503_and_maps_results() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        if len(seen) < 3:
            return httpx.Response(503, json={"detail": "the index is still loading"})
        return httpx.Response(
            200,
            json={
                "results": [
                    {**answer_row(ITEMS[0]), "id": "a"},
                    {"id": "b", "error": "question must not be empty"},
                ]
            },
        )

    rows = remote(handler)(ITEMS)
    assert len(seen) == 3
    assert seen[0] == {
        "questions": [
            {"id": "a", "question": "Wat zei de minister?"},
            {"id": "b", "question": "Een vraag die de dienst weigert"},
        ],
        "top_k": 3,
    }
    assert rows[0]["id"] == "a" and rows[0]["answerable"] is True
    assert rows[1] == {
        "id": "b",
        "question": "Een vraag die de dienst weigert",
        "error": "question must not be empty",
    }


def test_remote_unreachable_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServiceError, match=r"cannot reach the service at http://qa.test .*4 tries"):
        remote(handler)(ITEMS)


def test_remote_garbage_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>a proxy page</html>")

    with pytest.raises(ServiceError, match="unexpected answer to /api/ask/batch"):
        remote(handler)(ITEMS)


def test_remote_refusal_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(422, json={"detail": "questions: at most 100 questions per call"})

    with pytest.raises(ServiceError, match="refused the batch .422: questions: at most 100"):
        remote(handler)(ITEMS)
    assert len(calls) == 1
