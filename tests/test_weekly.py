"""Weekly summaries in the group, coordinators' digests with a chart, /export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.render.export import HELD_BACK
from bot.sandbox.telegram import check_telegram_html, visible_text

from helpers.chart_pixels import PNG
from helpers.group import GROUP_ID
from helpers.weekly import FRIDAY_1700_MADRID, week_of_answers

MONDAY_0900_MADRID = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)






async def test_the_weekly_summary_and_the_coordinators_digest(harness, group):
    await week_of_answers(harness, group)
    ana = harness.updates.private_chat(group.ana)
    await harness.send(harness.updates.command(ana, group.ana, "/start"))
    harness.telegram.set_member_count(GROUP_ID, 9)  # 8 people and the bot

    harness.clock.now = FRIDAY_1700_MADRID
    report = await harness.tick()
    assert report.summaries == 1
    summary = harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"]
    assert check_telegram_html(summary) == []
    shown = visible_text(summary)
    assert "Riverside CSO" in shown
    assert "We <b>listen</b> 🌱" in shown  # quoted with consent, escaped
    assert "not for quoting" not in shown and "said only in private" not in shown
    for name in ("Bruno", "Carla", "Dev", "Eli"):
        assert name not in shown

    digest_parts = [c.params["text"] for c in harness.telegram.calls_to(
        "sendMessage", chat_id=group.ana["id"]) if "Riverside" in visible_text(c.params["text"])]
    assert digest_parts, "the coordinator got a digest"
    digest = "\n".join(visible_text(part) for part in digest_parts)
    assert "not for quoting" in digest
    # Eli alone answered privately, and the digest lists who answered: held back.
    assert "said only in private" not in digest
    assert "1 private comment not shown" in digest
    assert all(check_telegram_html(part) == [] for part in digest_parts)
    photo = harness.telegram.last("sendPhoto", chat_id=group.ana["id"])
    upload = next(iter(photo.files.values()))
    assert upload.content.startswith(PNG)

    # Once a week: the same moment again posts nothing more.
    harness.clock.advance(minutes=1)
    assert (await harness.tick()).summaries == 0
    assert (await harness.store.chats.get(GROUP_ID)).next_summary_at == (
        FRIDAY_1700_MADRID + timedelta(days=7))


async def test_private_comments_reach_the_digest_among_three_without_names(harness, group):
    """Three of the five answer privately: their comments reach the coordinator,
    never with a name, while the group sees none of them."""
    harness.clock.now = MONDAY_0900_MADRID
    await harness.tick()
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    u = harness.updates
    private_words = {}
    for person in (group.bruno, group.dev, group.eli):
        chat = u.private_chat(person)
        await harness.send(u.command(chat, person, f"/start p{prompt.id}"))
        invitation = harness.telegram.message(person["id"], harness.telegram.last(
            "sendMessage", chat_id=person["id"]).result["message_id"])
        private_words[person["first_name"]] = f"privately from number {len(private_words) + 1}"
        await harness.send(u.reply(chat, person, invitation, private_words[person["first_name"]]))
    ana = u.private_chat(group.ana)
    await harness.send(u.command(ana, group.ana, "/start"))
    harness.clock.now = FRIDAY_1700_MADRID
    assert (await harness.tick()).summaries == 1

    shown = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    digest = "\n".join(visible_text(c.params["text"]) for c in harness.telegram.calls_to(
        "sendMessage", chat_id=group.ana["id"]) if "Riverside" in visible_text(c.params["text"]))
    for name, words in private_words.items():
        assert words not in shown
        line = next(line for line in digest.splitlines() if words in line)
        assert line == f"💬 🔒 (given privately): \u2068{words}\u2069"  # isolated, no name
        assert name not in line
    assert "not shown" not in digest


async def test_a_coordinator_without_a_private_chat_is_asked_in_the_group(harness, group):
    await week_of_answers(harness, group)
    harness.clock.now = FRIDAY_1700_MADRID
    await harness.tick()
    summary = harness.telegram.last("sendMessage", chat_id=GROUP_ID)
    asked = visible_text(summary.params["text"])
    # The summary's last message: the request, then how to make an action from it.
    assert asked.endswith("Coordinators: to receive the weekly digest, open a private chat "
                          "with me (tap the button, then Start).\n\n🛠 Want to act on something "
                          "here? Reply to this message with /action and what you will do.")
    assert "Ana" not in asked  # nobody is named in front of the group
    button = summary.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/civic_reflect_bot?start=digest"
    assert harness.telegram.calls_to("sendPhoto") == []

    # Asked once: the next week's summary does not ask again.
    before = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    harness.clock.now = FRIDAY_1700_MADRID + timedelta(days=7)
    assert (await harness.tick()).summaries == 1
    next_week = [c for c in harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)[before:]
                 if "This week in" in visible_text(c.params["text"])]
    assert len(next_week) == 1, "the next summary was posted, in one message"
    assert "private chat" not in visible_text(next_week[0].params["text"])
    assert "reply_markup" not in next_week[0].params

    # Opening the private chat through that button brings the digest at once.
    ana = harness.updates.private_chat(group.ana)
    await harness.send(harness.updates.command(ana, group.ana, "/start digest"))
    assert harness.telegram.last("sendPhoto", chat_id=group.ana["id"]).ok


async def test_summary_digest_and_export_commands(harness, group):
    await week_of_answers(harness, group)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(hours=3)
    u = harness.updates
    await harness.send(u.command(group.chat, group.bruno, "/summary"))
    assert "coordinators" in visible_text(harness.telegram.last(
        "sendMessage", chat_id=GROUP_ID).params["text"])
    await harness.send(u.command(group.chat, group.ana, "/summary"))
    assert "Riverside CSO" in visible_text(harness.telegram.last(
        "sendMessage", chat_id=GROUP_ID).params["text"])

    await harness.send(u.command(group.chat, group.ana, "/export"))
    asks = harness.telegram.last("sendMessage", chat_id=GROUP_ID)
    assert visible_text(asks.params["text"]).startswith("Ana, I send the export in a private chat")
    ana = u.private_chat(group.ana)
    await harness.send(u.command(ana, group.ana, "/start"))
    await harness.send(u.command(group.chat, group.ana, "/export"))
    document = harness.telegram.last("sendDocument", chat_id=group.ana["id"])
    content = next(iter(document.files.values())).content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 4  # one row an answer: Bruno, Carla, Dev in the group; Eli privately
    assert [row["member"] for row in rows if row["answered"] == "in the group"] == [
        "member 1", "member 2", "member 3"]
    # Eli alone answered privately: no name, no number, and nothing of what she said.
    (eli,) = [row for row in rows if row["answered"] != "in the group"]
    assert (eli["member"], eli["answered"], eli["comment"], eli["answered_at"]) == (
        "private", HELD_BACK, "", "")

    await harness.send(u.command(group.chat, group.ana, "/digest"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"]) == (
        "Ana, I have sent you this group's digest in a private chat.")
    await harness.send(u.command(ana, group.ana, "/digest"))
    assert len(harness.telegram.calls_to("sendPhoto", chat_id=group.ana["id"])) == 2
    stranger = u.user(699, "Stranger")
    await harness.send(u.command(u.private_chat(stranger), stranger, "/digest"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=699).params["text"]) \
        .startswith("You do not coordinate any group yet.")


async def test_summary_time_can_be_changed(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/summarytime sun 18:30"))
    assert visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"]) \
        == "The weekly summary will come on Sunday at 18:30 (local time)."
    chat = await harness.store.chats.get(GROUP_ID)
    assert chat.next_summary_at == datetime(2026, 3, 8, 17, 30, tzinfo=UTC)
    await harness.send(harness.updates.command(group.chat, group.ana, "/summarytime someday"))
    assert "/summarytime DAY HH:MM" in visible_text(
        harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
