"""A coordinator always hears back (issue 25, item 9): an /ask or /skip whose
question Telegram could not take at once (a 5xx or a 429: the question waits
for its retry, about 30 s) says the question is on its way; another /ask
meanwhile says it is still on its way and sends nothing twice; a /summary
that cannot be posted says so."""

from __future__ import annotations

from helpers.group import GROUP_ID, last_text, make_group, run_setup

ON_ITS_WAY = "The question is on its way."
STILL_ON_ITS_WAY = "The question is still on its way. I will not send it twice."


def questions_shown(harness) -> list[dict]:
    """The group's messages carrying a question's rating buttons."""
    return [call.params for call in harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)
            if call.ok and "1|r|" in str(call.params.get("reply_markup"))]


async def _ready_group(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    return group


async def _a_delayed_ask_is_told_and_not_sent_twice(harness, refuse) -> None:
    group = await _ready_group(harness)
    u = harness.updates
    refuse(harness.telegram)
    await harness.send(u.command(group.chat, group.ana, "/ask"))
    assert questions_shown(harness) == []
    assert last_text(harness, GROUP_ID).startswith(ON_ITS_WAY)

    # Asked again while the first waits: told so, nothing new opened or sent.
    for _ in range(2):
        await harness.send(u.command(group.chat, group.ana, "/ask"))
        assert last_text(harness, GROUP_ID) == STILL_ON_ITS_WAY
    assert questions_shown(harness) == []
    assert len(await harness.store.prompts.list_for_chat(GROUP_ID)) == 1

    # Its retry comes: the question arrives once.
    harness.clock.advance(minutes=2)
    await harness.tick()
    assert len(questions_shown(harness)) == 1
    harness.clock.advance(minutes=2)
    await harness.tick()
    assert len(questions_shown(harness)) == 1

    # Once it is out, /ask asks the next question, as ever, with no word more.
    said = len(harness.telegram.texts(GROUP_ID))
    await harness.send(u.command(group.chat, group.ana, "/ask"))
    assert len(questions_shown(harness)) == 2
    assert len(harness.telegram.texts(GROUP_ID)) == said + 1


async def test_an_ask_that_meets_a_server_error_says_the_question_is_on_its_way(unpaced):
    await _a_delayed_ask_is_told_and_not_sent_twice(
        unpaced, lambda telegram: telegram.server_error_next("sendMessage", chat_id=GROUP_ID))


async def test_an_ask_that_meets_a_flood_limit_says_the_question_is_on_its_way(unpaced):
    await _a_delayed_ask_is_told_and_not_sent_twice(
        unpaced, lambda telegram: telegram.rate_limit_next("sendMessage", 5, chat_id=GROUP_ID))


async def test_a_skip_whose_next_question_is_delayed_says_so(unpaced):
    harness = unpaced
    group = await _ready_group(harness)
    u = harness.updates
    await harness.send(u.command(group.chat, group.ana, "/ask"))
    assert len(questions_shown(harness)) == 1
    harness.telegram.server_error_next("sendMessage", chat_id=GROUP_ID)
    await harness.send(u.command(group.chat, group.ana, "/skip"))
    assert last_text(harness, GROUP_ID).startswith(ON_ITS_WAY)
    await harness.send(u.command(group.chat, group.ana, "/skip"))
    assert last_text(harness, GROUP_ID) == STILL_ON_ITS_WAY
    harness.clock.advance(minutes=2)
    await harness.tick()
    assert len(questions_shown(harness)) == 2
    assert len(await harness.store.prompts.list_for_chat(GROUP_ID)) == 2


async def test_an_ask_that_arrives_says_nothing_more(unpaced):
    harness = unpaced
    group = await _ready_group(harness)
    said = len(harness.telegram.texts(GROUP_ID))
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    assert len(questions_shown(harness)) == 1
    assert len(harness.telegram.texts(GROUP_ID)) == said + 1


async def test_a_summary_that_cannot_be_posted_says_so(unpaced):
    harness = unpaced
    group = await _ready_group(harness)
    tries = harness.settings.send_retries + 1
    harness.telegram.server_error_next("sendMessage", chat_id=GROUP_ID, times=tries)
    await harness.send(harness.updates.command(group.chat, group.ana, "/summary"))
    assert last_text(harness, GROUP_ID).startswith("Sorry, I could not post the summary")


async def test_a_question_telegram_refuses_says_so(unpaced):
    harness = unpaced
    group = await _ready_group(harness)
    harness.telegram.fail_next("sendMessage", error_code=400, chat_id=GROUP_ID,
                               description="Bad Request: message is too long")
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    assert questions_shown(harness) == []
    assert last_text(harness, GROUP_ID) == (
        "Sorry, I could not send the question. Please try again later.")
