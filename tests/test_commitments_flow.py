"""Personal commitments end to end through the fake Telegram, on both
databases: a person answers Theory U's prompt about trying a small action,
accepts the offer to make it a commitment (a repeated press changes
nothing), the check-in comes privately on the day (a week later, across the
clock change), they answer done with a note, and the journal, its export,
/mydata and the weekly recaps show it; /forget deletes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.render.summary import isolate
from bot.sandbox.telegram import visible_text

from helpers.group import bot_message, press
from helpers.personal import ROSA, onboard, texts_to

# Monday 23 March 2026 in Madrid (CET, UTC+1); clocks go forward on the 29th.
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_MORNING = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
ANSWER = "Ask Marta about the <b>community garden</b>\nand see what she thinks."
COMMITMENT = "Ask Marta about the <b>community garden</b>…"
NOTE = "Marta said yes & we start in May."


def madrid(day: int, hour: int, minute: int = 0) -> datetime:
    """A local time in Madrid, from 20 March to 19 April 2026, in UTC."""
    month = 3 if day >= 20 else 4
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID).astimezone(UTC)


def recap_line(recap: str) -> str:
    """The recap's one line about the commitment (under "Your commitments")."""
    return recap.split("Your commitments\n", 1)[1].splitlines()[0]


def offers_to(harness) -> list[dict]:
    return [harness.telegram.message(ROSA, call.result["message_id"])
            for call in harness.telegram.calls_to("sendMessage", chat_id=ROSA)
            if call.ok and "1|m|" in str(call.params.get("reply_markup"))]


def checkins_to(harness) -> list[dict]:
    return [harness.telegram.message(ROSA, call.result["message_id"])
            for call in harness.telegram.calls_to("sendMessage", chat_id=ROSA)
            if call.ok and "1|c|" in str(call.params.get("reply_markup"))]


async def reach_the_small_action_prompt(harness, rosa, private):
    """Onboarded on Theory U, she skips ahead to u-11 (a prompt offers the
    commitment only there and at the three steps' last step)."""
    harness.clock.now = MONDAY_MORNING
    await onboard(harness, rosa, private)
    harness.clock.now = madrid(23, 20)
    await harness.tick()
    for _ in range(20):
        prompt = (await harness.store.prompts.list_for_chat(ROSA))[-1]
        if prompt.item_id == "u-11":
            return prompt
        harness.clock.advance(seconds=30)
        await harness.send(harness.updates.command(private, rosa, "/skip"))
    raise AssertionError("never reached u-11")


async def answer_each_evening(harness, rosa, private, days):
    """She answers her daily prompt, so her programme never rests."""
    for day in days:
        harness.clock.now = madrid(day, 20)
        await harness.tick()
        harness.clock.advance(minutes=5)
        await harness.send(harness.updates.message(private, rosa, f"Evening {day}"))


