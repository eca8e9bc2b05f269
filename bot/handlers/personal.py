"""Personal reflection in a private chat: the wizard, answers, and the
commands a person uses on their own programme."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.domain import onboarding
from bot.domain.arguments import echo
from bot.domain.schedule import valid_timezone
from bot.domain.setup import InvalidChoice
from bot.handlers import answers
from bot.handlers.buttons import pressed, stale_button
from bot.handlers.common import chat_language, message_content, remember_chat
from bot.handlers.guards import say
from bot.handlers.replies import alert, answer_button, edit, edit_pressed, reply, reply_document
from bot.handlers.wizards import send_wizard
from bot.render import about, callbacks, journal_export
from bot.render import personal as render
from bot.runtime.context import BotContext
from bot.services import personal, questions
from bot.services.schedule import reschedule


async def welcome(update: Update, context: BotContext) -> None:
    """/start in a private chat: what the bot is, then a personal programme."""
    chat = await remember_chat(update, context)
    await reply(update, context,
        about.private_welcome(context.catalog, chat.language, update.effective_user.first_name)
    )
    if await context.store.enrolments.active_for(chat.id) is None:
        await begin_onboarding(update, context)


async def begin_onboarding(update: Update, context: BotContext) -> None:
    """/programme (and a first /start): choose a programme, cadence and time."""
    chat = await remember_chat(update, context)
    draft = onboarding.begin(update.effective_user.id, ask_timezone=not chat.timezone_chosen,
                             timezone=chat.timezone)
    text, keyboard = render.onboarding_step(context.catalog, chat.language, draft, context.packs)
    await send_wizard(update, context, draft, text, keyboard)


async def onboarding_choice(update: Update, context: BotContext) -> None:
    """A button of the personal wizard, checked against its saved draft."""
    choice = pressed(context, callbacks.SetupChoice)
    query = update.callback_query
    chat_id, message_id = query.message.chat.id, query.message.message_id
    language = await chat_language(update, context)
    stored = await context.store.drafts.get(chat_id, message_id)
    if stored is None or stored[0] != query.from_user.id:
        await alert(update, context, "onboarding.expired")
        return
    try:
        draft = onboarding.choose(
            onboarding.OnboardingDraft.from_dict(stored[1]), choice.step, choice.value,
            pack_ids=[p.id for p in context.packs.for_individuals()],
        )
    except InvalidChoice:
        # A button of another step (an old copy of the wizard, or an edit
        # that never showed): show the step the wizard is really at.
        await alert(update, context, "button.stale")
        await _show(context, chat_id, message_id,
                    onboarding.OnboardingDraft.from_dict(stored[1]), language)
        return
    await answer_button(update, context)
    await _show(context, chat_id, message_id, draft, language)


async def _show(context: BotContext, chat_id: int, message_id: int,
                draft: onboarding.OnboardingDraft, language: str) -> None:
    store = context.store
    if not draft.finished:
        text, keyboard = render.onboarding_step(context.catalog, language, draft, context.packs)
        # Saved once it shows, so the draft never runs ahead of the message.
        if await edit(context, chat_id, message_id, text, reply_markup=keyboard):
            await store.drafts.save(chat_id, message_id, draft.user_id, draft.to_dict())
        return
    chat = await store.chats.get(chat_id)
    first = await personal.start_programme(context.bot_data, chat, draft, context.now())
    await store.drafts.delete(chat_id, message_id)
    await edit(context, chat_id, message_id,
               render.onboarding_done(context.catalog, language, draft, context.packs, first))


async def timezone(update: Update, context: BotContext) -> None:
    """/timezone Area/City in a private chat: the wizard's answer, or a change."""
    name = " ".join(context.args or []).strip()
    if not valid_timezone(name):
        await say(update, context, "timezone.invalid", value=echo(name) or "…")
        return
    chat = await remember_chat(update, context)
    pending = await context.store.drafts.latest_for(chat.id, update.effective_user.id)
    if pending is not None:
        message_id, state = pending
        draft = onboarding.OnboardingDraft.from_dict(state)
        if draft.step == onboarding.TIMEZONE:
            await _show(context, chat.id, message_id, onboarding.set_timezone(draft, name),
                        chat.language)
            return
    chat = await context.store.chats.update(chat.id, timezone=name, timezone_chosen=True)
    now = context.now()
    await context.store.chats.update(chat.id, next_recap_at=personal.next_recap_time(chat, now))
    await reschedule(context.bot_data, chat.id)
    await reply(update, context,
        render.timezone_changed_text(context.catalog, chat.language, name))


