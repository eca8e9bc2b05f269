"""Settings read from the environment once, validated, and passed down.

Nothing else in the package reads os.environ: the command line calls
`load_settings()` and hands the result to `build_application()`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# BotFather tokens look like "123456789:AAH...": a numeric bot id, a colon and
# a 35-character secret. Checking the shape catches pasted quotes and spaces.
_TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
SUPPORTED_LANGUAGES = ("en", "es")


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
    # Charts are drawn in this many worker processes (0: in a thread of the
    # bot's own process), which stop after this long without a chart.
    chart_workers: int = 1
    chart_idle_seconds: float = 120.0
    # How long before a question closes its "closing soon" moment comes.
    closing_soon_minutes: int = 180

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
    return Settings(
        token=_check_token(env.get("TELEGRAM_BOT_TOKEN")),
        database_path=Path(database),
        api_base_url=_check_base_url(env.get("TELEGRAM_API_BASE_URL")),
        default_timezone=_check_timezone(env.get("DEFAULT_TIMEZONE", "UTC").strip() or "UTC"),
        default_language=language,
        log_level=level,
        content_dir=Path(content) if content else default_content_dir(),
    )


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would appear in a log line."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback they
            # print is this redacted one.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        if record.stack_info and self.token in record.stack_info:
            record.stack_info = record.stack_info.replace(self.token, "<token>")
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=getattr(logging, settings.log_level),
    )
    if settings.token:
        for handler in logging.getLogger().handlers:
            handler.addFilter(RedactToken(settings.token))
    # httpx logs every request URL at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # python-telegram-bot logs each request's parameters (what people wrote,
    # their names) at DEBUG: never, whatever LOG_LEVEL says.
    logging.getLogger("telegram").setLevel(max(logging.INFO, getattr(logging, settings.log_level)))