async def test_a_commitment_made_checked_in_and_shown_everywhere(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)
    prompt = await reach_the_small_action_prompt(harness, rosa, private)

    # An answer to another prompt gets no offer; this one does.
    assert offers_to(harness) == []
    harness.clock.advance(minutes=10)
    await harness.send(u.message(private, rosa, ANSWER))
    (offer,) = offers_to(harness)
    assert visible_text(offer["text"]).startswith("🌱 Want to make this a commitment?")
    assert COMMITMENT in offer["text"].replace("&lt;", "<").replace("&gt;", ">")
    labels = [[b["text"] for b in row] for row in offer["reply_markup"]["inline_keyboard"]]
    assert labels == [["In 3 days", "In a week", "In two weeks"], ["No thanks"]]

    # In a week: Monday 30 March at 10:00 in Madrid, now summer time.
    assert "text" not in await press(harness, private, rosa, offer, f"1|m|{prompt.id}|w1")
    made = visible_text(harness.telegram.message(ROSA, offer["message_id"])["text"])
    assert "I will ask you how it went on Monday 30 March." in made
    (commitment,) = await store.commitments.of_person(ROSA)
    assert (commitment.text, commitment.state, commitment.due_at) == (
        COMMITMENT, "open", datetime(2026, 3, 30, 8, 0, tzinfo=UTC))
    # The same press again changes nothing; nor does it make a second one.
    again = await press(harness, private, rosa, offer, f"1|m|{prompt.id}|w1")
    assert again["text"] == "Already noted."
    assert await store.commitments.of_person(ROSA) == [commitment]

    # The week's answers, and Sunday's recap shows the commitment waiting.
    await answer_each_evening(harness, rosa, private, range(24, 30))
    recaps = [t for t in texts_to(harness, ROSA) if "Your week in reflection" in t]
    assert "Your commitments" in recaps[-1]
    assert recap_line(recaps[-1]) == f"• {isolate(COMMITMENT)}: Waiting for the day"

    # Nothing before the day; then the check-in, privately, once.
    harness.clock.now = datetime(2026, 3, 30, 7, 59, tzinfo=UTC)
    await harness.tick()
    assert checkins_to(harness) == []
    harness.clock.now = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    await harness.tick()
    await harness.tick()
    (checkin,) = checkins_to(harness)
    shown = visible_text(checkin["text"])
    assert shown.startswith("🔔 Your commitment")
    assert "coordinator" not in shown.lower() and "group" not in shown.lower()

    # Done, with a note (kept for her alone: nothing to share it with).
    assert "text" not in await press(harness, private, rosa, checkin,
                                     f"1|c|{commitment.action_id}|done")
    thanks = texts_to(harness, ROSA)[-1]
    assert thanks.startswith("Well done! It is in your journal.")
    assert "coordinator" not in thanks.lower()
    assert (await press(harness, private, rosa, checkin,
                        f"1|c|{commitment.action_id}|done"))["text"] == (
        "This commitment is closed. Thank you!")
    await harness.send(u.message(private, rosa, NOTE))
    note_saved = bot_message(harness, ROSA)
    assert note_saved["text"] == "Note kept in your journal. Only you can see it."
    assert "reply_markup" not in note_saved
    (commitment,) = await store.commitments.of_person(ROSA)
    assert (commitment.state, commitment.note) == ("done", NOTE)
    # A late press on the offer changes nothing now.
    kept = await press(harness, private, rosa, offer, f"1|m|{prompt.id}|no")
    assert kept["text"] == "The day has come, so this commitment stays as it is."

    # The journal, its export and /mydata show it and how it went.
    await harness.send(u.command(private, rosa, "/journal"))
    # Her seven answers since: the commitment's entry is on the second page.
    await press(harness, private, rosa, bot_message(harness, ROSA), "1|j|2|-")
    journal = visible_text(harness.telegram.last("editMessageText", chat_id=ROSA)
                           .params["text"])
    assert f"🌱 Commitment: {isolate(COMMITMENT)}" in journal
    assert "Done. Made on Monday 23 March. Check-in on Monday 30 March." in journal
    assert f"💬 {isolate(NOTE)}" in journal
    await harness.send(u.command(private, rosa, "/export"))
    markdown, as_json = (next(iter(c.files.values())).content.decode() for c in
                         harness.telegram.calls_to("sendDocument", chat_id=ROSA)[-2:])
    assert f"🌱 Commitment: {COMMITMENT}" in markdown and NOTE in markdown
    (entry,) = [r for r in json.loads(as_json) if "commitment" in r]
    assert entry["item"] == "u-11"
    assert entry["commitment"] == {
        "text": COMMITMENT, "made_at": f"{commitment.made_at:%Y-%m-%dT%H:%M:%SZ}",
        "check_in_at": "2026-03-30T08:00:00Z", "state": "done",
        "answered_at": "2026-03-30T08:00:00Z", "note": NOTE}
    await harness.send(u.command(private, rosa, "/mydata"))
    mine = texts_to(harness, ROSA)[-1]
    assert mine.startswith("🌱 Your personal commitments")
    assert "Done. Made on Monday 23 March." in mine and NOTE in mine

    # The next Sunday's recap says how it went.
    await answer_each_evening(harness, rosa, private, (31, 1, 2, 3, 4, 5))
    recaps = [t for t in texts_to(harness, ROSA) if "Your week in reflection" in t]
    assert recap_line(recaps[-1]) == f"• {isolate(COMMITMENT)}: Done"

    # /forget: the commitment goes with everything else.
    await harness.send(u.command(private, rosa, "/forget"))
    confirm = bot_message(harness, ROSA)
    await press(harness, private, rosa, confirm, f"1|f|{ROSA}|1")
    assert await store.commitments.of_person(ROSA) == []
    assert await store.actions.get(commitment.action_id) is None


