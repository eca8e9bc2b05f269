"""The offline Telegram double answers like Telegram: replies, chat state, injected
failures and the update builders.

Run alone with: python -m pytest tests/test_fake_telegram_behaviour.py
"""

from __future__ import annotations

import datetime as dtm
import warnings

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageEntityType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import AIORateLimiter, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from bot.sandbox.telegram import (
    BOT_ID,
    BOT_USERNAME,
    GROUP_ANONYMOUS_BOT_ID,
    FakeTelegram,
    UpdateFactory,
)

from helpers.processes import until

GROUP_ID = -1001234567890
USER_ID = 4242


# -- through a real telegram.Bot ----------------------------------------------------------------


async def test_get_me(bot, fake):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (BOT_ID, BOT_USERNAME, True)
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False


async def test_sent_messages_are_kept_per_chat(bot, fake):
    first = await bot.send_message(GROUP_ID, "<b>one</b>", parse_mode="HTML")
    second = await bot.send_message(GROUP_ID, "two")
    elsewhere = await bot.send_message(USER_ID, "three")
    assert (first.message_id, second.message_id, elsewhere.message_id) == (1, 2, 1)
    stored = fake.message(GROUP_ID, first.message_id)
    assert stored["text"] == "one"
    assert stored["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
    assert stored["from"]["id"] == BOT_ID
    assert fake.texts() == ["one", "two", "three"]
    assert fake.texts(GROUP_ID) == ["one", "two"]
    assert [c.params["text"] for c in fake.calls_to("sendMessage", chat_id=GROUP_ID)] == [
        "<b>one</b>",
        "two",
    ]
    fake.clear()
    assert fake.calls == []
    assert fake.message(GROUP_ID, 2)["text"] == "two"  # state survives clear()


async def test_edit_of_unknown_message_is_not_found(bot, fake):
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", chat_id=GROUP_ID, message_id=99)
    assert fake.violations == []  # a runtime error, not a malformed request
    assert fake.failed_calls()[0].error == "Bad Request: message to edit not found"


async def test_edit_without_changes_is_not_modified(bot, fake):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(GROUP_ID, "<b>Q</b>", parse_mode="HTML", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>Q</b>",
            chat_id=GROUP_ID,
            message_id=sent.id,
            parse_mode="HTML",
            reply_markup=keyboard,
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(GROUP_ID, sent.id, reply_markup=keyboard)
    # Dropping the keyboard (or changing the formatting) is a real modification.
    edited = await bot.edit_message_text(
        "<b>Q</b>", chat_id=GROUP_ID, message_id=sent.id, parse_mode="HTML"
    )
    assert edited.reply_markup is None
    assert edited.edit_date is not None
    await bot.edit_message_text("Q", chat_id=GROUP_ID, message_id=sent.id)


async def test_user_messages_cannot_be_edited(bot, fake):
    factory = UpdateFactory(fake)
    alice = factory.user(USER_ID, "Alice")
    said = factory.message(factory.private_chat(alice), alice, "hi")["message"]
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("bye", chat_id=USER_ID, message_id=said["message_id"])


async def test_chat_state_answers(bot, fake):
    fake.set_chat({"id": GROUP_ID, "type": "supergroup", "title": "Town hall"})
    fake.set_chat_member(GROUP_ID, {"id": 7, "is_bot": False, "first_name": "Ada"}, "creator")
    fake.set_chat_member(GROUP_ID, 8, "administrator", can_delete_messages=False)
    fake.set_chat_member(GROUP_ID, 9, "member")
    chat = await bot.get_chat(GROUP_ID)
    assert (chat.title, chat.type) == ("Town hall", "supergroup")
    admin = await bot.get_chat_member(GROUP_ID, 8)
    assert admin.status == "administrator"
    assert admin.can_delete_messages is False
    assert (await bot.get_chat_member(GROUP_ID, 123)).status == "left"
    assert {m.user.id for m in await bot.get_chat_administrators(GROUP_ID)} == {7, 8}
    assert await bot.get_chat_member_count(GROUP_ID) == 4  # three people and the bot
    fake.set_member_count(GROUP_ID, 50)
    assert await bot.get_chat_member_count(GROUP_ID) == 50


async def test_files_sent_or_registered_can_be_downloaded(bot, fake):
    fake.set_file("voice-1", b"OggS...")
    voice = await bot.get_file("voice-1")
    assert bytes(await voice.download_as_bytearray()) == b"OggS..."


# -- failure injection --------------------------------------------------------------------------


async def test_rate_limit_raises_retry_after(bot, fake):
    fake.fail_next("sendMessage", error_code=429, retry_after=5)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "hi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB deprecates the int form of retry_after
        assert caught.value.retry_after in (5, dtm.timedelta(seconds=5))
    assert fake.last("sendMessage").error == "Too Many Requests: retry after 5"
    await bot.send_message(USER_ID, "hi")  # only the next call failed


async def test_migration_raises_chat_migrated(bot, fake):
    fake.migrate_next("sendMessage", new_chat_id=GROUP_ID, chat_id=-555)
    await bot.send_message(-777, "other chats are unaffected")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-555, "hi")
    assert caught.value.new_chat_id == GROUP_ID
    assert fake.last("sendMessage").error == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )


