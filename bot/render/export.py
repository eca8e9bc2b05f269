"""Export files (CSV and JSON) of a chat's answers."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.content.packs import PackLibrary
from bot.domain.privacy import PRIVATE_MIN, private_answers_shown
from bot.domain.records import ExportRow

COLUMNS = (
    "asked_at", "programme", "item", "question", "member", "rating", "skipped", "comment",
    "voice_file_id", "answered", "may_quote", "answered_at", "edited_at",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_file_name(title: str | None, chat_id: int, day: datetime, suffix: str) -> str:
    """The file's name, after the group: its title as a safe slug (ASCII letters, digits and
    hyphens), or its id when the title has none of those."""
    plain = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    return f"civic-reflect-{slug or chat_id}-{day:%Y%m%d}.{suffix}"


def iso_time(moment: datetime | None) -> str | None:
    """A moment as export files give it: ISO 8601 in UTC, to the second."""
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PRIVATE = "private"
HELD_BACK = f"privately (not shown: fewer than {PRIVATE_MIN} answered this question privately)"


def export_records(
    rows: Sequence[ExportRow], packs: PackLibrary, language: str
) -> list[dict[str, object]]:
    """One plain record per answer. Without names, members are numbered in the
    order they first answered in the group, so a coordinator can follow one
    voice without knowing whose it is. An answer given privately carries no
    name and no number (a number would tie it to the person's answers in the
    group), and what it says is left out when too few answered that question
    privately for it to stay anonymous (bot/domain/privacy.py)."""
    private_answers = Counter(row.prompt_id for row in rows if row.visibility == "private")
    pseudonyms: dict[int, str] = {}
    records = []
    for row in rows:
        pack = packs.get(row.pack_id)
        item = pack.item(row.item_id) if pack else None
        question = item.text_in(language) if item else ""
        if row.visibility == "private":
            records.append(_private_record(row, item, question, private_answers[row.prompt_id]))
            continue
        if row.display_name is not None:
            member = row.display_name
        else:
            member = pseudonyms.setdefault(row.user_id, f"member {len(pseudonyms) + 1}")
        records.append(
            {
                "asked_at": iso_time(row.asked_at),
                "programme": row.pack_id,
                "item": (item.label or item.id) if item else row.item_id,
                "question": question,
                "member": member,
                "rating": row.scale,
                "skipped": row.skipped,
                "comment": row.text,
                "voice_file_id": row.voice_file_id,
                "answered": "in the group",
                "may_quote": row.quotable,
                "answered_at": iso_time(row.answered_at),
                "edited_at": iso_time(row.edited_at),
            }
        )
    return records


def _private_record(row: ExportRow, item, question: str, answers: int) -> dict[str, object]:
    shown = private_answers_shown(answers)
    return {
        "asked_at": iso_time(row.asked_at),
        "programme": row.pack_id,
        "item": (item.label or item.id) if item else row.item_id,
        "question": question,
        "member": PRIVATE,
        "rating": row.scale if shown else None,
        "skipped": row.skipped if shown else None,
        "comment": row.text if shown else None,
        "voice_file_id": row.voice_file_id if shown else None,
        "answered": "privately" if shown else HELD_BACK,
        # Never quoted in the group, whatever was asked (services.answers).
        "may_quote": False,
        # When it came could point to who sent it, as much as what it says.
        "answered_at": iso_time(row.answered_at) if shown else None,
        "edited_at": iso_time(row.edited_at) if shown else None,
    }


def to_json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: csv_cell(value) for key, value in record.items()})
    return buffer.getvalue()


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
