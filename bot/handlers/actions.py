"""/action and /actions in a group, the buttons under an action, and an
owner's check-in answers and note in their private chat."""

from __future__ import annotations

from telegram import Message, Update

from bot.content.locales import Html
from bot.domain.actions import MAX_TEXT, clean_text, typed_date
from bot.handlers.buttons import pressed
from bot.handlers.common import chat_language, message_content, remember_chat
from bot.handlers.guards import refuse_chat_senders, remember_member, say
from bot.handlers.replies import alert, answer_button, edit, edit_pressed, reply, send_to
from bot.render import actions as render
from bot.render import callbacks
from bot.runtime.context import BotContext
from bot.services import actions as service
from bot.store.actions import Change

# /actions shows this many open actions, oldest first.
LISTED = 10
_CHOICE_REPLIES = {
    ("vol", Change.SAME): "actions.already_on",
    ("back", Change.DONE): "actions.stepped_back",
    ("back", Change.NOT_OWNER): "actions.not_on",
}


async def action_command(update: Update, context: BotContext) -> None:
    """/action <what we will do>: any member starts an action."""
    if await refuse_chat_senders(update, context):
        return
    await remember_member(update, context)
    chat = await remember_chat(update, context)
    # Whatever follows the command, on its line or the next.
    raw = ((update.effective_message.text or "").split(None, 1)[1:] or [""])[0]
    text = clean_text(raw)
    if text is None:
        await say(update, context, "actions.too_long" if len(raw) > MAX_TEXT else "actions.how")
        return
    from_prompt, from_week = await _made_from(update, context, chat.id)
    action = await service.create(context.bot_data, chat, text, update.effective_user.id,
                                  from_prompt=from_prompt, from_week=from_week)
    shown = await service.card(context.bot_data, chat, action)
    message = await reply(update, context, shown.text, reply_markup=shown.keyboard)
    if message is not None:
        await service.posted(context.bot_data, action.id, message.message_id)


async def _made_from(update: Update, context: BotContext,
                     chat_id: int) -> tuple[int | None, str | None]:
    """The question, or the week's summary, that /action was sent in reply to."""
    replied = update.effective_message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return None, None
    prompt = await context.store.prompts.by_message(chat_id, replied.message_id)
    if prompt is not None:
        return prompt.id, None
    return None, await context.store.actions.summary_week(chat_id, replied.message_id)


async def actions_command(update: Update, context: BotContext) -> None:
    """/actions: the open actions, each with its buttons."""
    if await refuse_chat_senders(update, context):
        return
    chat = await remember_chat(update, context)
    open_actions = await context.store.actions.open_for_chat(chat.id, LISTED)
    if not open_actions:
        await say(update, context, "actions.list_empty")
        return
    await say(update, context, "actions.list_title")
    for action in open_actions:
        shown = await service.card(context.bot_data, chat, action)
        await send_to(context, chat.id, shown.text, reply_markup=shown.keyboard)


async def action_button(update: Update, context: BotContext) -> None:
    """Take an action on, step back, or choose its date."""
    choice = pressed(context, callbacks.ActionChoice)
    chat = await remember_chat(update, context)
    user_id = update.effective_user.id
    if choice.choice == "vol":
        await remember_member(update, context)
    change = await service.choose(context.bot_data, chat, choice.action_id, user_id,
                                  choice.choice)
    if change is Change.GONE:
        await alert(update, context, "actions.gone")
        return
    action = await context.store.actions.get(choice.action_id)
    if change is Change.DONE or change is Change.CLOSED:
        shown = await service.card(context.bot_data, chat, action)
        await edit_pressed(update, context, shown.text, reply_markup=shown.keyboard)
    if change is Change.CLOSED:
        await alert(update, context, "actions.closed")
    elif choice.choice == "vol" and change is Change.DONE:
        private = await context.store.chats.get(user_id)
        reachable = private is not None and private.active
        await alert(update, context,
                    "actions.taken_on" if reachable else "actions.taken_on_private")
    elif choice.choice in ("vol", "back"):
        await alert(update, context, _CHOICE_REPLIES[choice.choice, change])
    else:
        await alert(update, context,
                    "actions.date_set" if change is Change.DONE else "actions.date_already")


