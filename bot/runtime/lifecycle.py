"""The Application's life around a way of receiving updates (the confirming
poller, or the webhook): start everything, receive until SIGINT or SIGTERM,
then stop everything in order, as run_polling and run_webhook do.

A stop takes seconds, not a round: at the signal the scheduled work stops
leading (a round under way ends between two sends and gives back what it
had not sent, see services.outbox), while the updates in hand are finished;
python-telegram-bot's stop, which waits for running jobs, then finds the
round over."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.runtime.context import BotApplication
from bot.runtime.stop_watch import watch_the_stop

_STOPPING = (signal.SIGINT, signal.SIGTERM)


@asynccontextmanager
async def running(application: BotApplication, *,
                  before_start: Callable[[], Awaitable[object]] | None = None,
                  ) -> AsyncIterator[asyncio.Event]:
    """Initialize, post_init, `before_start`, start; yield an event set by
    SIGINT or SIGTERM; then stop, post_stop, shutdown and post_shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    watch: list[asyncio.TimerHandle] = []

    def stopping() -> None:
        if not stop.is_set():
            watch.append(watch_the_stop())
        stop.set()
        stop_scheduled_work(application)

    for signum in _STOPPING:
        loop.add_signal_handler(signum, stopping)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if before_start is not None:
            await before_start()
        await application.start()
        try:
            yield stop
        finally:
            stop_scheduled_work(application)
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        for signum in _STOPPING:
            loop.remove_signal_handler(signum)
        for handle in watch:
            handle.cancel()


def stop_scheduled_work(application: BotApplication) -> None:
    """No more scheduled work in this process: the round under way ends
    between two sends (the next leader, or the next start, resumes it)."""
    leadership = application.bot_data.leadership
    if leadership is not None:
        leadership.stop()
