"""Settings read from the environment once, validated, and passed down.

Nothing else in the package reads os.environ: the command line calls
`load_settings()` and hands the result to `build_application()`.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# BotFather tokens look like "123456789:AAH...": a numeric bot id, a colon and
# a 35-character secret. Checking the shape catches pasted quotes and spaces.
_TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
SUPPORTED_LANGUAGES = ("en", "es")
# Where the webhook listens when WEBHOOK_URL is set and PORT is not.
WEBHOOK_DEFAULT_PORT = 8080
MOST_REPLICAS = 4


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for a human."""


def default_content_dir() -> Path:
    # In a source checkout (and in the Docker image, which copies the tree)
    # the packs sit beside the package.
    return Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    database_path: Path = Path("civic-reflect.sqlite3")
    api_base_url: str | None = None
    default_timezone: str = "UTC"
    default_language: str = "en"
    log_level: str = "INFO"
    content_dir: Path = field(default_factory=default_content_dir)
    # How long the live "N voices so far" count waits before it is edited, so
    # a burst of taps costs one edit (Telegram allows about 20 a minute per group).
    count_refresh_seconds: float = 5.0
    # Telegram's flood limits (30 a second, 20 a minute per group), enforced
    # before each request by AIORateLimiter. The overall rate keeps a margin:
    # requests leave evenly spaced but reach Telegram bunched by the network,
    # and at exactly 30 a second the benchmark still met the odd 429.
    overall_max_rate: float = 29.0
    group_max_rate: float = 20.0
    # How often the rate limiter itself waits out a 429 before the outbox
    # takes over (which waits without holding a sender).
    rate_limit_retries: int = 3
    # Retries after a network error, doubling from the base wait.
    send_retries: int = 3
    send_retry_base_seconds: float = 1.0
    # The scheduler's tick; 0 turns it off (tests tick by hand).
    dispatch_interval_seconds: float = 60.0
    dispatch_concurrency: int = 32
    # The outbox's sends on their way at once, from request to written
    # outcome: a crash repeats at most this many (bot.runtime.inflight).
    sends_in_flight: int = 1
    # Charts are drawn in this many worker processes (0: in a thread of the
    # bot's own process), which stop after this long without a chart.
    chart_workers: int = 1
    chart_idle_seconds: float = 120.0
    # How much lower the workers' CPU priority is than the bot's (os.nice).
    chart_worker_niceness: int = 10
    # How long before a question closes its "closing soon" moment comes.
    closing_soon_minutes: int = 180
    # Production (docs/running/postgresql.md): PostgreSQL instead of the SQLite
    # file, webhook instead of polling, the local HTTP listener, replicas.
    # The database URL and the webhook secret may be secrets: never in a repr.
    database_url: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    port: int | None = None
    # Only this machine by default (metrics are not for everyone); the
    # Docker image listens everywhere inside its container.
    listen: str = "127.0.0.1"
    replicas: int = 1
    # With several replicas, what each one that is not the leader may send a
    # second (its replies) at most, and what it keeps for them however quiet;
    # the leader takes the rest of overall_max_rate (bot.domain.rate_share).
    follower_max_rate: float = 4.0
    follower_min_rate: float = 1.0

    @property
    def database(self) -> Path | str:
        """What Store.open takes: the PostgreSQL URL, or the SQLite file."""
        return self.database_url or self.database_path

    @property
    def database_label(self) -> str:
        """The database for logs and messages, without any password."""
        return redact_url(self.database_url) if self.database_url else str(self.database_path)

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.default_timezone)

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and run "
                "`export TELEGRAM_BOT_TOKEN=<the token it gives you>`"
            )
        return self.token


def _check_token(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    token = raw.strip()
    if not _TOKEN_SHAPE.match(token):
        # Never echo the value: it may be a real secret with a typo in it.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: it should look like 123456789:AAH... "
            "(copy it again from @BotFather, without quotes or spaces)"
        )
    return token


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a folder of the tz database such as "Europe" is not a zone.
        raise ConfigError(
            f"DEFAULT_TIMEZONE={name!r} is not an IANA time zone (try Europe/London or UTC)"
        ) from None
    return name


