# civic-reflect: the bot in a small image. The database lives on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CIVIC_REFLECT_DB=/data/civic-reflect.sqlite3 \
    CIVIC_REFLECT_CONTENT=/app/content

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 civic \
    && mkdir -p /data \
    && chown civic:civic /data

USER 10001
VOLUME ["/data"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
