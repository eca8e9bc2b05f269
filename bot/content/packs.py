"""Content packs: question sets loaded from content/*.toml and validated once.

A pack file holds every language it declares, so a missing translation is
caught at start rather than when a member first meets the question. A chat
whose language a pack does not declare reads it in English (or the pack's
first language); `language_gaps` names those cases for `content check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from bot.content.glossary import Glossary, load_glossary, read_toml

T = TypeVar("T")

SCHEMA_VERSION = 1
AUDIENCES = ("group", "personal", "both")
ANSWER_TYPES = ("scale", "text")
SCALE_POINTS = 5
_ID_SHAPE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# What a chat reads a pack in when the pack lacks its language (else the first).
FALLBACK_LANGUAGE = "en"
GLOSSARY_FILE = "glossary.toml"
_PACK_KEYS = {
    "schema", "id", "order", "audience", "languages", "pairs_with", "default_answer",
    "title", "description", "attribution", "scale", "themes", "theme_notes", "items",
}
_ITEM_KEYS = {"id", "label", "theme", "pair", "answer", "text", "refers_to",
              "offers_commitment"}


class PackError(Exception):
    """A pack file is broken; the message names the file and the item."""


def localized(texts: Mapping[str, T], language: str) -> T:
    """`texts` in `language`, else in English, else in the first language given."""
    if language in texts:
        return texts[language]
    if FALLBACK_LANGUAGE in texts:
        return texts[FALLBACK_LANGUAGE]
    return next(iter(texts.values()))


@dataclass(frozen=True)
class Item:
    id: str
    position: int  # 1-based order inside the pack
    text: Mapping[str, str]
    answer: str
    label: str | None = None
    theme: str | None = None
    pair: int | None = None
    # An earlier item of the same pack this one refers back to ("these goals",
    # "this idea"): shown above it, so the question makes sense days later.
    refers_to: str | None = None
    # Glossary terms its wording (or its theme's name) uses, set by load_library.
    terms: tuple[str, ...] = ()
    # A prompt about trying a small action: in personal reflection, a text
    # answer to it is followed by the offer to make it a commitment.
    offers_commitment: bool = False

    def text_in(self, language: str) -> str:
        return localized(self.text, language)

    @property
    def number(self) -> str:
        """How the item is numbered wherever it is shown: the source's label
        ("13", "XIII") when it has one, else its position."""
        return self.label or str(self.position)


@dataclass(frozen=True)
class Pack:
    id: str
    order: int
    audience: str
    languages: tuple[str, ...]
    title: Mapping[str, str]
    description: Mapping[str, str]
    items: tuple[Item, ...]
    themes: Mapping[str, Mapping[str, str]]
    scale: Mapping[str, tuple[str, ...]]
    attribution: Mapping[str, str] | None = None
    pairs_with: str | None = None
    path: Path | None = None
    # One plain line explaining a theme, shown with the first item of that theme.
    theme_notes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def for_groups(self) -> bool:
        return self.audience in ("group", "both")

    @property
    def for_individuals(self) -> bool:
        return self.audience in ("personal", "both")

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)

    def theme_name(self, theme_id: str, language: str) -> str:
        return localized(self.themes[theme_id], language)

    def title_in(self, language: str) -> str:
        return localized(self.title, language)

    def attribution_in(self, language: str) -> str | None:
        return localized(self.attribution, language) if self.attribution else None

    def scale_in(self, language: str) -> tuple[str, ...]:
        return localized(self.scale, language) if self.scale else ()

    def theme_note(self, item: Item, language: str) -> str | None:
        """The theme's explanation, for the first item of that theme only."""
        notes = self.theme_notes.get(item.theme) if item.theme else None
        first = next((i for i in self.items if i.theme == item.theme), None)
        return localized(notes, language) if notes and first is item else None

    def earlier(self, item: Item) -> Item | None:
        """The earlier item this one refers back to, if any."""
        return self.item(item.refers_to) if item.refers_to else None


