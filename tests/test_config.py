"""Settings from the environment: defaults, validation, and keeping the token secret."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    ConfigError,
    RedactToken,
    Settings,
    configure_logging,
    default_content_dir,
    load_settings,
)

REPO = Path(__file__).resolve().parents[1]
SECRET = "AAH" + "abcdefghijklmnopqrstuvwxyz_-0123"  # 35 url-safe characters
TOKEN = "123456789:" + SECRET
MALFORMED_MESSAGE = (
    "TELEGRAM_BOT_TOKEN is malformed: it should look like 123456789:AAH... "
    "(copy it again from @BotFather, without quotes or spaces)"
)


def test_defaults():
    settings = load_settings({})
    assert settings.token is None
    assert settings.database_path == Path("civic-reflect.sqlite3")
    assert settings.api_base_url is None
    assert settings.default_timezone == "UTC"
    assert settings.tzinfo == ZoneInfo("UTC")
    assert settings.default_language == "en"
    assert settings.log_level == "INFO"
    assert settings.content_dir == REPO / "content"
    assert default_content_dir() == REPO / "content"


def test_blank_values_fall_back_to_defaults():
    settings = load_settings({
        "TELEGRAM_BOT_TOKEN": "  ", "CIVIC_REFLECT_DB": " ", "DEFAULT_TIMEZONE": "",
        "DEFAULT_LANGUAGE": " ", "LOG_LEVEL": "", "TELEGRAM_API_BASE_URL": " ",
        "CIVIC_REFLECT_CONTENT": "",
    })  # fmt: skip
    assert settings == Settings()


def test_paths_from_the_environment(tmp_path):
    settings = load_settings({
        "CIVIC_REFLECT_DB": f" {tmp_path / 'bot.sqlite3'} ",
        "CIVIC_REFLECT_CONTENT": str(tmp_path / "packs"),
    })  # fmt: skip
    assert settings.database_path == tmp_path / "bot.sqlite3"
    assert settings.content_dir == tmp_path / "packs"


def test_load_settings_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "es")
    settings = load_settings()
    assert settings.token == TOKEN
    assert settings.default_language == "es"


# --- the token ---------------------------------------------------------------


def test_valid_token_is_accepted():
    assert len(SECRET) == 35  # the shape BotFather hands out
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.token == TOKEN
    assert settings.require_token() == TOKEN


def test_surrounding_whitespace_is_stripped_from_the_token():
    assert load_settings({"TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n"}).token == TOKEN


@pytest.mark.parametrize(
    "raw",
    [
        f'"{TOKEN}"',
        f"'{TOKEN}'",
        f"123456789: {SECRET}",
        "123456789:AAH abcdefghijklmnopqrstuvwxyz_-0123",
        f"123456789{SECRET}",
        f"123456789;{SECRET}",
        f"bot{TOKEN}",
        "123456789:AAHshort",
        f"123456789:{SECRET}!",
    ],
    ids=["double-quotes", "single-quotes", "space-after-colon", "inner-space", "no-colon",
         "semicolon", "bot-prefix", "too-short", "bad-character"],
)
def test_malformed_token_is_refused_without_echoing_it(raw):
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": raw})
    message = str(caught.value)
    assert message == MALFORMED_MESSAGE
    assert raw.strip() not in message
    assert "abcdefghijklmnopqrstuvwxyz" not in message
    assert "\n" not in message


def test_require_token_without_token_points_to_botfather():
    with pytest.raises(ConfigError) as caught:
        Settings().require_token()
    message = str(caught.value)
    assert message == (
        "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and run "
        "`export TELEGRAM_BOT_TOKEN=<the token it gives you>`"
    )
    assert "@BotFather" in message


def test_repr_does_not_contain_the_token():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert TOKEN not in repr(settings)
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert repr(settings).startswith(
        f"Settings(database_path={Path('civic-reflect.sqlite3')!r}, api_base_url=None,"
    )


# --- other settings ------------------------------------------------------------


def test_valid_timezone():
    settings = load_settings({"DEFAULT_TIMEZONE": " America/Argentina/Buenos_Aires "})
    assert settings.default_timezone == "America/Argentina/Buenos_Aires"
    assert settings.tzinfo == ZoneInfo("America/Argentina/Buenos_Aires")


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "europe/london", "../etc/passwd",
                                  "/etc/localtime", "UTC+3"])
def test_bad_timezone(name):
    with pytest.raises(ConfigError) as caught:
        load_settings({"DEFAULT_TIMEZONE": name})
    assert str(caught.value) == (
        f"DEFAULT_TIMEZONE={name!r} is not an IANA time zone (try Europe/London or UTC)"
    )


def test_timezone_that_names_a_region_is_a_config_error():
    with pytest.raises(ConfigError, match=r"^DEFAULT_TIMEZONE='Europe' is not an IANA"):
        load_settings({"DEFAULT_TIMEZONE": "Europe"})


@pytest.mark.parametrize(("raw", "level"), [("debug", "DEBUG"), (" warning ", "WARNING"),
                                            ("ERROR", "ERROR"), ("critical", "CRITICAL")])
def test_log_level_is_case_insensitive(raw, level):
    assert load_settings({"LOG_LEVEL": raw}).log_level == level


@pytest.mark.parametrize(("raw", "shown"), [("verbose", "VERBOSE"), ("warn", "WARN"),
                                            ("10", "10")])
def test_bad_log_level(raw, shown):
    with pytest.raises(ConfigError) as caught:
        load_settings({"LOG_LEVEL": raw})
    assert str(caught.value) == (
        f"LOG_LEVEL='{shown}' must be one of CRITICAL, ERROR, WARNING, INFO, DEBUG"
    )


@pytest.mark.parametrize(("raw", "language"), [("es", "es"), ("ES", "es"), (" en ", "en")])
def test_default_language(raw, language):
    assert load_settings({"DEFAULT_LANGUAGE": raw}).default_language == language


@pytest.mark.parametrize(("raw", "shown"), [("fr", "fr"), ("EN-GB", "en-gb"),
                                            ("spanish", "spanish")])
def test_bad_default_language(raw, shown):
    with pytest.raises(ConfigError) as caught:
        load_settings({"DEFAULT_LANGUAGE": raw})
    assert str(caught.value) == f"DEFAULT_LANGUAGE='{shown}' must be one of en, es"


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("http://localhost:8081", "http://localhost:8081"),
        # "/bot" is added by the bot with the token: never twice.
        ("http://localhost:8081/bot", "http://localhost:8081"),
        ("http://localhost:8081/bot/", "http://localhost:8081"),
        (" https://api.example.org/bot/// ", "https://api.example.org"),
        ("https://example.org/telegram/bot", "https://example.org/telegram"),
        ("https://api.example.org", "https://api.example.org"),
    ],
)
def test_api_base_url(raw, url):
    assert load_settings({"TELEGRAM_API_BASE_URL": raw}).api_base_url == url


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("localhost:8081/bot", "localhost:8081/bot"),
        ("ftp://example.org/bot/", "ftp://example.org/bot"),
        ("http://", "http:"),
        ("https:///bot", "https:///bot"),
        ("http:// example.org", "http:// example.org"),
    ],
)
def test_bad_api_base_url(raw, shown):
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_API_BASE_URL": raw})
    assert str(caught.value) == (
        f"TELEGRAM_API_BASE_URL={shown!r} must start with http:// or https:// "
        "(for example http://localhost:8081)"
    )


# --- keeping the token out of logs ---------------------------------------------


def _record(msg: str, args: tuple = (), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("telegram.ext", logging.INFO, __file__, 1, msg, args, exc_info)


def test_redact_token_replaces_the_token_in_formatted_arguments():
    record = _record("POST %s failed: %d", (f"https://api.telegram.org/bot{TOKEN}/getMe", 404))
    assert RedactToken(TOKEN).filter(record) is True
    assert record.getMessage() == "POST https://api.telegram.org/bot<token>/getMe failed: 404"
    assert record.args is None
    formatted = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert formatted == "INFO POST https://api.telegram.org/bot<token>/getMe failed: 404"


def test_redact_token_replaces_every_occurrence_in_the_message():
    record = _record(f"{TOKEN} and again {TOKEN}")
    RedactToken(TOKEN).filter(record)
    assert record.getMessage() == "<token> and again <token>"


def test_redact_token_leaves_other_records_alone():
    record = _record("sent %d messages to %s", (3, "group"))
    assert RedactToken(TOKEN).filter(record) is True
    assert record.msg == "sent %d messages to %s"
    assert record.args == (3, "group")
    assert record.getMessage() == "sent 3 messages to group"


def test_redact_token_through_a_handler(caplog):
    redact = RedactToken(TOKEN)
    caplog.handler.addFilter(redact)
    try:
        with caplog.at_level(logging.INFO, logger="civic.test"):
            logging.getLogger("civic.test").info("polling %s", f"/bot{TOKEN}/getUpdates")
    finally:
        caplog.handler.removeFilter(redact)
    assert [r.getMessage() for r in caplog.records] == ["polling /bot<token>/getUpdates"]
    assert TOKEN not in caplog.text
    assert "polling /bot<token>/getUpdates" in caplog.text


def test_redact_token_covers_the_exception_text():
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        record = _record("network error", exc_info=sys.exc_info())
    RedactToken(TOKEN).filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert formatted.startswith("network error\nTraceback")
    assert TOKEN not in formatted


def test_configure_logging_installs_the_filter_and_quietens_httpx(caplog):
    root = logging.getLogger()
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "telegram")}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        configure_logging(Settings(token=TOKEN, log_level="DEBUG"))
        assert any(isinstance(f, RedactToken) for f in handler.filters)
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
        # PTB's DEBUG lines carry request parameters (people's words): never logged.
        assert logging.getLogger("telegram").level == logging.INFO
        logging.getLogger("civic.test").warning("token is %s", TOKEN)
    finally:
        root.removeHandler(handler)
        for h in root.handlers:
            for f in [f for f in h.filters if isinstance(f, RedactToken)]:
                h.removeFilter(f)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
    assert stream.getvalue() == "token is <token>\n"
    assert TOKEN not in caplog.text


def test_configure_logging_without_token_adds_no_filter():
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    try:
        configure_logging(Settings())
        assert handler.filters == []
    finally:
        root.removeHandler(handler)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
