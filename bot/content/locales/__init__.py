"""UI strings, one TOML file per language, looked up by key.

Catalog strings are HTML written by us. Values put into them are escaped
unless they are wrapped in `Html`, so a user's name or comment can never
inject markup.
"""

from __future__ import annotations

import string
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

LOCALE_DIR = Path(__file__).resolve().parent
FALLBACK = "en"


def escape(text: str) -> str:
    """Text made safe inside Telegram's HTML (quotes need no escaping outside
    attributes); the one escaper, kept cheap for digests of thousands of lines."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plural_form(count: int) -> str:
    """"one" for exactly one, "other" otherwise: the rule of every language
    we speak (en, es); a language with more forms would change this here."""
    return "one" if count == 1 else "other"


class Html(str):
    """Text that is already safe HTML (rendered by us); inserted unescaped."""


class CatalogError(Exception):
    pass


def _flatten(table: Mapping, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _plain(text: str) -> str:
    """Lower case without accents: "Sáb" and "sab" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


class Catalog:
    def __init__(self, strings: Mapping[str, Mapping[str, str]]):
        if FALLBACK not in strings:
            raise CatalogError(f"the {FALLBACK} catalog is required")
        self._strings = strings

    @classmethod
    def load(cls, directory: Path = LOCALE_DIR) -> Catalog:
        """Every `<lang>.toml` and `<lang>.<part>.toml` in the folder; the parts
        of one language are merged (a key defined twice is an error)."""
        strings: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.toml")):
            language = path.name.split(".")[0]
            with path.open("rb") as handle:
                entries = dict(_flatten(tomllib.load(handle)))
            table = strings.setdefault(language, {})
            clash = sorted(set(table) & set(entries))
            if clash:
                raise CatalogError(f"{path.name}: {', '.join(clash)} defined twice")
            table.update(entries)
        catalog = cls(strings)
        problems = catalog.problems()
        if problems:
            raise CatalogError("; ".join(problems))
        return catalog

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._strings))

    def problems(self) -> list[str]:
        """Keys missing from a translation, or with different placeholders."""
        reference = self._strings[FALLBACK]
        found = []
        for language, table in self._strings.items():
            for key, text in reference.items():
                if key not in table:
                    found.append(f"{language}: missing {key}")
                elif _placeholders(table[key]) != _placeholders(text):
                    found.append(f"{language}: {key} has other placeholders than {FALLBACK}")
            found.extend(f"{language}: unknown key {key}" for key in table if key not in reference)
        return found

    def language_for(self, *candidates: str | None) -> str:
        """The first candidate we have a catalog for (e.g. chat setting, then
        the user's Telegram language), else the fallback."""
        for candidate in candidates:
            if candidate:
                code = candidate.split("-")[0].lower()
                if code in self._strings:
                    return code
        return FALLBACK

    def weekday_named(self, word: str) -> str | None:
        """The weekday key ("mon"... "sun") a person's word names in any of our
        languages: a word whose first three letters, accents optional, are a
        day's short form ("fri", "Friday", "vie", "miércoles", "sab"). None
        for anything else."""
        start = _plain(word)[:3]
        if len(start) < 3:
            return None
        days = {key.split(".", 1)[1] for table in self._strings.values()
                for key, short in table.items()
                if key.startswith("weekday_short.") and _plain(short) == start}
        return days.pop() if len(days) == 1 else None

    def has(self, key: str) -> bool:
        return key in self._strings[FALLBACK]

    def table(self, language: str) -> Mapping[str, str]:
        """Every string of a language, read-only (complete: load() checked it)."""
        return MappingProxyType(self._strings.get(language, self._strings[FALLBACK]))

    def raw(self, language: str, key: str) -> str:
        table = self._strings.get(language, self._strings[FALLBACK])
        try:
            return table[key]
        except KeyError:
            raise CatalogError(f"no string {key!r}") from None

    def plural(self, language: str, key: str, count: int, **values: object) -> str:
        """`key.one` for exactly one, `key.other` otherwise (true of en and es)."""
        return self.text(language, f"{key}.{plural_form(count)}", count=count, **values)

    def text(self, language: str, key: str, **values: object) -> str:
        template = self.raw(language, key)
        safe = {
            name: value if isinstance(value, Html) else escape(str(value))
            for name, value in values.items()
        }
        return template.format(**safe)
