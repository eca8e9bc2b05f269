"""The sandbox's parts on their own: the stand-in Telegram's additions (a clock for message
dates, "X added Y" service messages, call listeners), the feed's message views, deep links
and the movable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sandbox.clock import MovableClock
from bot.sandbox.feed import ChatFeed, message_view
from bot.sandbox.session import start_payload
from bot.sandbox.telegram import FakeTelegram, UpdateFactory, UploadedFile

MOMENT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_the_clock_moves_forward_only_and_keeps_running_from_there():
    real = [MOMENT]
    clock = MovableClock(real=lambda: real[0])
    clock.move_to(MOMENT + timedelta(days=4))
    assert clock() == MOMENT + timedelta(days=4)
    clock.move_to(MOMENT)  # back in time: refused, schedules would repeat
    assert clock() == MOMENT + timedelta(days=4)
    real[0] += timedelta(minutes=5)
    assert clock() == MOMENT + timedelta(days=4, minutes=5)


def test_a_clock_started_behind_catches_up_with_real_time():
    clock = MovableClock(real=lambda: MOMENT, behind=timedelta(days=14))
    assert clock() == MOMENT - timedelta(days=14)
    clock.catch_up()
    assert clock() == MOMENT
    clock.move_to(MOMENT + timedelta(hours=1))
    clock.catch_up()  # already ahead: stays
    assert clock() == MOMENT + timedelta(hours=1)


async def test_messages_are_dated_by_the_given_clock():
    telegram = FakeTelegram(clock=lambda: MOMENT)
    updates = UpdateFactory(telegram)
    ana = updates.user(4242, "Ana")
    delivered = updates.message(updates.private_chat(ana), ana, "hello")["message"]
    status, _ = await telegram.handle("sendMessage", {"chat_id": 4242, "text": "hi"}, {})
    assert status == 200
    sent = telegram.last("sendMessage").result
    assert delivered["date"] == sent["date"] == int(MOMENT.timestamp())


def test_members_added_is_telegrams_service_message(spec):
    updates = UpdateFactory(FakeTelegram())
    group = updates.group_chat(-100300, "Riverside", "supergroup")
    ana, ben = updates.user(601, "Ana"), updates.user(602, "Ben")
    update = updates.members_added(group, ana, [ben])
    assert spec.validate_value("Update", update) == []
    assert [m["first_name"] for m in update["message"]["new_chat_members"]] == ["Ben"]
    assert message_view(update["message"])["service"] == "Ana added Ben"


async def test_listeners_hear_each_accepted_call_only():
    telegram = FakeTelegram()
    heard = []
    telegram.listeners.append(lambda call: heard.append(call.method))
    await telegram.handle("sendMessage", {"chat_id": 1, "text": "fine"}, {})
    await telegram.handle("sendMessage", {"chat_id": 1}, {})  # no text: refused
    assert heard == ["sendMessage"]
    assert telegram.take_violations() == ["sendMessage: missing required field 'text'"]


async def test_the_feed_keeps_edits_reactions_force_reply_and_files():
    telegram = FakeTelegram()
    feed = ChatFeed(telegram)
    events = []
    queue = feed.subscribe()
    await telegram.handle("sendMessage", {
        "chat_id": 7, "text": "Tell me <b>more</b>", "parse_mode": "HTML",
        "reply_markup": {"force_reply": True, "input_field_placeholder": "Your comment"}}, {})
    (sent,) = feed.messages(7)
    assert (sent["text"], sent["entities"]) == (
        "Tell me more", [{"type": "bold", "offset": 8, "length": 4}])
    assert (sent["force_reply"], sent["placeholder"]) == (True, "Your comment")
    await telegram.handle("editMessageText", {"chat_id": 7, "message_id": 1, "text": "Changed"},
                          {})
    await telegram.handle("setMessageReaction", {"chat_id": 7, "message_id": 1, "reaction": [
        {"type": "emoji", "emoji": "✍"}]}, {})
    shown = feed.view(7, 1)
    assert (shown["text"], shown["edited"], shown["reactions"]) == ("Changed", True, ["✍"])
    await telegram.handle("sendDocument", {"chat_id": 7}, {"document": _upload("a.csv")})
    document = feed.messages(7)[-1]["document"]
    assert document["name"] == "a.csv"
    assert feed.files[document["url"].rsplit("/", 1)[-1]] == {"kind": "document", "name": "a.csv"}
    feed.pressed("cb1", 4242)
    await telegram.handle("answerCallbackQuery", {"callback_query_id": "cb1", "text": "Saved"},
                          {})
    await telegram.handle("deleteMessage", {"chat_id": 7, "message_id": 1}, {})
    while not queue.empty():
        events.append(queue.get_nowait())
    assert [e["type"] for e in events] == ["message", "message", "message", "message", "popup",
                                           "deleted"]
    assert events[-2] == {"type": "popup", "text": "Saved", "alert": False, "user_id": 4242}
    assert feed.view(7, 1) is None


def _upload(name: str) -> UploadedFile:
    return UploadedFile("document", name, "text/csv", b"a,b\n")


def test_only_links_to_the_bot_open_in_the_sandbox():
    assert start_payload("https://t.me/civic_reflect_bot?start=p12") == "p12"
    assert start_payload("https://t.me/Civic_Reflect_Bot") == ""
    assert start_payload("https://t.me/another_bot?start=p12") is None
    assert start_payload("https://example.org/civic_reflect_bot?start=p12") is None
    assert start_payload("javascript:alert(1)") is None
