"""Plain records the repositories return. No behaviour, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Chat:
    id: int
    kind: str  # "group" or "private"
    title: str | None
    timezone: str
    language: str
    active: bool
    names_visible: bool
    nudges_enabled: bool
    quiet_start: str
    quiet_end: str
    created_at: datetime
    updated_at: datetime
    close_after_minutes: int | None = None
    summary_day: str = "fri"
    summary_time: str = "17:00"
    next_summary_at: datetime | None = None
    timezone_chosen: bool = False
    # A person's weekly recap (private chats): no day means no recap.
    recap_day: str | None = None
    recap_time: str | None = None
    next_recap_at: datetime | None = None
    # A summary due in quiet hours waits until then, still for its own week.
    summary_hold_until: datetime | None = None

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass(frozen=True)
class Member:
    chat_id: int
    user_id: int
    display_name: str
    username: str | None
    joined_at: datetime
    last_seen_at: datetime
    left_at: datetime | None
    quiet: bool


@dataclass(frozen=True)
class Sighting:
    """Someone seen taking part in a group (answering its question), to be
    counted as one of its members."""

    chat_id: int
    display_name: str
    username: str | None


@dataclass(frozen=True)
class Coordinator:
    chat_id: int
    user_id: int
    added_by: int | None
    added_at: datetime
    asked_private_at: datetime | None = None  # asked (unnamed) to open a private chat


@dataclass(frozen=True)
class Enrolment:
    id: int
    chat_id: int
    pack_id: str
    cadence: str
    days: tuple[str, ...]
    local_time: str
    cursor: int
    next_due_at: datetime | None
    paused: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    hold_until: datetime | None = None


@dataclass(frozen=True)
class Prompt:
    id: int
    enrolment_id: int
    slot: str
    chat_id: int
    pack_id: str
    item_id: str
    message_id: int | None
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    closing_soon_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Answer:
    id: int
    prompt_id: int
    user_id: int
    scale: int | None
    skipped: bool
    text: str | None
    voice_file_id: str | None
    visibility: str  # "group" or "private"
    quotable: bool
    message_id: int | None
    created_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True)
class AnswerEdit:
    answer_id: int
    scale: int | None
    text: str | None
    voice_file_id: str | None
    replaced_at: datetime


@dataclass(frozen=True)
class ExportRow:
    """One answer with its question and (maybe) its author, for CSV/JSON export."""

    chat_id: int
    prompt_id: int
    pack_id: str
    item_id: str
    asked_at: datetime
    user_id: int
    display_name: str | None
    scale: int | None
    skipped: bool
    text: str | None
    voice_file_id: str | None
    visibility: str
    quotable: bool
    answered_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True)
class ExportOwner:
    """One owner of an action, for the export: a name only when the group shows
    names, a note only when its owner shared it."""

    action_id: int
    user_id: int
    display_name: str | None
    state: str
    rounds: int
    answered_at: datetime | None
    shared_note: str | None


@dataclass(frozen=True)
class OutboxItem:
    """Something the bot must send on its own, as the outbox holds it."""

    id: int
    key: str
    kind: str  # question, close, summary, digest, reminder, invite, recap
    chat_id: int  # where it goes
    prompt_id: int | None
    subject_id: int | None  # the group a digest or reminder is about
    period: str | None  # the week of a summary, digest or recap
    priority: int
    state: str  # pending, sent, unknown, failed, skipped
    attempts: int
    progress: int  # parts already sent, for messages sent in several parts
    not_before: datetime
    claimed_until: datetime | None
    message_id: int | None
    reason: str | None
    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class Opened:
    """The outcome of opening a programme's next question."""

    prompt: Prompt
    created: bool  # False: this slot was opened before (a retry, a redelivered /ask)
    sends: tuple[int, ...]  # outbox rows to send now: the question, closing edits
