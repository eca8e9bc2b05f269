"""The sandbox's web page and the small JSON API behind it (aiohttp, server-sent events).

GET  /                 the page (plain files from bot/sandbox/static, no build step, no CDN)
GET  /api/state        everything the page shows, at once
GET  /api/events       the same, then each change, as server-sent events
POST /api/send         {user_id, chat_id, text, reply_to?}     a message or a command
                       (a text over 4,096 characters goes as several, as in Telegram)
POST /api/press        {user_id, chat_id, message_id, data}    an inline button
POST /api/link         {user_id, url}                          a t.me link to the bot
POST /api/time/<what>  {user_id, chat_id}     next-question | weekly-summary | week-later
                       (answers the chat it acted on: a private chat without a programme
                       means the group)
POST /api/others       {user_id}              let the others answer
GET  /files/<file_id>  a photo (inline) or a document (a download)

Only JSON is accepted by the POST routes, so another site's form cannot act here, and only
requests addressed to this server's own host name (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .cast import GROUP_ID, GROUP_TITLE, NEIGHBOURS
from .neighbours import Neighbourhood
from .session import Sandbox, SandboxError, split_message
from .telegram import BOT_FIRST_NAME, BOT_ID, BOT_USERNAME
from .time_controls import TimeMachine

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
KEEPALIVE_SECONDS = 15.0
SECURITY_HEADERS = {
    # Nothing but this server's own files; no inline script or style, so even markup that
    # slipped into the page could not run.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SANDBOX = web.AppKey("sandbox", Sandbox)
PNG = b"\x89PNG\r\n\x1a\n"


def build_web_app(sandbox: Sandbox, allowed_hosts: set[str] | None = None) -> web.Application:
    """The page's server. ``allowed_hosts``: Host headers to answer (None: any)."""
    app = web.Application(middlewares=[_guard(allowed_hosts)], client_max_size=256 * 1024)
    app.on_response_prepare.append(_secure)
    app[SANDBOX] = sandbox
    time_machine, neighbourhood = TimeMachine(sandbox), Neighbourhood(sandbox)

    async def send(body: dict) -> dict:
        # Telegram's apps send a text too long for one message as several, in order.
        reply_to = _int(body, "reply_to") if body.get("reply_to") else None
        parts = split_message(_str(body, "text"))
        if not parts:
            raise SandboxError("a message needs some text")
        for part in parts:
            await sandbox.say(_int(body, "user_id"), _int(body, "chat_id"), part,
                              reply_to=reply_to)
            reply_to = None
        return {"messages": len(parts)}

    async def press(body: dict) -> dict:
        await sandbox.press(_int(body, "user_id"), _int(body, "chat_id"),
                            _int(body, "message_id"), _str(body, "data"))
        return {}

    async def link(body: dict) -> dict:
        return {"chat_id": await sandbox.open_link(_int(body, "user_id"), _str(body, "url"))}

    async def others(body: dict) -> dict:
        with time_machine.alone():
            return {"status": await neighbourhood.let_others_answer(_int(body, "user_id"))}

    async def time(body: dict, what: str) -> dict:
        with time_machine.alone():
            return await jump(body, what)

    async def jump(body: dict, what: str) -> dict:
        chat_id, why = None, ""
        if what == "next-question":
            chat_id, why = await time_machine.chat_meant(_int(body, "chat_id"))
            jump = await time_machine.next_question(chat_id)
        elif what == "weekly-summary":
            jump = await time_machine.weekly_summary()
        else:
            jump = await time_machine.week_later()
        status = jump.describe(time_machine.chat_name)
        return {"status": f"{why} {status}".strip(), "chat_id": chat_id}

    app.router.add_get("/", _page)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    async def snapshot(request: web.Request) -> web.Response:
        return web.json_response(await state(sandbox))

    app.router.add_get("/api/state", snapshot)
    app.router.add_get("/api/events", _events)
    app.router.add_post("/api/send", _action(send))
    app.router.add_post("/api/press", _action(press))
    app.router.add_post("/api/link", _action(link))
    app.router.add_post("/api/others", _action(others))
    for what in ("next-question", "weekly-summary", "week-later"):
        app.router.add_post(f"/api/time/{what}",
                            _action(lambda body, what=what: time(body, what)))
    app.router.add_get("/files/{file_id}", _file)
    return app


