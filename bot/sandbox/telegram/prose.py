"""Rules the Bot API reference states in prose rather than in its type columns.

The structured reference (bot/sandbox/data/telegram-bot-api.json) only says "String" for a
message text; the limit "1-4096 characters after entities parsing" lives in the description. These
helpers turn such sentences into checks, generically, so every method gets them:

* "N-M characters" / "N-M bytes" length limits (characters counted in UTF-16 code units, as
  Telegram counts them; text governed by a parse mode is measured after entity parsing and
  trimming, which is what Telegram stores);
* "Required if X is not specified" conditional requirements;
* closed value lists ("Must be one of "a", "b" or "c"", the reaction emoji list, ...);
* "Can contain only lowercase English letters, digits and underscores" (bot commands);
* "Exactly one / At most one of the fields ... must be used" on object types.

Two checks are not in the reference's prose and are special-cased here: parse_mode values
(the reference only links to "formatting options") and non-empty button labels.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .html import parse_telegram_html, utf16_len

# The Bot API server lower-cases parse_mode before comparing, so "html" works like "HTML".
PARSE_MODES = frozenset({"html", "markdownv2", "markdown", ""})
FORMATTED_FIELD_NAMES = frozenset({"text", "caption", "message_text"})

_LENGTH = re.compile(r"(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)
_AFTER_ENTITIES = re.compile(r"after entit(?:y|ies) parsing")
_REQUIRED_UNLESS = re.compile(
    r"[Rr]equired if (\w+(?: and \w+)*) (?:is not|are not|isn't) specified"
)
_ALLOWED_VALUES = re.compile(
    r"(?:[Cc]urrently, it can be one of|[Mm]ust be one of|[Cc]urrently, must be one of"
    r"|[Cc]an be one of|[Cc]urrently, can be one of) "
    r'((?:"[^"]*"(?: \([a-z]+\))?(?:, | or |, or ))*"[^"]*"(?: \([a-z]+\))?)(?:\.|$)'
)
_LOWERCASE_IDENTIFIER = "only lowercase English letters, digits and underscores"
_ONE_OF_FIELDS = re.compile(
    r"(Exactly|At most) one of the fields (other than )?([\w, ]+?) must be used"
)
_PLAIN_STRING_ALLOWED = "String can be used instead of this object"
# Buttons must show something; Telegram refuses empty labels (not stated in the reference).
_NON_EMPTY_LABELS = {("InlineKeyboardButton", "text"), ("KeyboardButton", "text")}


@dataclass(frozen=True)
class LengthLimit:
    low: int
    high: int
    unit: str  # "characters" or "bytes"

    def measure(self, text: str) -> int:
        return len(text.encode("utf-8")) if self.unit == "bytes" else utf16_len(text)


@dataclass(frozen=True)
class FieldRules:
    length: LengthLimit | None = None
    allowed: frozenset[str] | None = None
    required_unless: tuple[str, ...] = ()
    lowercase_identifier: bool = False
    non_empty: bool = False
    after_entities: bool = False
    case_insensitive: bool = False


@dataclass(frozen=True)
class OneOfRule:
    """ "Exactly/At most one of the fields (other than) X, Y must be used"."""

    exactly: bool
    other_than: bool
    names: frozenset[str]

    def check(self, obj: Mapping[str, Any], path: str, known: Container[str]) -> list[str]:
        # Unknown fields are reported on their own; don't count them as a button type too.
        used = sorted(k for k in obj if k in known and (k not in self.names) == self.other_than)
        if len(used) == 1 or (not self.exactly and not used):
            return []
        which = "Exactly" if self.exactly else "At most"
        scope = "other than " if self.other_than else ""
        return [
            f"{path}: {which} one of the fields {scope}{', '.join(sorted(self.names))} "
            f"must be used, got {used or 'none'}"
        ]


class _FieldLike(Protocol):
    name: str
    description: str
    rules: FieldRules


def field_rules(owner: str, name: str, description: str) -> FieldRules:
    """Rules for field ``name`` of method/type ``owner`` read from its description."""
    length = None
    if match := _LENGTH.search(description):
        length = LengthLimit(int(match.group(1)), int(match.group(2)), match.group(3).lower())
    allowed = None
    if match := _ALLOWED_VALUES.search(description):
        allowed = frozenset(re.findall(r'"([^"]*)"', match.group(1)))
    parse_mode = name.endswith("parse_mode")
    if parse_mode:
        allowed = PARSE_MODES
    required_unless: tuple[str, ...] = ()
    if match := _REQUIRED_UNLESS.search(description):
        required_unless = tuple(match.group(1).split(" and "))
    return FieldRules(
        length=length,
        allowed=allowed,
        required_unless=required_unless,
        lowercase_identifier=_LOWERCASE_IDENTIFIER in description,
        non_empty=(owner, name) in _NON_EMPTY_LABELS,
        after_entities=bool(_AFTER_ENTITIES.search(description)),
        case_insensitive=parse_mode,
    )


def one_of_rule(type_description: str) -> OneOfRule | None:
    match = _ONE_OF_FIELDS.search(type_description)
    if match is None:
        return None
    names = re.split(r",\s*(?:and |or )?|\s+and\s+|\s+or\s+", match.group(3))
    return OneOfRule(
        exactly=match.group(1) == "Exactly",
        other_than=bool(match.group(2)),
        names=frozenset(n.strip() for n in names if n.strip()),
    )


def accepts_plain_string(type_description: str) -> bool:
    """KeyboardButton: "For simple text buttons, String can be used instead of this object"."""
    return _PLAIN_STRING_ALLOWED in type_description


def parse_mode_field(fields: Mapping[str, _FieldLike], field: _FieldLike) -> str | None:
    """Which sibling parse-mode field (if any) formats the string ``field``."""
    dedicated = f"{field.name}_parse_mode"
    if dedicated in fields:
        return dedicated
    if "parse_mode" in fields and (
        field.name in FORMATTED_FIELD_NAMES or field.rules.after_entities
    ):
        return "parse_mode"
    return None


def check_rules(fields: Mapping[str, _FieldLike], obj: Mapping[str, Any], path: str) -> list[str]:
    """Every prose rule of ``fields`` that ``obj`` (a request or a nested object) breaks."""
    problems: list[str] = []
    for field in fields.values():
        unless = field.rules.required_unless
        if unless and field.name not in obj and not any(name in obj for name in unless):
            problems.append(
                f"{path}: missing field '{field.name}' (required unless "
                f"{' and '.join(unless)} {'is' if len(unless) == 1 else 'are'} given)"
            )
    for name, value in obj.items():
        field = fields.get(name)
        if field is not None and isinstance(value, str):
            problems += _check_string(fields, field, obj, value, f"{path}.{name}")
    return problems


def _check_string(
    fields: Mapping[str, _FieldLike],
    field: _FieldLike,
    obj: Mapping[str, Any],
    value: str,
    where: str,
) -> list[str]:
    rules = field.rules
    problems: list[str] = []
    compared = value.lower() if rules.case_insensitive else value
    if rules.allowed is not None and compared not in rules.allowed:
        shown = sorted(rules.allowed)
        listing = ", ".join(map(repr, shown[:8])) + (", ..." if len(shown) > 8 else "")
        problems.append(f"{where}: {value!r} is not allowed (must be one of {listing})")
    visible = value
    mode_field = parse_mode_field(fields, field)
    if mode_field is not None:
        if str(obj.get(mode_field, "")).lower() == "html":
            parsed = parse_telegram_html(value)
            problems += [f"{where}: can't parse entities: {p}" for p in parsed.problems]
            visible = parsed.text
        # Telegram trims formatted text before storing and measuring it.
        visible = visible.strip()
    if rules.length is not None:
        limit = rules.length
        size = limit.measure(visible)
        if not limit.low <= size <= limit.high:
            unit = "bytes (UTF-8)" if limit.unit == "bytes" else "characters (UTF-16 units)"
            after = " after entity parsing" if mode_field else ""
            verdict = (
                "is empty"
                if size == 0
                else ("is too long" if size > limit.high else "is too short")
            )
            problems.append(
                f"{where} {verdict}: {size} {unit}{after}, allowed {limit.low}-{limit.high}"
            )
    if rules.lowercase_identifier and not re.fullmatch(r"[a-z0-9_]*", value):
        problems.append(
            f"{where}: {value!r} may contain only lowercase English letters, digits and underscores"
        )
    if rules.non_empty and not value.strip():
        problems.append(f"{where}: button text must not be empty")
    return problems