class PackLibrary:
    """Every valid pack, by id, in display order, and the glossary of their terms."""

    def __init__(self, packs: Iterable[Pack], glossary: Glossary | None = None):
        ordered = sorted(packs, key=lambda pack: pack.order)
        self._by_id = {pack.id: pack for pack in ordered}
        self.glossary = glossary or Glossary(())

    def __iter__(self) -> Iterator[Pack]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, pack_id: object) -> bool:
        return pack_id in self._by_id

    def get(self, pack_id: str) -> Pack | None:
        return self._by_id.get(pack_id)

    def __getitem__(self, pack_id: str) -> Pack:
        return self._by_id[pack_id]

    def for_groups(self) -> list[Pack]:
        return [pack for pack in self if pack.for_groups]

    def for_individuals(self) -> list[Pack]:
        return [pack for pack in self if pack.for_individuals]


def load_library(directory: Path) -> PackLibrary:
    files = sorted(path for path in directory.glob("*.toml") if path.name != GLOSSARY_FILE)
    if not files:
        raise PackError(f"{directory}: no content packs (*.toml) found")
    packs = [load_pack(path) for path in files]
    _check_across_packs(packs)
    path = directory / GLOSSARY_FILE
    try:
        glossary = load_glossary(path) if path.is_file() else Glossary(())
    except ValueError as error:
        raise PackError(str(error)) from None
    return PackLibrary([_with_terms(pack, glossary) for pack in packs], glossary)


def _with_terms(pack: Pack, glossary: Glossary) -> Pack:
    """The pack with each item's glossary terms, found in its source wording
    (English, else the first language) and its theme's name."""
    def terms(item: Item) -> tuple[str, ...]:
        theme = localized(pack.themes[item.theme], FALLBACK_LANGUAGE) if item.theme else ""
        return glossary.terms_in(localized(item.text, FALLBACK_LANGUAGE), theme)

    return replace(pack, items=tuple(replace(item, terms=terms(item)) for item in pack.items))


def load_pack(path: Path) -> Pack:
    try:
        raw = read_toml(path)
    except ValueError as error:
        raise PackError(str(error)) from None
    return _PackReader(path, raw).read()


