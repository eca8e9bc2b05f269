"""What became of one attempt at handling an update, told back to whoever
asked for it (the confirming poller, the webhook).

python-telegram-bot catches a handler's exception and hands it to the error
handlers, so `application.process_update` returns normally whatever
happened. The guarded handlers note here, on the attempt in hand, that the
database could not be reached; `bot.runtime.ordering.process` reads it once
`process_update` is done and the update is then not confirmed to Telegram.
A context variable carries the attempt: it follows the update through
PTB's awaits (and into tasks started meanwhile, which copy the context)
without a global, and two updates handled side by side never see each
other's.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Attempt:
    update_id: int
    # The first attempt for this update: the person is told at most once
    # that it did not go through yet, not at every try.
    first: bool = True
    store_unavailable: bool = False


_ATTEMPT: ContextVar[Attempt | None] = ContextVar("civic_reflect_attempt", default=None)


def begin(attempt: Attempt) -> object:
    """Make `attempt` the one in hand; returns what `end` needs."""
    return _ATTEMPT.set(attempt)


def end(token: object) -> None:
    _ATTEMPT.reset(token)  # type: ignore[arg-type]


def store_was_unavailable(update_id: int) -> bool:
    """Note that handling `update_id` met the database out of reach; return
    whether to tell the person (the first attempt, or one nobody retries)."""
    attempt = _ATTEMPT.get()
    if attempt is None or attempt.update_id != update_id:
        return True
    attempt.store_unavailable = True
    return attempt.first
