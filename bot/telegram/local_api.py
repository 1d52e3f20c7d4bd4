"""A stand-in for the Telegram Bot API on 127.0.0.1, for the console and the tests.

python-telegram-bot talks to it through its real HTTP stack (`base_url`), exactly as it talks to
Telegram: long-polled getUpdates, sendMessage, sendPhoto, sendDocument, editMessageText,
answerCallbackQuery, setMyCommands, setMyDescription, setMyShortDescription, deleteWebhook,
getChatMember. Whoever runs it plays the people: `send_text` and `press` queue updates, `sent`
records every message the bot sent. It also misbehaves on demand the way Telegram does: 429
with retry_after (bursts, or a cap on messages per second), 403 for users who blocked the bot,
a group migrated to a supergroup, "chat not found", 5xx.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.config import PAID_RATE

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Bulletin", "username": "bulletin_bot"}
# Parameters python-telegram-bot sends as plain strings; every other one is JSON-encoded.
_STRING_PARAMETERS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "language_code",
    "url",
    "secret_token",
    "description",
    "short_description",
    "inline_message_id",
}
_SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
_ATTACHMENTS = {"sendPhoto": "photo", "sendDocument": "document"}


@dataclass
class SentMessage:
    """A message the bot sent (or edited), as the stand-in recorded it."""

    method: str
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    attachment: bytes | None = None  # a photo or a document
    file_name: str | None = None
    paid: bool = False  # sent as a paid broadcast (allow_paid_broadcast)
    thread_id: int | None = None  # the forum topic it went to
    at: float = field(default_factory=time.monotonic)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


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
    delay: float = 0.0  # seconds every send takes
    unauthorized: bool = False  # the token is rejected (401), as for a revoked token


class LocalBotApi:
    """The stand-in's state; `serve()` puts it on a loopback port."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._next_message_id = 1
        self._send_times: deque[float] = deque()
        self.sent: list[SentMessage] = []
        self.calls: list[str] = []  # every method called, in order
        # (scope, language code) -> the menu setMyCommands set; scope is "default",
        # "all_private_chats", "all_group_chats", "all_chat_administrators" or "chat:<id>".
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.commands_set = 0  # default-scope menus set: one per language at each start-up
        # (kind, language code) -> what setMyDescription / setMyShortDescription set.
        self.descriptions: dict[tuple[str, str], str] = {}
        self.member_checks = 0  # getChatMember calls
        self.files: dict[str, tuple[bytes, str | None]] = {}  # file_id -> content, file name
        self.answered_callbacks: list[dict[str, Any]] = []
        self.inline_answers: list[dict[str, Any]] = []
        self.chat_admins: dict[int, set[int]] = {}
        self.faults = Faults()
        self.too_many_requests = 0  # 429s answered
        self.refused_at: list[float] = []  # when each 429 was answered (time.monotonic)
        self.on_sent: Callable[[SentMessage], None] | None = None
        self._closing = False

    # Playing the people ------------------------------------------------------------------------

    def send_text(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        sender_chat_id: int | None = None,
        edited: bool = False,
        topic: int | None = None,
    ) -> int:
        """A person writes `text` in a chat (or edits an old message into it; or speaks for a
        chat, as anonymous group admins do; or writes in a forum's `topic`); returns the
        update id."""
        user = _person(user_id or abs(chat_id), language_code)
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "A group"
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": chat,
            "text": text,
        }
        if topic is not None:
            chat["is_forum"] = True
            message["message_thread_id"] = topic
            message["is_topic_message"] = True
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if chat_type == "channel":
            message["sender_chat"] = chat
            return self._queue({"channel_post": message})
        message["from"] = user
        if sender_chat_id is not None:
            message["sender_chat"] = {"id": sender_chat_id, "type": "supergroup", "title": "Chat"}
        if edited:
            message["edit_date"] = int(time.time())
            return self._queue({"edited_message": message})
        return self._queue({"message": message})

    def press(
        self,
        message: SentMessage,
        data: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        sender_chat_id: int | None = None,
    ) -> int:
        """A person presses an inline button of a message the bot sent (in a supergroup when
        the chat id is negative, as Telegram's are, unless `chat_type` says "group" or
        "channel"). In a channel the bot's post is signed by the channel, not the bot; elsewhere
        `sender_chat_id` signs it with that chat, as a hostile test's forged message would be."""
        user = {"id": user_id or abs(message.chat_id), "is_bot": False, "first_name": "Reader"}
        chat_type = chat_type or ("private" if message.chat_id > 0 else "supergroup")
        chat = {"id": message.chat_id, "type": chat_type, "title": "Chat"}
        original: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "text": message.text,
        }
        if chat_type == "channel":
            original["sender_chat"] = chat
        else:
            original["from"] = BOT_USER
        if sender_chat_id is not None:
            original["sender_chat"] = {"id": sender_chat_id, "type": chat_type, "title": "Chat"}
        return self._queue(
            {
                "callback_query": {
                    "id": str(self._message_id()),
                    "from": user,
                    "chat_instance": "local",
                    "message": original,
                    "data": data,
                }
            }
        )

    def add_bot(
        self,
        chat_id: int,
        *,
        by_user_id: int,
        language_code: str = "en",
        chat_type: str = "supergroup",
    ) -> int:
        """A person adds the bot to a group (or a channel)."""
        return self._queue(
            {
                "my_chat_member": {
                    "chat": {"id": chat_id, "type": chat_type, "title": "Chat"},
                    "from": _person(by_user_id, language_code),
                    "date": int(time.time()),
                    "old_chat_member": {"status": "left", "user": BOT_USER},
                    "new_chat_member": {"status": "member", "user": BOT_USER},
                }
            }
        )

    def inline_query(self, query: str, *, user_id: int = 1001, language_code: str = "en") -> int:
        """A person types '@bot QUERY' in any chat."""
        user = _person(user_id, language_code)
        return self._queue(
            {
                "inline_query": {
                    "id": str(self._message_id()),
                    "from": user,
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

    def replies(self) -> int:
        """Messages sent or edited, plus callback answers with a text: what a person sees."""
        with self._lock:
            return len(self.sent) + sum(bool(a.get("text")) for a in self.answered_callbacks)

    def take_reset(self, method: str) -> bool:
        """Whether this call's connection is to be dropped unanswered (a reset)."""
        with self._lock:
            if method in _SENDING_METHODS and self.faults.resets > 0:
                self.faults.resets -= 1
                return True
            return False

    # Serving -----------------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Server:
        return Server(self, host, port)

    def close(self) -> None:
        with self._lock:
            self._closing = True
            self._lock.notify_all()

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        with self._lock:
            self.calls.append(method)
            self._lock.notify_all()
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, _error(404, "Not Found: method not found")
        answer: tuple[int, dict[str, Any]] = handler(params)
        return answer

    def _queue(self, update: dict[str, Any]) -> int:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **update})
            self._lock.notify_all()
            return update_id

    def _message_id(self) -> int:
        with self._lock:
            self._next_message_id += 1
            return self._next_message_id

    # Bot API methods ---------------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.faults.unauthorized:
            return 401, _error(401, "Unauthorized")
        return 200, _ok(
            {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    def _api_getUpdates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()  # confirmed by the offset
            while not self._updates and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(min(left, 0.5))
            return 200, _ok(list(self._updates)[:limit])

    def _api_deleteWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, _ok(True)

    def _api_setWebhook(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, _ok(True)

    def _api_setMyCommands(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        scope = params.get("scope") or {"type": "default"}
        name = f"chat:{scope['chat_id']}" if scope["type"] == "chat" else scope["type"]
        with self._lock:
            self.commands[(name, params.get("language_code") or "")] = params["commands"]
            self.commands_set += name == "default"
        return 200, _ok(True)

    def _api_setMyDescription(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.descriptions[("description", params.get("language_code") or "")] = params.get(
                "description", ""
            )
        return 200, _ok(True)

    def _api_setMyShortDescription(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            key = ("short_description", params.get("language_code") or "")
            self.descriptions[key] = params.get("short_description", "")
        return 200, _ok(True)

    def _api_getChatMember(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        self.member_checks += 1
        user = {"id": user_id, "is_bot": False, "first_name": "Reader"}
        if user_id in self.chat_admins.get(chat_id, set()):
            return 200, _ok({"status": "creator", "user": user, "is_anonymous": False})
        return 200, _ok({"status": "member", "user": user})

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.answered_callbacks.append(params)
        return 200, _ok(True)

    def _api_answerInlineQuery(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.inline_answers.append(params)
            self._lock.notify_all()
        return 200, _ok(True)

    def _api_sendChatAction(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, _ok(True)

    def _api_sendMessage(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._deliver("sendMessage", params, params.get("text", ""))

    def _api_sendPhoto(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._deliver("sendPhoto", params, params.get("caption", ""))

    def _api_sendDocument(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._deliver("sendDocument", params, params.get("caption", ""))

    def _api_editMessageText(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._deliver("editMessageText", params, params.get("text", ""))

    def _deliver(
        self, method: str, params: dict[str, Any], text: str
    ) -> tuple[int, dict[str, Any]]:
        chat_id = _chat_id(params.get("chat_id"))
        if self.faults.delay:
            time.sleep(self.faults.delay)
        with self._lock:
            paid = bool(params.get("allow_paid_broadcast"))
            thread_id = params.get("message_thread_id")
            refusal = self._refusal(method, chat_id, paid, thread_id)
            if refusal:
                return refusal
            message_id = int(params.get("message_id") or 0) or self._next_message_id + 1
            self._next_message_id = max(self._next_message_id, message_id)
            attachment = params.get(_ATTACHMENTS.get(method, ""))
            file_name = params.get(f"{_ATTACHMENTS.get(method, '')}#filename")
            if isinstance(attachment, str) and attachment in self.files:  # sent again by id
                attachment, file_name = self.files[attachment]
            message = SentMessage(
                method,
                chat_id,
                message_id,
                text,
                params.get("parse_mode"),
                params.get("reply_markup"),
                attachment,
                file_name,
                paid,
                thread_id,
            )
            if isinstance(attachment, bytes):  # kept under the file id answered below
                kind = "photo" if method == "sendPhoto" else "doc"
                self.files[f"{kind}{message_id}"] = (attachment, file_name)
            self.sent.append(message)
            if self.on_sent:
                self.on_sent(message)
            self._lock.notify_all()
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        }
        if method == "sendDocument":
            result["document"] = {
                "file_id": f"doc{message_id}",
                "file_unique_id": f"d{message_id}",
                "file_name": message.file_name,
            }
            result["caption"] = text
        elif method == "sendPhoto":
            result["photo"] = [
                {
                    "file_id": f"photo{message_id}",
                    "file_unique_id": f"p{message_id}",
                    "width": 1200,
                    "height": 800,
                }
            ]
            result["caption"] = text
        else:
            result["text"] = text
        return 200, _ok(result)

    def _refusal(
        self, method: str, chat_id: int, paid: bool, thread_id: int | None = None
    ) -> tuple[int, dict[str, Any]] | None:
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
                cap = faults.paid_cap if paid else faults.per_second_cap
                if len(self._send_times) >= cap:
                    return self._too_many(1)
                self._send_times.append(now)
            if faults.server_errors > 0:
                faults.server_errors -= 1
                return 502, _error(502, "Bad Gateway")
        if chat_id in faults.blocked:
            return 403, _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in faults.missing:
            return 400, _error(400, "Bad Request: chat not found")
        if chat_id in faults.migrated:
            return 400, _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=faults.migrated[chat_id],
            )
        if thread_id is not None and thread_id in faults.deleted_topics:
            return 400, _error(400, "Bad Request: message thread not found")
        return None

    def _too_many(self, retry_after: int) -> tuple[int, dict[str, Any]]:
        self.too_many_requests += 1
        self.refused_at.append(time.monotonic())
        return 429, _error(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )


def _person(user_id: int, language_code: str) -> dict[str, Any]:
    """A Telegram user, as updates carry them."""
    return {"id": user_id, "is_bot": False, "first_name": "Reader", "language_code": language_code}


def _ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def _error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _chat_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_parameters(content_type: str, body: bytes) -> dict[str, Any]:
    """The parameters of a Bot API call, however python-telegram-bot encoded them."""
    if content_type.startswith("application/json"):
        parsed: dict[str, Any] = json.loads(body or b"{}")
        return parsed
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params: dict[str, Any] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            if part.get_filename():
                params[name] = payload
                params[f"{name}#filename"] = part.get_filename()
            else:
                params[name] = _decode(name, payload.decode())
        # Attached files are referred to as attach://name.
        for name, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                reference = value.removeprefix("attach://")
                params[name] = params.get(reference, value)
                params[f"{name}#filename"] = params.get(f"{reference}#filename")
        return params
    pairs = parse_qsl(body.decode(), keep_blank_values=True)
    return {name: _decode(name, value) for name, value in pairs}


def _decode(name: str, value: str) -> Any:
    if name in _STRING_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


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
    try:
        status, payload = api.handle(method, params)
    except (KeyError, ValueError, TypeError) as error:
        status, payload = 400, _error(400, f"Bad Request: {error}")
    except Exception:  # a bug in the stand-in: say it, and answer as Telegram would
        traceback.print_exc()
        status, payload = 500, _error(500, "Internal Server Error")
    data = json.dumps(payload).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data
