"""The schema's history as numbered upgrade steps, written in Python.

Each step runs once, in its own transaction with its schema_version record,
and may run SQL and compute values (a schedule, a copy between columns) in
that same transaction. Never change a step that has shipped: add the next
one. tests/test_upgrades.py takes a database of every released version, full
of rows, to the newest and compares it with a fresh one.

Every reference to a chat cascades on update so a group upgraded to a
supergroup (a new chat id) takes all its data along with one UPDATE.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.schedule import next_weekly
from bot.store.schema_actions import ACTIONS
from bot.store.schema_joint import JOINT_ACTIONS
from bot.store.schema_parts import ANSWER_PARTS, RATE_OFFERS

if TYPE_CHECKING:
    from bot.store.db import Tx

Step = Callable[["Tx", datetime], Awaitable[None]]


@dataclass(frozen=True)
class UpgradeStep:
    version: int
    name: str
    apply: Step


def run_statements(*statements: str) -> Step:
    """A step that is only SQL, run in order."""

    async def apply(tx: Tx, now: datetime) -> None:
        for statement in statements:
            await tx.execute(statement)

    return apply


_CHAT_FK = "REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE"

INITIAL_SCHEMA = (
    """
    CREATE TABLE chats (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('group', 'private')),
        title TEXT,
        timezone TEXT NOT NULL,
        language TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        names_visible INTEGER NOT NULL DEFAULT 0,
        nudges_enabled INTEGER NOT NULL DEFAULT 1,
        quiet_start TEXT NOT NULL DEFAULT '21:00',
        quiet_end TEXT NOT NULL DEFAULT '08:00',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    f"""
    CREATE TABLE members (
        chat_id INTEGER NOT NULL {_CHAT_FK},
        user_id INTEGER NOT NULL,
        display_name TEXT NOT NULL,
        username TEXT,
        joined_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        left_at TEXT,
        quiet INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (chat_id, user_id)
    )
    """,
    "CREATE INDEX members_by_user ON members (user_id)",
    f"""
    CREATE TABLE coordinators (
        chat_id INTEGER NOT NULL {_CHAT_FK},
        user_id INTEGER NOT NULL,
        added_by INTEGER,
        added_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    )
    """,
    "CREATE INDEX coordinators_by_user ON coordinators (user_id)",
    f"""
    CREATE TABLE enrolments (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        pack_id TEXT NOT NULL,
        cadence TEXT NOT NULL,
        days TEXT NOT NULL DEFAULT '',
        local_time TEXT NOT NULL DEFAULT '09:00',
        cursor INTEGER NOT NULL DEFAULT 0,
        next_due_at TEXT,
        paused INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    # One running programme per chat; finished or replaced ones stay for history.
    "CREATE UNIQUE INDEX enrolments_one_active ON enrolments (chat_id) WHERE active = 1",
    "CREATE INDEX enrolments_due ON enrolments (next_due_at) WHERE active = 1 AND paused = 0",
    f"""
    CREATE TABLE prompts (
        id INTEGER PRIMARY KEY,
        enrolment_id INTEGER NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
        slot TEXT NOT NULL,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        pack_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        message_id INTEGER,
        opened_at TEXT NOT NULL,
        closes_at TEXT,
        closed_at TEXT,
        UNIQUE (enrolment_id, slot)
    )
    """,
    "CREATE INDEX prompts_by_chat ON prompts (chat_id, opened_at)",
    "CREATE INDEX prompts_by_message ON prompts (chat_id, message_id)",
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        scale INTEGER CHECK (scale BETWEEN 1 AND 5),
        skipped INTEGER NOT NULL DEFAULT 0,
        text TEXT,
        voice_file_id TEXT,
        visibility TEXT NOT NULL DEFAULT 'group' CHECK (visibility IN ('group', 'private')),
        quotable INTEGER NOT NULL DEFAULT 0,
        message_id INTEGER,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        UNIQUE (prompt_id, user_id)
    )
    """,
    "CREATE INDEX answers_by_user ON answers (user_id)",
    """
    CREATE TABLE answer_edits (
        id INTEGER PRIMARY KEY,
        answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        scale INTEGER,
        text TEXT,
        voice_file_id TEXT,
        replaced_at TEXT NOT NULL
    )
    """,
    f"""
    CREATE TABLE nudges (
        id INTEGER PRIMARY KEY,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        user_id INTEGER NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('private', 'group')),
        sent_at TEXT NOT NULL,
        UNIQUE (prompt_id, user_id)
    )
    """,
    "CREATE INDEX nudges_by_user ON nudges (user_id, sent_at)",
    f"""
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        kind TEXT NOT NULL CHECK (kind IN ('summary', 'digest', 'recap')),
        period TEXT NOT NULL,
        recipient_id INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT NOT NULL,
        UNIQUE (chat_id, kind, period, recipient_id)
    )
    """,
)

