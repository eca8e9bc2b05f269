"""Command names in each language: the ones people type most have a name of
their own in Spanish (/diario, /pausa, /exportar), shown in that language's
menu and help; the English name is always understood too.

Telegram allows only a-z, 0-9 and _ in a command (up to 32 characters), so
the Spanish names have no accents and no spaces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

_SHAPE = re.compile(r"^[a-z0-9_]{1,32}$")

# English name -> the name in another language. A name missing here is the
# same in that language (/start, /setup, /partner...).
LOCAL_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "es": MappingProxyType({
        "help": "ayuda",
        "status": "estado",
        "join": "unirme",
        "quiet": "silencio",
        "mydata": "misdatos",
        "forget": "olvidar",
        "ask": "preguntar",
        "skip": "saltar",
        "pause": "pausa",
        "resume": "reanudar",
        "summary": "resumen",
        "digest": "informe",
        "export": "exportar",
        "journal": "diario",
        "later": "luego",
        "language": "idioma",
        "programme": "programa",
        "timezone": "zonahoraria",
        "action": "accion",
        "actions": "acciones",
        "designtests": "pruebas",
        "jointaction": "accionconjunta",
    }),
})


def local_name(language: str, name: str) -> str:
    """How a command is written for people reading `language`."""
    return LOCAL_NAMES.get(language, {}).get(name, name)


def other_names(name: str) -> tuple[str, ...]:
    """Every other name the bot understands for the English command `name`."""
    return tuple(sorted({names[name] for names in LOCAL_NAMES.values() if name in names}))


def english_name(name: str) -> str:
    """The English command a typed name stands for (itself if none)."""
    for names in LOCAL_NAMES.values():
        for english, local in names.items():
            if local == name:
                return english
    return name


def problems(english_names: set[str]) -> list[str]:
    """Names Telegram would refuse, or that clash with another command."""
    found = []
    for language, names in LOCAL_NAMES.items():
        for english, local in names.items():
            if not _SHAPE.match(local):
                found.append(f"{language}: /{local} is not a Telegram command name")
            if english not in english_names:
                found.append(f"{language}: /{local} stands for /{english}, which is no command")
            if local in english_names:
                found.append(f"{language}: /{local} is already an English command")
        if len(set(names.values())) != len(names):
            found.append(f"{language}: two commands share a name")
    return found
