"""Export files (CSV and JSON) of a chat's answers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.content.packs import PackLibrary
from bot.domain.records import ExportRow

COLUMNS = (
    "asked_at", "programme", "item", "question", "member", "rating", "skipped", "comment",
    "voice_file_id", "answered", "may_quote", "answered_at", "edited_at",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(moment: datetime | None) -> str | None:
    """A moment as export files give it: ISO 8601 in UTC, to the second."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_records(
    rows: Sequence[ExportRow], packs: PackLibrary, language: str
) -> list[dict[str, object]]:
    """One plain record per answer. Without names, members are numbered in the
    order they first answered, so a coordinator can follow one voice without
    knowing whose it is."""
    pseudonyms: dict[int, str] = {}
    records = []
    for row in rows:
        pack = packs.get(row.pack_id)
        item = pack.item(row.item_id) if pack else None
        if row.display_name is not None:
            member = row.display_name
        else:
            member = pseudonyms.setdefault(row.user_id, f"member {len(pseudonyms) + 1}")
        records.append(
            {
                "asked_at": _iso(row.asked_at),
                "programme": row.pack_id,
                "item": (item.label or item.id) if item else row.item_id,
                "question": item.text_in(language) if item else "",
                "member": member,
                "rating": row.scale,
                "skipped": row.skipped,
                "comment": row.text,
                "voice_file_id": row.voice_file_id,
                "answered": "privately" if row.visibility == "private" else "in the group",
                "may_quote": row.quotable,
                "answered_at": _iso(row.answered_at),
                "edited_at": _iso(row.edited_at),
            }
        )
    return records


def to_json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _csv_cell(value) for key, value in record.items()})
    return buffer.getvalue()


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
