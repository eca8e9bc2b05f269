"""/start and /help texts."""

from __future__ import annotations

from collections.abc import Iterable

from bot.content.commands import local_name
from bot.content.locales import Catalog, Html


def _about(catalog: Catalog, language: str) -> dict[str, Html]:
    return {
        part: Html(catalog.text(language, f"about.{part}"))
        for part in ("what", "stores", "who_sees", "rights")
    }


def private_welcome(catalog: Catalog, language: str, name: str) -> str:
    return catalog.text(language, "start.private", name=name, **_about(catalog, language))


def group_welcome(catalog: Catalog, language: str, title: str) -> str:
    return catalog.text(language, "start.group", title=title, **_about(catalog, language))


def help_text(
    catalog: Catalog, language: str, *, in_group: bool, commands: Iterable[tuple[str, str]]
) -> str:
    """`commands` are (command, description key) pairs, in menu order; each
    is shown by its name in `language` (/diario), which the bot understands
    as well as the English one."""
    intro = catalog.text(language, "help.group_intro" if in_group else "help.private_intro")
    lines = [
        catalog.text(
            language, "help.line", command=local_name(language, name),
            description=catalog.text(language, key)
        )
        for name, key in commands
    ]
    return "\n".join([intro, "", *lines, "", catalog.text(language, "help.footer")])
