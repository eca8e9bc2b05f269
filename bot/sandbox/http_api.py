"""The stand-in Telegram over HTTP, for a bot that runs as a separate process.

`civic-reflect run` with TELEGRAM_API_BASE_URL pointing here talks to the same FakeTelegram
the tests use in-process: `POST/GET /bot<token>/<method>` (a JSON body, a form or multipart
with file parts, as python-telegram-bot's HTTPXRequest sends them) and
`GET /file/bot<token>/<file_path>`. getUpdates long-polls until an update is pushed or its
timeout ends, as Telegram does.

    async with BotApiServer() as server:           # in the test's event loop
        ... run the bot with TELEGRAM_API_BASE_URL=server.url ...
        server.push_update(update)

    with BotApiThread() as server:                 # from synchronous code
        ...
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import NetworkError

from bot.runtime.server import Listener

from .telegram import ApiCall, ApiError, FakeTelegram, UploadedFile
from .telegram.server import ResponseLost

LOOPBACK = "127.0.0.1"


class BotApiServer:
    """An aiohttp server answering the Bot API from ``telegram`` (a new FakeTelegram unless
    given). With ``token`` set, requests for any other token get Telegram's 401."""

    def __init__(
        self,
        telegram: FakeTelegram | None = None,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        token: str | None = None,
    ) -> None:
        self.telegram = telegram or FakeTelegram()
        self.host = host
        self.token = token
        self._requested_port = port
        # A long-polling getUpdates must not hold up stop(), nor outlive a bot that hung up.
        self._listener = Listener(shutdown_timeout=0.5, handler_cancellation=True)
        self.port: int | None = None

    @property
    def url(self) -> str:
        """What TELEGRAM_API_BASE_URL should be set to."""
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"http://{self.host}:{self.port}"

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)  # Telegram's upload limit: 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        return app

    async def start(self) -> None:
        self.port = await self._listener.start(self.web_app(), self.host, self._requested_port)

    async def stop(self) -> None:
        await self._listener.stop()

    async def __aenter__(self) -> BotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def push_update(self, update: dict | Update) -> None:
        """Queue an update for the bot's next getUpdates."""
        self.telegram.push_update(update)

    # -- requests --------------------------------------------------------------------------
    def _unauthorized(self, token: str) -> web.Response | None:
        if self.token is None or token == self.token:
            return None
        return _json(ApiError(401, "Unauthorized").payload(), 401)

    async def _api(self, request: web.Request) -> web.Response:
        refused = self._unauthorized(request.match_info["token"])
        if refused is not None:
            return refused
        method = request.match_info["method"]
        params, files = await read_parameters(request, self._decoder(method))
        try:
            status, body = await self.telegram.handle(method, params, files)
        except ResponseLost:
            # Carried out, and the connection dropped before the answer went back.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=504)
        except NetworkError:
            # An injected network failure: what a broken proxy would answer (PTB: NetworkError).
            return web.Response(status=502, text="Bad Gateway")
        return _json(body, status)

    async def _file(self, request: web.Request) -> web.Response:
        refused = self._unauthorized(request.match_info["token"])
        if refused is not None:
            return refused
        status, body = self.telegram.download(request.match_info["path"].rsplit("/", 1)[-1])
        if status != 200:
            return _json(body, status)
        return web.Response(body=body, content_type="application/octet-stream")

    def _decoder(self, method: str) -> Callable[[str, str], Any]:
        """Form values arrive as text: JSON-encoded unless the parameter is a plain String
        (PTB's RequestData.json_parameters), so decode them by the reference's types."""
        fields = self.telegram.spec.methods.get(method, {})

        def decode(name: str, raw: str) -> Any:
            field = fields.get(name)
            if field is not None and field.types == ("String",):
                return raw
            try:
                return json.loads(raw)
            except ValueError:
                return raw

        return decode


async def read_parameters(
    request: web.Request, decode: Callable[[str, str], Any]
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The call's parameters and uploaded parts, from the query, a form, multipart or JSON."""
    params: dict[str, Any] = {name: decode(name, value) for name, value in request.query.items()}
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if part.filename:
                content = bytes(await part.read())
                files[part.name] = UploadedFile(
                    part.name, part.filename, part.headers.get("Content-Type"), content
                )
            else:
                params[part.name] = decode(part.name, await part.text())
    elif request.can_read_body:
        form = await request.post()
        params.update({name: decode(name, str(value)) for name, value in form.items()})
    return params, files


def _json(body: bytes, status: int) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")


class BotApiThread:
    """A BotApiServer on its own event loop in a background thread, for synchronous tests
    (a bot subprocess started, killed and restarted while the server keeps its state)."""

    def __init__(self, telegram: FakeTelegram | None = None, **server_options: Any) -> None:
        self.server = BotApiServer(telegram, **server_options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="bot-api-server")

    @property
    def telegram(self) -> FakeTelegram:
        return self.server.telegram

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        self._thread.start()
        self.call(self.server.start())

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.call(self.server.stop())
        self.call(_cancel_other_tasks())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> BotApiThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def call(self, coroutine: Any, timeout: float = 10) -> Any:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call ``function(*args)`` on the server's thread (e.g. an UpdateFactory method, which
        changes the stand-in's state while the server may be reading it) and return its result."""

        async def on_the_loop() -> Any:
            return function(*args)

        return self.call(on_the_loop())

    def push_update(self, update: dict | Update) -> None:
        self._loop.call_soon_threadsafe(self.server.push_update, update)

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The calls made so far (of ``method`` only, if given)."""
        taken = list(self.telegram.calls)
        return taken if method is None else [c for c in taken if c.method == method]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20) -> bool:
        """Poll ``condition`` (e.g. on calls()) until true or ``timeout``; its last value."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


async def _cancel_other_tasks() -> None:
    """End what is still waiting on the loop (a long poll) before the loop closes."""
    others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