async def checkin_button(update: Update, context: BotContext) -> None:
    """An owner's answer to their check-in, in their private chat."""
    choice = pressed(context, callbacks.CheckIn)
    data = context.bot_data
    answered = await service.check_in(data, choice.action_id, update.effective_user.id,
                                    choice.answer)
    personal = answered.action is not None and answered.action.chat_id == update.effective_user.id
    refusal = {Change.GONE: "actions.gone",
               Change.CLOSED: "commitments.closed" if personal else "checkin.closed",
               Change.NOT_OWNER: "checkin.not_owner"}.get(answered.change)
    if refusal is not None:
        await alert(update, context, refusal)
        return
    language = await chat_language(update, context)
    if answered.change is Change.SAME:
        await answer_button(update, context, context.catalog.text(language, "checkin.same"))
        return
    await answer_button(update, context)
    action = answered.action
    group = await context.store.chats.get(action.chat_id)
    # A personal commitment's check-in is worded for one person alone.
    section = "commitments" if personal else "checkin"
    if choice.answer == "way":
        timezone = group.timezone if group is not None else "UTC"
        thanks = context.catalog.text(language, f"{section}.thanks_way", date=Html(
            render.local_date(context.catalog, language, answered.next_checkin, timezone)))
    else:
        thanks = context.catalog.text(language, f"{section}.thanks_{choice.answer}")
    if choice.answer != "go":
        thanks += "\n\n" + context.catalog.text(language, f"{section}.note_offer")
    await reply(update, context, thanks)
    if action.message_id is not None and group is not None:
        # The group's message follows: how many are on it, or done (its
        # buttons gone).
        shown = await service.card(data, group, action)
        await edit(context, group.id, action.message_id, shown.text,
                   reply_markup=shown.keyboard)


async def note_share_button(update: Update, context: BotContext) -> None:
    choice = pressed(context, callbacks.NoteShare)
    change = await service.share_note(context.bot_data, choice.action_id,
                                      update.effective_user.id, choice.shared)
    if change is Change.NOT_OWNER:
        await alert(update, context, "checkin.not_owner")
        return
    language = await chat_language(update, context)
    await answer_button(update, context, context.catalog.text(
        language, "checkin.shared" if choice.shared else "checkin.kept"))


async def took_note(update: Update, context: BotContext) -> bool:
    """Whether a private message was the note an owner was just offered to
    leave after a check-in (then it is kept, private, and they may share it)."""
    text, _ = message_content(update.effective_message)
    if text is None:
        return False
    action_id = await service.take_note(context.bot_data, update.effective_user.id, text)
    if action_id is None:
        return False
    language = await chat_language(update, context)
    action = await context.store.actions.get(action_id)
    if action is not None and action.chat_id == update.effective_user.id:
        # A personal commitment's note: there is nobody to share it with.
        await reply(update, context, context.catalog.text(language, "commitments.note_saved"))
        return True
    await reply(update, context, context.catalog.text(language, "checkin.note_saved"),
                reply_markup=render.note_keyboard(context.catalog, language, action_id))
    return True


async def date_reply(update: Update, context: BotContext) -> None:
    """A reply to an action's message that has no date yet: a typed date
    ("20/12", "2026-12-20"). Anything else in reply to it is not for the bot."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    action_id = action_of(replied)
    if action_id is None or not message.text or update.effective_user is None:
        return
    if await refuse_chat_senders(update, context):
        return
    chat = await remember_chat(update, context)
    typed = typed_date(message.text, context.bot_data.clock(), chat.timezone)
    if typed.day is None:
        await say(update, context, f"actions.typed_{typed.problem}")
        return
    await remember_member(update, context)
    change = await service.set_typed_date(context.bot_data, chat, action_id,
                                          update.effective_user.id, typed.day)
    if change is Change.GONE or change is Change.CLOSED:
        await say(update, context, "actions.gone" if change is Change.GONE else "actions.closed")
        return
    if change is Change.SAME:
        await say(update, context, "actions.date_already")
        return
    action = await context.store.actions.get(action_id)
    shown = await service.card(context.bot_data, chat, action)
    await edit(context, chat.id, replied.message_id, shown.text, reply_markup=shown.keyboard)
    await say(update, context, "actions.typed_set", date=Html(render.local_date(
        context.catalog, chat.language, action.due_at, chat.timezone)))


def action_of(message: Message) -> int | None:
    """The action a message of ours is about, read from its buttons (the
    store then checks it is this group's and open)."""
    keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
    for row in keyboard:
        for button in row:
            pressed_data = callbacks.decode(button.callback_data)
            if isinstance(pressed_data, callbacks.ActionChoice | callbacks.DesignAsk):
                return pressed_data.action_id
    return None
