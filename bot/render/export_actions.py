"""Export files (CSV and JSON) of a group's actions: what, when, how it went.

The same privacy as the answers' export (bot/render/export.py): owners are
named only when the group chose to show names, else numbered within their
action (a number that ties them to nothing else); a check-in note appears
only when its owner shared it, and with its action, not beside its owner,
as the coordinators' digest shows it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from bot.domain.actions import Action
from bot.domain.records import ExportOwner
from bot.render.export import csv_cell, iso_time

ACTION_COLUMNS = (
    "action_id", "action", "made_at", "due_at", "state", "owners", "done_at",
    "check_ins", "shared_notes",
)
# An owner's check-in state, in the export's plain words.
CHECK_IN = {
    "on": "taking it on",
    "asked": "asked, no answer yet",
    "on_way": "on the way",
    "done": "done",
    "stuck": "stuck",
}
STATE = {"open": "open", "done": "done", "dropped": "dropped"}


def action_records(actions: Sequence[Action],
                   owners: Sequence[ExportOwner]) -> list[dict[str, object]]:
    """One record per action, with its owners' check-ins."""
    by_action: dict[int, list[ExportOwner]] = {}
    for owner in owners:
        by_action.setdefault(owner.action_id, []).append(owner)
    records = []
    for action in actions:
        its_owners = by_action.get(action.id, [])
        records.append({
            "action_id": action.id,
            "action": action.text,
            "made_at": iso_time(action.created_at),
            "due_at": iso_time(action.due_at),
            "state": STATE.get(action.state, action.state),
            "owners": len(its_owners),
            "done_at": iso_time(action.closed_at) if action.state == "done" else None,
            "check_ins": [
                {
                    "owner": owner.display_name or f"owner {number}",
                    "check_in": CHECK_IN.get(owner.state, owner.state),
                    "rounds": owner.rounds,
                    "answered_at": iso_time(owner.answered_at),
                }
                for number, owner in enumerate(its_owners, start=1)
            ],
            "shared_notes": [owner.shared_note for owner in its_owners
                             if owner.shared_note is not None],
        })
    return records


def actions_to_json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def actions_to_csv(records: list[dict[str, object]]) -> str:
    """One row per action; its check-ins and shared notes each in one cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        flat = dict(record)
        flat["check_ins"] = "; ".join(f"{c['owner']}: {c['check_in']}"
                                      for c in record["check_ins"])
        flat["shared_notes"] = " | ".join(record["shared_notes"])
        writer.writerow({key: csv_cell(value) for key, value in flat.items()})
    return buffer.getvalue()
