"""Personal reflection in a private chat: the wizard, answers, and the
commands a person uses on their own programme."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.domain import onboarding
from bot.domain.arguments import echo
from bot.domain.schedule import valid_timezone
from bot.handlers import actions, answers, commitments, joint_actions, wizards
from bot.handlers.buttons import pressed, stale_button
from bot.handlers.common import chat_language, message_content, remember_chat
from bot.handlers.guards import say
from bot.handlers.replies import answer_button, edit_pressed, reply, reply_document
from bot.render import about, callbacks, privacy
from bot.render import commitments as commitments_render
from bot.render import personal as render
from bot.runtime.context import BotContext
from bot.services import commitments as commitments_service
from bot.services import exports, own_data, personal, preferences, schedule


async def welcome(update: Update, context: BotContext) -> None:
    """/start in a private chat: what the bot is, then a personal programme."""
    chat = await remember_chat(update, context)
    await reply(update, context,
        about.private_welcome(context.catalog, chat.language, update.effective_user.first_name)
    )
    if await context.store.enrolments.active_for(chat.id) is None:
        await begin_onboarding(update, context)


def _choose(context: BotContext, draft: onboarding.OnboardingDraft, step: str,
            value: str) -> onboarding.OnboardingDraft:
    return onboarding.choose(draft, step, value,
                             pack_ids=[p.id for p in context.packs.for_individuals()])


PERSONAL = wizards.Wizard(
    draft=onboarding.OnboardingDraft, choose=_choose, step_message=render.onboarding_step,
    done_message=render.onboarding_done, expired="onboarding.expired",
    # In a private chat only its person can press: any other owner is a stale draft.
    not_yours="onboarding.expired",
)


async def begin_onboarding(update: Update, context: BotContext) -> None:
    """/programme (and a first /start): choose a programme, cadence and time."""
    chat = await remember_chat(update, context)
    draft = onboarding.begin(update.effective_user.id, ask_timezone=not chat.timezone_chosen,
                             timezone=chat.timezone)
    await wizards.begin(update, context, PERSONAL, draft, chat.language)


async def onboarding_choice(update: Update, context: BotContext) -> None:
    """A button of the personal wizard."""
    await wizards.on_press(update, context, PERSONAL)


async def timezone(update: Update, context: BotContext) -> None:
    """/timezone Area/City in a private chat: the wizard's answer, or a change."""
    name = " ".join(context.args or []).strip()
    if not valid_timezone(name):
        await say(update, context, "timezone.invalid", value=echo(name) or "…")
        return
    chat = await remember_chat(update, context)
    if await wizards.typed_timezone(update, context, PERSONAL, name):
        return
    await schedule.change_timezone(context.bot_data, chat, name)
    await reply(update, context, render.timezone_changed_text(context.catalog, chat.language, name))


async def language(update: Update, context: BotContext) -> None:
    choice = (context.args or [""])[0].lower()
    if choice not in context.catalog.languages:
        await say(update, context, "self.language_usage",
                  languages=", ".join(context.catalog.languages))
        return
    chat = await remember_chat(update, context)
    await preferences.set_language(context.bot_data, chat.id, choice)
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
    # Just after "joint action" under the agenda: that action's line.
    if await joint_actions.took_proposal(update, context):
        return
    # Just after answering an action's check-in: a one-line note about it.
    if await actions.took_note(update, context):
        return
    replied = message.reply_to_message
    by_the_bot = (replied is not None and replied.from_user is not None
                  and replied.from_user.id == context.bot.id)
    prompt = await personal.answered_prompt(context.bot_data, chat.id,
                                            replied.message_id if by_the_bot else None)
    text, voice = message_content(message)
    if prompt is None or not prompt.is_open:
        await say(update, context, "private.how_to_answer")
        return
    if text is None and voice is None:
        await say(update, context, "answer.text_or_voice")
        return
    added = await personal.save_answer(context.bot_data, prompt, chat.id, text=text,
                                       voice=voice, message_id=message.message_id)
    await reply(update, context, render.saved(context.catalog, chat.language, context.packs,
                                              prompt.pack_id, prompt.item_id, added=added))
    if not added:  # offered once, for the answer's first message
        await commitments.offer(update, context, chat, prompt, text)


async def on_edited(update: Update, context: BotContext) -> None:
    """An edited answer in a private chat replaces the saved one (the old
    wording is kept): a private comment on a group's question, or a journal
    answer, given as a reply or not."""
    message = update.edited_message
    group_prompt = await answers.replied_prompt(update, context)
    if group_prompt is not None:
        await answers.edit_comment(update, context, group_prompt)
        return
    text, voice = message_content(message)
    await personal.change_answer(context.bot_data, update.effective_user.id, message.message_id,
                                 text=text, voice=voice)


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
    # The command's own message names the slot, so the same /skip delivered
    # twice (after a crash) passes over one prompt and opens one.
    slot = f"skip:{update.effective_message.message_id}"
    await personal.skip(context.bot, context.bot_data, enrolment, chat, slot)


async def pause(update: Update, context: BotContext) -> None:
    mine = await _my_programme(update, context)
    if mine is None:
        return
    await schedule.pause(context.bot_data, mine[1])
    await say(update, context, "personal.paused")


async def resume(update: Update, context: BotContext) -> None:
    mine = await _my_programme(update, context)
    if mine is None:
        return
    chat, _ = mine
    next_due = await schedule.resume(context.bot_data, chat.id)
    await reply(update, context,
        render.resumed_text(context.catalog, chat.language, next_due, chat.timezone,
                            context.now()))


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
    entries, page, pages = await personal.journal_page(context.bot_data, chat.id, page, pack_id)
    committed = await personal.commitments_by_prompt(context.bot_data, chat.id)
    return render.journal_page(context.catalog, chat.language, entries, context.packs,
                               page=page, pages=pages, pack_filter=pack_id,
                               timezone=chat.timezone, commitments_by_prompt=committed)


async def export(update: Update, context: BotContext) -> None:
    """/export: the whole journal as Markdown (to read) and JSON (to keep)."""
    chat = await remember_chat(update, context)
    markdown, as_json, count = await exports.journal(context.bot_data, chat,
                                                     update.effective_user.full_name)
    await reply_document(update, context, InputFile(markdown.content, filename=markdown.name),
                         caption=context.catalog.plural(chat.language, "self.export_caption",
                                                        count))
    await reply_document(update, context, InputFile(as_json.content, filename=as_json.name))


async def mydata(update: Update, context: BotContext) -> None:
    """/mydata in a private chat: the person's own commitments (their
    answers are in /journal and /export; a group's data in that group)."""
    chat = await remember_chat(update, context)
    mine = await commitments_service.of_person(context.bot_data, chat.id)
    await reply(update, context, commitments_render.mydata_block(
        context.catalog, chat.language, mine, chat.timezone)
        + "\n\n" + context.catalog.text(chat.language, "commitments.mydata_more"))


async def forget(update: Update, context: BotContext) -> None:
    """/forget in a private chat: everything about the person, everywhere."""
    language = await chat_language(update, context)
    text, keyboard = privacy.forget_question(context.catalog, language,
                                             update.effective_user.id, in_group=False)
    await reply(update, context, text, reply_markup=keyboard)


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
    await own_data.forget_everywhere(context.bot_data, query.from_user.id)
    await edit_pressed(update, context, context.catalog.text(language, "self.forget_done"))