GROUP_REFLECTION = (
    # The /setup wizard's answers so far, keyed by the wizard's message, so a
    # half-finished setup survives a restart and a stale button can be told.
    f"""
    CREATE TABLE setup_drafts (
        chat_id INTEGER NOT NULL {_CHAT_FK},
        message_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    )
    """,
    # Messages the bot sent in a private chat about a group's question (the
    # "Answer privately" flow), so a reply there lands on the right question.
    """
    CREATE TABLE private_prompt_messages (
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    )
    """,
)

SCHEDULING = (
    # Optional: close a question this many minutes after it opens (NULL: it
    # stays open until the next one).
    "ALTER TABLE chats ADD COLUMN close_after_minutes INTEGER",
    # Due work held back (quiet hours) until this moment.
    "ALTER TABLE enrolments ADD COLUMN hold_until TEXT",
    # When the "closing soon" moment of a question was published, so once.
    "ALTER TABLE prompts ADD COLUMN closing_soon_at TEXT",
    "CREATE INDEX prompts_open ON prompts (closed_at, closes_at)",
)

SUMMARIES = (
    # When the weekly summary is posted (local day and time) and when next (UTC).
    "ALTER TABLE chats ADD COLUMN summary_day TEXT NOT NULL DEFAULT 'fri'",
    "ALTER TABLE chats ADD COLUMN summary_time TEXT NOT NULL DEFAULT '17:00'",
    "ALTER TABLE chats ADD COLUMN next_summary_at TEXT",
    "CREATE INDEX chats_summary_due ON chats (next_summary_at) WHERE active = 1",
)

PERSONAL = (
    # A person is asked for their time zone once; after that /timezone changes it.
    "ALTER TABLE chats ADD COLUMN timezone_chosen INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX answers_by_message ON answers (message_id)",
)

async def _recaps_and_summary_backfill(tx: Tx, now: datetime) -> None:
    """Private chats get their own recap columns instead of borrowing the
    group summary ones (with "none" meaning no recap); a summary held by quiet
    hours keeps its scheduled time (so its week) and waits in its own column;
    groups set up before weekly summaries existed get their next summary time."""
    for statement in (
        "ALTER TABLE chats ADD COLUMN recap_day TEXT",
        "ALTER TABLE chats ADD COLUMN recap_time TEXT",
        "ALTER TABLE chats ADD COLUMN next_recap_at TEXT",
        "CREATE INDEX chats_recap_due ON chats (next_recap_at) WHERE active = 1",
        "ALTER TABLE chats ADD COLUMN summary_hold_until TEXT",
        "UPDATE chats SET recap_day = CASE WHEN summary_day = 'none' THEN NULL"
        " ELSE summary_day END, recap_time = summary_time, next_recap_at = next_summary_at"
        " WHERE kind = 'private'",
        "UPDATE chats SET summary_day = 'fri', summary_time = '17:00', next_summary_at = NULL"
        " WHERE kind = 'private'",
    ):
        await tx.execute(statement)
    forgotten = await tx.fetch_all(
        "SELECT c.id, c.summary_day, c.summary_time, c.timezone FROM chats c"
        " WHERE c.kind = 'group' AND c.next_summary_at IS NULL AND EXISTS"
        " (SELECT 1 FROM enrolments e WHERE e.chat_id = c.id AND e.active = 1)"
    )
    for chat in forgotten:
        due = next_weekly(chat["summary_day"], chat["summary_time"], chat["timezone"], now)
        if due is not None:
            await tx.execute("UPDATE chats SET next_summary_at = ? WHERE id = ?",
                             (due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), chat["id"]))


OUTBOX = (
    # Everything the bot must send on its own (not replies): recorded in the
    # transaction that decides it, claimed by one sender at a time, then
    # marked sent with its message id; a failure is retried with backoff and
    # given up after a bounded number of tries. See bot/services/outbox.py.
    f"""
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        prompt_id INTEGER REFERENCES prompts(id) ON DELETE CASCADE,
        subject_id INTEGER,
        period TEXT,
        priority INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sent', 'unknown', 'failed', 'skipped')),
        attempts INTEGER NOT NULL DEFAULT 0,
        progress INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        claimed_until TEXT,
        message_id INTEGER,
        reason TEXT,
        created_at TEXT NOT NULL,
        done_at TEXT
    )
    """,
    "CREATE INDEX outbox_pending ON outbox (priority, not_before, id) WHERE state = 'pending'",
    "CREATE INDEX outbox_by_chat ON outbox (chat_id, state)",
    # A coordinator with no private chat is asked (in the group, unnamed) once.
    "ALTER TABLE coordinators ADD COLUMN asked_private_at TEXT",
)