async def test_no_thanks_and_changing_ones_mind_before_the_day(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="es")
    private = u.private_chat(rosa)
    prompt = await reach_the_small_action_prompt(harness, rosa, private)
    await harness.send(u.message(private, rosa, "Hablar con la vecina"))
    (offer,) = offers_to(harness)
    assert visible_text(offer["text"]).startswith("🌱 ¿Quieres convertirlo en un compromiso?")

    await press(harness, private, rosa, offer, f"1|m|{prompt.id}|d3")
    (three_days,) = await store.commitments.of_person(ROSA)
    assert three_days.due_at == datetime(2026, 3, 26, 9, 0, tzinfo=UTC)  # 10:00 in Madrid
    assert "Te preguntaré cómo ha ido el jueves 26 de marzo." in visible_text(
        harness.telegram.message(ROSA, offer["message_id"])["text"])
    # Another date before the day moves it; no thanks then takes it back.
    await press(harness, private, rosa, offer, f"1|m|{prompt.id}|w2")
    (two_weeks,) = await store.commitments.of_person(ROSA)
    assert (two_weeks.action_id, two_weeks.due_at) == (
        three_days.action_id, datetime(2026, 4, 6, 8, 0, tzinfo=UTC))
    await press(harness, private, rosa, offer, f"1|m|{prompt.id}|no")
    assert await store.commitments.of_person(ROSA) == []
    assert visible_text(harness.telegram.message(ROSA, offer["message_id"])["text"]) == (
        "De acuerdo. Esta vez sin compromiso.")
    again = await press(harness, private, rosa, offer, f"1|m|{prompt.id}|no")
    assert again["text"] == "Ya lo tengo anotado."
    # Nothing is ever checked in on.
    harness.clock.now = datetime(2026, 4, 7, 9, 0, tzinfo=UTC)
    await harness.tick()
    assert checkins_to(harness) == []
    await harness.send(u.command(private, rosa, "/misdatos"))
    assert texts_to(harness, ROSA)[-1].startswith("No tienes compromisos personales.")


async def test_an_offer_of_someone_else_or_of_another_prompt_finds_nothing(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)
    prompt = await reach_the_small_action_prompt(harness, rosa, private)
    await harness.send(u.message(private, rosa, "Plant some beans"))
    (offer,) = offers_to(harness)
    earlier = (await store.prompts.list_for_chat(ROSA))[0]
    refused = await press(harness, private, rosa, offer, f"1|m|{earlier.id}|w1")
    assert (refused["text"], refused["show_alert"]) == (
        "I can't find that answer any more.", True)
    mallory = u.user(666, "Mallory", language_code="en")
    mallory_chat = u.private_chat(mallory)
    await harness.send(u.command(mallory_chat, mallory, "/start"))
    refused = await press(harness, mallory_chat, mallory, offer, f"1|m|{prompt.id}|w1")
    assert refused["text"] == "I can't find that answer any more."
    assert await store.commitments.of_person(ROSA) == []
    assert await store.commitments.of_person(666) == []


async def test_an_answer_in_two_messages_is_offered_once(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)
    prompt = await reach_the_small_action_prompt(harness, rosa, private)
    await harness.send(u.message(private, rosa, "Plant some beans"))
    await harness.send(u.message(private, rosa, "with the kids next door"))
    assert texts_to(harness, ROSA)[-1].startswith("📓 Added to your journal")
    (offer,) = offers_to(harness)
    assert "Plant some beans" in offer["text"]
    assert (await store.answers.get(prompt.id, ROSA)).text == (
        "Plant some beans\n\nwith the kids next door")
