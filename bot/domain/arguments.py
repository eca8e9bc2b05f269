"""Reading what people type after a command: strict, bounded, and never
echoed back at length.

Every parser returns a plain value or raises BadArgument; handlers answer
that with the command's usage line.
"""

from __future__ import annotations

import re

from bot.domain.schedule import parse_time

# What a person's own words may take when the bot repeats them back.
ECHO_MOST = 40
_DIGITS = re.compile(r"^[0-9]{1,6}$")  # ASCII only: "²" or "٣" are not hours


class BadArgument(ValueError):
    pass


def echo(text: str, most: int = ECHO_MOST) -> str:
    """A person's argument as the bot may show it: one line, at most `most`
    characters, so it can never push a reply past Telegram's limits."""
    line = " ".join(text.split())
    return line if len(line) <= most else line[: most - 1] + "…"


def window_hours(text: str, most: int) -> int | None:
    """`/window 24`, `/window 24h` or `/window off` (None)."""
    value = text.strip().lower()
    if value == "off":
        return None
    value = value.removesuffix("h")
    if not _DIGITS.match(value) or not 1 <= int(value) <= most:
        raise BadArgument(value)
    return int(value)


def quiet_hours(args: list[str]) -> tuple[str, str] | None:
    """`/quiethours 21:00 08:00`, or `/quiethours off` (None)."""
    words = [arg.lower() for arg in args]
    if words == ["off"]:
        return None
    if len(words) != 2:
        raise BadArgument("two times")
    try:
        for word in words:
            parse_time(word)
    except ValueError:
        raise BadArgument("a time like 21:00") from None
    return words[0], words[1]
