"""Schema step 12, continued: an answer written over several messages.

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
