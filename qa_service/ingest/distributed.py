"""The embedding pass of a build as a Ray Data job (``qa-service index --ray ADDRESS``).

Parsing, chunking and writing the index stay in this process (:func:`.build.build_index`);
only the model's part moves to the cluster. :class:`RayEmbedding` is an
:class:`~.build.EmbedStep`: it returns what :func:`.build.local_embed` returns (each
passage's vector and packed sentence vectors, in passage order), so whatever writes the
index (the local :class:`~qa_service.store.writer.BuildWriter`, or another store's writer)
takes them as they are.

- The passages go to the cluster as rows (embedded text, own text, context); ``map_batches``
  runs them through a pool of actors, one model replica each (:class:`EmbedWorker`, which
  loads the model in its constructor): one GPU per actor where the cluster has GPUs, else
  ``cpus_per_worker`` cores. A worker computes exactly what the local build computes
  (:func:`.build.embed_texts`), with oneDNN capped to the driver's instructions
  (``ONEDNN_MAX_CPU_ISA``), so the vectors are the local path's.
- Resumable: each finished document's vectors are saved in ``work_dir`` under its content
  hash (:func:`.build.document_hash`), in a folder keyed by the settings the vectors depend
  on. A run after a kill (or after documents changed) embeds only the documents without a
  shard.
- Ray is an optional dependency (``pip install 'qa-service[ray]'``), imported only here.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.embedding.embedder import limit_cpu_isa
from qa_service.ingest.build import (
    embed_texts,
    embedded_texts,
    manifest_fields,
    passage_speakers,
)
from qa_service.store.layout import CONTEXT_RULE

log = logging.getLogger(__name__)

ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA"
LOOPBACK_VARIABLE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
SHARD_SUFFIX = ".npz"
#: passages sorted by length together (in ``batch_size`` units): see :func:`_order`
WINDOW_BATCHES = 16


class RayNotInstalled(RuntimeError):
    pass


def is_loopback_address(address: str) -> bool:
    """``127.0.0.1:6390``, ``localhost:6390``, ``[::1]:6390`` (``ray://`` or not)."""
    host = address.removeprefix("ray://").rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def import_ray(address: str = "") -> Any:
    """The ``ray`` module (with Ray Data), or a clear error naming the extra.

    For a cluster on loopback, Ray must not swap the address for the machine's network
    address (which it does for any ``127.0.0.1``): ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
    turns that off, and Ray reads it once, when it is imported."""
    loopback = is_loopback_address(address)
    if loopback:
        os.environ.setdefault(LOOPBACK_VARIABLE, "0")
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise RayNotInstalled(
            "--ray needs Ray Data: pip install 'qa-service[ray]' (on the driver and on every "
            f"node of the cluster) ({e})"
        ) from e
    from ray._private import ray_constants

    if loopback and getattr(ray_constants, "ENABLE_RAY_CLUSTER", False):
        raise RuntimeError(
            f"Ray was imported before {LOOPBACK_VARIABLE}=0 was set: it would connect to "
            f"{address} through this machine's network address. Set it in the environment."
        )
    return ray


# -- the workers ------------------------------------------------------------------------------
class EmbedWorker:
    """One model replica on a Ray worker; Ray Data calls it with batches of passage rows."""

    def __init__(self, settings: Settings, device: str, threads: int, isa: str) -> None:
        # a worker is a process of its own: cap oneDNN as the driver did, before the model runs
        if isa:
            os.environ[ISA_VARIABLE] = isa
        limit_cpu_isa(settings.onednn_max_isa)
        self.isa = os.environ.get(ISA_VARIABLE, "")
        self.settings = settings.model_copy(update={"torch_threads": threads})
        self.embedder = Embedder(self.settings, device=device)
        self.embedder.warm_up()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        started, cpu = time.perf_counter(), time.process_time()
        texts = [str(t) for t in batch["text"]]
        vectors, sentences = embed_texts(
            texts,
            [str(t) for t in batch["raw"]],
            [str(c) for c in batch["context"]],
            self.settings,
            self.embedder,
            speakers=[str(w) for w in batch["speaker"]],
        )
        out = {
            "doc": batch["doc"],
            "i": batch["i"],
            "vector": vectors,
            "isa": np.array([self.isa] * len(texts)),
            # the worker's time on this batch (each row carries its share): for the rate
            "worker": np.full(len(texts), os.getpid(), dtype=np.int64),
            "busy": np.full(len(texts), (time.perf_counter() - started) / len(texts)),
            "cpu": np.full(len(texts), (time.process_time() - cpu) / len(texts)),
        }
        if sentences is not None:
            out["sentences"] = np.empty(len(sentences), dtype=object)
            out["sentences"][:] = sentences
        return out


# -- the work directory -----------------------------------------------------------------------
def settings_key(settings: Settings, embedder: Embedder) -> str:
    """What a passage's vectors depend on besides the document: shards made under other
    settings are not reused."""
    fields = {
        **manifest_fields(settings, embedder),
        "context_rule": CONTEXT_RULE,  # how a passage without a topical context is embedded
        "sentence_vectors": settings.sentence_vectors,
        "sentence_vectors_alone": settings.sentence_vectors_alone,
        "passage_prompt": settings.passage_prompt,
        "embedding_dtype": settings.embedding_dtype,
        "onednn_max_isa": os.environ.get(ISA_VARIABLE, settings.onednn_max_isa),
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Shards:
    """Per-document vector files in ``folder``, one per content hash."""

    folder: Path

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{SHARD_SUFFIX}"

    def load(self, digest: str, count: int) -> tuple[np.ndarray, list[bytes] | None] | None:
        """A document's vectors and sentence vectors, or None when there is no usable shard."""
        path = self.path(digest)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                vectors = np.asarray(data["vectors"], dtype=np.float32)
                sentences = None
                if "offsets" in data:
                    blob, offsets = data["sentences"].tobytes(), data["offsets"]
                    sentences = [blob[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
        except (OSError, ValueError, KeyError) as e:
            log.warning("ignoring unreadable shard %s: %s", path, e)
            return None
        return (vectors, sentences) if len(vectors) == count else None

    def save(self, digest: str, vectors: np.ndarray, sentences: Sequence[bytes] | None) -> None:
        """Written under a temporary name, then renamed: a kill leaves no half shard."""
        path = self.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        vectors = np.asarray(vectors, dtype=np.float32)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            if sentences is None:
                np.savez(f, vectors=vectors)
            else:
                blob = np.frombuffer(b"".join(sentences), dtype=np.uint8)
                offsets = np.cumsum([0, *map(len, sentences)], dtype=np.int64)
                np.savez(f, vectors=vectors, sentences=blob, offsets=offsets)
        os.replace(tmp, path)


# -- the job ----------------------------------------------------------------------------------
@dataclass
class EmbedRun:
    """What the last run did (for the command's summary and the tests)."""

    documents_reused: int = 0
    documents_embedded: int = 0
    passages_embedded: int = 0
    workers: int = 0
    device: str = "cpu"
    worker_isa: set[str] = field(default_factory=set)
    seconds: float = 0.0  #: the whole step
    #: seconds each worker (by process id) spent embedding, without its start
    busy: dict[int, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0  #: CPU time of the workers in their batches (all threads)

    @property
    def passages_per_second_embedding(self) -> float:
        """The cluster's rate once its workers run: passages over the busiest worker's time
        (leaves out starting the workers and loading the model, which a long job amortises)."""
        return self.passages_embedded / max(max(self.busy.values(), default=0.0), 1e-9)


@dataclass
class _Pending:
    vectors: np.ndarray
    sentences: list[bytes] | None
    left: int


class RayEmbedding:
    """An :class:`~.build.EmbedStep` that embeds on the Ray cluster at ``address``.

    ``workers``: actors (model replicas); 0 = one per GPU of the cluster, or one per
    ``cpus_per_worker`` of its CPUs. ``batch_size``: passages per ``map_batches`` call (the
    model still runs ``embedding_batch_size`` at a time, sorted by length within a call).
    """

    def __init__(
        self,
        address: str,
        work_dir: Path,
        workers: int = 0,
        cpus_per_worker: int = 1,
        batch_size: int = 256,
    ) -> None:
        import_ray(address)
        self.address = address
        self.work_dir = Path(work_dir)
        self.workers = workers
        self.cpus_per_worker = max(1, cpus_per_worker)
        self.batch_size = batch_size
        self.last = EmbedRun()

    def __call__(
        self,
        documents: Sequence[tuple[DocumentMeta, str]],
        passages: Sequence[Passage],
        settings: Settings,
        embedder: Embedder,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[bytes] | None]:
        started = time.perf_counter()
        self.last = run = EmbedRun()
        shards = Shards(self.work_dir / settings_key(settings, embedder))
        metas = {m.doc_id: m for m, _ in documents}
        digests = {m.doc_id: d for m, d in documents}
        rows: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            rows.setdefault(p.doc_id, []).append(i)
        dim = embedder.dimension
        vectors = np.zeros((len(passages), dim), dtype=np.float32)
        sentences: list[bytes] | None = [b""] * len(passages) if settings.sentence_vectors else None

        todo: list[str] = []
        for doc_id, where in rows.items():
            found = shards.load(digests[doc_id], len(where))
            if found is None or (sentences is not None and found[1] is None):
                todo.append(doc_id)
                continue
            vectors[where] = found[0]
            if sentences is not None and found[1] is not None:
                for row, blob in zip(where, found[1], strict=True):
                    sentences[row] = blob
            run.documents_reused += 1
        if run.documents_reused:
            print(
                f"reusing the vectors of {run.documents_reused} unchanged documents from "
                f"{shards.folder}"
            )
        if todo:
            done = self._embed(todo, rows, metas, digests, passages, settings, shards, progress)
            for doc_id, doc_vectors, doc_sentences in done:
                vectors[rows[doc_id]] = doc_vectors
                if sentences is not None and doc_sentences is not None:
                    for row, blob in zip(rows[doc_id], doc_sentences, strict=True):
                        sentences[row] = blob
            if run.documents_embedded != len(todo):
                raise RuntimeError(
                    f"the Ray job returned vectors for {run.documents_embedded} of the "
                    f"{len(todo)} documents sent"
                )
        run.seconds = time.perf_counter() - started
        return vectors, sentences

    # -- the Ray Data part ------------------------------------------------------------------
    def _embed(
        self,
        todo: list[str],
        rows: dict[str, list[int]],
        metas: dict[str, DocumentMeta],
        digests: dict[str, str],
        passages: Sequence[Passage],
        settings: Settings,
        shards: Shards,
        progress: bool,
    ) -> Iterator[tuple[str, np.ndarray, list[bytes] | None]]:
        """Run the job; each document, once all its passages are back, is saved in the work
        directory and yielded with its vectors."""
        from tqdm import tqdm

        ray = import_ray(self.address)
        import pyarrow as pa

        run = self.last
        order = _order(todo, rows, passages, self.batch_size * WINDOW_BATCHES)
        chosen = [passages[i] for i in order]
        texts, contexts = embedded_texts(metas, chosen, settings)
        doc_index = {doc_id: n for n, doc_id in enumerate(todo)}
        position = {i: k for doc_id in todo for k, i in enumerate(rows[doc_id])}
        table = pa.table(
            {
                "doc": pa.array([doc_index[p.doc_id] for p in chosen], pa.int32()),
                "i": pa.array([position[i] for i in order], pa.int32()),
                "text": pa.array(texts, pa.string()),
                "raw": pa.array([p.text for p in chosen], pa.string()),
                "context": pa.array(contexts, pa.string()),
                "speaker": pa.array(passage_speakers(metas, chosen), pa.string()),
            }
        )
        isa = os.environ.get(ISA_VARIABLE, settings.onednn_max_isa)
        with _connected(ray, self.address):
            ctx = ray.data.DataContext.get_current()
            ctx.enable_progress_bars = False  # ours counts passages (below)
            ctx.execution_options.verbose_progress = False
            gpus = int(ray.cluster_resources().get("GPU", 0))
            cpus = int(ray.cluster_resources().get("CPU", 1))
            device = "cuda" if gpus else "cpu"
            workers = self.workers or (gpus or max(1, cpus // self.cpus_per_worker))
            resources: dict[str, Any] = (
                {"num_gpus": 1, "num_cpus": 1} if gpus else {"num_cpus": self.cpus_per_worker}
            )
            run.workers, run.device = workers, device
            blocks = [
                table.slice(start, self.batch_size)
                for start in range(0, table.num_rows, self.batch_size)
            ]
            dataset = ray.data.from_arrow(blocks).map_batches(
                EmbedWorker,
                fn_constructor_kwargs={
                    "settings": settings,
                    "device": device,
                    "threads": 1 if gpus else self.cpus_per_worker,
                    "isa": isa,
                },
                batch_size=self.batch_size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=workers),
                runtime_env={"env_vars": {ISA_VARIABLE: isa}} if isa else None,
                **resources,
            )
            print(
                f"embedding {len(order)} passages of {len(todo)} documents on the Ray cluster "
                f"at {self.address}: {workers} worker(s) on {device.upper()}"
            )
            pending: dict[int, _Pending] = {}
            bar = tqdm(total=len(order), desc="embedding", unit="passage", disable=not progress)
            for batch in _batches(dataset):
                run.worker_isa.update(str(v) for v in batch["isa"])
                for pid, busy in zip(batch["worker"], batch["busy"], strict=True):
                    run.busy[int(pid)] = run.busy.get(int(pid), 0.0) + float(busy)
                run.cpu_seconds += float(batch["cpu"].sum())
                for k in range(len(batch["doc"])):
                    n, i = int(batch["doc"][k]), int(batch["i"][k])
                    doc_id = todo[n]
                    entry = pending.get(n)
                    if entry is None:
                        count = len(rows[doc_id])
                        entry = pending[n] = _Pending(
                            np.zeros((count, batch["vector"].shape[1]), np.float32),
                            [b""] * count if "sentences" in batch else None,
                            count,
                        )
                    entry.vectors[i] = batch["vector"][k]
                    if entry.sentences is not None:
                        entry.sentences[i] = bytes(batch["sentences"][k])
                    entry.left -= 1
                    if entry.left == 0:
                        shards.save(digests[doc_id], entry.vectors, entry.sentences)
                        del pending[n]
                        run.documents_embedded += 1
                        yield doc_id, entry.vectors, entry.sentences
                bar.update(len(batch["doc"]))
                run.passages_embedded += len(batch["doc"])
            bar.close()
        if isa and run.worker_isa != {isa}:
            raise RuntimeError(
                f"the workers capped oneDNN at {sorted(run.worker_isa)}, not {isa} as here: "
                "their vectors would differ from the local build's"
            )


def _order(
    todo: Sequence[str], rows: dict[str, list[int]], passages: Sequence[Passage], window: int
) -> list[int]:
    """The passages to embed, document after document, sorted longest first within windows
    of ``window`` passages: batches of similar lengths need less padding (as the local pass,
    which sorts all passages), while the documents of one window are done, and saved,
    before those of the next."""
    flat = [i for doc_id in todo for i in rows[doc_id]]
    out: list[int] = []
    for start in range(0, len(flat), window):
        out += sorted(flat[start : start + window], key=lambda i: -len(passages[i].text))
    return out


def _batches(dataset: Any) -> Iterator[dict[str, np.ndarray]]:
    yield from dataset.iter_batches(batch_size=None, batch_format="numpy")


class _connected:
    """``ray.init`` on the cluster for the job, ``ray.shutdown`` after (also on errors).

    For a cluster on loopback (``127.0.0.1:PORT``) the driver says it is on 127.0.0.1 too
    (see :func:`import_ray`)."""

    def __init__(self, ray: Any, address: str) -> None:
        self.ray, self.address = ray, address

    def __enter__(self) -> None:
        kwargs: dict[str, Any] = {"address": self.address, "log_to_driver": False}
        if is_loopback_address(self.address):
            kwargs["_node_ip_address"] = "127.0.0.1"
        if not self.ray.is_initialized():
            self.ray.init(**kwargs)
            self._owned = True
        else:
            self._owned = False

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            self.ray.shutdown()
