"""Property-based tests (hypothesis): whatever text, arguments or button
data arrive, the decoders and parsers answer plainly, and the running bot
neither fails nor sends Telegram anything it would refuse."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.domain import arguments
from bot.render import callbacks
from bot.sandbox.telegram import FakeTelegram, UpdateFactory

from helpers.app import TEST_TOKEN, Clock, Harness, start_app, stop_app
from helpers.group import GROUP_ID, ask, make_group, run_setup

# Text as people and programs send it: any character, controls, bidi marks, emoji.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=600)
LONG_TEXT = st.text(st.characters(codec="utf-8"), min_size=3000, max_size=4096)
BUTTON_DATA = st.one_of(
    st.text(max_size=80),
    st.builds(lambda kind, parts: "|".join(["1", kind, *parts]),
              st.sampled_from("rqsfjguvx"), st.lists(st.text(max_size=12), max_size=4)),
)


@given(BUTTON_DATA)
def test_decoding_never_fails_and_what_decodes_encodes_back(data):
    choice = callbacks.decode(data)
    if choice is not None:
        assert callbacks.encode(choice) == data
        assert len(data.encode()) <= 64


@given(ANY_TEXT)
def test_window_hours_are_a_number_in_range_off_or_refused(text):
    try:
        hours = arguments.window_hours(text, 336)
    except arguments.BadArgument:
        return
    assert hours is None or (isinstance(hours, int) and 1 <= hours <= 336)


@given(st.lists(ANY_TEXT, max_size=4))
def test_quiet_hours_are_two_times_off_or_refused(words):
    try:
        hours = arguments.quiet_hours(words)
    except arguments.BadArgument:
        return
    assert hours is None or all(len(t) == 5 and t[2] == ":" for t in hours)


@given(st.one_of(ANY_TEXT, LONG_TEXT))
def test_an_echo_is_one_short_line(text):
    shown = arguments.echo(text)
    assert len(shown) <= arguments.ECHO_MOST and "\n" not in shown


# --- the running bot ---------------------------------------------------------------------


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One running bot for all examples (hypothesis runs each many times): a
    group set up, a question open, a member with a private chat."""
    loop = asyncio.new_event_loop()
    telegram = FakeTelegram()
    quick = Settings(token=TEST_TOKEN,
                     database_path=tmp_path_factory.mktemp("hypothesis") / "bot.sqlite3",
                     count_refresh_seconds=3600, group_max_rate=0, overall_max_rate=0,
                     dispatch_interval_seconds=0, send_retry_base_seconds=0,
                     rate_limit_retries=0)
    clock = Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    harness = Harness(loop.run_until_complete(start_app(quick, telegram, clock)), telegram,
                      UpdateFactory(telegram), clock, quick)
    group = make_group(harness)

    async def prepare():
        await harness.send(harness.updates.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
        question = await ask(harness, group)
        await harness.send(harness.updates.command(
            harness.updates.private_chat(group.bruno), group.bruno, "/start"))
        return question

    question = loop.run_until_complete(prepare())
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        yield harness, loop, group, question, errors
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(stop_app(harness.app))
        loop.close()
    telegram.assert_clean()


def run(live, update: dict) -> None:
    harness, loop, *_, errors = live
    loop.run_until_complete(harness.send(update))
    assert [r.getMessage()[:200] for r in errors.records] == []
    assert harness.telegram.violations == []


EXAMPLES = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@EXAMPLES
@given(text=st.one_of(ANY_TEXT, LONG_TEXT), private=st.booleans(), reply=st.booleans())
def test_any_text_in_the_group_or_in_private(live, text, private, reply):
    harness, _, group, question, _ = live
    u = harness.updates
    chat = u.private_chat(group.bruno) if private else group.chat
    if not text.strip():
        text = text + "."
    update = (u.reply(group.chat, group.bruno, question, text) if reply and not private
              else u.message(chat, group.bruno, text))
    run(live, update)


@EXAMPLES
@given(command=st.sampled_from(["window", "quiethours", "summarytime", "timezone", "journal",
                                "language", "partner", "coordinators", "quiet", "nudges",
                                "partnership", "skip", "later"]),
       argument=ANY_TEXT, coordinator=st.booleans())
def test_any_argument_to_a_command(live, command, argument, coordinator):
    harness, _, group, _, _ = live
    person = group.ana if coordinator else group.bruno
    chat = group.chat if command not in ("journal", "language", "later") else (
        harness.updates.private_chat(person))
    line = f"/{command} {' '.join(argument.split())}".strip()[:4096]
    run(live, harness.updates.message(chat, person, line))


@EXAMPLES
@given(data=BUTTON_DATA)
def test_any_button_data_under_the_question(live, data):
    harness, _, group, question, _ = live
    if not data:
        data = "?"
    run(live, harness.updates.callback(group.chat, group.carla, question, data))
    # A forged press never changes the question's own text.
    shown = harness.telegram.message(GROUP_ID, question["message_id"])["text"]
    assert shown.splitlines()[0] == question["text"].splitlines()[0]


@given(st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.timezones()))
def test_stored_times_are_utc_to_the_second_whatever_the_zone(moment):
    from bot.store.db import from_db_time, to_db_time

    text = to_db_time(moment)
    assert text == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert from_db_time(text) == moment.astimezone(UTC).replace(microsecond=0)
