"""/setup (a wizard of buttons) and /timezone in a group."""

from __future__ import annotations

from telegram import Update

from bot.domain import setup as domain
from bot.domain.arguments import echo
from bot.domain.schedule import valid_timezone
from bot.handlers import wizards
from bot.handlers.common import chat_language, remember_chat
from bot.handlers.guards import require_admin, say, sighting
from bot.handlers.replies import reply
from bot.render import setup as render
from bot.runtime.context import BotContext
from bot.services import schedule


def _choose(context: BotContext, draft: domain.SetupDraft, step: str,
            value: str) -> domain.SetupDraft:
    return domain.choose(draft, step, value, pack_ids=[p.id for p in context.packs.for_groups()],
                         languages=context.catalog.languages)


GROUP = wizards.Wizard(
    draft=domain.SetupDraft, choose=_choose, step_message=render.step_message,
    done_message=render.confirmation, expired="setup.expired", not_yours="setup.not_yours",
)


async def setup_command(update: Update, context: BotContext) -> None:
    if not await require_admin(update, context):
        return
    chat = await remember_chat(update, context)
    # The admin is one of the group's members: recorded with the wizard's draft.
    await wizards.begin(update, context, GROUP, domain.SetupDraft(user_id=update.effective_user.id),
                        chat.language, seen_as=sighting(update))


async def setup_choice(update: Update, context: BotContext) -> None:
    """A button of the group's /setup wizard."""
    await wizards.on_press(update, context, GROUP)


async def timezone_command(update: Update, context: BotContext) -> None:
    """/timezone Area/City: during /setup it answers the time-zone step;
    afterwards an admin can use it to move the group's schedule."""
    name = " ".join(context.args or []).strip()
    if not valid_timezone(name):
        await say(update, context, "timezone.invalid", value=echo(name) or "…")
        return
    if not await require_admin(update, context):
        return
    # An admin's first words to the bot may be this: the group is recorded first.
    chat = await remember_chat(update, context)
    if await wizards.typed_timezone(update, context, GROUP, name):
        return
    changed = await schedule.change_timezone(context.bot_data, chat, name)
    language = await chat_language(update, context)
    await reply(update, context,
                render.timezone_changed(context.catalog, language, name, changed.next_due))
