"""The one ordered registry of handlers, and the command menus built from it.

Order matters to python-telegram-bot: the first matching handler in a group
wins. Keeping every handler here makes that order visible in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.content.commands import local_name, other_names
from bot.content.locales import Catalog
from bot.handlers import (
    actions,
    answers,
    commitments,
    design_tests,
    elsewhere,
    glossary,
    group,
    joint_actions,
    membership,
    mydata,
    partnership,
    personal,
    reports,
    setup,
    start,
)
from bot.handlers.buttons import ButtonHandler, stale_button
from bot.handlers.errors import guarded, on_error
from bot.render import callbacks


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callable
    description_key: str
    private: bool = True
    group: bool = True

    def allowed_in(self, scope: str) -> bool:
        return self.private if scope == "private" else self.group


def _group_only(name: str, callback: Callable) -> Command:
    return Command(name, callback, f"commands.{name}", private=False)


def _private_only(name: str, callback: Callable) -> Command:
    # The same command can mean one thing in a group and another in a
    # private chat (/skip, /export, /forget...): each has its own entry.
    return Command(name, callback, f"commands.private_{name}", group=False)


COMMANDS: tuple[Command, ...] = (
    Command("start", start.start, "commands.start"),
    Command("help", start.help_command, "commands.help"),
    _group_only("status", group.status),
    _group_only("join", group.join),
    _group_only("quiet", group.quiet),
    _group_only("mydata", mydata.mydata),
    _group_only("forget", mydata.forget),
    _group_only("setup", setup.setup_command),
    _group_only("timezone", setup.timezone_command),
    _group_only("ask", group.ask),
    _group_only("skip", group.skip),
    _group_only("pause", group.pause),
    _group_only("resume", group.resume),
    _group_only("window", group.window),
    _group_only("quiethours", group.quiet_hours),
    _group_only("coordinators", group.coordinators),
    _group_only("summary", reports.summary),
    Command("digest", reports.digest, "commands.digest"),
    Command("partnership", partnership.partnership_command, "commands.partnership"),
    _group_only("partner", partnership.partner),
    _group_only("unpartner", partnership.unpartner),
    _group_only("export", reports.export),
    _group_only("nudges", reports.nudges),
    _group_only("summarytime", reports.summary_time),
    _group_only("action", actions.action_command),
    _group_only("actions", actions.actions_command),
    _group_only("designtests", design_tests.designtests_command),
    _group_only("jointaction", joint_actions.jointaction_command),
    _private_only("programme", personal.begin_onboarding),
    _private_only("journal", personal.journal),
    _private_only("later", personal.later),
    _private_only("skip", personal.skip),
    _private_only("pause", personal.pause),
    _private_only("resume", personal.resume),
    _private_only("timezone", personal.timezone),
    _private_only("language", personal.language),
    _private_only("export", personal.export),
    _private_only("mydata", personal.mydata),
    _private_only("forget", personal.forget),
)


# One handler per kind of button, in the module that owns it. The wizards
# and /forget have a group and a private side, told apart by the chat.
@dataclass(frozen=True)
class Button:
    kind: type
    callback: Callable
    chats: str | None = None  # "group", "private" or either
    # Strict for buttons the database cannot vouch for: only under a message
    # showing that very button (see handlers.buttons.carries).
    strict: bool = False


BUTTONS: tuple[Button, ...] = (
    Button(callbacks.Rate, answers.rate),
    Button(callbacks.Quote, answers.quote),
    Button(callbacks.Explain, glossary.on_glossary),
    Button(callbacks.SetupChoice, setup.setup_choice, chats="group"),
    Button(callbacks.SetupChoice, personal.onboarding_choice, chats="private"),
    Button(callbacks.Journal, personal.journal_page, chats="private", strict=True),
    Button(callbacks.ForgetConfirm, mydata.forget_confirm, chats="group", strict=True),
    Button(callbacks.ForgetConfirm, personal.forget_confirmed, chats="private", strict=True),
    Button(callbacks.Unpartner, partnership.unpartner_button, chats="group", strict=True),
    Button(callbacks.PartnershipView, partnership.partnership_button, chats="private",
           strict=True),
    # The database vouches for these: the action's chat, state and owners.
    Button(callbacks.ActionChoice, actions.action_button, chats="group"),
    Button(callbacks.CheckIn, actions.checkin_button, chats="private"),
    Button(callbacks.NoteShare, actions.note_share_button, chats="private"),
    Button(callbacks.DesignAsk, design_tests.ask_button, chats="group"),
    Button(callbacks.DesignRate, design_tests.rate_button, chats="group"),
    Button(callbacks.DesignProfile, design_tests.profile_button, chats="group"),
    Button(callbacks.Commit, commitments.commit_button, chats="private"),
    Button(callbacks.JointPropose, joint_actions.propose_button),
)


def menu(scope: str) -> list[tuple[str, str]]:
    """(command, description key) pairs for a chat type, in menu order."""
    return [(c.name, c.description_key) for c in COMMANDS if c.allowed_in(scope)]


def _scope_filter(command: Command) -> filters.BaseFilter:
    if command.private and command.group:
        return filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    return filters.ChatType.PRIVATE if command.private else filters.ChatType.GROUPS


def register(application: Application) -> None:
    new_messages = filters.UpdateType.MESSAGE
    # Every callback is guarded: a failure is logged by handler name and
    # apologised for, never raised into the update loop.
    g = guarded
    # The most frequent updates first (taps, then comments by reply), so each
    # is matched without testing every command on it. They cannot match any
    # handler they were moved ahead of: a callback query is never a message,
    # and a reply that is not a command is neither a command nor a status
    # update.
    application.add_handlers([
        *(ButtonHandler(b.kind, g(b.callback), chats=b.chats, strict=b.strict)
          for b in BUTTONS),
        # Whatever no button handler took: forged, outdated or out of place.
        CallbackQueryHandler(g(stale_button)),
        MessageHandler(filters.ChatType.GROUPS & filters.REPLY & ~filters.COMMAND
                       & new_messages, g(answers.on_reply)),
        MessageHandler(filters.ChatType.GROUPS & filters.REPLY
                       & filters.UpdateType.EDITED_MESSAGE, g(answers.on_edited_reply)),
        ChatMemberHandler(g(membership.bot_membership), ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, g(membership.migrated)),
        MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, g(membership.members_joined)),
        MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, g(membership.member_left)),
        *(
            # The English name and the names in our other languages (/diario).
            CommandHandler([c.name, *other_names(c.name)], g(c.callback),
                           filters=_scope_filter(c) & new_messages)
            for c in COMMANDS
        ),
        # Commands none of the above took: ours in the wrong kind of chat, or
        # unknown ones (see handlers.elsewhere for when a group gets silence).
        MessageHandler((filters.ChatType.PRIVATE | filters.ChatType.GROUPS) & filters.COMMAND
                       & new_messages, g(elsewhere.on_command)),
        # In a private chat every message deserves an answer; in groups the
        # bot stays silent on anything that is not for it.
        MessageHandler(filters.ChatType.PRIVATE & new_messages, g(personal.on_message)),
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE,
                       g(personal.on_edited)),
    ])
    application.add_error_handler(on_error)
    application.bot_data.menus = {scope: menu(scope) for scope in ("private", "group")}


async def publish_menus(application: Application, catalog: Catalog) -> None:
    """setMyCommands for private chats and groups, in every catalog language."""
    for scope_name, scope in (
        ("private", BotCommandScopeAllPrivateChats()),
        ("group", BotCommandScopeAllGroupChats()),
    ):
        for language in catalog.languages:
            commands = [
                BotCommand(local_name(language, name), catalog.raw(language, key))
                for name, key in menu(scope_name)
            ]
            await application.bot.set_my_commands(
                commands,
                scope=scope,
                language_code=None if language == catalog.language_for() else language,
            )
