"""Settings for production: the database URL, webhook mode, the listener and
replicas, each checked at start with one line to fix, secrets never echoed."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest

from bot.cli import running_line
from bot.config import ConfigError, Settings, configure_logging, load_settings, redact_url

SECRET = "s3cret-Webhook_token-0123456789"
WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": SECRET}


def error_of(environment: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(environment)
    return str(caught.value)


def test_by_default_polling_on_the_sqlite_file_with_no_listener():
    settings = load_settings({})
    assert (settings.mode, settings.database, settings.database_url) == (
        "polling", Path("civic-reflect.sqlite3"), None)
    assert (settings.port, settings.listen, settings.replicas) == (None, "127.0.0.1", 1)


def test_database_url_selects_postgresql_and_hides_its_password():
    settings = load_settings({"DATABASE_URL": " postgres://civic:pa55word@db:5432/civic ",
                              "CIVIC_REFLECT_DB": "/data/ignored.sqlite3"})
    assert settings.database == "postgresql://civic:pa55word@db:5432/civic"
    assert settings.database_label == "postgresql://civic:***@db:5432/civic"
    assert "pa55word" not in repr(settings)
    unix = load_settings({"DATABASE_URL": "postgresql://civic@/civic?host=/run/postgresql"})
    assert unix.database_label == "postgresql://civic@/civic?host=/run/postgresql"


def test_database_url_may_name_the_sqlite_file():
    settings = load_settings({"DATABASE_URL": "sqlite:////data/bot.sqlite3"})
    assert (settings.database, settings.database_url) == (Path("/data/bot.sqlite3"), None)


@pytest.mark.parametrize("raw", ["mysql://u:secretpw@h/db", "sqlite://relative", "db.sqlite3"])
def test_a_database_url_of_another_kind_is_refused_without_its_password(raw):
    message = error_of({"DATABASE_URL": raw})
    assert message.startswith("DATABASE_URL=") and "must start with postgresql://" in message
    assert "secretpw" not in message


def test_webhook_mode_with_its_defaults():
    settings = load_settings(WEBHOOK)
    assert (settings.mode, settings.webhook_url, settings.port, settings.listen) == (
        "webhook", "https://bot.example.org/telegram", 8080, "127.0.0.1")
    assert SECRET not in repr(settings)
    chosen = load_settings({**WEBHOOK, "PORT": "9000", "LISTEN": "0.0.0.0"})
    assert (chosen.port, chosen.listen) == (9000, "0.0.0.0")
    assert load_settings({"LISTEN": "[::1]"}).listen == "::1"


@pytest.mark.parametrize(("environment", "expected"), [
    ({"WEBHOOK_URL": "https://bot.example.org/telegram"}, "WEBHOOK_SECRET is not set"),
    ({"WEBHOOK_SECRET": SECRET}, "WEBHOOK_SECRET is set but WEBHOOK_URL is not"),
    ({**WEBHOOK, "WEBHOOK_URL": "http://bot.example.org/telegram"}, "must be the public https://"),
    ({**WEBHOOK, "WEBHOOK_URL": "bot.example.org/telegram"}, "must be the public https://"),
    ({**WEBHOOK, "WEBHOOK_URL": "https://bot.example.org:8080/tg"}, "only calls ports 443, 80"),
    ({**WEBHOOK, "WEBHOOK_URL": "https://bot.example.org/healthz"}, "needs a path of its own"),
    ({**WEBHOOK, "WEBHOOK_URL": "https://bot.example.org/t?x=1"}, "needs a path of its own"),
    ({**WEBHOOK, "WEBHOOK_SECRET": "short"}, "16 to 256 characters"),
    ({**WEBHOOK, "WEBHOOK_SECRET": "has spaces and is long enough"}, "16 to 256 characters"),
    ({"PORT": "80a"}, "PORT='80a' must be a port number"),
    ({"PORT": "70000"}, "PORT='70000' must be a port number"),
    ({"LISTEN": "every where"}, "LISTEN='every where' must be an address"),
    ({"REPLICAS": "0"}, "REPLICAS='0' must be how many"),
    ({"REPLICAS": "5"}, "REPLICAS='5' must be how many copies of the bot run at once, from 1 to 4"),
    ({"REPLICAS": "2"}, "REPLICAS=2 needs DATABASE_URL=postgresql://... and WEBHOOK_URL"),
    ({**WEBHOOK, "REPLICAS": "2"}, "REPLICAS=2 needs DATABASE_URL"),
    ({"SENDS_IN_FLIGHT": "0"}, "SENDS_IN_FLIGHT='0' must be a whole number from 1 to 8"),
    ({"SENDS_IN_FLIGHT": "many"}, "SENDS_IN_FLIGHT='many' must be a whole number from 1 to 8"),
])
def test_production_mistakes_are_one_line_to_fix(environment, expected):
    message = error_of(environment)
    assert expected in message and "\n" not in message
    assert SECRET not in message and "has spaces" not in message


def test_sends_in_flight_is_one_unless_an_operator_chooses_more():
    assert load_settings({}).sends_in_flight == 1
    assert load_settings({"SENDS_IN_FLIGHT": "4"}).sends_in_flight == 4


def test_a_local_bot_api_server_may_call_plain_http_on_any_port():
    settings = load_settings({**WEBHOOK, "WEBHOOK_URL": "http://127.0.0.1:8443/telegram",
                              "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081"})
    assert settings.webhook_url == "http://127.0.0.1:8443/telegram"


def test_two_replicas_need_postgresql_and_a_webhook():
    settings = load_settings({**WEBHOOK, "DATABASE_URL": "postgresql://civic@db/civic",
                              "REPLICAS": "2"})
    assert settings.replicas == 2


def test_run_says_which_mode_and_which_database():
    assert running_line(Settings(database_path=Path("/data/c.sqlite3"))) == (
        "running with long polling; database /data/c.sqlite3 (SQLite)")
    assert running_line(Settings(port=9090, listen="127.0.0.1")) == (
        "running with long polling; /healthz and /metrics on 127.0.0.1:9090; database "
        "civic-reflect.sqlite3 (SQLite)")
    production = load_settings({**WEBHOOK, "REPLICAS": "2",
                                "DATABASE_URL": "postgresql://civic:pw123456@db/civic"})
    assert running_line(production) == (
        "running with a webhook: Telegram calls https://bot.example.org/telegram, answered on "
        "127.0.0.1:8080 (with /healthz and /metrics); database postgresql://civic:***@db/civic "
        "(PostgreSQL); one of 2 replicas")


def test_the_webhook_secret_and_the_database_password_never_reach_the_log():
    settings = load_settings({**WEBHOOK, "DATABASE_URL": "postgresql://civic:pw123456@db/c"})
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    try:
        configure_logging(settings)
        logging.getLogger("bot.test").warning("header %s, url %s", SECRET, settings.database)
    finally:
        root.handlers, level = saved
        root.setLevel(level)
    assert stream.getvalue() == (
        "header <webhook secret>, url postgresql://civic:***@db/c\n")


def test_redact_url_keeps_everything_but_the_password():
    assert redact_url("postgresql://u:p%40ss@h:5/d?sslmode=require") == (
        "postgresql://u:***@h:5/d?sslmode=require")
    assert redact_url("postgresql://h/d") == "postgresql://h/d"


REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_and_the_examples_use_only_real_ones():
    read = set(re.findall(r'env\.get\("([A-Z_]+)"', (REPO / "bot/config.py").read_text()))
    assert {"DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "PORT", "LISTEN",
            "REPLICAS"} <= read
    page = (REPO / "docs" / "running" / "configuration.md").read_text()
    table = page.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([A-Z_]+)` \|", table, re.MULTILINE)) == read
    for example in ("compose.yaml", "compose.postgres.yaml", "Dockerfile"):
        text = (REPO / example).read_text()
        # The bot's settings the example sets (POSTGRES_* and BOT_DOMAIN are
        # for the database's image and Caddy).
        named = set(re.findall(r"^\s+([A-Z][A-Z_]+)[:=]", text, re.MULTILINE))
        named -= {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR",
                  "PIP_DISABLE_PIP_VERSION_CHECK", "POSTGRES_USER", "POSTGRES_PASSWORD",
                  "POSTGRES_DB", "POSTGRES_INITDB_ARGS", "BOT_DOMAIN"}
        assert named and named <= read, (example, named - read)
