"""Writing down what became of a send, whatever the database is doing.

Once Telegram took a message (or may have), the outbox must write that down
before the row could ever be claimed again: otherwise the message goes
twice. A write the database refuses (a PostgreSQL failover, a busy SQLite
file) is tried again from memory, never by sending again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.domain.records import OutboxItem
from bot.runtime.context import BotData

log = logging.getLogger(__name__)

# Once a round is told to end, how long a send on its way (or an outcome not
# yet written) is waited for before it is dropped: well inside the 10 s a
# container manager gives a stopping process.
STOP_GRACE = 5.0
# An outcome the database did not take is written again after this long,
# doubling up to the longest.
_RECORD_RETRY = 0.1
_RECORD_RETRY_LONGEST = 2.0


async def record_surely(data: BotData, item: OutboxItem, what: str,
                        write: Callable[[], Awaitable[object]]) -> None:
    """Write down what Telegram did with a row (it took it, or may have),
    trying again, from memory, until the database takes it: the row stays
    claimed by this process meanwhile, and its send is never repeated for a
    write that failed. The place among the sends on their way is held until
    then, so nothing else goes while the database is away. Only a process
    that stops before the database is back loses the outcome (the row is
    then sent again, as after a crash)."""
    wait, failures, deadline = _RECORD_RETRY, 0, None
    loop = asyncio.get_running_loop()
    while True:
        try:
            await write()
        except Exception as error:
            failures += 1
            if failures == 1:
                log.warning("outbox %s (%s) to chat %s: %s, but the database did not take it "
                            "(%s); kept and written again", item.id, item.kind, item.chat_id,
                            what, type(error).__name__)
            leadership = data.leadership
            if leadership is not None and leadership.stopping:
                deadline = deadline or loop.time() + STOP_GRACE
                if loop.time() >= deadline:
                    log.error("outbox %s (%s) to chat %s: %s, never written (the bot stopped "
                              "first); it will be sent again", item.id, item.kind,
                              item.chat_id, what)
                    raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, _RECORD_RETRY_LONGEST)
        else:
            if failures:
                log.info("outbox %s (%s) to chat %s: %s, written after %d failed tries",
                         item.id, item.kind, item.chat_id, what, failures)
            return
