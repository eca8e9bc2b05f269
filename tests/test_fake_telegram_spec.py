"""The offline Telegram double rejects what Telegram rejects: the Bot API reference,
Telegram's HTML rules and its limits, directly and through a real telegram.Bot.

Run alone with: python -m pytest tests/test_fake_telegram_spec.py
"""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReactionTypeEmoji,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults

from bot.sandbox.telegram import (
    BotApiSpec,
    FakeTelegram,
    check_telegram_html,
    utf16_len,
    visible_text,
)

GROUP_ID = -1001234567890
USER_ID = 4242


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
