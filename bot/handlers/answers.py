"""Answers: scale taps, quoting consent, and comments given by reply."""

from __future__ import annotations

import logging

from telegram import Message, ReactionTypeEmoji, Update
from telegram.error import TelegramError

from bot import callbacks
from bot.context import BotContext
from bot.domain.records import Prompt
from bot.handlers import mydata, personal, setup
from bot.handlers.common import chat_language, is_group
from bot.handlers.guards import refuse_chat_senders, remember_member, say
from bot.jobs import schedule_count_refresh
from bot.render import answers as render

log = logging.getLogger(__name__)
SAVED_REACTION = "✍"


async def on_button(update: Update, context: BotContext) -> None:
    """Every inline button lands here; callback data is decoded in one place."""
    query = update.callback_query
    choice = callbacks.decode(query.data)
    if query.message is None or choice is None:
        await _stale(update, context)
    elif isinstance(choice, callbacks.Rate):
        await rate(update, context, choice)
    elif isinstance(choice, callbacks.Quote):
        await quote(update, context, choice)
    elif isinstance(choice, callbacks.SetupChoice):
        # The group /setup wizard lives in groups, the personal one in private
        # chats; each checks the step against its own draft.
        if is_group(query.message.chat):
            await setup.setup_choice(update, context, choice)
        else:
            await personal.onboarding_choice(update, context, choice)
    elif isinstance(choice, callbacks.Journal):
        await personal.journal_page(update, context, choice)
    elif is_group(query.message.chat):
        await mydata.forget_confirm(update, context, choice)
    elif choice.user_id == query.from_user.id:
        await personal.forget_confirmed(update, context, choice.confirmed)
    else:
        await _stale(update, context)


async def _stale(update: Update, context: BotContext) -> None:
    language = await chat_language(update, context)
    await update.callback_query.answer(context.catalog.text(language, "button.stale"),
                                       show_alert=True)


async def _prompt_for_button(update: Update, context: BotContext, prompt_id: int):
    """The prompt a button belongs to, only if it really is under that prompt's
    message (in the group, or the private copy sent to this person)."""
    message = update.callback_query.message
    prompts = context.store.prompts
    if is_group(message.chat):
        prompt = await prompts.by_message(message.chat.id, message.message_id)
    else:
        # A group's question sent here privately, or the person's own prompt.
        prompt = (await prompts.by_private_message(message.chat.id, message.message_id)
                  or await prompts.by_message(message.chat.id, message.message_id))
    return prompt if prompt is not None and prompt.id == prompt_id else None


async def _usable_prompt(update: Update, context: BotContext, prompt_id: int):
    """(prompt, language) for a button that may still be used; otherwise the
    press is answered (stale button, closed question) and None returned."""
    prompt = await _prompt_for_button(update, context, prompt_id)
    if prompt is None:
        await _stale(update, context)
        return None
    language = await chat_language(update, context)
    if not prompt.is_open:
        await update.callback_query.answer(context.catalog.text(language, "answer.closed"),
                                           show_alert=True)
        return None
    await _count_member(context, prompt, update)
    return prompt, language


async def rate(update: Update, context: BotContext, choice: callbacks.Rate) -> None:
    query = update.callback_query
    usable = await _usable_prompt(update, context, choice.prompt_id)
    if usable is None:
        return
    prompt, language = usable
    skipped = choice.value == 0
    await context.store.answers.record(
        prompt.id, query.from_user.id, scale=None if skipped else choice.value, skipped=skipped,
        visibility="group" if is_group(query.message.chat) else "private",
    )
    await query.answer(context.catalog.text(language,
                                            "answer.skipped" if skipped else "answer.saved"))
    schedule_count_refresh(context, prompt.id)


async def quote(update: Update, context: BotContext, choice: callbacks.Quote) -> None:
    query = update.callback_query
    usable = await _usable_prompt(update, context, choice.prompt_id)
    if usable is None:
        return
    prompt, language = usable
    current = await context.store.answers.get(prompt.id, query.from_user.id)
    if current is not None and current.visibility == "private":
        # Answered privately: never shown in the group, so never quoted.
        await query.answer(context.catalog.text(language, "answer.quote_private"),
                           show_alert=True)
        return
    allow = not (current.quotable if current else False)
    await context.store.answers.record(prompt.id, query.from_user.id, quotable=allow)
    key = "answer.quote_on" if allow else "answer.quote_off"
    await query.answer(context.catalog.text(language, key), show_alert=True)


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: a comment on a question."""
    message = update.effective_message
    prompt = await _prompt_replied_to(update, context)
    if prompt is None:
        if not is_group(message.chat):
            await personal.on_message(update, context)  # a journal answer, as a reply
        return  # in a group: a reply to some other bot message, not for us
    if await refuse_chat_senders(update, context):
        return
    if not prompt.is_open:
        await say(update, context, "answer.closed")
        return
    text, voice = _comment_of(message)
    if text is None and voice is None:
        await say(update, context, "answer.text_or_voice")
        return
    in_private = not is_group(message.chat)
    await _count_member(context, prompt, update)
    await context.store.answers.record(
        prompt.id, update.effective_user.id, text=text, voice_file_id=voice,
        visibility="private" if in_private else "group", message_id=message.message_id,
    )
    await _acknowledge(message)
    if in_private:
        await message.reply_text(await _saved_privately(update, context, prompt))
    schedule_count_refresh(context, prompt.id)


async def on_edited_reply(update: Update, context: BotContext) -> None:
    """An edited comment replaces the saved one; the old text stays in history."""
    message = update.edited_message
    prompt = await _prompt_replied_to(update, context)
    if prompt is None or not prompt.is_open or update.effective_user is None:
        return
    answer = await context.store.answers.by_message(prompt.id, message.message_id)
    if answer is None or answer.user_id != update.effective_user.id:
        return
    text, voice = _comment_of(message)
    if text is not None or voice is not None:
        await context.store.answers.record(
            prompt.id, answer.user_id, text=text, voice_file_id=voice,
            visibility=answer.visibility, message_id=message.message_id,
        )


async def _prompt_replied_to(update: Update, context: BotContext) -> Prompt | None:
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None
    prompts = context.store.prompts
    if is_group(message.chat):
        return await prompts.by_message(message.chat.id, replied.message_id)
    return await prompts.by_private_message(message.chat.id, replied.message_id)


def _comment_of(message: Message) -> tuple[str | None, str | None]:
    if message.voice is not None:
        return None, message.voice.file_id
    text = (message.text or message.caption or "").strip()
    return (text or None), None


async def _count_member(context: BotContext, prompt: Prompt, update: Update) -> None:
    """Whoever answers a group's question counts as one of its members."""
    if is_group(update.effective_chat):
        await remember_member(update, context)
    elif prompt.chat_id != update.effective_chat.id:  # not a personal prompt
        user = update.effective_user
        await context.store.members.seen(prompt.chat_id, user.id, user.full_name, user.username)


async def _acknowledge(message: Message) -> None:
    try:
        await message.set_reaction(ReactionTypeEmoji(SAVED_REACTION))
    except TelegramError:
        # Reactions can be turned off in a group; the answer is saved anyway.
        log.info("could not react in chat %s", message.chat.id)


async def _saved_privately(update: Update, context: BotContext, prompt: Prompt) -> str:
    group = await context.store.chats.get(prompt.chat_id)
    pack = context.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    language = await chat_language(update, context)
    return render.saved_privately(context.catalog, language, group, pack, item)
