"""FakeTelegram: an in-process Bot API server plugged into PTB as its BaseRequest.

Every request is recorded, validated against the Bot API reference and Telegram's HTML rules,
and answered like Telegram would: invalid requests get HTTP 400 (404 for unknown methods) and
are also collected in ``violations`` so a test fails even if the bot swallowed the BadRequest.
Failures can be injected to exercise the bot's retry, migration and "kicked" paths.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from .answers import Answers, UploadedFile, formatted_text
from .chaos import KINDS, Chaos
from .errors import ApiError
from .spec import BotApiSpec
from .state import TelegramState

KICKED = "Forbidden: bot was kicked from the group chat"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"


@dataclass
class ApiCall:
    """One request the bot made: method, JSON-decoded params, uploaded parts, outcome."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    error: str | None = None  # Telegram's error description when the call failed
    result: Any = None
    response_lost: bool = False  # carried out, but the bot never got the answer

    @property
    def ok(self) -> bool:
        return self.error is None


class ResponseLost(NetworkError):
    """The call was carried out but its answer never reached the bot (a read
    timeout, a dropped connection): the bot cannot know it arrived."""


@dataclass
class _Failure:
    method: str
    times: int
    chat_id: int | str | None
    error: ApiError | None = None
    exception: type[NetworkError] | None = None
    after_delivery: bool = False

    def matches(self, method: str, params: dict) -> bool:
        return method == self.method and self.chat_id in (None, params.get("chat_id"))


def _default_description(error_code: int, retry_after: int | None, migrated: bool) -> str:
    if migrated:
        return MIGRATED
    if error_code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    if error_code == 403:
        return KICKED
    return {
        400: "Bad Request: chat not found",
        409: "Conflict: terminated by other getUpdates "
        "request; make sure that only one bot instance is running",
    }.get(error_code, f"Error {error_code}")


