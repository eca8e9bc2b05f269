"""Schema step 12: actions a group takes on, and who took each on.

Kept apart from bot/store/upgrades.py (which registers the step) so that
file stays readable; never change it once released: add the next step.
"""

from __future__ import annotations

ACTIONS = (
    # One line a group decided to do. `created_by` and the owners are user
    # ids (never names); /forget clears them and the action stays. The
    # question it came from may be deleted with its programme: the action
    # stays, from nowhere. `source_week`: the ISO week (2026-W11) of the weekly
    # summary it was made in reply to, if so. The design tests (bot/store/design_tests.py): when
    # asked, the message answered on, how many rating changes so far and how
    # many there were when the profile was last posted (nothing new: a second
    # "Show the profile" posts nothing).
    """
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        text TEXT NOT NULL,
        created_by INTEGER,
        created_at TEXT NOT NULL,
        due_at TEXT,
        source_prompt_id INTEGER REFERENCES prompts(id) ON DELETE SET NULL,
        source_week TEXT,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'dropped')),
        closed_at TEXT,
        message_id INTEGER,
        design_asked_at TEXT,
        design_message_id INTEGER,
        design_changes INTEGER NOT NULL DEFAULT 0,
        design_shown INTEGER
    )
    """,
    "CREATE INDEX actions_by_chat ON actions (chat_id, state)",
    # Each person who took an action on, with how their last check-in went.
    # `checkin_at` NULL: at the action's due date. The note is theirs:
    # shown to the coordinators only when `note_shared`.
    """
    CREATE TABLE action_owners (
        action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        joined_at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'on'
            CHECK (state IN ('on', 'asked', 'on_way', 'done', 'stuck')),
        checkin_at TEXT,
        rounds INTEGER NOT NULL DEFAULT 0,
        answered_at TEXT,
        note TEXT,
        note_shared INTEGER NOT NULL DEFAULT 0,
        note_wanted_at TEXT,
        PRIMARY KEY (action_id, user_id)
    )
    """,
    "CREATE INDEX action_owners_by_user ON action_owners (user_id)",
    "CREATE INDEX action_owners_waiting ON action_owners (state, checkin_at)",
    # Each member's rating of the plan on one of the five design tests
    # (bot/domain/design_tests.py), 1 to 5; the profile shows averages only.
    # /forget deletes a person's ratings.
    """
    CREATE TABLE design_ratings (
        action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL,
        test TEXT NOT NULL CHECK (test IN ('dem', 'eco', 'soc', 'wel', 'lnk')),
        value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 5),
        rated_at TEXT NOT NULL,
        PRIMARY KEY (action_id, user_id, test)
    )
    """,
    "CREATE INDEX design_ratings_by_user ON design_ratings (user_id)",
)
