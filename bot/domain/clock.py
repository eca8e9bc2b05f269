"""The one notion of "now": a callable returning an aware UTC datetime.

The application keeps one clock in `bot_data`; tests and the sandbox pass
their own so they can move time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
