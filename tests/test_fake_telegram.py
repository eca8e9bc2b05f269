"""The offline Telegram double rejects what Telegram rejects and answers like Telegram.

Run alone with: PYTHONPATH=tests python -m pytest tests/test_fake_telegram.py
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings

import pytest
from fake_telegram import (
    BOT_ID,
    BOT_USERNAME,
    GROUP_ANONYMOUS_BOT_ID,
    BotApiSpec,
    FakeTelegram,
    UpdateFactory,
    check_telegram_html,
    utf16_len,
    visible_text,
)
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReactionTypeEmoji,
    ReplyParameters,
)
from telegram.constants import MessageEntityType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
)

GROUP_ID = -1001234567890
USER_ID = 4242


@pytest.fixture
def spec() -> BotApiSpec:
    return BotApiSpec.load()


@pytest.fixture
def fake():
    # Mirrors what the shared conftest fixture does: any unexpected violation fails the test.
    telegram = FakeTelegram()
    yield telegram
    telegram.assert_clean()


@pytest.fixture
async def bot(fake):
    async with Bot("123:ABC", request=fake, get_updates_request=fake) as bot:
        yield bot


def send(spec: BotApiSpec, **params) -> list[str]:
    return spec.validate("sendMessage", {"chat_id": USER_ID, **params})


def button_markup(**button) -> dict:
    return {"inline_keyboard": [[button]]}


# -- the validator -----------------------------------------------------------------------------


def test_spec_is_the_bundled_reference(spec):
    assert spec.version == "Bot API 10.1"
    assert BotApiSpec.load() is spec  # parsed once per process


def test_valid_message_has_no_problems(spec):
    assert send(spec, text="hello", reply_markup=button_markup(text="Yes", callback_data="y")) == []


def test_unknown_method(spec):
    assert spec.validate("sendTelepathy", {}) == [
        "sendTelepathy: unknown method (not in Bot API 10.1)"
    ]


def test_missing_required_field(spec):
    assert spec.validate("sendMessage", {"chat_id": 1}) == [
        "sendMessage: missing required field 'text'"
    ]


def test_unknown_field(spec):
    assert send(spec, text="hi", colour="red") == ["sendMessage: unknown field 'colour'"]


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("deleteMessage", {"chat_id": 1, "message_id": "5"}, "expected Integer, got string"),
        ("deleteMessage", {"chat_id": 1, "message_id": True}, "expected Integer, got boolean"),
        ("sendMessage", {"chat_id": 1, "text": {"a": 1}}, "expected String, got object"),
        ("sendMessage", {"chat_id": 1.5, "text": "x"}, "expected Integer or String, got float"),
        ("sendMessage", {"chat_id": 1, "text": "x", "protect_content": 1}, "expected Boolean"),
    ],
    ids=["string-for-integer", "bool-for-integer", "object-for-string", "float-id", "int-bool"],
)
def test_wrong_types(spec, method, params, expected):
    problems = spec.validate(method, params)
    assert len(problems) == 1
    assert expected in problems[0]


def test_inline_button_without_text(spec):
    problems = send(spec, text="x", reply_markup=button_markup(callback_data="y"))
    assert problems == [
        "sendMessage.reply_markup (InlineKeyboardMarkup).inline_keyboard[0][0] "
        "(InlineKeyboardButton): missing required field 'text'"
    ]


def test_inline_button_with_empty_text_or_no_action(spec):
    assert (
        "button text must not be empty"
        in send(spec, text="x", reply_markup=button_markup(text=" ", callback_data="y"))[0]
    )
    assert (
        "Exactly one of the fields" in send(spec, text="x", reply_markup=button_markup(text="y"))[0]
    )


@pytest.mark.parametrize(
    "markup",
    [[[{"text": "a", "callback_data": "b"}]], {"inline_keyboard": {"text": "a"}}, {"buttons": []}],
    ids=["array-instead-of-object", "row-is-object", "unknown-markup"],
)
def test_reply_markup_with_wrong_shape(spec, markup):
    assert send(spec, text="x", reply_markup=markup) != []


def test_reply_keyboard_accepts_plain_string_buttons(spec):
    # "For simple text buttons, String can be used instead of this object" (KeyboardButton).
    assert send(spec, text="x", reply_markup={"keyboard": [["Yes", {"text": "No"}]]}) == []


def test_subtype_union_is_picked_by_discriminator(spec):
    def react(*reactions):
        return spec.validate(
            "setMessageReaction", {"chat_id": 1, "message_id": 2, "reaction": list(reactions)}
        )

    assert react({"type": "emoji", "emoji": "👍"}) == []
    assert "unknown type 'like'" in react({"type": "like"})[0]
    assert "'🐙' is not allowed" in react({"type": "emoji", "emoji": "🐙"})[0]
    assert "missing required field 'custom_emoji_id'" in react({"type": "custom_emoji"})[0]


def test_text_length_counts_visible_characters_after_entity_parsing(spec):
    html = {"parse_mode": "HTML"}
    assert send(spec, text="<b>" + "a" * 4096 + "</b>", **html) == []
    (problem,) = send(spec, text="<b>" + "a" * 4097 + "</b>", **html)
    assert "is too long: 4097" in problem
    assert send(spec, text="a" * 4097) != []


def test_empty_text_is_rejected_even_when_only_tags_or_spaces(spec):
    assert "is empty" in send(spec, text="")[0]
    assert "is empty" in send(spec, text="<b> </b>", parse_mode="HTML")[0]


def test_emoji_counts_as_two_utf16_units_at_the_limit(spec):
    assert utf16_len("😀") == 2
    assert send(spec, text="a" * 4094 + "😀") == []  # exactly 4096 units
    (problem,) = send(spec, text="a" * 4095 + "😀")  # 4096 code points, 4097 units
    assert "4097 characters (UTF-16 units)" in problem


def test_callback_data_limit_is_64_utf8_bytes(spec):
    assert send(spec, text="x", reply_markup=button_markup(text="é", callback_data="é" * 32)) == []
    (problem,) = send(
        spec, text="x", reply_markup=button_markup(text="é", callback_data="é" * 32 + "a")
    )
    assert "callback_data is too long: 65 bytes" in problem


def test_caption_limit_is_1024_after_entity_parsing(spec):
    def photo(caption):
        params = {"chat_id": 1, "photo": "file-id", "caption": caption, "parse_mode": "HTML"}
        return spec.validate("sendPhoto", params)

    assert photo("<i>" + "c" * 1024 + "</i>") == []
    assert "caption is too long: 1025" in photo("c" * 1025)[0]


@pytest.mark.parametrize(
    ("command", "description"),
    [
        ("Setup", "ok"),
        ("/setup", "ok"),
        ("set-up", "ok"),
        ("a" * 33, "ok"),
        ("", "ok"),
        ("setup", ""),
        ("setup", "d" * 257),
    ],
)
def test_bad_bot_commands(spec, command, description):
    commands = [{"command": command, "description": description}]
    assert spec.validate("setMyCommands", {"commands": commands}) != []


def test_good_bot_commands(spec):
    commands = [
        {"command": "setup_2", "description": "d" * 256},
        {"command": "a" * 32, "description": "x"},
    ]
    assert spec.validate("setMyCommands", {"commands": commands}) == []


def test_answer_callback_query_text_limit(spec):
    assert spec.validate("answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 200}) == []
    assert spec.validate("answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 201})


def test_conditional_requirement_from_prose(spec):
    problems = spec.validate("editMessageText", {"chat_id": 1, "text": "x"})
    assert problems == [
        "editMessageText: missing field 'message_id' (required unless inline_message_id is given)"
    ]


# -- the HTML checker ---------------------------------------------------------------------------

RICH_HTML = (
    "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> "
    '<strike>k</strike> <del>d</del> <span class="tg-spoiler">sp</span> <tg-spoiler>t</tg-spoiler> '
    '<a href="https://example.org/?a=1&amp;b=2">link</a> <a href="tg://user?id=1">me</a> '
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> '
    '<tg-time unix="1647531900" format="wDT">tomorrow</tg-time> <code>x &lt; y</code> '
    '<pre>block</pre> <pre><code class="language-python">print("hi")</code></pre> '
    "<blockquote>quote</blockquote> <blockquote expandable>long</blockquote> "
    "<b>bold <i>italic <u>under</u></i></b> &lt;&gt;&amp;&quot; &#128512; &#x1F600;"
)


def test_rich_html_is_accepted(spec):
    assert check_telegram_html(RICH_HTML) == []
    assert send(spec, text=RICH_HTML, parse_mode="HTML") == []
    assert visible_text("<b>a &amp; b</b> &#x1F600;") == "a & b 😀"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag: expected "</i>", found "</b>"'),
        ("1 < 2", "Bare '<' is not a tag"),
        ("a&nbsp;b", "Unsupported HTML entity &nbsp;"),
        ("R&D", "Bare '&' must be written as &amp;"),
        ('<b class="big">x</b>', 'Unsupported attribute "class" in tag "b"'),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
        ('<code class="language-py">x</code>', "Programming language can't be specified"),
        ("</i>", "Unexpected end tag"),
        ("<br/>", 'Unsupported start tag "br/"'),
    ],
)
def test_html_telegram_rejects(html, expected):
    problems = check_telegram_html(html)
    assert problems
    assert expected in problems[0]


# -- through a real telegram.Bot ----------------------------------------------------------------


async def test_get_me(bot, fake):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (BOT_ID, BOT_USERNAME, True)
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False


async def test_invalid_html_raises_bad_request_and_is_recorded(bot, fake):
    with pytest.raises(BadRequest, match="can't parse entities"):
        await bot.send_message(USER_ID, "<b>unclosed", parse_mode="HTML")
    assert fake.last("sendMessage").error.startswith("Bad Request: ")
    with pytest.raises(AssertionError, match="1 request problem"):
        fake.assert_clean()
    assert len(fake.take_violations()) == 1


async def test_empty_text_and_long_caption_through_bot(bot, fake):
    with pytest.raises(BadRequest, match="is empty"):
        await bot.send_message(USER_ID, "   ")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_photo(USER_ID, photo="file-id", caption="c" * 1025)
    with pytest.raises(BadRequest, match="too long: 65 bytes"):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32 + "a")]])
        await bot.send_message(USER_ID, "pick", reply_markup=keyboard)
    assert len(fake.take_violations()) == 3


async def test_unknown_method_through_bot(bot, fake):
    # Telegram answers 404 "Not Found" for unknown methods; PTB reports EndPointNotFound.
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert fake.take_violations() == ["sendTelepathy: unknown method (not in Bot API 10.1)"]


async def test_bad_commands_through_bot(bot, fake):
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Setup", "Set up")])
    assert "lowercase" in fake.take_violations()[0]


async def test_defaults_like_bot_app_are_checked():
    # Same Defaults and rate limiter as bot/app.py: PTB copies them into every request.
    fake = FakeTelegram()
    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=dtm.UTC,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .request(fake)
        .get_updates_request(fake)
        .defaults(defaults)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    async with app:
        sent = await app.bot.send_message(GROUP_ID, "Tom &amp; Jerry")
        await sent.edit_text("Tom &amp; Jerry <i>again</i>")
        await sent.set_reaction("👍")
        await sent.delete()
        with pytest.raises(BadRequest):
            await app.bot.send_message(USER_ID, "Tom & Jerry")  # no explicit parse_mode
    first = fake.calls_to("sendMessage")[0].params
    assert first["parse_mode"] == "HTML"
    assert first["link_preview_options"] == {"is_disabled": True}
    assert fake.texts(GROUP_ID) == ["Tom & Jerry"]
    assert len(fake.take_violations()) == 1


async def test_requests_the_bot_makes_are_accepted_and_answered(bot, fake, spec):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes")]])
    question = await bot.send_message(GROUP_ID, RICH_HTML, parse_mode="HTML", reply_markup=keyboard)
    await bot.send_message(GROUP_ID, "thanks", reply_parameters=ReplyParameters(question.id))
    await bot.send_document(USER_ID, document=b"a,b\n1,2\n", filename="export.csv", caption="CSV")
    await bot.send_photo(USER_ID, photo=b"\x89PNG fake", caption="<b>chart</b>", parse_mode="HTML")
    await bot.send_voice(USER_ID, voice="voice-file-id", duration=3)
    await bot.edit_message_text("closed", chat_id=GROUP_ID, message_id=question.id)
    await bot.edit_message_reply_markup(GROUP_ID, question.id, reply_markup=keyboard)
    await bot.answer_callback_query("77", text="Thanks!")
    await bot.set_message_reaction(GROUP_ID, question.id, [ReactionTypeEmoji("👍")])
    scope = BotCommandScopeChat(GROUP_ID)
    await bot.set_my_commands([BotCommand("setup", "Set up reflection")], scope=scope)
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["setup"]
    await bot.delete_my_commands(scope=scope)
    await bot.delete_message(GROUP_ID, question.id)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()
    assert await bot.close() is True
    assert await bot.log_out() is True
    assert fake.violations == []
    for call in fake.calls:
        assert call.ok, call
        if spec.returns[call.method][0] != "Boolean":
            returned = spec.returns[call.method]
            assert spec.validate_value(returned, call.result, call.method) == []


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
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        await app.updater.stop()
        await app.stop()
    assert seen == [["now"]]
