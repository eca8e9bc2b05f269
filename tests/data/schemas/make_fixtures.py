"""Write tests/data/schemas/v<N>.sql: a database of every released schema
version, built by the shipped upgrade steps and filled with the rows a real
installation of that version would hold.

Run once when a version is released (`python tests/data/schemas/make_fixtures.py 6`);
never regenerate an older one: it stands for databases already out there.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from bot.store.db import Database  # noqa: E402
from bot.store.upgrades import UPGRADES  # noqa: E402

GROUP, OTHER_GROUP, ROSA, ANA, BRUNO = -100200, -300, 701, 601, 602
T = "2026-02-{:02d}T{:02d}:00:00Z".format


def rows_for(version: int) -> list[tuple[str, dict]]:
    """(table, row) pairs valid for a database at `version`."""
    rows: list[tuple[str, dict]] = [
        ("chats", dict(id=GROUP, kind="group", title="Riverside CSO", timezone="Europe/Madrid",
                       language="es", active=1, names_visible=1, nudges_enabled=1,
                       quiet_start="21:00", quiet_end="08:00", created_at=T(2, 9),
                       updated_at=T(2, 9))),
        ("chats", dict(id=OTHER_GROUP, kind="group", title="Old Town Council",
                       timezone="Europe/London", language="en", active=0, names_visible=0,
                       nudges_enabled=0, quiet_start="22:00", quiet_end="07:00",
                       created_at=T(3, 9), updated_at=T(9, 9))),
        ("chats", dict(id=ANA, kind="private", title=None, timezone="UTC", language="en",
                       active=1, names_visible=0, nudges_enabled=1, quiet_start="21:00",
                       quiet_end="08:00", created_at=T(2, 10), updated_at=T(2, 10))),
        ("members", dict(chat_id=GROUP, user_id=ANA, display_name="Ana Admin", username="ana",
                         joined_at=T(2, 9), last_seen_at=T(9, 9), left_at=None, quiet=0)),
        ("members", dict(chat_id=GROUP, user_id=BRUNO, display_name="Bruno", username=None,
                         joined_at=T(2, 9), last_seen_at=T(3, 9), left_at=None, quiet=1)),
        ("coordinators", dict(chat_id=GROUP, user_id=ANA, added_by=None, added_at=T(2, 9))),
        ("enrolments", dict(id=1, chat_id=GROUP, pack_id="checklist-cso", cadence="weekly",
                            days="mon", local_time="09:00", cursor=2,
                            next_due_at=T(16, 8), paused=0, active=1, created_at=T(2, 9),
                            updated_at=T(9, 8))),
        ("enrolments", dict(id=2, chat_id=OTHER_GROUP, pack_id="theory-u", cadence="daily",
                            days="", local_time="18:00", cursor=0, next_due_at=None,
                            paused=1, active=1, created_at=T(3, 9), updated_at=T(3, 9))),
        ("prompts", dict(id=1, enrolment_id=1, slot="2026-02-02T08:00:00Z", chat_id=GROUP,
                         pack_id="checklist-cso", item_id="cso-01", message_id=11,
                         opened_at=T(2, 8), closes_at=None, closed_at=T(9, 8))),
        ("prompts", dict(id=2, enrolment_id=1, slot="2026-02-09T08:00:00Z", chat_id=GROUP,
                         pack_id="checklist-cso", item_id="cso-02", message_id=20,
                         opened_at=T(9, 8), closes_at=None, closed_at=None)),
        ("answers", dict(id=1, prompt_id=1, user_id=ANA, scale=4, skipped=0,
                         text="We listen <well>", voice_file_id=None, visibility="group",
                         quotable=1, message_id=12, created_at=T(2, 10), edited_at=T(2, 11))),
        ("answers", dict(id=2, prompt_id=1, user_id=BRUNO, scale=None, skipped=1, text=None,
                         voice_file_id=None, visibility="group", quotable=0, message_id=None,
                         created_at=T(2, 12), edited_at=None)),
        ("answers", dict(id=3, prompt_id=2, user_id=BRUNO, scale=2, skipped=0,
                         text="Dicho en privado", voice_file_id=None, visibility="private",
                         quotable=0, message_id=5, created_at=T(9, 12), edited_at=None)),
        ("answer_edits", dict(id=1, answer_id=1, scale=3, text="We listen", voice_file_id=None,
                              replaced_at=T(2, 11))),
        ("nudges", dict(id=1, prompt_id=1, chat_id=GROUP, user_id=BRUNO, channel="group",
                        sent_at=T(5, 10))),
        ("digests", dict(id=1, chat_id=GROUP, kind="summary", period="2026-W06",
                         recipient_id=0, sent_at=T(6, 17))),
    ]
    if version >= 2:
        rows += [
            ("setup_drafts", dict(chat_id=GROUP, message_id=30, user_id=ANA,
                                  state='{"step": "cadence", "pack_id": "theory-u"}',
                                  updated_at=T(9, 9))),
            ("private_prompt_messages", dict(chat_id=ANA, message_id=4, prompt_id=2,
                                             sent_at=T(9, 11))),
        ]
    if version >= 5:
        rows += [
            ("chats", dict(id=ROSA, kind="private", title=None, timezone="Europe/Madrid",
                           language="es", active=1, names_visible=0, nudges_enabled=1,
                           quiet_start="21:00", quiet_end="08:00", created_at=T(4, 19),
                           updated_at=T(4, 19), summary_day="sun", summary_time="20:00",
                           next_summary_at=T(15, 19), timezone_chosen=1)),
            ("enrolments", dict(id=3, chat_id=ROSA, pack_id="theory-u", cadence="daily",
                                days="", local_time="20:00", cursor=1, next_due_at=T(10, 19),
                                paused=0, active=1, created_at=T(4, 19), updated_at=T(9, 19))),
            ("prompts", dict(id=3, enrolment_id=3, slot="2026-02-09T19:00:00Z", chat_id=ROSA,
                             pack_id="theory-u", item_id="u-01", message_id=8,
                             opened_at=T(9, 19), closes_at=None, closed_at=None)),
            ("answers", dict(id=4, prompt_id=3, user_id=ROSA, scale=None, skipped=0,
                             text="Mi diario", voice_file_id=None, visibility="private",
                             quotable=0, message_id=9, created_at=T(9, 20), edited_at=None)),
        ]
    if version >= 7:
        # The outbox took over from digests: a sent question, a summary sent,
        # a reminder still waiting with a retry time.
        rows = [(table, row) for table, row in rows if table != "digests"]
        rows += [
            ("outbox", dict(id=1, key="question:2", kind="question", chat_id=GROUP, prompt_id=2,
                            subject_id=None, period=None, priority=0, state="sent", attempts=1,
                            progress=0, not_before=T(9, 8), claimed_until=None, message_id=20,
                            reason=None, created_at=T(9, 8), done_at=T(9, 8))),
            ("outbox", dict(id=2, key=f"summary:{GROUP}:2026-W06", kind="summary",
                            chat_id=GROUP, prompt_id=None, subject_id=GROUP,
                            period="2026-W06", priority=1, state="sent", attempts=1, progress=2,
                            not_before=T(6, 17), claimed_until=None, message_id=15, reason=None,
                            created_at=T(6, 17), done_at=T(6, 17))),
            ("outbox", dict(id=3, key=f"reminder:2:{ANA}", kind="reminder", chat_id=ANA,
                            prompt_id=2, subject_id=GROUP, period=None, priority=3,
                            state="pending", attempts=2, progress=0, not_before=T(11, 13),
                            claimed_until=None, message_id=None,
                            reason="network: ConnectError", created_at=T(11, 12),
                            done_at=None)),
        ]
    if version >= 8:
        # Two groups linked (the code used), and a digest claimed by a
        # process that stopped while sending it.
        rows += [
            ("partner_codes", dict(id=1, chat_id=GROUP, side="cso",
                                   code_hash="5d41402abc4b2a76b9719d911017c592",
                                   created_at=T(9, 10), expires_at=T(16, 10), used_at=T(9, 11))),
            ("partnerships", dict(id=1, la_chat_id=OTHER_GROUP, cso_chat_id=GROUP,
                                  created_at=T(9, 11))),
            ("outbox", dict(id=4, key=f"digest:{GROUP}:2026-W06:{ANA}", kind="digest",
                            chat_id=ANA, prompt_id=None, subject_id=GROUP, period="2026-W06",
                            priority=2, state="pending", attempts=1, progress=0,
                            not_before=T(6, 17), claimed_until="2026-02-10T12:10:00Z",
                            message_id=None, reason=None, created_at=T(6, 17), done_at=None)),
        ]
    return rows


def extra_columns(version: int, table: str, row: dict) -> dict:
    """Values for columns later versions added, where this version has them."""
    if table == "chats" and version >= 3 and row["kind"] == "group":
        row.setdefault("close_after_minutes", 4320 if row["id"] == GROUP else None)
    if table == "chats" and version >= 4 and row["id"] == OTHER_GROUP:
        row.update(summary_day="mon", summary_time="10:00", next_summary_at=None)
    if table == "chats" and version >= 4 and row["id"] == GROUP:
        # Set up after summaries existed: it has its next summary time.
        row.update(summary_day="fri", summary_time="17:00", next_summary_at=T(13, 16))
    if table == "chats" and version >= 5 and row["id"] == ANA:
        # A person who chose no recap: the old "none" sentinel.
        row.update(summary_day="none", summary_time="08:00", next_summary_at=None,
                   timezone_chosen=1)
    if table == "chats" and version >= 6 and row["kind"] == "private":
        # Recaps in their own columns; the summary ones keep their defaults.
        recap = {ROSA: ("sun", "20:00", T(15, 19)), ANA: (None, None, None)}[row["id"]]
        row.update(summary_day="fri", summary_time="17:00", next_summary_at=None,
                   recap_day=recap[0], recap_time=recap[1], next_recap_at=recap[2])
    if table == "chats" and version >= 6 and row["id"] == GROUP:
        row["summary_hold_until"] = None
    if table == "coordinators" and version >= 7:
        row["asked_private_at"] = None
    if table == "enrolments" and version >= 3 and row["id"] == 1:
        row["hold_until"] = T(16, 9)
    if table == "prompts" and version >= 3 and row["id"] == 2:
        row["closing_soon_at"] = T(11, 12)
    return row


async def build(version: int, path: Path) -> None:
    db = Database(path, clock=lambda: datetime(2026, 2, 1, 12, tzinfo=UTC))
    await db.open(upgrades=[step for step in UPGRADES if step.version <= version])
    async with db.transaction() as tx:
        for table, row in rows_for(version):
            row = extra_columns(version, table, dict(row))
            columns = ", ".join(row)
            marks = ", ".join(f":{name}" for name in row)
            await tx.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)
    await db.close()


def main(versions: list[int]) -> None:
    for version in versions:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "fixture.sqlite3"
            asyncio.run(build(version, path))
            conn = sqlite3.connect(path)
            dump = "\n".join(conn.iterdump()) + "\n"
            conn.close()
        (HERE / f"v{version}.sql").write_text(dump, encoding="utf-8")
        print(f"wrote v{version}.sql ({dump.count('INSERT INTO')} inserts)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