async def zones(sandbox: Sandbox) -> dict[str, str]:
    """Each person's time zone, as their phone would show times: the one they chose for
    their own chat with the bot, else their group's, else the bot's default."""
    chats = sandbox.app.bot_data.store.chats
    group = await chats.get(GROUP_ID)
    fallback = group.timezone if group is not None else sandbox.settings.default_timezone
    found = {}
    for n in NEIGHBOURS:
        own = await chats.get(n.id)
        found[str(n.id)] = own.timezone if own is not None and own.timezone_chosen else fallback
    return found


async def state(sandbox: Sandbox) -> dict[str, Any]:
    """Everything the page shows: people, chats, messages, command menus, the clock."""
    feed = sandbox.feed
    chats = [{"id": GROUP_ID, "title": GROUP_TITLE, "type": "group",
              "members": len(NEIGHBOURS)}]
    chats += [{"id": n.id, "title": BOT_FIRST_NAME, "type": "private", "owner": n.id}
              for n in NEIGHBOURS]
    return {
        "bot": {"id": BOT_ID, "name": BOT_FIRST_NAME, "username": BOT_USERNAME},
        "people": [{"id": n.id, "name": n.name, "first_name": n.first_name, "role": n.role,
                    "language": n.language} for n in NEIGHBOURS],
        "chats": chats,
        "messages": {str(chat["id"]): feed.messages(chat["id"]) for chat in chats},
        "menus": feed.menus(),
        "now": int(sandbox.clock().timestamp()),
        "zones": await zones(sandbox),
    }


async def _page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _events(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    # Listen before the snapshot: a change in between is then sent twice, never lost.
    queue = sandbox.feed.subscribe()
    try:
        await _write_event(response, {"type": "state", "state": await state(sandbox)})
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            await _write_event(response, event)
    except ConnectionResetError:
        pass  # the page was closed; a cancellation (the server stopping) goes on up
    finally:
        sandbox.feed.unsubscribe(queue)
    return response


async def _write_event(response: web.StreamResponse, event: dict) -> None:
    await response.write(f"data: {json.dumps(event)}\n\n".encode())


async def _file(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    file_id = request.match_info["file_id"]
    known = sandbox.feed.files.get(file_id)
    content = sandbox.telegram.state.files.get(file_id)
    if known is None or content is None:
        raise web.HTTPNotFound(text="no such file")
    if known["kind"] == "photo" and content.startswith(PNG):
        return web.Response(body=content, content_type="image/png")
    # Anything else is a download, never shown by the browser as a page.
    return web.Response(body=content, content_type="application/octet-stream", headers={
        "Content-Disposition": attachment(known["name"])})


def attachment(name: str) -> str:
    """Content-Disposition for a download: a plain ASCII name, and the real one (RFC 6266)."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                    for c in name) or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name or 'file')}"


def _action(handler: Callable[[dict], Awaitable[dict]]):
    async def route(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="send JSON")
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return web.json_response({"error": "the request is not a JSON object"}, status=400)
        sandbox = request.app[SANDBOX]
        try:
            return web.json_response({"ok": True, **await handler(body)})
        except SandboxError as refusal:
            return web.json_response({"error": str(refusal)}, status=400)
        finally:
            # A choice made in a wizard may have changed someone's time zone.
            sandbox.feed.publish({"type": "zones", "zones": await zones(sandbox)})

    return route


def _guard(allowed_hosts: set[str] | None):
    @web.middleware
    async def guard(request: web.Request, handler) -> web.StreamResponse:
        if allowed_hosts is not None and request.host not in allowed_hosts:
            raise web.HTTPMisdirectedRequest(text="this sandbox answers only on its own address")
        return await handler(request)

    return guard


async def _secure(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


def _int(body: dict, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SandboxError(f"{key} must be a number")
    return value


def _str(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise SandboxError(f"{key} must be text")
    return value
