"""The one ordered registry of handlers, and the command menus built from it.

Order matters to python-telegram-bot: the first matching handler in a group
wins. Keeping every handler here makes that order visible in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.ext import Application, CommandHandler, filters

from bot.handlers import common
from bot.handlers.errors import on_error
from bot.locales import Catalog


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callable
    description_key: str
    private: bool = True
    group: bool = True

    def allowed_in(self, scope: str) -> bool:
        return self.private if scope == "private" else self.group


COMMANDS: tuple[Command, ...] = (
    Command("start", common.start, "commands.start"),
    Command("help", common.help_command, "commands.help"),
)


def menu(scope: str) -> list[tuple[str, str]]:
    """(command, description key) pairs for a chat type, in menu order."""
    return [(c.name, c.description_key) for c in COMMANDS if c.allowed_in(scope)]


def _scope_filter(command: Command) -> filters.BaseFilter:
    if command.private and command.group:
        return filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    return filters.ChatType.PRIVATE if command.private else filters.ChatType.GROUPS


def register(application: Application) -> None:
    for command in COMMANDS:
        application.add_handler(
            CommandHandler(command.name, command.callback, filters=_scope_filter(command))
        )
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
                BotCommand(name, catalog.raw(language, key)) for name, key in menu(scope_name)
            ]
            await application.bot.set_my_commands(
                commands,
                scope=scope,
                language_code=None if language == catalog.language_for() else language,
            )
