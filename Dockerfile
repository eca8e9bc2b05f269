# civic-reflect: the bot in a small image. The database lives on a volume
# (SQLite), or in PostgreSQL when DATABASE_URL is set.
FROM python:3.11-slim

# PORT: /healthz and /metrics (and the webhook, when WEBHOOK_URL is set) are
# served there, inside the container; nothing is published unless asked.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CIVIC_REFLECT_DB=/data/civic-reflect.sqlite3 \
    CIVIC_REFLECT_CONTENT=/app/content \
    PORT=8080 \
    LISTEN=0.0.0.0

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
EXPOSE 8080
# No curl in a slim image: the bot asks its own /healthz (process up, database
# answering, the scheduler's tick within two minutes).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
