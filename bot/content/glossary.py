"""The glossary: plain words for the jargon some questions use.

content/glossary.toml lists each term with the phrases that reveal it in a
question's source wording ("LA", "World Café") and its name and meaning in
every language. The checklist is quoted verbatim, so its words cannot be made
plainer; a "What does this mean?" button under such a question shows these
meanings instead, to whoever taps it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
_TERM_KEYS = {"id", "match", "term", "meaning"}
_ID_SHAPE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Term:
    id: str
    patterns: tuple[re.Pattern, ...]
    name: Mapping[str, str]
    meaning: Mapping[str, str]


class Glossary:
    """Terms in file order (the order their meanings are shown in)."""

    def __init__(self, terms: Iterable[Term], languages: tuple[str, ...] = ()):
        self.terms = tuple(terms)
        self.languages = languages
        self._by_id = {term.id: term for term in self.terms}

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, term_id: str) -> Term | None:
        return self._by_id.get(term_id)

    def terms_in(self, *texts: str) -> tuple[str, ...]:
        """Ids of the terms any of `texts` uses, in glossary order."""
        return tuple(term.id for term in self.terms
                     if any(pattern.search(text) for pattern in term.patterns for text in texts))


def _pattern(phrase: str) -> re.Pattern:
    # An acronym ("LA") must match exactly; a phrase in any case ("Co-producing").
    flags = 0 if phrase.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", flags)


def read_toml(path: Path) -> dict:
    """A content file's table; ValueError (naming the file) if it is not TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path.name}: not valid TOML ({error})") from None


def load_glossary(path: Path) -> Glossary:
    """Read and check the glossary; ValueError names the file and the term."""
    raw = read_toml(path)
    if raw.get("schema") != SCHEMA_VERSION:
        raise ValueError(f"{path.name}: schema must be {SCHEMA_VERSION}")
    languages = raw.get("languages")
    if not isinstance(languages, list) or not languages or not all(
            isinstance(code, str) and code for code in languages):
        raise ValueError(f"{path.name}: languages must be a non-empty list of codes")
    terms: list[Term] = []
    for position, entry in enumerate(raw.get("terms") or [], start=1):
        terms.append(_read_term(path.name, tuple(languages), position, entry))
    ids = [term.id for term in terms]
    duplicate = next((term_id for term_id in ids if ids.count(term_id) > 1), None)
    if duplicate:
        raise ValueError(f"{path.name}, term {duplicate}: duplicate id")
    return Glossary(terms, tuple(languages))


def _read_term(file: str, languages: tuple[str, ...], position: int, entry: object) -> Term:
    if not isinstance(entry, dict) or not _ID_SHAPE.match(str(entry.get("id", ""))):
        raise ValueError(f"{file}, term #{position}: needs an id of lowercase letters and hyphens")
    where = f"{file}, term {entry['id']}"
    unknown = set(entry) - _TERM_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    phrases = entry.get("match")
    if not isinstance(phrases, list) or not phrases or not all(
            isinstance(phrase, str) and phrase.strip() for phrase in phrases):
        raise ValueError(f"{where}: match must list the phrases that reveal the term")
    texts = {}
    for key in ("term", "meaning"):
        value = entry.get(key)
        missing = [code for code in languages if not (
            isinstance(value, dict) and isinstance(value.get(code), str) and value[code].strip())]
        if missing:
            raise ValueError(f"{where}: {key} has no text in {', '.join(missing)}")
        texts[key] = {code: value[code].strip() for code in languages}
    return Term(entry["id"], tuple(_pattern(phrase) for phrase in phrases), texts["term"],
                texts["meaning"])