async def language(update: Update, context: BotContext) -> None:
    choice = (context.args or [""])[0].lower()
    if choice not in context.catalog.languages:
        await say(update, context, "self.language_usage",
                  languages=", ".join(context.catalog.languages))
        return
    chat = await remember_chat(update, context)
    await context.store.chats.update(chat.id, language=choice)
    await reply(update, context, context.catalog.text(choice, "self.language_set"))


async def on_message(update: Update, context: BotContext) -> None:
    """A message in a private chat that is not a command: a comment on a
    group's question sent here privately (when it replies to that copy), or
    the answer to one of the person's own prompts (the one it replies to, else
    the one waiting)."""
    message = update.effective_message
    chat = await remember_chat(update, context)
    group_prompt = await answers.replied_prompt(update, context)
    if group_prompt is not None:
        await answers.comment(update, context, group_prompt)
        return
    prompt = await personal.open_prompt(context.bot_data, chat.id)
    replied = message.reply_to_message
    if replied is not None and replied.from_user and replied.from_user.id == context.bot.id:
        prompt = await context.store.prompts.by_message(chat.id, replied.message_id) or prompt
    text, voice = message_content(message)
    if prompt is None or not prompt.is_open:
        await say(update, context, "private.how_to_answer")
        return
    if text is None and voice is None:
        await say(update, context, "answer.text_or_voice")
        return
    await context.store.answers.record(prompt.id, chat.id, text=text, voice_file_id=voice,
                                       visibility="private", message_id=message.message_id)
    context.bot_data.metrics.answer_saved("journal")
    await reply(update, context, _saved(context, chat.language, prompt))


async def on_edited(update: Update, context: BotContext) -> None:
    """An edited answer in a private chat replaces the saved one (the old
    wording is kept): a private comment on a group's question, or a journal
    answer, given as a reply or not."""
    message = update.edited_message
    group_prompt = await answers.replied_prompt(update, context)
    if group_prompt is not None:
        await answers.edit_comment(update, context, group_prompt)
        return
    user_id = update.effective_user.id
    prompt_id = await context.store.journal.answer_by_message(user_id, message.message_id)
    text, voice = message_content(message)
    if prompt_id is not None and (text or voice):
        await context.store.answers.record(prompt_id, user_id, text=text, voice_file_id=voice,
                                           visibility="private", message_id=message.message_id)


async def later(update: Update, context: BotContext) -> None:
    chat = await remember_chat(update, context)
    again = await personal.put_off(context.bot_data, chat.id, context.now())
    if again is None:
        await say(update, context, "personal.nothing_open")
        return
    await reply(update, context,
        render.later_text(context.catalog, chat.language, again, chat.timezone))


async def _my_programme(update: Update, context: BotContext):
    """(chat, enrolment) of the person's running programme; if there is none,
    they are told how to start one and None is returned."""
    chat = await remember_chat(update, context)
    enrolment = await context.store.enrolments.active_for(chat.id)
    if enrolment is None:
        await say(update, context, "self.not_enrolled")
        return None
    return chat, enrolment


async def skip(update: Update, context: BotContext) -> None:
    """/skip: this prompt is passed over and the next one comes now."""
    mine = await _my_programme(update, context)
    if mine is None:
        return
    chat, enrolment = mine
    waiting = await personal.open_prompt(context.bot_data, chat.id)
    if waiting is not None:
        # Passed over only if it was not answered: an answer is never lost.
        await context.store.answers.skip_if_unanswered(waiting.id, chat.id)
    slot = f"skip:{update.effective_message.message_id}"
    await questions.ask_now(context.bot, context.bot_data, enrolment, slot, chat=chat)


async def pause(update: Update, context: BotContext) -> None:
    mine = await _my_programme(update, context)
    if mine is None:
        return
    await context.store.enrolments.set_paused(mine[1].id, True)
    await say(update, context, "personal.paused")