class _PackReader:
    def __init__(self, path: Path, raw: dict):
        self.path = path
        self.raw = raw

    def fail(self, message: str, item: str | None = None) -> PackError:
        where = f"{self.path.name}, item {item}" if item else self.path.name
        return PackError(f"{where}: {message}")

    def read(self) -> Pack:
        raw = self.raw
        unknown = set(raw) - _PACK_KEYS
        if unknown:
            raise self.fail(f"unknown key(s) {', '.join(sorted(unknown))}")
        if raw.get("schema") != SCHEMA_VERSION:
            raise self.fail(f"schema must be {SCHEMA_VERSION}")
        pack_id = raw.get("id")
        if not isinstance(pack_id, str) or not _ID_SHAPE.match(pack_id):
            raise self.fail("id must be lowercase letters, digits and hyphens")
        if pack_id != self.path.stem:
            raise self.fail(f"id {pack_id!r} must equal the file name {self.path.stem!r}")
        if not isinstance(raw.get("order"), int) or isinstance(raw.get("order"), bool):
            raise self.fail("order must be an integer")
        if raw.get("audience") not in AUDIENCES:
            raise self.fail(f"audience must be one of {', '.join(AUDIENCES)}")
        languages = raw.get("languages")
        if (
            not isinstance(languages, list)
            or not languages
            or not all(isinstance(code, str) and code for code in languages)
            or len(set(languages)) != len(languages)
        ):
            raise self.fail("languages must be a non-empty list of distinct codes")
        self.languages = tuple(languages)
        default_answer = raw.get("default_answer", "text")
        if default_answer not in ANSWER_TYPES:
            raise self.fail(f"default_answer must be one of {', '.join(ANSWER_TYPES)}")
        themes = {
            theme_id: self.localized(names, f"theme {theme_id}")
            for theme_id, names in (raw.get("themes") or {}).items()
        }
        theme_notes = {
            theme_id: self.localized(notes, f"theme note {theme_id}")
            for theme_id, notes in (raw.get("theme_notes") or {}).items()
        }
        undeclared = sorted(set(theme_notes) - set(themes))
        if undeclared:
            raise self.fail(f"theme_notes for undeclared theme(s) {', '.join(undeclared)}")
        items = self.read_items(default_answer, themes)
        scale = self.read_scale(items)
        pairs_with = raw.get("pairs_with")
        if pairs_with is not None and not isinstance(pairs_with, str):
            raise self.fail("pairs_with must be a pack id")
        self.check_pairs(items, pairs_with)
        attribution = raw.get("attribution")
        return Pack(
            id=pack_id,
            order=raw["order"],
            audience=raw["audience"],
            languages=self.languages,
            title=self.localized(raw.get("title"), "title"),
            description=self.localized(raw.get("description"), "description"),
            attribution=None if attribution is None else self.localized(attribution, "attribution"),
            items=tuple(items),
            themes=themes,
            scale=scale,
            pairs_with=pairs_with,
            path=self.path,
            theme_notes=theme_notes,
        )

    def localized(self, value: object, what: str, item: str | None = None) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a table with one entry per language", item)
        missing = [code for code in self.languages if not _non_blank(value.get(code))]
        if missing:
            raise self.fail(f"{what} has no text in {', '.join(missing)}", item)
        extra = sorted(set(value) - set(self.languages))
        if extra:
            raise self.fail(f"{what} has undeclared language(s) {', '.join(extra)}", item)
        return {code: value[code].strip() for code in self.languages}

    def read_items(self, default_answer: str, themes: Mapping) -> list[Item]:
        raw_items = self.raw.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise self.fail("a pack needs at least one [[items]] entry")
        items: list[Item] = []
        seen: set[str] = set()
        for position, raw in enumerate(raw_items, start=1):
            if not isinstance(raw, dict):
                raise self.fail("must be an [[items]] table", f"#{position}")
            item_id = raw.get("id")
            if not isinstance(item_id, str) or not _ID_SHAPE.match(item_id):
                raise self.fail("id must be lowercase letters, digits and hyphens", f"#{position}")
            if item_id in seen:
                raise self.fail("duplicate item id", item_id)
            seen.add(item_id)
            unknown = set(raw) - _ITEM_KEYS
            if unknown:
                raise self.fail(f"unknown key(s) {', '.join(sorted(unknown))}", item_id)
            answer = raw.get("answer", default_answer)
            if answer not in ANSWER_TYPES:
                raise self.fail(f"answer type {answer!r} is not one of {ANSWER_TYPES}", item_id)
            theme = raw.get("theme")
            if theme is not None and theme not in themes:
                raise self.fail(f"theme {theme!r} is not declared in [themes]", item_id)
            pair = raw.get("pair")
            if pair is not None and (not isinstance(pair, int) or isinstance(pair, bool)):
                raise self.fail("pair must be an integer", item_id)
            label = raw.get("label")
            refers_to = raw.get("refers_to")
            if refers_to is not None and refers_to not in seen - {item_id}:
                raise self.fail(f"refers_to {refers_to!r} is not an earlier item", item_id)
            offers_commitment = raw.get("offers_commitment", False)
            if not isinstance(offers_commitment, bool):
                raise self.fail("offers_commitment must be true or false", item_id)
            if offers_commitment and answer != "text":
                raise self.fail("only a text prompt can offer a commitment", item_id)
            items.append(
                Item(
                    id=item_id,
                    position=position,
                    text=self.localized(raw.get("text"), "text", item_id),
                    answer=answer,
                    label=None if label is None else str(label),
                    theme=theme,
                    pair=pair,
                    refers_to=refers_to,
                    offers_commitment=offers_commitment,
                )
            )
        return items

    def read_scale(self, items: list[Item]) -> dict[str, tuple[str, ...]]:
        raw = self.raw.get("scale")
        if raw is None:
            needs = next((item.id for item in items if item.answer == "scale"), None)
            if needs:
                raise self.fail("answers on a scale but the pack has no [scale] labels", needs)
            return {}
        if not isinstance(raw, dict):
            raise self.fail("scale must be a table of label lists, one per language")
        scale = {}
        for code in self.languages:
            labels = raw.get(code)
            if (
                not isinstance(labels, list)
                or len(labels) != SCALE_POINTS
                or not all(_non_blank(label) for label in labels)
            ):
                raise self.fail(f"scale in {code} must list exactly {SCALE_POINTS} labels")
            scale[code] = tuple(label.strip() for label in labels)
        extra = sorted(set(raw) - set(self.languages))
        if extra:
            raise self.fail(f"scale has undeclared language(s) {', '.join(extra)}")
        return scale

    def check_pairs(self, items: list[Item], pairs_with: str | None) -> None:
        paired = [item for item in items if item.pair is not None]
        if pairs_with is None:
            if paired:
                raise self.fail("has a pair number but the pack has no pairs_with", paired[0].id)
            return
        unpaired = next((item.id for item in items if item.pair is None), None)
        if unpaired:
            raise self.fail(f"every item of a pack that pairs with {pairs_with} needs a pair",
                            unpaired)
        seen: dict[int, str] = {}
        for item in items:
            if item.pair in seen:
                raise self.fail(f"pair {item.pair} is also used by {seen[item.pair]}", item.id)
            seen[item.pair] = item.id


