"""The Bot API as `bulletin-bot console` needs it: Telegram's answers, in this process.

`BotApiStandIn.answer(method, parameters)` answers one Bot API call as Telegram would: it keeps
what the bot sends (messages, edits, photos and documents, and their file ids for sending
again), refuses what Telegram refuses (HTML it cannot parse, text or captions too long, an
empty text), answers getUpdates from the updates a person made (`send_text`, `press`), and
records callback and inline answers, menus and descriptions.

`InProcessRequest` is python-telegram-bot's `BaseRequest` handing every call to it, as httpx's
`MockTransport` hands requests to a function: python-telegram-bot still encodes each call's
parameters as it would for HTTP and parses each answer, raising the same errors, so the console
runs the bot's real Telegram stack with nothing on a socket. The tests serve the same stand-in
on a loopback port, with faults on demand (tests/fake_bot_api.py): the socket server and the
fault switches are the tests' and the benchmarks', and are not installed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import unescape
from typing import IO, Any

from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

# Where the console's bot thinks Telegram is; the in-process request answers every call, so
# the name is never looked up (.invalid can never resolve).
BASE_URL = "http://bot-api.invalid/bot"
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
# Calls Telegram answers with True, and nothing here needs to keep (the tests' stand-in keeps
# the menus and descriptions set, tests/fake_bot_api.py).
_DONE = {
    *("deleteWebhook", "setWebhook", "sendChatAction", "answerInlineQuery"),
    *("setMyCommands", "setMyDescription", "setMyShortDescription"),
}
_ATTACHMENTS = {"sendPhoto": "photo", "sendDocument": "document"}
# Telegram's limits, in UTF-16 code units of the text a person sees (entities parsed).
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
# The tags Telegram's HTML knows (core.telegram.org/bots/api#html-style); any other is refused.
_TAGS = {
    *("a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span"),
    *("tg-spoiler", "tg-emoji", "code", "pre", "blockquote"),
}
# What is not text, in Telegram HTML: an entity (an '&' that starts none is text), an end tag,
# a start tag with its attributes, or a '<' that is none of them (which Telegram refuses).
_MARKUP = re.compile(
    r"&(?:#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
    r"|</(?P<end>[^>]*)>"
    r"|<(?P<start>[^\s>]*)(?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']*))?)*\s*>"
    r"|<"
)
_NAMED = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
_NAME_END = re.compile(r"[\s>]")

# (HTTP status, JSON body): how Telegram answers a call.
Answer = tuple[int, dict[str, Any]]


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
    file_id: str | None = None  # the file id its attachment was sent by (None: uploaded)
    quoting: int | None = None  # the id of the message it replies to
    at: float = field(default_factory=time.monotonic)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class BotApiStandIn:
    """Telegram's side of the Bot API, for one bot: the updates people make, and the answers
    to the bot's calls. Thread-safe: a long-polled getUpdates waits in a thread of its own
    while people's updates and the bot's other calls come from another."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._next_message_id = 1
        self.sent: list[SentMessage] = []
        self.files: dict[str, tuple[bytes, str | None]] = {}  # file_id -> content, file name
        self.answered_callbacks: list[dict[str, Any]] = []
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
        user = person(user_id or abs(chat_id), language_code)
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
            return self.queue({"channel_post": message})
        message["from"] = user
        if sender_chat_id is not None:
            message["sender_chat"] = {"id": sender_chat_id, "type": "supergroup", "title": "Chat"}
        if edited:
            message["edit_date"] = int(time.time())
            return self.queue({"edited_message": message})
        return self.queue({"message": message})

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
        return self.queue(
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

    def queue(self, update: dict[str, Any]) -> int:
        """An update for the bot's next getUpdates; its id."""
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

    # Observing the bot -------------------------------------------------------------------------

    def replies(self) -> int:
        """Messages sent or edited, plus callback answers with a text: what a person sees."""
        with self._lock:
            return len(self.sent) + sum(bool(a.get("text")) for a in self.answered_callbacks)

    def close(self) -> None:
        """No more long polls: a waiting getUpdates returns at once, and so will any later."""
        with self._lock:
            self._closing = True
            self._lock.notify_all()

    # Answering ---------------------------------------------------------------------------------

    def answer(self, method: str, params: dict[str, Any]) -> Answer:
        """Answer one Bot API call as Telegram would. A parameter missing or of the wrong kind
        is a 400, as Telegram's; a bug of the stand-in's is logged and answered with a 500."""
        handler = getattr(self, f"_api_{method}", None)
        if handler is None and method in _DONE:
            return 200, ok(True)
        if handler is None:
            return 404, error(404, "Not Found: method not found")
        try:
            answered: Answer = handler(params)
        except (KeyError, ValueError, TypeError) as wrong:
            return 400, error(400, f"Bad Request: {wrong}")
        except Exception:
            log.exception("the Bot API stand-in failed to answer %s", method)
            return 500, error(500, "Internal Server Error")
        return answered

    def _refused(self, method: str, chat_id: int, params: dict[str, Any]) -> Answer | None:
        """How this call is refused for reasons of Telegram's own (a flood, a blocked chat),
        asked under the lock before a message is kept: never, here. The tests' stand-in says
        no on demand (tests/fake_bot_api.py)."""
        return None

    # Bot API methods ---------------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> Answer:
        return 200, ok(
            {
                **BOT_USER,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    def _api_getUpdates(self, params: dict[str, Any]) -> Answer:
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
            return 200, ok(list(self._updates)[:limit])

    def _api_getChatMember(self, params: dict[str, Any]) -> Answer:
        user = {"id": int(params["user_id"]), "is_bot": False, "first_name": "Reader"}
        return 200, ok({"status": "member", "user": user})

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Answer:
        with self._lock:
            self.answered_callbacks.append(params)
        return 200, ok(True)

    def _api_sendMessage(self, params: dict[str, Any]) -> Answer:
        return self._deliver("sendMessage", params, params.get("text", ""))

    def _api_sendPhoto(self, params: dict[str, Any]) -> Answer:
        return self._deliver("sendPhoto", params, params.get("caption", ""))

    def _api_sendDocument(self, params: dict[str, Any]) -> Answer:
        return self._deliver("sendDocument", params, params.get("caption", ""))

    def _api_editMessageText(self, params: dict[str, Any]) -> Answer:
        return self._deliver("editMessageText", params, params.get("text", ""))

    def _deliver(self, method: str, params: dict[str, Any], text: str) -> Answer:
        chat_id = _chat_id(params.get("chat_id"))
        unreadable = _unreadable(method, text, params.get("parse_mode"))
        if unreadable:
            return 400, error(400, f"Bad Request: {unreadable}")
        with self._lock:
            paid = bool(params.get("allow_paid_broadcast"))
            refusal = self._refused(method, chat_id, params)
            if refusal:
                return refusal
            attachment = params.get(_ATTACHMENTS.get(method, ""))
            file_name = params.get(f"{_ATTACHMENTS.get(method, '')}#filename")
            file_id = attachment if isinstance(attachment, str) else None
            if file_id is not None:  # sent again by its id, which Telegram must know
                if file_id not in self.files:
                    return 400, error(400, "Bad Request: wrong file identifier/HTTP URL specified")
                attachment, file_name = self.files[file_id]
            message_id = int(params.get("message_id") or 0) or self._next_message_id + 1
            self._next_message_id = max(self._next_message_id, message_id)
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
                params.get("message_thread_id"),
                file_id,
                (params.get("reply_parameters") or {}).get("message_id"),
            )
            # The file's id, answered below: an upload is kept under a new one; a file sent
            # again by its id keeps it, as Telegram's does.
            answered_id = file_id or f"{'photo' if method == 'sendPhoto' else 'doc'}{message_id}"
            if file_id is None and isinstance(attachment, bytes):
                self.files[answered_id] = (attachment, file_name)
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
                "file_id": answered_id,
                "file_unique_id": f"d{message_id}",
                "file_name": message.file_name,
            }
            result["caption"] = text
        elif method == "sendPhoto":
            result["photo"] = [
                {
                    "file_id": answered_id,
                    "file_unique_id": f"p{message_id}",
                    "width": 1200,
                    "height": 800,
                }
            ]
            result["caption"] = text
        else:
            result["text"] = text
        return 200, ok(result)


@functools.lru_cache(maxsize=1024)
def _unreadable(method: str, text: str, parse_mode: str | None) -> str | None:
    """Why Telegram refuses a message's text or a caption (after its "Bad Request: "), or
    None: HTML it cannot parse, an empty message, more than its limit of what a person sees.
    Remembered: a broadcast sends one text to thousands, and the stand-in is to cost little
    beside the bot (bench/broadcast.py measures the bot)."""
    try:
        seen = html_text(text) if parse_mode == "HTML" else text
    except ValueError as wrong:
        return f"can't parse entities: {wrong}"
    units = len(seen.strip().encode("utf-16-le")) // 2
    if method in _ATTACHMENTS:
        return "message caption is too long" if units > CAPTION_LIMIT else None
    if units == 0:
        return "message text is empty"
    return "message is too long" if units > MESSAGE_LIMIT else None


def html_text(markup: str) -> str:
    """The text a person sees of Telegram HTML; ValueError with Telegram's reason when Telegram
    would refuse it. As Telegram's parser (tdlib's parse_html): a '<' opens a tag, which must be
    one Telegram knows, closed, and closed in order; an '&' that starts no entity is itself."""
    seen: list[str] = []
    open_tags: list[str] = []
    at = 0
    for found in _MARKUP.finditer(markup):
        seen.append(markup[at : found.start()])
        at, token, end_tag, start_tag = found.end(), found[0], found["end"], found["start"]
        if token[0] == "&":
            seen.append(_NAMED.get(token) or unescape(token))
        elif end_tag is not None:
            name = end_tag.strip().lower()
            if not open_tags:
                raise ValueError(f"Unexpected end tag at byte offset {_bytes(markup, found)}")
            if name and name != open_tags[-1]:
                raise ValueError(
                    f"Unmatched end tag at byte offset {_bytes(markup, found)}, "
                    f'expected "</{open_tags[-1]}>", found "</{name}>"'
                )
            open_tags.pop()
        elif start_tag is not None and start_tag.lower() in _TAGS:
            open_tags.append(start_tag.lower())
        else:
            raise ValueError(_unparsed(markup, found))
    if open_tags:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    seen.append(markup[at:])
    return "".join(seen)


def _unparsed(markup: str, found: re.Match[str]) -> str:
    """Why a '<' opens no tag Telegram takes: one it does not know, or one never closed."""
    if markup.startswith("</", found.start()):
        return f"Unclosed end tag at byte offset {_bytes(markup, found)}"
    name_end = _NAME_END.search(markup, found.start() + 1)
    name = markup[found.start() + 1 : name_end.start() if name_end else len(markup)].lower()
    if name not in _TAGS:
        return f'Unsupported start tag "{name}" at byte offset {_bytes(markup, found)}'
    return f"Unclosed start tag at byte offset {_bytes(markup, found)}"


def _bytes(text: str, found: re.Match[str]) -> int:
    """Where `found` starts in UTF-8 bytes, as Telegram's errors say."""
    return len(text[: found.start()].encode())


def parameters(
    fields: Mapping[str, str], files: Mapping[str, tuple[bytes, str | None]]
) -> dict[str, Any]:
    """A call's parameters as the stand-in reads them, from what python-telegram-bot sent: its
    form fields (JSON-encoded, but for the plain strings) and its uploaded files (content, file
    name), which a field names as attach://name."""
    params: dict[str, Any] = {name: _decode(name, value) for name, value in fields.items()}
    for name, (content, file_name) in files.items():
        params[name] = content
        params[f"{name}#filename"] = file_name
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            reference = value.removeprefix("attach://")
            params[name] = params.get(reference, value)
            params[f"{name}#filename"] = params.get(f"{reference}#filename")
    return params


def _decode(name: str, value: str) -> Any:
    if name in _STRING_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def person(user_id: int, language_code: str) -> dict[str, Any]:
    """A Telegram user, as updates carry them."""
    return {"id": user_id, "is_bot": False, "first_name": "Reader", "language_code": language_code}


def ok(result: Any) -> dict[str, Any]:
    """The body of a call Telegram answered."""
    return {"ok": True, "result": result}


def error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    """The body of a call Telegram refused: its code, its words, and what to do (retry_after,
    migrate_to_chat_id)."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _chat_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class InProcessRequest(BaseRequest):
    """python-telegram-bot's requests, every one answered by `api` in this process. Each call
    is encoded as python-telegram-bot encodes it for HTTP (its form fields, its files) and the
    answer parsed as Telegram's, errors and all; only the socket is left out. A long-polled
    getUpdates waits in a worker thread; every other call is answered at once, on the loop."""

    def __init__(self, api: BotApiStandIn) -> None:
        self._api = api

    @property
    def read_timeout(self) -> float | None:
        return None  # nothing to wait for on a network

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        # No network, nothing to time out: python-telegram-bot's timeouts are not used.
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]  # <base_url><token>/<method>
        fields = request_data.json_parameters if request_data else {}
        uploads = request_data.multipart_data if request_data else {}
        files = {
            part: (_read(content), file_name) for part, (file_name, content, _) in uploads.items()
        }
        params = parameters(fields, files)
        if name == "getUpdates":
            status, body = await asyncio.to_thread(self._api.answer, name, params)
        else:
            status, body = self._api.answer(name, params)
        return status, json.dumps(body).encode()


def _read(content: bytes | IO[bytes]) -> bytes:
    return content if isinstance(content, bytes) else content.read()