async def test_kicked_raises_forbidden(bot, fake):
    fake.fail_next(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot was kicked from the group chat",
        times=2,
    )
    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
            await bot.send_message(-555, "hi")
    await bot.send_message(-555, "back again")
    assert list(fake.pending_failures()) == []


async def test_network_errors(bot, fake):
    fake.network_error_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER_ID, "hi")
    fake.network_error_next("answerCallbackQuery", timed_out=True)
    with pytest.raises(TimedOut):
        await bot.answer_callback_query("1")
    assert [c.ok for c in fake.calls[-2:]] == [False, False]


async def test_invalid_request_is_reported_before_injected_failures(bot, fake):
    fake.kick_next("sendMessage")
    with pytest.raises(BadRequest):
        await bot.send_message(USER_ID, "")
    assert list(fake.pending_failures()) == ["sendMessage"]
    fake.take_violations()


async def test_works_through_aio_rate_limiter_retrying_on_429():
    fake = FakeTelegram()
    fake.rate_limit_next("sendMessage", retry_after=1)
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(fake)
        .get_updates_request(fake)
        .rate_limiter(AIORateLimiter(max_retries=1))
        .build()
    )
    async with app:
        message = await app.bot.send_message(USER_ID, "eventually")
    assert message.text == "eventually"
    assert [c.ok for c in fake.calls_to("sendMessage")] == [False, True]
    fake.assert_clean()


# -- update builders ----------------------------------------------------------------------------


@pytest.fixture
def factory(fake) -> UpdateFactory:
    return UpdateFactory(fake)


async def test_command_update_works_with_command_handler(bot, factory):
    alice = factory.user(USER_ID, "Alice", username="alice")
    group = factory.group_chat(GROUP_ID, "Town hall", type="supergroup")
    handler = CommandHandler("setup", lambda u, c: None)
    for data in (
        factory.command(group, alice, "/setup weekly"),
        factory.command(group, alice, "/setup weekly", bot_username=BOT_USERNAME),
    ):
        update = factory.to_update(data, bot)
        assert update.effective_user.id == USER_ID
        assert update.message.text.split()[1] == "weekly"
        entity = update.message.entities[0]
        assert entity.type == MessageEntityType.BOT_COMMAND
        assert update.message.text[: entity.length].startswith("/setup")
        assert handler.check_update(update)
    other_bot = factory.to_update(factory.command(group, alice, "/setup", "other_bot"), bot)
    assert not handler.check_update(other_bot)