def _check_across_packs(packs: list[Pack]) -> None:
    by_id = {pack.id: pack for pack in packs}
    orders: dict[int, str] = {}
    for pack in packs:
        if pack.order in orders:
            raise PackError(f"{pack.path.name}: order {pack.order} is also used by "
                            f"{orders[pack.order]}")
        orders[pack.order] = pack.id
        if pack.pairs_with is not None:
            _check_pair_partner(pack, by_id.get(pack.pairs_with))


def _check_pair_partner(pack: Pack, partner: Pack | None) -> None:
    name = pack.path.name if pack.path else pack.id
    if partner is None:
        raise PackError(f"{name}: pairs_with {pack.pairs_with!r} names no pack")
    if partner.pairs_with != pack.id:
        raise PackError(f"{name}: pairs with {partner.id} but {partner.id} does not pair back")
    theirs = {item.pair: item for item in partner.items}
    for item in pack.items:
        match = theirs.get(item.pair)
        if match is None:
            raise PackError(f"{name}, item {item.id}: pair {item.pair} has no partner "
                            f"in {partner.id}")
        if match.theme != item.theme:
            raise PackError(f"{name}, item {item.id}: theme {item.theme!r} differs from "
                            f"its pair {match.id} ({match.theme!r})")
    if len(theirs) != len(pack.items):
        raise PackError(f"{name}: {len(pack.items)} items but {partner.id} has {len(theirs)}")


def _non_blank(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def language_gaps(library: PackLibrary, languages: Iterable[str]) -> list[str]:
    """Warnings for packs without text in a language the bot speaks: chats
    in that language read them in English (or the pack's first language)."""
    warnings = []
    for pack in library:
        for language in languages:
            if language not in pack.languages:
                shown = localized({code: code for code in pack.languages}, language)
                warnings.append(f"{pack.id} has no {language} text: {language} chats will "
                                f"read it in {shown}")
    return warnings


def summary_rows(library: PackLibrary) -> list[tuple[str, str, int, str]]:
    return [
        (pack.id, pack.audience, len(pack.items), ",".join(pack.languages)) for pack in library
    ]
