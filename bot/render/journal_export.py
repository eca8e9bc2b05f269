"""The journal as files a person keeps: Markdown to read, JSON to keep."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain.commitments import Commitment
from bot.domain.recap import JournalEntry
from bot.render import commitments as commitment_lines
from bot.render.personal import entry_date, in_language, lookup, rating_label, rating_line


def _chronological(entries: Sequence[JournalEntry]) -> list[JournalEntry]:
    return sorted(entries, key=lambda entry: (entry.answered_at, entry.prompt_id))


def export_markdown(
    entries: Sequence[JournalEntry], packs: PackLibrary, language: str, *, name: str,
    catalog: Catalog, timezone: str = "UTC",
    commitments: Mapping[int, Commitment] | None = None,
) -> str:
    """The whole journal to read, oldest first, times in `timezone`. Plain
    text, nothing escaped: what the person typed is written back as typed."""
    def plain(key: str, **values: object) -> str:
        return catalog.raw(language, key).format(**values)

    out = [f"# {plain('journal.export_title', name=' '.join(name.split()))}", "",
           plain("journal.export_intro", timezone=timezone)]
    if not entries:
        out += ["", plain("journal.export_empty")]
    for entry in _chronological(entries):
        pack, item = lookup(packs, entry.pack_id, entry.item_id)
        heading = plain("journal.export_entry", programme=in_language(pack.title, language) if pack
                        else entry.pack_id,
                        date=entry_date(catalog, language, entry.answered_at, timezone))
        prompt = in_language(item.text, language) if item else plain("journal.unknown_prompt")
        out += ["", f"## {heading}", "", *(f"> {line}".rstrip() for line in prompt.splitlines())]
        if entry.rating is not None:
            out += ["", rating_line(plain, "journal.export_rating", entry.rating, pack, language)]
        if entry.has_text:
            out += ["", *(line.rstrip() for line in entry.text.strip().splitlines())]
        if entry.has_voice:
            out += ["", plain("journal.export_voice")]
        if not entry.answered:
            out += ["", plain("journal.export_skipped")]
        commitment = (commitments or {}).get(entry.prompt_id)
        if commitment is not None:
            out += ["", *commitment_lines.markdown_lines(catalog, language, commitment,
                                                         timezone)]
    return "\n".join(out) + "\n"


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_json(entries: Sequence[JournalEntry], packs: PackLibrary, language: str,
                commitments: Mapping[int, Commitment] | None = None) -> str:
    """The whole journal to keep, oldest first: one object an entry, times in
    UTC; an entry whose answer became a commitment has it ("commitment")."""
    records = []
    for entry in _chronological(entries):
        pack, item = lookup(packs, entry.pack_id, entry.item_id)
        commitment = (commitments or {}).get(entry.prompt_id)
        records.append({
            "asked_at": _utc(entry.asked_at),
            "answered_at": _utc(entry.answered_at),
            "programme": entry.pack_id,
            "programme_title": in_language(pack.title, language) if pack else None,
            "item": entry.item_id,
            "prompt": in_language(item.text, language) if item else None,
            "rating": entry.rating,
            "rating_label": rating_label(entry.rating, pack, language) if entry.rating else None,
            "text": entry.text,
            "voice": entry.has_voice,
            **({"commitment": commitment_lines.record(commitment)} if commitment else {}),
        })
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
