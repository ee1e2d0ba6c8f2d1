"""Any input either parses into non-empty paragraphs or raises ParseError, never anything else."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.parsing import ParseError, parse_file
from qa_service.parsing.cleaning import decode_bytes
from qa_service.parsing.text import parse_text

CORPUS = PROJECT_ROOT / "corpus"
LETTER = CORPUS / "kamerstukken" / "kst-28676-280.txt"
MOTION = CORPUS / "moties" / "kst-34682-125.txt"
OCR_MOTION = CORPUS / "moties" / "tk-92591e61-dff4-48aa-a46d-fe4574604568.txt"


def write(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  \n", "empty"),
        (b"\x00\x01\x02binary\x00data", "binary"),
        (bytes(range(1, 32)) * 50, "binary"),
        (b"caf\xc3 \x81\x8d\x8f\x90\x9d", "undecodable"),  # bad UTF-8, bytes cp1252 lacks
        (b"\n\n\x0c\n\n", "empty"),
        (b"Tweede Kamer, vergaderjaar 2017\xe2\x80\x932018, 28 676, nr. 280 3\n", "no paragraphs"),
    ],
)
def test_unparseable_input_raises_parse_error(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_file(write(tmp_path, data))


def test_parse_error_is_a_value_error_and_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"")
    with pytest.raises(ValueError, match=str(path)):
        parse_file(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="unsupported"):
        parse_file(write(tmp_path, b"%PDF-1.4", "doc.pdf"))


@pytest.mark.parametrize("source", [LETTER, MOTION], ids=["letter", "motion"])
def test_windows_line_endings_and_bom_change_nothing(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    expected = parse_file(source)
    for variant in (
        data.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + data,
        data.replace(b"\n", b"\r"),
    ):
        doc = parse_file(write(tmp_path, variant, source.name))
        assert doc.paragraphs == expected.paragraphs
        expected.meta.source = doc.meta.source
        assert doc.meta == expected.meta


def test_cp1252_fallback(tmp_path: Path) -> None:
    text = LETTER.read_text(encoding="utf-8").replace("–", "-").replace("«", '"').replace("»", '"')
    doc = parse_file(write(tmp_path, text.encode("cp1252"), LETTER.name))
    assert "financiële middelen" in " ".join(p.text for p in doc.paragraphs)
    assert doc.meta.vergaderjaar == "2017-2018"
    assert decode_bytes("geïnformeerd".encode("cp1252")) == "geïnformeerd"


def test_very_long_line() -> None:
    line = "woord " * 200_000 + "einde."
    doc = parse_text(line, "long.txt")
    assert len(doc.paragraphs) == 1
    assert doc.paragraphs[0].text.endswith("woord einde.")


def test_many_hyphenated_lines_are_fast() -> None:
    text = "\n".join(["dit is een regel met een afgebro-", "ken woord en nog wat tekst"] * 20_000)
    doc = parse_text(text, "hyphens.txt")
    assert "afgebroken woord" in doc.paragraphs[0].text


def test_no_blank_lines_and_control_characters() -> None:
    doc = parse_text("Eerste\x07 zin\x1b.\tTweede\u00a0zin.\u200b", "x.txt")
    assert [p.text for p in doc.paragraphs] == ["Eerste zin. Tweede zin."]


def test_text_without_any_letters_is_still_safe() -> None:
    doc = parse_text("123\n\n456\n\n---\n", "numbers.txt")
    assert all(p.text for p in doc.paragraphs)


def _mutations(rng: random.Random, lines: list[str]) -> str:
    """Shuffle, drop, duplicate and garble lines of a real document."""
    out = []
    for line in lines:
        roll = rng.random()
        if roll < 0.1:
            continue
        if roll < 0.2:
            out.append(line)
        if roll < 0.3:
            position = rng.randrange(len(line) + 1)
            line = (
                line[:position]
                + "".join(chr(rng.randrange(1, 0x3000)) for _ in range(5))
                + line[position:]
            )
        out.append(line)
    if rng.random() < 0.5:
        rng.shuffle(out)
    return "\n".join(out)


@pytest.mark.parametrize("source", [LETTER, MOTION, OCR_MOTION], ids=["letter", "motion", "ocr"])
def test_fuzzed_documents_never_crash(source: Path) -> None:
    rng = random.Random(1234)
    lines = source.read_text(encoding="utf-8").split("\n")
    for _ in range(150):
        text = _mutations(rng, lines)
        try:
            doc = parse_text(text, source.name)
        except ParseError:
            continue
        assert doc.paragraphs
        for paragraph in doc.paragraphs:
            assert paragraph.text and paragraph.text == paragraph.text.strip()


def test_random_bytes_never_crash(tmp_path: Path) -> None:
    rng = random.Random(42)
    for i in range(100):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            doc = parse_file(write(tmp_path, data, f"r{i}.txt"))
        except ParseError:
            continue
        assert all(p.text for p in doc.paragraphs)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_with_a_byte_order_mark_is_decoded(encoding: str) -> None:
    from qa_service.parsing.cleaning import decode_bytes

    text = "De minister heeft toegezegd één team te sturen."
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    assert decode_bytes(bom + text.encode(encoding)) == text
