"""Schema step 12, continued: an answer written over several messages, and
replicas sharing Telegram's rate.

Kept apart from bot/store/upgrades.py (which registers the step) so that
file stays readable; never change it once released: add the next step.
"""

from __future__ import annotations

ANSWER_PARTS = (
    # People split a thought over two or three messages. A further message
    # to a prompt someone already answered is added to their answer, never
    # in its place: the answer's text is its parts, joined, and each part
    # remembers its message so an edit changes that part alone. Only
    # answers written in more than one message have parts.
    """
    CREATE TABLE answer_parts (
        answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (answer_id, message_id)
    )
    """,
    "CREATE INDEX answer_parts_by_message ON answer_parts (message_id)",
)


RATE_OFFERS = (
    # Replicas of one bot share Telegram's overall rate (bot.domain.rate_share):
    # each replica that is not the leader offers, every second, to send at
    # most `rate` messages a second until `ends_at` (seconds since 1970 by
    # the database's own clock, the one clock every replica shares). Not
    # data: never copied by migrate-db.
    """
    CREATE TABLE rate_offers (
        session TEXT PRIMARY KEY,
        rate DOUBLE PRECISION NOT NULL,
        ends_at DOUBLE PRECISION NOT NULL
    )
    """,
)