async def test_callback_update_carries_data_and_the_bot_message(bot, fake, factory):
    alice = factory.user(USER_ID, "Alice")
    group = factory.group_chat(GROUP_ID, "Town hall", type="supergroup")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])
    sent = await bot.send_message(GROUP_ID, "Vote?", reply_markup=keyboard)
    data = factory.callback(group, alice, fake.message(GROUP_ID, sent.id), "vote:yes")
    update = factory.to_update(data, bot)
    assert update.callback_query.data == "vote:yes"
    assert update.callback_query.message.message_id == sent.id
    assert update.effective_user.id == USER_ID
    assert CallbackQueryHandler(lambda u, c: None, pattern="^vote:").check_update(update)


async def test_application_handles_factory_updates(fake, factory):
    alice = factory.user(USER_ID, "Alice")
    chat = factory.private_chat(alice)

    async def start(update, context):
        await update.effective_message.reply_text(
            f"Hello <b>{update.effective_user.first_name}</b>", parse_mode="HTML"
        )

    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.process_update(factory.to_update(factory.command(chat, alice, "/start"), app.bot))
    assert fake.texts(USER_ID) == ["Hello Alice"]
    # Ids are shared: the bot's answer follows the user's command in the same chat.
    assert fake.last("sendMessage").result["message_id"] == 2


def test_every_builder_produces_a_valid_update(spec, factory):
    alice = factory.user(USER_ID, "Alice", last_name="A.", username="alice", language_code="fr")
    private = factory.private_chat(alice)
    group = factory.group_chat(-42, "Council")
    supergroup = factory.group_chat(GROUP_ID, "Town hall", type="supergroup")
    channel = factory.channel(-1009876543210, "News", username="news")
    question = factory.message(supergroup, alice, "What now?")["message"]
    updates = [
        factory.message(private, alice, "hi"),
        factory.command(private, alice, "/start"),
        factory.reply(supergroup, alice, question, "This"),
        factory.voice_reply(supergroup, alice, question, "voice-1", 12),
        factory.edited(question, "What next?"),
        factory.callback(supergroup, alice, question, "x"),
        factory.bot_added(group, alice),
        factory.bot_added(supergroup, alice, status="administrator"),
        factory.bot_removed(group, alice),
        factory.bot_removed(supergroup, alice),
        factory.migrate(group, GROUP_ID, alice),
        factory.migrated_from(supergroup, -42),
        factory.anonymous_admin_command(supergroup, "/setup"),
        factory.message_as_chat(supergroup, channel, "cross-post"),
        factory.channel_post(channel, "announcement"),
    ]
    first = updates[0]["update_id"]
    assert [u["update_id"] for u in updates] == list(range(first, first + len(updates)))
    for update in updates:
        assert spec.validate_value("Update", update) == [], update


async def test_special_senders_parse(bot, factory):
    group = factory.group_chat(GROUP_ID, "Town hall", type="supergroup")
    anonymous = factory.to_update(factory.anonymous_admin_command(group, "/setup"), bot)
    assert anonymous.effective_user.id == GROUP_ANONYMOUS_BOT_ID
    assert anonymous.message.sender_chat.id == GROUP_ID
    migrated = factory.to_update(factory.migrate(group, -1009999999999), bot)
    assert migrated.message.migrate_to_chat_id == -1009999999999
    removed = factory.to_update(factory.bot_removed(group, factory.user(1, "Op")), bot)
    assert removed.my_chat_member.new_chat_member.status == "kicked"


async def test_polling_delivers_pushed_updates(fake, factory):
    alice = factory.user(USER_ID, "Alice")
    seen = []
    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()

    async def setup(update, context):
        seen.append(context.args)

    app.add_handler(CommandHandler("setup", setup))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        fake.push_update(factory.command(factory.private_chat(alice), alice, "/setup now"))
        await until(lambda: seen, what="the pushed update handled")
        await app.updater.stop()
        await app.stop()
    assert seen == [["now"]]
