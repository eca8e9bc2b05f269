"""Splitting long HTML messages at line boundaries."""

from __future__ import annotations

TELEGRAM_LIMIT = 4096


def split_lines(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut text into messages of at most `limit` characters, only between lines.

    Every line we render opens and closes its own tags, so a cut between lines
    never breaks the HTML. A single line longer than the limit (a very long
    comment) is cut at the last space before the limit.
    """
    messages: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _fit(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current.strip():
        messages.append(current)
    return messages


def _fit(line: str, limit: int) -> list[str]:
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    pieces.append(line)
    return pieces
