"""The Milvus store (``QA_STORE=milvus``, extra ``.[milvus]``): collections and analyzer
(:mod:`.schema`), the loaded index the service searches (:mod:`.index`) and the writer builds
and live updates go through (:mod:`.writer`). ``pymilvus`` is imported only when used."""
