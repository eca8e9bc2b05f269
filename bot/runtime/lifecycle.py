"""The Application's life around a way of receiving updates (the confirming
poller, or the webhook): start everything, receive until SIGINT or SIGTERM,
then stop everything in order, as run_polling and run_webhook do."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.runtime.context import BotApplication

_STOPPING = (signal.SIGINT, signal.SIGTERM)


@asynccontextmanager
async def running(application: BotApplication, *,
                  before_start: Callable[[], Awaitable[object]] | None = None,
                  ) -> AsyncIterator[asyncio.Event]:
    """Initialize, post_init, `before_start`, start; yield an event set by
    SIGINT or SIGTERM; then stop, post_stop, shutdown and post_shutdown."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in _STOPPING:
        loop.add_signal_handler(signum, stop.set)
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
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        for signum in _STOPPING:
            loop.remove_signal_handler(signum)