class FakeTelegram(BaseRequest):
    """Use as both ``request`` and ``get_updates_request`` of a Bot or ApplicationBuilder."""

    def __init__(
        self, spec: BotApiSpec | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.spec = spec or BotApiSpec.load()
        # ``clock`` dates messages (the sandbox's movable time); real time without it.
        self.state = TelegramState(self.spec, clock)
        self.answers = Answers(self.state)
        self.calls: list[ApiCall] = []
        self.violations: list[str] = []
        self._failures: list[_Failure] = []
        self.chaos: Chaos | None = None
        # Called with each call Telegram accepted (the sandbox's page follows the chats so).
        self.listeners: list[Callable[[ApiCall], None]] = []
        self._updates: list[dict] = []
        # One event per getUpdates waiting (long polling), woken by push_update.
        self._update_waiters: set[asyncio.Event] = set()

    # -- BaseRequest -----------------------------------------------------------------------
    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open: there is no network."""

    async def shutdown(self) -> None:
        """Nothing to close; recorded state survives so tests can inspect it afterwards."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # Yield like real I/O so concurrent handlers interleave as they would in production.
        await asyncio.sleep(0)
        if method == "GET":
            return self.download(url.rsplit("/", 1)[-1])
        params = json.loads(json.dumps(request_data.parameters)) if request_data else {}
        try:
            return await self.handle(url.rsplit("/", 1)[-1], params,
                                     _uploaded_files(request_data))
        except ResponseLost as lost:
            # What python-telegram-bot's HTTPXRequest raises when the answer never comes.
            raise TimedOut() from httpx.ReadTimeout(str(lost))

    async def handle(
        self, api_method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[int, bytes]:
        """Answer one Bot API call: the HTTP status and Telegram's JSON body.

        In-process requests (do_request) and HTTP ones (bot.sandbox.http_api) both end here.
        """
        call = ApiCall(api_method, params, files)
        self.calls.append(call)
        try:
            problems = self.spec.validate(api_method, params, call.files)
            if problems:
                self.violations.extend(problems)
                if api_method not in self.spec.methods:
                    raise ApiError(404, "Not Found")  # what Telegram answers; PTB: InvalidToken
                raise ApiError(400, "Bad Request: " + "; ".join(problems))
            lose_response = self._inject_failure(call)
            if api_method == "getUpdates":
                call.result = await self._get_updates(params)
            else:
                call.result = self.answers.answer(api_method, params, call.files)
            if lose_response:
                call.response_lost = True
                raise ResponseLost(f"injected lost response for {api_method}")
        except ApiError as error:
            call.error = error.description
            return error.error_code, error.payload()
        except ResponseLost:
            raise
        except NetworkError as error:
            call.error = str(error)
            raise
        except Exception as error:
            # A bug in the fake itself: PTB would disguise it as a NetworkError, so make the
            # test fail loudly at assert_clean() instead.
            call.error = f"FakeTelegram internal error: {error!r}"
            self.violations.append(f"{api_method}: {call.error}")
            raise
        for listener in list(self.listeners):
            listener(call)
        return 200, json.dumps({"ok": True, "result": call.result}).encode("utf-8")

    def download(self, file_id: str) -> tuple[int, bytes]:
        """The bytes behind getFile's file_path "files/<file_id>" (a 404 body if unknown)."""
        if file_id not in self.state.files:
            return 404, ApiError(404, "Not Found").payload()
        return 200, self.state.files[file_id]

    # -- recorded calls --------------------------------------------------------------------
    def calls_to(self, method: str, **match: Any) -> list[ApiCall]:
        """Calls of ``method`` whose params contain every ``match`` item (e.g. chat_id=...)."""
        return [
            c
            for c in self.calls
            if c.method == method and all(c.params.get(k) == v for k, v in match.items())
        ]

    def last(self, method: str, **match: Any) -> ApiCall:
        calls = self.calls_to(method, **match)
        if not calls:
            made = ", ".join(c.method for c in self.calls) or "none"
            raise AssertionError(f"no {method} call matching {match}; calls made: {made}")
        return calls[-1]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        """Visible texts (tags stripped) of the messages sendMessage delivered, in order."""
        match = {} if chat_id is None else {"chat_id": chat_id}
        return [
            formatted_text(c.params, "text", "entities")[0]
            for c in self.calls_to("sendMessage", **match)
            if c.ok
        ]

    def failed_calls(self) -> list[ApiCall]:
        return [c for c in self.calls if not c.ok]

    def clear(self) -> None:
        """Forget recorded calls (state and violations stay: see take_violations)."""
        self.calls.clear()

    def take_violations(self) -> list[str]:
        """Return and forget the violations, for tests that provoke them on purpose."""
        taken, self.violations = self.violations, []
        return taken

    def assert_clean(self) -> None:
        if self.violations:
            listing = "\n".join(f"  - {v}" for v in self.violations)
            raise AssertionError(
                f"the bot sent {len(self.violations)} request problem(s) Telegram would "
                f"reject:\n{listing}"
            )

    # -- state the tests arrange -----------------------------------------------------------
    def message(self, chat_id: int, message_id: int) -> dict:
        """A message the bot sent (or the UpdateFactory delivered), as Telegram's dict."""
        found = self.state.message(chat_id, message_id)
        if found is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return found

    def sent_messages(self, chat_id: int) -> list[dict]:
        return [self.message(chat_id, i) for i in sorted(self.state.messages.get(chat_id, {}))]

    def set_chat(self, chat: dict) -> None:
        self.state.set_chat(chat)

    def set_user(self, user: dict) -> None:
        self.state.set_user(user)

    def set_chat_member(self, chat_id: int, user: int | dict, status: str, **fields: Any) -> dict:
        """Arrange getChatMember's answer; ``fields`` override defaults (e.g. can_...=False)."""
        return self.state.set_chat_member(chat_id, user, status, **fields)

    def set_member_count(self, chat_id: int, count: int) -> None:
        self.state.member_counts[chat_id] = count

    def set_file(self, file_id: str, content: bytes) -> None:
        """Make getFile + download of ``file_id`` (e.g. a voice note) return ``content``."""
        self.state.files[file_id] = content

    def push_update(self, update: dict | Update) -> None:
        """Queue an update for getUpdates (for tests that run the real polling loop)."""
        self._updates.append(update.to_dict() if isinstance(update, Update) else update)
        for waiter in self._update_waiters:
            waiter.set()

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = params.get("offset", 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and params.get("timeout"):
            # Long polling, like Telegram: wait until an update arrives or the timeout ends.
            waiter = asyncio.Event()
            self._update_waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter.wait(), timeout=params["timeout"])
            except TimeoutError:
                pass
            finally:
                self._update_waiters.discard(waiter)
        return self._updates[: params.get("limit", 100)]

    # -- failure injection -----------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` valid calls of ``method`` with a Telegram error.

        Telegram's 429 always carries parameters.retry_after, so it defaults to 1 second.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        parameters: dict[str, int] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        text = description or _default_description(
            error_code, retry_after, migrate_to_chat_id is not None
        )
        self._failures.append(
            _Failure(method, times, chat_id, error=ApiError(error_code, text, parameters or None))
        )

    def rate_limit_next(self, method: str, retry_after: int, **kwargs: Any) -> None:
        self.fail_next(method, error_code=429, retry_after=retry_after, **kwargs)

    def migrate_next(self, method: str, new_chat_id: int, **kwargs: Any) -> None:
        self.fail_next(method, error_code=400, migrate_to_chat_id=new_chat_id, **kwargs)

    def kick_next(self, method: str, **kwargs: Any) -> None:
        self.fail_next(method, error_code=403, description=KICKED, **kwargs)

    def network_error_next(
        self,
        method: str,
        *,
        times: int = 1,
        chat_id: int | str | None = None,
        timed_out: bool = False,
        after_delivery: bool = False,
    ) -> None:
        """Make the next ``times`` calls fail on the network.

        Before delivery (the default): the request never reaches Telegram, as
        with a refused connection (NetworkError) or a connect timeout
        (TimedOut if ``timed_out``); nothing happens. With ``after_delivery``
        the call is carried out (a message appears) and its answer is lost,
        as with a read timeout: the bot cannot tell it arrived.
        """
        exception = TimedOut if timed_out else NetworkError
        self._failures.append(_Failure(method, times, chat_id, exception=exception,
                                       after_delivery=after_delivery))

    def server_error_next(self, method: str, *, times: int = 1, status: int = 500,
                          chat_id: int | str | None = None) -> None:
        """Answer the next ``times`` calls with an HTTP 5xx: Telegram saw the
        request and did not carry it out."""
        self.fail_next(method, error_code=status, description="Internal Server Error",
                       times=times, chat_id=chat_id)

    def start_chaos(self, rate: float, seed: int, kinds: tuple[str, ...] = KINDS) -> Chaos:
        """From now on a share `rate` of the calls that reach a chat fail in
        one of `kinds` (see chaos.py); returns the Chaos, which remembers the
        chats it blocked and the groups it upgraded."""
        self.chaos = Chaos(rate, random.Random(seed), kinds)
        return self.chaos

    def _inject_failure(self, call: ApiCall) -> bool:
        """Raise the failure due for this call; True if the call is to be
        carried out and its answer then lost."""
        if self.chaos is not None and self.chaos.failure_for(call.method, call.params) == "lost":
            return True
        for failure in self._failures:
            if failure.matches(call.method, call.params):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                if failure.after_delivery:
                    return True
                if failure.exception is TimedOut:
                    raise TimedOut() from httpx.ConnectTimeout("injected connect timeout")
                if failure.exception is not None:
                    cause = httpx.ConnectError(f"injected network failure for {call.method}")
                    raise NetworkError(f"httpx.ConnectError: {cause}") from cause
                assert failure.error is not None
                raise failure.error
        return False

    def pending_failures(self) -> Iterable[str]:
        """Injected failures not consumed yet (a test expecting them to fire can assert)."""
        return [f.method for f in self._failures]


def _uploaded_files(request_data: RequestData | None) -> dict[str, UploadedFile]:
    if request_data is None or not request_data.contains_files:
        return {}
    uploads = {}
    for part, (filename, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else None
        uploads[part] = UploadedFile(part, filename, mime_type, data)
    return uploads
