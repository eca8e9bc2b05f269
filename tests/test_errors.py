"""A failure while handling one update is logged, apologised for, and survived."""

from __future__ import annotations

import logging

from bot.sandbox.telegram import visible_text

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


async def test_a_failing_handler_apologises_and_the_bot_goes_on(harness, monkeypatch, caplog):
    rosa = harness.updates.user(701, "Rosa")
    private = harness.updates.private_chat(rosa)

    said = "what Rosa wrote, " + "word for word"

    async def broken(*args, **kwargs):
        raise RuntimeError(said)  # an exception may carry what someone wrote

    monkeypatch.setattr(harness.store.journal, "count", broken)
    with caplog.at_level(logging.ERROR):
        await harness.send(harness.updates.command(private, rosa, "/journal"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=701)
                        .params["text"]) == SORRY
    logged = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("on_message failed on message") or
               "journal failed on message" in line for line in logged), logged
    assert said not in "\n".join(logged)
    assert "RuntimeError" in "\n".join(logged)

    monkeypatch.undo()
    await harness.send(harness.updates.command(private, rosa, "/journal"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=701)
                        .params["text"]).startswith("📓 Your journal")


async def test_in_a_group_only_commands_get_an_apology(harness, monkeypatch, caplog):
    ana = harness.updates.user(601, "Ana")
    group = harness.updates.group_chat(-100300, "Riverside")

    async def broken(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(harness.store.members, "seen", broken)
    monkeypatch.setattr(harness.store.members, "seen_all", broken)
    await harness.send(harness.updates.command(group, ana, "/join"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=-100300)
                        .params["text"]) == SORRY
    before = len(harness.telegram.calls)
    joined = harness.updates.message(group, ana, "")
    joined["message"].pop("text")
    joined["message"]["new_chat_members"] = [harness.updates.user(602, "Bruno")]
    with caplog.at_level(logging.ERROR):
        await harness.send(joined)  # fails too, but is not addressed to the bot: silence
    assert [c.method for c in harness.telegram.calls[before:]] == []
    assert any(record.getMessage().startswith("members_joined failed")
               for record in caplog.records)



async def test_a_job_that_meets_the_database_away_logs_one_line(harness, caplog):
    from sqlite3 import OperationalError

    from telegram.ext import CallbackContext

    from bot.handlers.errors import on_error

    try:
        raise OperationalError("database is locked")
    except OperationalError as away:
        error = away
    context = CallbackContext.from_error(None, error, harness.app)
    with caplog.at_level(logging.WARNING):
        await on_error(None, context)
    lines = [record for record in caplog.records if record.name == "bot.handlers.errors"]
    assert [record.levelname for record in lines] == ["WARNING"]
    assert "could not reach the database (OperationalError)" in lines[0].getMessage()
    assert "Traceback" not in lines[0].getMessage() and lines[0].exc_info is None