async def _outbox(tx: Tx, now: datetime) -> None:
    """The outbox replaces the claims of summaries, digests and recaps, which
    were marked sent before sending and never released on failure. What the
    old table says was sent is kept as sent, so nothing goes out twice."""
    for statement in OUTBOX:
        await tx.execute(statement)
    await tx.execute(
        "INSERT INTO outbox (key, kind, chat_id, subject_id, period, priority, state,"
        " not_before, created_at, done_at)"
        " SELECT d.kind || ':' || d.chat_id || ':' || d.period"
        "   || CASE WHEN d.kind = 'digest' THEN ':' || d.recipient_id ELSE '' END,"
        " d.kind, CASE WHEN d.kind = 'digest' THEN d.recipient_id ELSE d.chat_id END,"
        " d.chat_id, d.period, 0, 'sent', d.sent_at, d.sent_at, d.sent_at"
        " FROM digests d WHERE d.kind != 'digest'"
        " OR EXISTS (SELECT 1 FROM chats c WHERE c.id = d.recipient_id)"
    )
    await tx.execute("DROP TABLE digests")


PARTNERSHIPS = (
    # One-time codes that link a council group with a civil-society group.
    # Only a hash of the code is kept, and a used one stays (marked) so that
    # a second try can be told "already used" rather than "unknown".
    f"""
    CREATE TABLE partner_codes (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL {_CHAT_FK},
        side TEXT NOT NULL CHECK (side IN ('la', 'cso')),
        code_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )
    """,
    "CREATE INDEX partner_codes_by_chat ON partner_codes (chat_id)",
    # Two linked groups, one of each side; deleting the row stops the sharing.
    f"""
    CREATE TABLE partnerships (
        id INTEGER PRIMARY KEY,
        la_chat_id INTEGER NOT NULL {_CHAT_FK},
        cso_chat_id INTEGER NOT NULL {_CHAT_FK},
        created_at TEXT NOT NULL,
        UNIQUE (la_chat_id, cso_chat_id),
        CHECK (la_chat_id <> cso_chat_id)
    )
    """,
    "CREATE INDEX partnerships_by_cso ON partnerships (cso_chat_id)",
)


CLAIMANTS = (
    # The process (its session name, see bot.store.db.session_name) that last
    # claimed a row. A claim is released only once that process is gone, so
    # replicas sharing one database never free each other's claims.
    "ALTER TABLE outbox ADD COLUMN claimed_by TEXT",
)


MESSAGE_ANSWERS = (
    # Most answers are taps, with no message of their own: they need no entry
    # in this index, and each tap writes one page less for it.
    "DROP INDEX answers_by_message",
    "CREATE INDEX answers_by_message ON answers (message_id) WHERE message_id IS NOT NULL",
)


PARKED_UPDATES = (
    # Updates the poller confirmed to Telegram before handling them, so as to
    # fetch past one slow chat (bot/runtime/polling.py): kept here until
    # handled, and handled again after a restart. The body is the update as
    # Telegram sent it.
    """
    CREATE TABLE parked_updates (
        update_id INTEGER PRIMARY KEY,
        chat_key INTEGER NOT NULL,
        body TEXT NOT NULL,
        parked_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX parked_updates_by_chat ON parked_updates (chat_key, update_id)",
)


UPGRADES: tuple[UpgradeStep, ...] = (
    UpgradeStep(1, "initial schema", run_statements(*INITIAL_SCHEMA)),
    UpgradeStep(2, "setup drafts and private answer threads", run_statements(*GROUP_REFLECTION)),
    UpgradeStep(3, "question windows, quiet-hour holds, closing soon",
                run_statements(*SCHEDULING)),
    UpgradeStep(4, "weekly summaries", run_statements(*SUMMARIES)),
    UpgradeStep(5, "personal reflection", run_statements(*PERSONAL)),
    UpgradeStep(6, "recaps apart from summaries, summary holds, summary times for older groups",
                _recaps_and_summary_backfill),
    UpgradeStep(7, "an outbox of everything the bot sends on its own", _outbox),
    UpgradeStep(8, "partnerships between a council group and a civil-society group",
                run_statements(*PARTNERSHIPS)),
    UpgradeStep(9, "outbox claims name the process holding them", run_statements(*CLAIMANTS)),
    UpgradeStep(10, "only answers given as messages are indexed by message",
                run_statements(*MESSAGE_ANSWERS)),
    UpgradeStep(11, "updates kept while a slow chat's are handled; a question's live count "
                "edited once a while across replicas; private copies found by question; "
                "when a programme last resumed",
                run_statements(*PARKED_UPDATES,
                               "ALTER TABLE prompts ADD COLUMN count_edited_at TEXT",
                               # A question's closing edit finds its private copies.
                               "CREATE INDEX private_prompt_messages_by_prompt"
                               " ON private_prompt_messages (prompt_id)",
                               # Unanswered prompts count from here (bot.domain.resting).
                               "ALTER TABLE enrolments ADD COLUMN resumed_at TEXT")),
    UpgradeStep(12, "actions a group takes on, their owners and check-ins; answers "
                "written over several messages; replicas share Telegram's rate by use",
                run_statements(*ACTIONS, *JOINT_ACTIONS, *ANSWER_PARTS, *RATE_OFFERS)),
)
