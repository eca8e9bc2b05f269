"""The bot's own HTTP server (aiohttp): Telegram's webhook, /healthz, /metrics.

In webhook mode Telegram POSTs each update to WEBHOOK_URL (through a
reverse proxy that ends HTTPS and forwards that path here). The update is
acknowledged (HTTP 200) only once `application.process_update` has
finished with it, as the confirming poller does (bot.runtime.polling): if the
process dies first, Telegram sends it again, to this replica or another,
and the handlers, being idempotent, change nothing twice.
python-telegram-bot's built-in webhook server answers as soon as an update
is queued, which would lose it in a crash; this follows PTB's "custom
webhook bot" example instead. A request without the right
X-Telegram-Bot-Api-Secret-Token header is refused (403) before anything is
read from it, and a body that is not an update is refused (400); both are
counted on /metrics and logged at most once a minute.

When the database cannot be reached while an update is handled, the answer
is 503: Telegram keeps the update and sends it again later, and it is saved
then, once. The person is told that it is not saved yet, once
(bot.handlers.errors.database_away).

In polling mode, with PORT set, the same server answers /healthz and
/metrics only.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections import Counter, OrderedDict
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest

from bot.config import ConfigError
from bot.runtime.context import BotApplication
from bot.runtime.health import Health
from bot.runtime.lifecycle import running
from bot.runtime.ordering import InChatOrder, process

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_UNHANDLED_REMEMBERED = 10_000
FINISH_IN_HAND_SECONDS = 5.0


class WebServer:
    def __init__(self, application: BotApplication, *, webhook: bool):
        self.application = application
        self.settings = application.bot_data.settings
        self.webhook = webhook
        # Requests being answered get a few seconds to finish when the bot
        # stops; one still waiting then (for its chat's turn, say) is not
        # answered 200, so Telegram sends it again to whichever copy runs.
        self._listener = Listener(shutdown_timeout=FINISH_IN_HAND_SECONDS)
        self.health = Health(application)
        self._handling: dict[int, asyncio.Task] = {}  # update id -> its handling
        self._order = InChatOrder()
        # Updates that met the database away, by id (oldest first).
        self._unhandled: OrderedDict[int, None] = OrderedDict()
        self._refusals = Refusals(application)
        self.port: int | None = None

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.settings.webhook_url or "").path or "/"

    def web_app(self) -> web.Application:
        app = web.Application()
        self.health.add_routes(app.router)  # /livez, /readyz, /healthz, /metrics
        if self.webhook:
            app.router.add_post(self.webhook_path, self.receive)
        return app

    async def start(self) -> None:
        self.port = await self._listener.start(self.web_app(), self.settings.listen,
                                               self.settings.port)

    async def stop(self) -> None:
        await self._listener.stop()

    # -- the webhook -----------------------------------------------------------------------
    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.settings.webhook_secret.encode()):
            # Never log what was sent: it may be a near miss of the secret.
            self._refusals.refused("wrong_secret" if given else "no_secret", request.remote)
            return web.Response(status=403, text="Forbidden")
        update = read_update(await request.read(), self.application.bot)
        if update is None:
            self._refusals.refused("bad_body", request.remote)
            return web.Response(status=400, text="Bad Request")
        if not await self.handle(update):
            # The database could not be reached: Telegram sends it again.
            return web.Response(status=503, text="Service Unavailable")
        return web.Response(status=200)

    async def handle(self, update: Update) -> bool:
        """Handle an update once, each chat's updates in the order they came;
        the same update sent again meanwhile waits for the first handling.
        False when it could not be handled for want of the database."""
        running = self._handling.get(update.update_id)
        if running is None:
            running = asyncio.ensure_future(self._order.handle(update, self._process))
            self._handling[update.update_id] = running
            running.add_done_callback(lambda _: self._handling.pop(update.update_id, None))
        await asyncio.shield(running)
        return update.update_id not in self._unhandled

    async def _process(self, update: Update) -> None:
        number = update.update_id
        handled = await process(self.application, update, via="webhook",
                                first_attempt=number not in self._unhandled)
        if handled:
            self._unhandled.pop(number, None)
            return
        # Remembered (a bounded number) so the person is told once, not at
        # every delivery Telegram tries.
        self._unhandled[number] = None
        self._unhandled.move_to_end(number)
        while len(self._unhandled) > _UNHANDLED_REMEMBERED:
            self._unhandled.popitem(last=False)


def read_update(body: bytes, bot) -> Update | None:
    """The update a webhook body holds, or None for anything else (not
    UTF-8, not JSON, nested past reason, not an object, no whole-number
    update_id): refused with 400, never a traceback or a 500."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(data, dict):
        return None
    number = data.get("update_id")
    if type(number) is not int or not 0 <= number < 2**63:
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # whatever PTB makes of a malformed part; nothing to handle
        return None


class Refusals:
    """Refused webhook requests: each counted (webhook_refused on /metrics),
    logged at most once a minute as a summary, since whoever sends them,
    not the bot, decides how many there are."""

    def __init__(self, application: BotApplication, *, every_seconds: float = 60.0,
                 clock=time.monotonic):
        self.metrics = application.bot_data.metrics
        self.every_seconds = every_seconds
        self.clock = clock
        self._since_line: Counter[str] = Counter()
        self._last_line: float | None = None

    def refused(self, reason: str, remote: str | None) -> None:
        self.metrics.refused_webhook(reason)
        self._since_line[reason] += 1
        now = self.clock()
        if self._last_line is not None and now - self._last_line < self.every_seconds:
            return
        log.warning("refused %d webhook request(s) since the last such line (%s), the latest "
                    "from %s", sum(self._since_line.values()),
                    ", ".join(f"{why} {n}" for why, n in sorted(self._since_line.items())),
                    remote)
        self._since_line.clear()
        self._last_line = now


class Listener:
    """An aiohttp application served on an address until stopped: the bot's
    server, and the sandbox's stand-in Bot API (bot.sandbox.http_api)."""

    def __init__(self, *, shutdown_timeout: float, handler_cancellation: bool = False):
        self._options = {"shutdown_timeout": shutdown_timeout,
                         "handler_cancellation": handler_cancellation}
        self._runner: web.AppRunner | None = None

    async def start(self, app: web.Application, host: str, port: int) -> int:
        """Serve `app`; return the port it listens on (the one free, for port 0)."""
        self._runner = web.AppRunner(app, access_log=None, **self._options)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        return self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_webhook(application: BotApplication) -> None:
    """What polling.serve does, with Telegram calling us: start everything,
    register the webhook, answer until SIGINT or SIGTERM, then stop in order
    (the server first, so no update is taken that cannot be finished)."""
    settings = application.bot_data.settings
    server = WebServer(application, webhook=True)
    async with running(application) as stop:
        await server.start()
        try:
            # Every replica registers the same address; Telegram keeps one.
            try:
                await application.bot.set_webhook(
                    settings.webhook_url, secret_token=settings.webhook_secret,
                    allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
            except BadRequest as refused:
                # A setting to fix (an address Telegram cannot reach or accept).
                raise ConfigError(f"Telegram refused WEBHOOK_URL={settings.webhook_url!r}: "
                                  f"{refused.message}") from None
            log.info("webhook registered; listening on %s:%s", settings.listen, server.port)
            await stop.wait()
        finally:
            await server.stop()
