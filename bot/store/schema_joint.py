"""Schema step 12, continued: joint actions across a partnership.

Kept apart from bot/store/upgrades.py (which registers the step) so that
file stays readable; never change it once released: add the next step.
"""

from __future__ import annotations

JOINT_ACTIONS = (
    # One action two linked groups take on together, on one pair of the
    # checklist: an action row in each group (each with its own owners,
    # date and check-ins), tied here. No person's id: who proposed it is a
    # side, and each side's action keeps its own maker. Ending the
    # partnership deletes the tie; both actions stay, as plain actions of
    # their groups. A group that leaves takes its action with it, and the
    # tie goes too.
    """
    CREATE TABLE joint_actions (
        id INTEGER PRIMARY KEY,
        partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
        pair_number INTEGER NOT NULL CHECK (pair_number BETWEEN 1 AND 15),
        la_action_id INTEGER NOT NULL UNIQUE REFERENCES actions(id) ON DELETE CASCADE,
        cso_action_id INTEGER NOT NULL UNIQUE REFERENCES actions(id) ON DELETE CASCADE,
        proposed_by TEXT NOT NULL CHECK (proposed_by IN ('la', 'cso')),
        created_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX joint_actions_by_partnership ON joint_actions (partnership_id, pair_number)",
    # A coordinator who pressed "joint action" beside a pair in their private
    # chat: their next message there (within minutes) is its one line. One
    # at a time per person; it goes with their private chat (/forget) and
    # with the partnership.
    """
    CREATE TABLE joint_drafts (
        user_id INTEGER PRIMARY KEY REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        partnership_id INTEGER NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
        side TEXT NOT NULL CHECK (side IN ('la', 'cso')),
        pair_number INTEGER NOT NULL CHECK (pair_number BETWEEN 1 AND 15),
        message_id INTEGER,
        asked_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX joint_drafts_by_partnership ON joint_drafts (partnership_id)",
)