async def resume(update: Update, context: BotContext) -> None:
    mine = await _my_programme(update, context)
    if mine is None:
        return
    chat, enrolment = mine
    await context.store.enrolments.set_paused(enrolment.id, False)
    next_due = await reschedule(context.bot_data, chat.id)
    await reply(update, context,
        render.resumed_text(context.catalog, chat.language, next_due, chat.timezone))


async def journal(update: Update, context: BotContext) -> None:
    """/journal [PROGRAMME]: the newest page of one's answers."""
    chat = await remember_chat(update, context)
    pack_id = (context.args or [None])[0]
    if pack_id is not None and pack_id not in context.packs:
        await reply(update, context, render.journal_unknown_filter(
            context.catalog, chat.language, echo(pack_id), context.packs))
        return
    text, keyboard = await _journal_page(context, chat, 1, pack_id)
    await reply(update, context, text, reply_markup=keyboard)


async def journal_page(update: Update, context: BotContext) -> None:
    """The journal's paging buttons."""
    choice = pressed(context, callbacks.Journal)
    query = update.callback_query
    chat = await context.store.chats.get(query.message.chat.id)
    if chat is None or chat.is_group or (choice.pack_id and choice.pack_id not in context.packs):
        await stale_button(update, context)
        return
    await answer_button(update, context)
    text, keyboard = await _journal_page(context, chat, choice.page, choice.pack_id)
    await edit_pressed(update, context, text, reply_markup=keyboard)


async def _journal_page(context: BotContext, chat, page: int, pack_id: str | None):
    total = await context.store.journal.count(chat.id, pack_id)
    pages = render.page_count(total)
    page = min(page, pages)
    entries = await context.store.journal.page(
        chat.id, offset=(page - 1) * render.PAGE_SIZE, limit=render.PAGE_SIZE, pack_id=pack_id)
    return render.journal_page(context.catalog, chat.language, entries, context.packs,
                               page=page, pages=pages, pack_filter=pack_id,
                               timezone=chat.timezone)


async def export(update: Update, context: BotContext) -> None:
    """/export: the whole journal as Markdown (to read) and JSON (to keep)."""
    chat = await remember_chat(update, context)
    entries = await context.store.journal.all(chat.id)
    name = update.effective_user.full_name
    stamp = f"{context.now():%Y%m%d}"
    markdown = journal_export.export_markdown(entries, context.packs, chat.language, name=name,
                                      timezone=chat.timezone, catalog=context.catalog)
    as_json = journal_export.export_json(entries, context.packs, chat.language)
    await reply_document(update, context,
        InputFile(markdown.encode("utf-8"), filename=f"journal-{stamp}.md"),
        caption=context.catalog.plural(chat.language, "self.export_caption", len(entries)))
    await reply_document(update, context,
        InputFile(as_json.encode("utf-8"), filename=f"journal-{stamp}.json"))


async def forget(update: Update, context: BotContext) -> None:
    """/forget in a private chat: everything about the person, everywhere."""
    user = update.effective_user
    language = await chat_language(update, context)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(context.catalog.text(language, f"self.forget_{answer}"),
                             callback_data=callbacks.encode(callbacks.ForgetConfirm(user.id, yes)))
        for answer, yes in (("yes", True), ("no", False))
    ]])
    await reply(update, context,
        context.catalog.text(language, "self.forget_confirm"), reply_markup=keyboard)


async def forget_confirmed(update: Update, context: BotContext) -> None:
    """The answer to /forget's question in a private chat."""
    choice = pressed(context, callbacks.ForgetConfirm)
    query = update.callback_query
    if choice.user_id != query.from_user.id:
        await stale_button(update, context)
        return
    language = await chat_language(update, context)
    await answer_button(update, context)
    if not choice.confirmed:
        await edit_pressed(update, context, context.catalog.text(language, "self.forget_kept"))
        return
    await context.store.forget_person(query.from_user.id)
    await edit_pressed(update, context, context.catalog.text(language, "self.forget_done"))


def _saved(context: BotContext, language: str, prompt) -> str:
    pack = context.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    if item is None:
        return context.catalog.text(language, "answer.saved")
    return render.saved_in_journal(context.catalog, language, pack, item)
