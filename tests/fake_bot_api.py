"""The Bot API stand-in on 127.0.0.1, with faults on demand, for the tests and the benchmarks.

The bot talks to it through python-telegram-bot's real HTTP stack (`base_url`), exactly as it
talks to Telegram: long-polled getUpdates, sends, edits, uploads, callback and inline answers,
menus. Telegram's answers are the installed stand-in's (bot/telegram/stand_in.py, which the
console runs in-process); what is here is what only tests need: the socket server and its HTTP
parser, more people to play (a bot added to a group, an inline query), waiting on what the bot
did, and Telegram at its worst: 429 with retry_after (bursts, or a cap on messages a second),
403 for users who blocked the bot, a group migrated to a supergroup, "chat not found", a
deleted topic, 5xx, connections reset, slow answers, a revoked token.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.config import PAID_RATE
from bot.telegram.stand_in import (
    BOT_USER,
    Answer,
    BotApiStandIn,
    SentMessage,
    error,
    ok,
    parameters,
    person,
)

__all__ = ["Faults", "LocalBotApi", "SentMessage", "Server"]

_SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}


@dataclass
class Faults:
    """What the stand-in gets wrong on purpose, as Telegram does at its worst: the fault tests,
    the benchmarks (a Telegram-like flood cap) and anyone trying the bot against a bad day set
    these on a running stand-in."""

    rate_limited: int = 0  # how many of the next sends answer 429
    retry_after: int = 1
    # A Telegram-like flood cap on sends a second; paid broadcasts get `paid_cap` instead.
    per_second_cap: float | None = None
    paid_cap: float = PAID_RATE  # a bot's paid ceiling may be lower than the published one
    server_errors: int = 0  # how many of the next sends answer 502
    resets: int = 0  # how many of the next sends get their connection closed, no answer
    blocked: set[int] = field(default_factory=set)
    missing: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)
    deleted_topics: set[int] = field(default_factory=set)  # message_thread_ids of deleted topics
    # Ids of messages deleted (a group's clean-up bot deletes commands as they come): a reply
    # quoting one is refused, unless it allows sending without the quote; then it goes unquoted.
    deleted_messages: set[int] = field(default_factory=set)
    delay: float = 0.0  # seconds every send takes
    unauthorized: bool = False  # the token is rejected (401), as for a revoked token


class LocalBotApi(BotApiStandIn):
    """The stand-in with faults; `serve()` puts it on a loopback port."""

    # Methods whose parameters this stand-in never reads, so that it does not decode them: a
    # benchmark's, which only counts the answers. Decoding an inline answer (2-10 KB of a
    # percent-encoded JSON of bulletins) cost the stand-in more than the bot spent making it,
    # so a crowd measured the stand-in (bench/updates.py).
    unread: frozenset[str] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []  # every method called, in order
        # (scope, language code) -> the menu setMyCommands set; scope is "default",
        # "all_private_chats", "all_group_chats", "all_chat_administrators" or "chat:<id>".
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.commands_set = 0  # default-scope menus set: one per language at each start-up
        # (kind, language code) -> what setMyDescription / setMyShortDescription set.
        self.descriptions: dict[tuple[str, str], str] = {}
        self.member_checks = 0  # getChatMember calls
        self.chat_admins: dict[int, set[int]] = {}  # chat id -> its admins' user ids
        self.inline_answers: list[dict[str, Any]] = []
        self.faults = Faults()
        self._send_times: deque[float] = deque()
        self.too_many_requests = 0  # 429s answered
        self.refused_at: list[float] = []  # when each 429 was answered (time.monotonic)

    # More people -------------------------------------------------------------------------------

    def add_bot(
        self,
        chat_id: int,
        *,
        by_user_id: int,
        language_code: str = "en",
        chat_type: str = "supergroup",
    ) -> int:
        """A person adds the bot to a group (or a channel)."""
        return self.queue(
            {
                "my_chat_member": {
                    "chat": {"id": chat_id, "type": chat_type, "title": "Chat"},
                    "from": person(by_user_id, language_code),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": BOT_USER},
                    "new_chat_member": {"status": "member", "user": BOT_USER},
                }
            }
        )

    def inline_query(self, query: str, *, user_id: int = 1001, language_code: str = "en") -> int:
        """A person types '@bot QUERY' in any chat."""
        return self.queue(
            {
                "inline_query": {
                    "id": str(self._message_id()),
                    "from": person(user_id, language_code),
                    "query": query,
                    "offset": "",
                }
            }
        )

    # Observing the bot -------------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60.0) -> bool:
        """Block until `condition()` holds (checked whenever the bot calls), or time runs out.
        The default is a ceiling for a loaded machine: a condition that holds ends the wait."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    # Keeping what the bot set ------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> Answer:
        with self._lock:
            self.calls.append(method)
            self._lock.notify_all()
        return super().answer(method, params)

    def _api_setMyCommands(self, params: dict[str, Any]) -> Answer:
        scope = params.get("scope") or {"type": "default"}
        name = f"chat:{scope['chat_id']}" if scope["type"] == "chat" else scope["type"]
        with self._lock:
            self.commands[(name, params.get("language_code") or "")] = params["commands"]
            self.commands_set += name == "default"
            self._lock.notify_all()
        return 200, ok(True)

    def _api_setMyDescription(self, params: dict[str, Any]) -> Answer:
        return self._describe("description", params)

    def _api_setMyShortDescription(self, params: dict[str, Any]) -> Answer:
        return self._describe("short_description", params)

    def _describe(self, kind: str, params: dict[str, Any]) -> Answer:
        with self._lock:
            self.descriptions[(kind, params.get("language_code") or "")] = params.get(kind, "")
        return 200, ok(True)

    def _api_getChatMember(self, params: dict[str, Any]) -> Answer:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        self.member_checks += 1
        if user_id in self.chat_admins.get(chat_id, set()):
            user = {"id": user_id, "is_bot": False, "first_name": "Reader"}
            return 200, ok({"status": "creator", "user": user, "is_anonymous": False})
        return super()._api_getChatMember(params)

    def _api_answerInlineQuery(self, params: dict[str, Any]) -> Answer:
        with self._lock:
            self.inline_answers.append(params)
            self._lock.notify_all()
        return 200, ok(True)

    # Faults ------------------------------------------------------------------------------------

    def take_reset(self, method: str) -> bool:
        """Whether this call's connection is to be dropped unanswered (a reset)."""
        with self._lock:
            if method in _SENDING_METHODS and self.faults.resets > 0:
                self.faults.resets -= 1
                return True
            return False

    def _api_getMe(self, params: dict[str, Any]) -> Answer:
        if self.faults.unauthorized:
            return 401, error(401, "Unauthorized")
        return super()._api_getMe(params)

    def _deliver(self, method: str, params: dict[str, Any], text: str) -> Answer:
        if self.faults.delay:
            time.sleep(self.faults.delay)
        quote = params.get("reply_parameters") or {}
        if quote.get("message_id") in self.faults.deleted_messages:
            if not quote.get("allow_sending_without_reply"):
                return 400, error(400, "Bad Request: message to be replied not found")
            params = {name: value for name, value in params.items() if name != "reply_parameters"}
        return super()._deliver(method, params, text)

    def _refused(self, method: str, chat_id: int, params: dict[str, Any]) -> Answer | None:
        """Telegram's ways of saying no, in the order Telegram would check them."""
        faults = self.faults
        if method in _SENDING_METHODS:
            now = time.monotonic()
            if faults.rate_limited > 0:
                faults.rate_limited -= 1
                return self._too_many(faults.retry_after)
            if faults.per_second_cap is not None:
                while self._send_times and now - self._send_times[0] >= 1.0:
                    self._send_times.popleft()
                paid = bool(params.get("allow_paid_broadcast"))
                cap = faults.paid_cap if paid else faults.per_second_cap
                if len(self._send_times) >= cap:
                    return self._too_many(1)
                self._send_times.append(now)
            if faults.server_errors > 0:
                faults.server_errors -= 1
                return 502, error(502, "Bad Gateway")
        if chat_id in faults.blocked:
            return 403, error(403, "Forbidden: bot was blocked by the user")
        if chat_id in faults.missing:
            return 400, error(400, "Bad Request: chat not found")
        if chat_id in faults.migrated:
            return 400, error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=faults.migrated[chat_id],
            )
        thread_id = params.get("message_thread_id")
        if thread_id is not None and thread_id in faults.deleted_topics:
            return 400, error(400, "Bad Request: message thread not found")
        return None

    def _too_many(self, retry_after: int) -> Answer:
        self.too_many_requests += 1
        self.refused_at.append(time.monotonic())
        return 429, error(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    # Serving -----------------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Server:
        return Server(self, host, port)


def parse_parameters(content_type: str, body: bytes) -> dict[str, Any]:
    """The parameters of a Bot API call, however python-telegram-bot encoded them."""
    if content_type.startswith("application/json"):
        parsed: dict[str, Any] = json.loads(body or b"{}")
        return parsed
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields: dict[str, str] = {}
        files: dict[str, tuple[bytes, str | None]] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            if part.get_filename():
                files[name] = (payload, part.get_filename())
            else:
                fields[name] = payload.decode()
        return parameters(fields, files)
    return parameters(dict(parse_qsl(body.decode(), keep_blank_values=True)), {})


class Server:
    """A LocalBotApi on a loopback port: `base_url` is for the bot.

    HTTP/1.1 with keep-alive, served by an asyncio loop in a thread of its own. Calls are
    answered on that loop, in order on each connection; a call that may wait (a long-polled
    getUpdates, or any call while `faults.delay` is set) waits in a worker thread instead, so
    one slow call holds up only its own connection. A benchmark can then measure the bot, not
    the stand-in: it answers several thousand sends a second (bench/broadcast.py).
    """

    def __init__(self, api: LocalBotApi, host: str, port: int) -> None:
        self.api = api
        self._loop = asyncio.new_event_loop()
        self._workers = ThreadPoolExecutor(max_workers=64, thread_name_prefix="local-api")
        self._connections: set[_Connection] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        # Made on the server's own loop: whoever starts it may be running a loop of their own.
        self._server = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(
                lambda: _Connection(self), host, port, backlog=_BACKLOG, reuse_address=True
            ),
            self._loop,
        ).result()

    @property
    def base_url(self) -> str:
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host!s}:{port}/bot"

    def close(self) -> None:
        self.api.close()  # long polls return at once
        # Calls still being answered finish first: their answers go back through the loop,
        # which must still be running then.
        self._workers.shutdown(wait=True, cancel_futures=True)
        self._loop.call_soon_threadsafe(self._stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _stop(self) -> None:
        self._server.close()
        for connection in list(self._connections):
            connection.hang_up()
        self._loop.stop()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Connections waiting to be accepted: a broadcast opens dozens at once.
_BACKLOG = 256


class _Connection(asyncio.Protocol):
    """One client connection: its requests parsed as they arrive and answered in order."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._waiting = False  # a call of this connection is being answered in a worker

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._server._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._server._connections.discard(self)

    def hang_up(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._answer_complete_requests()

    def _answer_complete_requests(self) -> None:
        while not self._waiting and self._transport is not None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:])
            }
            length = int(headers.get("content-length") or 0)
            if len(self._buffer) < end + 4 + length:
                return
            body = bytes(self._buffer[end + 4 : end + 4 + length])
            del self._buffer[: end + 4 + length]
            verb, target, _ = lines[0].split(" ", 2)
            self._call(verb, target, headers, body)

    def _call(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> None:
        api = self._server.api
        url = urlsplit(target)
        method = url.path.rsplit("/", 1)[-1]  # /bot<token>/<method>
        if api.take_reset(method):
            self.hang_up()  # without a word
            return
        if verb == "GET":
            params: dict[str, Any] = dict(parse_qsl(url.query))
        elif method in api.unread:
            params = {}
        else:
            params = parse_parameters(headers.get("content-type", ""), body)
        if method == "getUpdates" or api.faults.delay:
            self._waiting = True
            answer = self._server._loop.run_in_executor(
                self._server._workers, _http_answer, api, method, params
            )
            answer.add_done_callback(self._answered)
        else:
            self._reply(_http_answer(api, method, params))

    def _answered(self, answer: asyncio.Future[bytes]) -> None:
        self._waiting = False
        if not answer.cancelled():
            self._reply(answer.result())

    def _reply(self, response: bytes) -> None:
        if self._transport is not None:
            self._transport.write(response)
            self._answer_complete_requests()


def _http_answer(api: LocalBotApi, method: str, params: dict[str, Any]) -> bytes:
    """The whole HTTP response to one call, in one piece (one write, no Nagle wait)."""
    status, payload = api.answer(method, params)
    data = json.dumps(payload).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data
