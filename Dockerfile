# The service on the bundled corpus. Build: docker build -t kamerstukken-qa .
# Run: docker run -p 8000:8000 kamerstukken-qa   (then open http://localhost:8000/)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    QA_HOST=0.0.0.0 QA_PORT=8000 QA_INDEX_DIR=/app/index QA_CACHE_DIR=/app/.cache
WORKDIR /app

# torch==2.13.0 is pinned in pyproject.toml; the CPU wheel index keeps the CUDA build out.
COPY pyproject.toml README.md ./
COPY qa_service ./qa_service
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu .

COPY corpus ./corpus
ENV QA_CORPUS_DIR=/app/corpus
# Convert the bundled model and index the bundled corpus at build time: the image starts ready.
RUN qa-service index --quiet

EXPOSE 8000
CMD ["qa-service", "serve", "--no-build"]
