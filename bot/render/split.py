"""Splitting long HTML messages for Telegram's 4096-unit limit."""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
# What a cut may never fall inside: a tag, an escaped character, or a character.
_ATOM = re.compile(r"<[^>]*>|&#?\w+;|.", re.S)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def split_lines(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut text into messages of at most `limit` units, between lines.

    Every line we render closes its own tags, so a cut between lines never
    breaks the HTML. A line longer than the limit (a very long comment) is
    cut at a space where there is one; tags open at the cut are closed there
    and opened again in the next message. No message is blank.
    """
    messages: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _fit(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    messages.append(current)
                current = piece if piece.strip() else ""
    if current.strip():
        messages.append(current)
    return messages


def _fit(line: str, limit: int) -> list[str]:
    if telegram_length(line) <= limit:
        return [line]
    pieces: list[str] = []
    reopen: list[str] = []  # tags open where this piece begins
    atoms: list[str] = []
    stacks: list[list[str]] = []  # the open tags after each atom
    sizes: list[int] = []  # running length of reopen + atoms up to each atom
    for atom in _ATOM.findall(line):
        stack = _after(stacks[-1] if stacks else reopen, atom)
        used = (sizes[-1] if sizes else _units(reopen)) + telegram_length(atom)
        if atoms and used + telegram_length(_closing(stack)) > limit:
            spaces = [i for i in range(1, len(atoms)) if atoms[i] == " "]
            cut = spaces[-1] if spaces else len(atoms)
            open_at_cut = stacks[cut - 1]
            pieces.append("".join(reopen) + "".join(atoms[:cut]) + _closing(open_at_cut))
            rest = cut + 1 if spaces else cut
            reopen, atoms, stacks = list(open_at_cut), atoms[rest:], stacks[rest:]
            base = _units(reopen)
            sizes = [size - sizes[rest - 1] + base for size in sizes[rest:]] if rest else sizes
            stack = _after(stacks[-1] if stacks else reopen, atom)
            used = (sizes[-1] if sizes else base) + telegram_length(atom)
        atoms.append(atom)
        stacks.append(stack)
        sizes.append(used)
    pieces.append("".join(reopen) + "".join(atoms))
    return [piece for piece in pieces if piece.strip()]


def _units(parts: list[str]) -> int:
    return telegram_length("".join(parts))


def _after(stack: list[str], atom: str) -> list[str]:
    if not atom.startswith("<") or len(atom) < 3:
        return stack
    name = _TAG_NAME.match(atom)
    if name is None:
        return stack
    if atom.startswith("</"):
        closed = name.group(1).lower()
        for index in range(len(stack) - 1, -1, -1):
            if _TAG_NAME.match(stack[index]).group(1).lower() == closed:
                return stack[:index]
        return stack
    return [*stack, atom]


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_TAG_NAME.match(tag).group(1)}>" for tag in reversed(stack))


def with_last_line(parts: list[str], line: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The messages with `line` after a blank line at the end of the last,
    or as a message of its own when the last has no room for it."""
    if not parts:
        return [line]
    joined = f"{parts[-1]}\n\n{line}"
    if telegram_length(joined) <= limit:
        return [*parts[:-1], joined]
    return [*parts, line]
