"""Telegram's HTML parse_mode, re-implemented strictly enough to catch what Telegram rejects.

The rules follow https://core.telegram.org/bots/api#html-style (Bot API 10.1) and the
behaviour of Telegram's own parser (tdlib): tag names are case-insensitive, ``</>`` closes the
innermost tag, entities inside attribute values are decoded, empty entities are dropped.

Where the documentation says something "must" be done but Telegram silently tolerates the
mistake (a bare ``&`` or ``>``, an unknown ``&name;``, an unknown attribute, a language on a
standalone ``<code>``), we report a problem anyway: the message would render with visible
garbage or lose formatting, which is a bug in the bot either way.

The parser also produces the plain text and MessageEntity dicts (UTF-16 offsets, like
Telegram), so the fake server can answer with the Message Telegram would return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPPORTED_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# Supported tag -> MessageEntity type (attributes refine some of them, see _Parser.close).
_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}

# Attributes each tag may carry; anything else is reported as unsupported.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},
    "tg-emoji": {"emoji-id"},
    "tg-time": {"unix", "format"},
    "blockquote": {"expandable"},
}

# Documented in "Date-time entity formatting".
_DATE_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_ENTITY = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));")
_SPACE = " \t\n\r\f\v"
# name="value" | name='value' | name=token | bare name (only blockquote's "expandable").
_ATTRIBUTE = re.compile(r"""\s*([^\s=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9.\-]+)))?""")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ParsedHtml:
    """Outcome of parsing: what the user would see, its entities, and every problem found."""

    text: str
    entities: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    byte_offset: int
    start: int  # UTF-16 offset in the output text
    attributes: dict[str, str]
    inside_pre: bool = False
    language: str = ""
    supported: bool = True


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 length of the output so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []
        self.problems: list[str] = []

    # -- helpers ---------------------------------------------------------------------------
    def byte_offset(self, index: int) -> int:
        # Telegram reports positions as UTF-8 byte offsets; do the same so messages match.
        return len(self.src[:index].encode("utf-8"))

    def problem(self, index: int, message: str) -> None:
        self.problems.append(f"{message} at byte offset {self.byte_offset(index)}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    # -- main loop -------------------------------------------------------------------------
    def run(self) -> ParsedHtml:
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "&":
                self.entity()
            elif char == "<":
                self.tag()
            else:
                if char == ">":
                    self.problem(self.pos, "Bare '>' must be written as &gt;")
                self.emit(char)
                self.pos += 1
        for tag in reversed([tag for tag in self.stack if tag.supported]):
            self.problems.append(
                f'Can\'t find end tag corresponding to start tag "{tag.name}" '
                f"(opened at byte offset {tag.byte_offset})"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedHtml("".join(self.out), self.entities, self.problems)

    def entity(self) -> None:
        match = _ENTITY.match(self.src, self.pos)
        if match is None:
            self.problem(self.pos, "Bare '&' must be written as &amp;")
            self.emit("&")
            self.pos += 1
            return
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name in SUPPORTED_NAMED_ENTITIES:
                self.emit(SUPPORTED_NAMED_ENTITIES[name])
            else:
                self.problem(
                    self.pos,
                    f"Unsupported HTML entity &{name}; (only &lt; &gt; &amp; &quot; and "
                    "numeric entities are supported)",
                )
                self.emit(match.group(0))
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                self.problem(self.pos, f"Invalid numeric HTML entity {match.group(0)}")
                self.emit(match.group(0))
            else:
                self.emit(chr(code))
        self.pos = match.end()

    def tag(self) -> None:
        begin = self.pos
        end = _find_tag_end(self.src, begin)
        if self.src.startswith("</", begin):
            self.end_tag(begin, end)
            return
        name_end = begin + 1
        while name_end < len(self.src) and self.src[name_end] not in _SPACE + ">":
            name_end += 1
        name = self.src[begin + 1 : name_end].lower()
        if not name or not (name[0].isalpha()):
            # "a < b": Telegram sees a start tag with an empty name and refuses the message.
            self.problem(begin, "Bare '<' is not a tag and must be written as &lt;")
            self.emit("<")
            self.pos = begin + 1
            return
        if end == -1:
            self.problem(begin, f'Unclosed start tag "{name}"')
            self.pos = len(self.src)
            return
        self.pos = end + 1
        if name not in _TAG_ENTITY_TYPES:
            self.problem(begin, f'Unsupported start tag "{name}"')
            # Keep it on the stack so its end tag does not produce a second, confusing error.
            self.stack.append(
                _OpenTag(name, self.byte_offset(begin), self.out_len, {}, supported=False)
            )
            return
        attributes = self.attributes(name, begin, self.src[name_end:end])
        self.check_attributes(name, begin, attributes)
        inside_pre = bool(self.stack) and self.stack[-1].name == "pre"
        self.stack.append(
            _OpenTag(name, self.byte_offset(begin), self.out_len, attributes, inside_pre)
        )

    def attributes(self, tag: str, begin: int, text: str) -> dict[str, str]:
        attributes: dict[str, str] = {}
        index = 0
        while index < len(text) and text[index:].strip():
            match = _ATTRIBUTE.match(text, index)
            if match is None:
                self.problem(begin, f'Malformed attributes in tag "{tag}"')
                break
            name, double, single, token = match.groups()
            value = next((v for v in (double, single, token) if v is not None), None)
            if value is None and not (tag == "blockquote" and name == "expandable"):
                self.problem(begin, f'Expected equal sign after attribute "{name}" of "{tag}"')
            attributes[name] = _decode_attribute(value or "")
            index = match.end()
        return attributes

    def check_attributes(self, tag: str, begin: int, attributes: dict[str, str]) -> None:
        allowed = _ALLOWED_ATTRIBUTES.get(tag, set())
        for name in attributes:
            if name not in allowed:
                self.problem(begin, f'Unsupported attribute "{name}" in tag "{tag}"')
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            self.problem(begin, 'Tag "span" must have class "tg-spoiler"')
        if tag == "code" and "class" in attributes:
            if not attributes["class"].startswith("language-"):
                self.problem(begin, 'Tag "code" supports only class="language-..."')
            elif not (self.stack and self.stack[-1].name == "pre"):
                self.problem(
                    begin,
                    "Programming language can't be specified for standalone "
                    "code tags (nest <code> directly inside <pre>)",
                )
        if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            self.problem(begin, 'Tag "tg-emoji" needs a numeric emoji-id attribute')
        if tag == "tg-time":
            unix = attributes.get("unix", "")
            if not unix.lstrip("-").isdigit():
                self.problem(begin, 'Tag "tg-time" needs an integer unix attribute')
            if not _DATE_TIME_FORMAT.fullmatch(attributes.get("format", "")):
                self.problem(begin, 'Tag "tg-time" format must match r|w?[dD]?[tT]?')

    def end_tag(self, begin: int, end: int) -> None:
        if end == -1:
            self.problem(begin, "Unclosed end tag")
            self.pos = len(self.src)
            return
        name = self.src[begin + 2 : end].strip().lower()
        self.pos = end + 1
        if not self.stack:
            self.problem(begin, f'Unexpected end tag "</{name}>" with no open tag')
            return
        if name and name != self.stack[-1].name:
            self.problem(
                begin,
                f'Unmatched end tag: expected "</{self.stack[-1].name}>", found "</{name}>"',
            )
            # Recover like a forgiving reader so one mistake is reported once.
            if any(tag.name == name for tag in self.stack):
                while self.stack[-1].name != name:
                    self.stack.pop()
            else:
                return
        self.close(self.stack.pop())

    def close(self, tag: _OpenTag) -> None:
        length = self.out_len - tag.start
        if length == 0 or not tag.supported:
            return  # Telegram drops empty entities; unsupported tags were reported already.
        entity: dict = {"type": _TAG_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a" and tag.attributes.get("href"):
            entity["url"] = tag.attributes["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attributes.get("emoji-id", "")
        elif tag.name == "tg-time":
            entity["unix_time"] = int(tag.attributes.get("unix", "0") or 0)
            if tag.attributes.get("format"):
                entity["date_time_format"] = tag.attributes["format"]
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "code" and tag.inside_pre:
            # <pre><code class="language-x"> is one pre entity carrying the language; the
            # enclosing pre is on top of the stack again now that code was popped.
            language = tag.attributes.get("class", "").removeprefix("language-")
            if language and self.stack:
                self.stack[-1].language = language
            return
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        self.entities.append(entity)


def _find_tag_end(src: str, begin: int) -> int:
    """Index of the '>' closing the tag at ``begin``, skipping quoted attribute values."""
    quote = None
    for index in range(begin + 1, len(src)):
        char = src[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and src[index - 1] in "= \t\n":
            quote = char
        elif char == ">":
            return index
    return -1


def _decode_attribute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            return SUPPORTED_NAMED_ENTITIES.get(name, match.group(0))
        return chr(int(decimal) if decimal is not None else int(hexadecimal, 16))

    return _ENTITY.sub(replace, value)


def parse_telegram_html(source: str) -> ParsedHtml:
    """Parse ``source`` like Telegram's HTML parse_mode: text, entities and problems."""
    return _Parser(source).run()


def check_telegram_html(source: str) -> list[str]:
    """Every reason Telegram (or its documentation) would reject ``source``; empty if fine."""
    return parse_telegram_html(source).problems


def visible_text(source: str) -> str:
    """The text the user sees: tags stripped, entities decoded (no trimming)."""
    return parse_telegram_html(source).text


def strip_formatted(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim leading/trailing whitespace as Telegram does, shifting entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
