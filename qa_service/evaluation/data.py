"""The labelled data: question files, motion subjects as queries, the Tatoeba bitext."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.documents import DocumentMeta
from qa_service.store.protocol import DocumentStore
from qa_service.text.language import Language

EVAL_DATA = PROJECT_ROOT / "eval_data"

DEFAULT_QUESTION_FILES = (
    EVAL_DATA / "dev-questions.jsonl",
    EVAL_DATA / "calibration-questions.jsonl",
)

#: Held-out questions: measured (when the file is there), never tuned on.
HELDOUT_FILE = EVAL_DATA / "heldout-questions.jsonl"
#: Questions written later on motions no other set uses (eval_data/HELDOUT.md), measured too.
PROBE_FILE = EVAL_DATA / "probe-questions.jsonl"

TATOEBA_DIR = EVAL_DATA / "tatoeba"

MOTIONS_SET = "motions"


class EvalDataError(ValueError):
    """A question file that cannot be read; the message names the file and line."""


def default_question_files() -> list[Path]:
    """The bundled dev and calibration questions, and the held-out and probe questions if
    present."""
    held_out = [f for f in (HELDOUT_FILE, PROBE_FILE) if f.is_file()]
    return [*DEFAULT_QUESTION_FILES, *held_out]


@dataclass(frozen=True)
class LabelledQuestion:
    """One labelled question (the format of ``eval_data/dev-questions.jsonl``)."""

    id: str
    set: str  # "dev", "calibration", "motions", ... (the file name for other files)
    lang: Language
    question: str
    answerable: bool
    gold_docs: tuple[str, ...] = ()
    gold_passage: tuple[str, ...] = ()  # empty: any passage of a gold document is relevant
    facts: tuple[tuple[str, ...], ...] = ()
    #: composite, metadata, numbers, motions, fact, unanswerable (held-out files); "" = none
    category: str = ""

    @property
    def doc_level(self) -> bool:
        """Judged by document (motion subjects) rather than by passage."""
        return not self.gold_passage


def normalize(text: str) -> str:
    """Whitespace collapsed and case folded: how gold substrings and facts are compared."""
    return " ".join(text.split()).casefold()


def set_name_of(path: Path) -> str:
    """``dev-questions.jsonl`` -> ``dev``; other files keep their stem."""
    return path.stem.removesuffix("-questions")


def load_questions(path: Path, set_name: str | None = None) -> list[LabelledQuestion]:
    """Read a JSONL file of labelled questions; :class:`EvalDataError` says what is wrong."""
    path = Path(path)
    name = set_name or set_name_of(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"cannot read {path}: {exc}") from exc
    out: list[LabelledQuestion] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            out.append(_question(json.loads(line), name))
        except (ValueError, TypeError, KeyError) as exc:
            raise EvalDataError(f"{where}: {exc}") from None
    if not out:
        raise EvalDataError(f"{path}: no questions")
    return out


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _question(data: Any, set_name: str) -> LabelledQuestion:
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    question = data["question"]
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    lang = data.get("lang", "nl")
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError("answerable must be true or false")
    facts = data.get("facts", [])
    if not isinstance(facts, list):
        raise ValueError("facts must be a list of lists of strings")
    gold_docs = _strings(data.get("gold_docs", []), "gold_docs")
    if answerable and not gold_docs:
        raise ValueError("an answerable question needs gold_docs")
    return LabelledQuestion(
        id=str(data.get("id", question)),
        set=set_name,
        lang=lang,
        question=question,
        answerable=answerable,
        gold_docs=gold_docs,
        gold_passage=_strings(data.get("gold_passage", []), "gold_passage"),
        facts=tuple(_strings(group, "each facts group") for group in facts),
        category=str(data.get("category", "")),
    )


def motion_queries(
    moties_jsonl: Path, documents: Iterable[DocumentMeta]
) -> tuple[list[LabelledQuestion], list[str]]:
    """Each motion's subject as a query whose relevant document is that motion.

    The file -> document id mapping comes from the indexed documents' ``source``. Returns the
    queries and the motion files not found in the index.
    """
    by_file = {Path(d.source).name: d.doc_id for d in documents if d.source}
    queries: list[LabelledQuestion] = []
    missing: list[str] = []
    for number, line in enumerate(Path(moties_jsonl).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            file, subject = str(row["file"]), str(row["subject"]).strip()
        except (ValueError, TypeError, KeyError) as exc:
            raise EvalDataError(f"{moties_jsonl}, line {number}: {exc}") from None
        doc_id = by_file.get(file)
        if doc_id is None or not subject:
            missing.append(file)
            continue
        queries.append(
            LabelledQuestion(
                id=f"m:{file.removesuffix('.txt')}",
                set=MOTIONS_SET,
                lang="nl",
                question=subject,
                answerable=True,
                gold_docs=(doc_id,),
            )
        )
    return queries, missing


def all_documents(store: DocumentStore, page: int = 500) -> list[DocumentMeta]:
    out: list[DocumentMeta] = []
    while True:
        batch = store.list_documents(len(out), page)
        out.extend(meta for meta, _ in batch)
        if len(batch) < page:
            return out


#: With ``--quick``: every QUICK_STRIDE-th motion subject and QUICK_TATOEBA pairs.
QUICK_STRIDE = 4

QUICK_TATOEBA = 250


def bundled_motion_queries(
    settings: Settings, store: DocumentStore, quick: bool = False
) -> tuple[list[LabelledQuestion], str]:
    """The subject -> motion queries of the bundled corpus's motions found in the index, and
    a note for the report ("" when there is nothing to say)."""
    moties = settings.corpus_dir / "moties.jsonl"
    if not moties.is_file():
        return [], f"motion subjects skipped: no {moties}"
    queries, missing = motion_queries(moties, all_documents(store))
    if not queries:
        return [], f"motion subjects skipped: none of the {len(missing)} motions is indexed"
    if quick:
        queries = queries[::QUICK_STRIDE]
        return queries, f"--quick: every {QUICK_STRIDE}th motion subject ({len(queries)})"
    return queries, ""


def bundled_tatoeba(quick: bool = False) -> tuple[tuple[list[str], list[str]] | None, str]:
    """The bundled Tatoeba bitext (its first pairs with ``quick``) and a note."""
    if not (TATOEBA_DIR / "tatoeba.nld-eng.nld").is_file():
        return None, f"Tatoeba check skipped: no bitext in {TATOEBA_DIR}"
    return load_tatoeba(TATOEBA_DIR, QUICK_TATOEBA if quick else None), ""


def load_tatoeba(folder: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """The Dutch and English sides of the Tatoeba bitext, line-aligned."""
    folder = Path(folder)
    nld = (folder / "tatoeba.nld-eng.nld").read_text(encoding="utf-8").splitlines()
    eng = (folder / "tatoeba.nld-eng.eng").read_text(encoding="utf-8").splitlines()
    if len(nld) != len(eng):
        raise EvalDataError(f"{folder}: {len(nld)} Dutch but {len(eng)} English lines")
    return nld[:limit], eng[:limit]
