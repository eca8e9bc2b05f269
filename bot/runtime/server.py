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
read from it.

In polling mode, with PORT set, the same server answers /healthz and
/metrics only.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
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


class WebServer:
    def __init__(self, application: BotApplication, *, webhook: bool):
        self.application = application
        self.settings = application.bot_data.settings
        self.webhook = webhook
        # Requests being answered get time to finish when the bot stops.
        self._listener = Listener(shutdown_timeout=30)
        self.health = Health(application)
        self._handling: dict[int, asyncio.Task] = {}  # update id -> its handling
        self._order = InChatOrder()
        self.port: int | None = None

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.settings.webhook_url or "").path or "/"

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.health.healthz)
        app.router.add_get("/metrics", self.health.metrics)
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
            log.warning("refused a webhook request from %s: %s", request.remote,
                        "wrong secret" if given else "no secret")
            return web.Response(status=403, text="Forbidden")
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="Bad Request")
        if update is None:
            return web.Response(status=400, text="Bad Request")
        await self.handle(update)
        return web.Response(status=200)

    async def handle(self, update: Update) -> None:
        """Handle an update once, each chat's updates in the order they came;
        the same update sent again meanwhile waits for the first handling."""
        running = self._handling.get(update.update_id)
        if running is None:
            running = asyncio.ensure_future(self._order.handle(update, self._process))
            self._handling[update.update_id] = running
            running.add_done_callback(lambda _: self._handling.pop(update.update_id, None))
        await asyncio.shield(running)

    async def _process(self, update: Update) -> None:
        await process(self.application, update, via="webhook")

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