def _check_base_url(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    url = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+[^\s]*$", url):
        raise ConfigError(
            f"TELEGRAM_API_BASE_URL={url!r} must start with http:// or https:// "
            "(for example http://localhost:8081)"
        )
    # The bot adds /bot<token> itself; a URL copied with "/bot" on the end
    # (as some servers' docs write it) would otherwise say it twice.
    return url.removesuffix("/bot")


def redact_url(url: str) -> str:
    """A database URL fit for a log line: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def check_database_url(raw: str | None) -> tuple[str | None, str | None]:
    """(PostgreSQL URL, SQLite file): at most one of them, from DATABASE_URL."""
    if raw is None or not raw.strip():
        return None, None
    url = raw.strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("postgresql", "postgres") and "://" in url:
        return "postgresql" + url[len(scheme):], None
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return None, url[len("sqlite:///"):]
    raise ConfigError(
        f"DATABASE_URL={redact_url(url)!r} must start with postgresql:// "
        "(for example postgresql://civic:PASSWORD@db.example.org/civic_reflect) "
        "or be sqlite:///path/to/file.sqlite3"
    )


# Telegram's rule for secret_token: 1-256 of these; we ask for 16 or more,
# since anyone who guesses it can send the bot updates.
_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ones Telegram calls
_HEALTH_PATHS = ("/healthz", "/metrics")


def check_webhook(url_raw: str | None, secret_raw: str | None, *,
                  local_api: bool) -> tuple[str | None, str | None]:
    url = (url_raw or "").strip() or None
    secret = (secret_raw or "").strip() or None
    if url is None:
        if secret is not None:
            raise ConfigError("WEBHOOK_SECRET is set but WEBHOOK_URL is not: set both for "
                              "webhook mode, or neither for long polling")
        return None, None
    parts = urlsplit(url)
    # A self-hosted Bot API server (TELEGRAM_API_BASE_URL) may call plain HTTP
    # on any port; Telegram's own servers only HTTPS on four ports.
    schemes = ("https", "http") if local_api else ("https",)
    if parts.scheme not in schemes or not parts.hostname or " " in url:
        raise ConfigError(f"WEBHOOK_URL={url!r} must be the public https:// address Telegram "
                          "will call, for example https://bot.example.org/telegram")
    if not local_api and (parts.port or 443) not in _WEBHOOK_PORTS:
        raise ConfigError(f"WEBHOOK_URL={url!r}: Telegram only calls ports 443, 80, 88 and "
                          "8443; let the reverse proxy listen on one of them")
    if parts.path in _HEALTH_PATHS or parts.query or parts.fragment:
        raise ConfigError(f"WEBHOOK_URL={url!r} needs a path of its own (not /healthz or "
                          "/metrics) and no ?query or #fragment, e.g. /telegram")
    if secret is None:
        raise ConfigError("WEBHOOK_SECRET is not set: webhook mode needs it (make one with "
                          "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    if not _SECRET_SHAPE.match(secret):
        # Never echo it.
        raise ConfigError("WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ "
                          "and - (make one with `python3 -c 'import secrets; "
                          "print(secrets.token_urlsafe(32))'`)")
    return url, secret


def check_port(raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise ConfigError(f"PORT={text!r} must be a port number from 1 to 65535 (e.g. 8080)")
    return int(text)


def check_listen(raw: str | None) -> str:
    address = (raw or "").strip() or "127.0.0.1"
    if not re.match(r"^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9.-]+)$", address):
        raise ConfigError(f"LISTEN={address!r} must be an address of this machine, such as "
                          "0.0.0.0 (everywhere, as in a container) or 127.0.0.1 (only this "
                          "machine, behind a reverse proxy)")
    return address.strip("[]")


def check_replicas(raw: str | None, *, postgres: bool, webhook: bool) -> int:
    text = (raw or "").strip() or "1"
    # Each replica but the leader keeps a share of Telegram's rate for its
    # replies (bot.runtime.ratelimit); past four, the leader's share gets thin.
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MOST_REPLICAS):
        raise ConfigError(f"REPLICAS={text!r} must be how many copies of the bot run at "
                          f"once, from 1 to {MOST_REPLICAS}")
    replicas = int(text)
    if replicas > 1 and not (postgres and webhook):
        raise ConfigError(f"REPLICAS={replicas} needs DATABASE_URL=postgresql://... and "
                          "WEBHOOK_URL: replicas cannot share a SQLite file or poll together")
    return replicas


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r} must be one of {', '.join(_LOG_LEVELS)}")
    language = env.get("DEFAULT_LANGUAGE", "en").strip().lower() or "en"
    if language not in SUPPORTED_LANGUAGES:
        raise ConfigError(
            f"DEFAULT_LANGUAGE={language!r} must be one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    content = env.get("CIVIC_REFLECT_CONTENT", "").strip()
    database = env.get("CIVIC_REFLECT_DB", "").strip() or "civic-reflect.sqlite3"
    # DATABASE_URL, when set, says which database; sqlite:///path is the file.
    database_url, sqlite_file = check_database_url(env.get("DATABASE_URL"))
    api_base_url = _check_base_url(env.get("TELEGRAM_API_BASE_URL"))
    webhook_url, webhook_secret = check_webhook(
        env.get("WEBHOOK_URL"), env.get("WEBHOOK_SECRET"), local_api=api_base_url is not None)
    port = check_port(env.get("PORT"))
    if webhook_url and port is None:
        port = WEBHOOK_DEFAULT_PORT
    replicas = check_replicas(env.get("REPLICAS"), postgres=database_url is not None,
                              webhook=webhook_url is not None)
    return Settings(
        token=_check_token(env.get("TELEGRAM_BOT_TOKEN")),
        database_path=Path(sqlite_file or database),
        api_base_url=api_base_url,
        default_timezone=_check_timezone(env.get("DEFAULT_TIMEZONE", "UTC").strip() or "UTC"),
        default_language=language,
        log_level=level,
        content_dir=Path(content) if content else default_content_dir(),
        database_url=database_url,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        port=port,
        listen=check_listen(env.get("LISTEN")),
        replicas=replicas,
        sends_in_flight=check_sends_in_flight(env.get("SENDS_IN_FLIGHT")),
    )


def check_sends_in_flight(value: str | None) -> int:
    """SENDS_IN_FLIGHT: 1 (the default: a crash repeats at most one message)
    up to 8 (a round keeps Telegram's pace however slowly it answers)."""
    text = (value or "").strip()
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 8:
        raise ConfigError(f"SENDS_IN_FLIGHT={text!r} must be a whole number from 1 to 8")
    return int(text)


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would appear in a log line."""

    def __init__(self, token: str, label: str = "<token>"):
        super().__init__()
        self.token = token
        self.label = label

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, self.label)
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback they
            # print is this redacted one.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, self.label)
        if record.stack_info and self.token in record.stack_info:
            record.stack_info = record.stack_info.replace(self.token, self.label)
        return True


class OneLineWarnings(logging.Filter):
    """A database driver's warnings as one line each: the message, the
    error's name and first line, no traceback; and the same line at most
    once every `every_seconds` (then counted in the next). While PostgreSQL
    is away asyncpg's pool warns at each try to reconnect, each with a
    traceback of some forty lines, which said nothing more than the name."""

    def __init__(self, every_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.every_seconds = every_seconds
        self.clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            first = (str(error).strip().splitlines() or [""])[0]
            record.msg = f"{record.getMessage()} ({type(error).__name__}" + (
                f": {first})" if first else ")")
            record.args = None
        record.exc_info = record.exc_text = record.stack_info = None
        line, now = record.getMessage(), self.clock()
        last = self._last.get(line)
        if last is not None and now - last < self.every_seconds:
            self._held[line] = self._held.get(line, 0) + 1
            return False
        if len(self._last) > 100:  # many different lines: start counting afresh
            self._last.clear()
        self._last[line] = now
        if held := self._held.pop(line, 0):
            record.msg, record.args = f"{line} (and {held} more since)", None
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=getattr(logging, settings.log_level),
    )
    secrets = [(settings.token, "<token>"), (settings.webhook_secret, "<webhook secret>")]
    if settings.database_url:
        secrets.append((urlsplit(settings.database_url).password, "***"))
    for secret, label in secrets:
        if secret:
            for handler in logging.getLogger().handlers:
                handler.addFilter(RedactToken(secret, label))
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # python-telegram-bot logs each request's parameters (what people wrote,
    # their names) at DEBUG: never, whatever LOG_LEVEL says.
    logging.getLogger("telegram").setLevel(max(logging.INFO, getattr(logging, settings.log_level)))
    # asyncpg's pool, reconnecting during an outage: one line a try, not a traceback.
    pool = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, OneLineWarnings) for f in pool.filters):
        pool.addFilter(OneLineWarnings())
