"""Telegram's webhook, served by tornado (python-telegram-bot's own web server's library), with
the guards an open port needs:

- the secret token header is checked before any of the body is read (403 otherwise), and a body
  is at most MAX_BODY (413): an update is a few kilobytes, and python-telegram-bot's server read
  up to 100 MB of anyone's request into memory first (10 such requests: 1.1 GB);
- a Content-Length that is not ASCII digits (`²`, which str.isdigit accepts and int refuses) is
  a 400, like a body that is not JSON or not an update: one line in the log, never a 500 or the
  whole body at CRITICAL;
- sockets are bounded. Anyone can open connections and send their headers slowly, without the
  secret: 1,100 such connections under the common open-file limit of 1,024 left no descriptor
  for Telegram's requests (or the bot's own calls to Telegram) for as long as they lasted, and
  tornado waits 3,600 s for headers by default. Here headers and bodies must arrive within
  HEADERS_SECONDS and BODY_SECONDS; at most `connection_cap()` connections are open (a quarter
  of the open-file limit), and when that many are, a new one takes the place of the one that has
  waited longest for its headers, so a real request (whose headers come at once) is served
  while a crowd of slow ones is not. When accepting fails all the same (the process out of
  descriptors), accepting pauses for a moment and the error is logged once a minute, not
  once per attempt (1.5 million lines, 961 MB in 160 s, before);
- refusals (403, 413, 400) are counted in the metrics, not logged one line each: 2,000 strangers
  were 196 KB of WARNING.

Good requests go into the application's update queue, as python-telegram-bot's server does.
"""

from __future__ import annotations

import errno
import hmac
import json
import logging
import re
import resource
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from http import HTTPStatus
from types import TracebackType
from typing import Any

import tornado.web
from telegram import Update
from tornado import httputil
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

from bot import metrics
from bot.config import Config
from bot.telegram.services import App

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram sends a request's headers and its few kilobytes at once; a slow sender is not it.
HEADERS_SECONDS = 10.0
BODY_SECONDS = 10.0
# Telegram opens at most 100 connections to a webhook (setWebhook's max_connections).
MAX_CONNECTIONS = 1_000
# A failed accept (out of descriptors) pauses accepting this long, and is logged once per
# ACCEPT_LOG_SECONDS with how many there were.
ACCEPT_PAUSE_SECONDS = 0.1
ACCEPT_LOG_SECONDS = 60.0
_ACCEPT_BATCH = 128  # connections accepted per wake-up, as tornado does
_LENGTH = re.compile(r"[0-9]{1,9}")  # ASCII digits only: str.isdigit also takes '²' and '٣'


def connection_cap() -> int:
    """How many webhook connections may be open at once: a quarter of the process's open-file
    limit (256 of the common 1,024), so the database, the bot's own calls to Telegram and the
    source's keep the rest; at most MAX_CONNECTIONS, at least 16."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft // 4))


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_application: App, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        """Runs before the body is read: refuse strangers and oversized bodies first."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        declared = self.request.headers.get("Content-Length", "0")
        if not _LENGTH.fullmatch(declared):
            log.warning("webhook: bad Content-Length from=%s", self.request.remote_ip)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        if int(declared) > MAX_BODY:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_BODY:
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            data = json.loads(b"".join(self.chunks))
            update = Update.de_json(data, self.bot_application.bot)
        except Exception as error:  # anything a stranger with the secret could send
            log.warning("webhook: not an update from=%s error=%r", self.request.remote_ip, error)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is not None:
            await self.bot_application.update_queue.put(update)

    def log_exception(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Refusals are answers, not errors: counted (`_count`), not logged. Anything else is a
        bug of ours, logged with its traceback."""
        if kind is not None and error is not None and not isinstance(error, tornado.web.HTTPError):
            log.error("webhook: error handling an update", exc_info=(kind, error, trace))


def _count(handler: tornado.web.RequestHandler) -> None:
    """Every answered request, by status, in the metrics (tornado's default writes each 4xx
    as a WARNING line: a stranger's flood became the log's)."""
    metrics.WEBHOOK_REQUESTS.labels(str(handler.get_status())).inc()


class _Headers(httputil.HTTPMessageDelegate):
    """A request's delegate, telling the server when its headers have arrived."""

    def __init__(self, delegate: httputil.HTTPMessageDelegate, arrived: Callable[[], None]) -> None:
        self.delegate = delegate
        self.arrived = arrived

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self.arrived()
        return self.delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.delegate.data_received(chunk)

    def finish(self) -> None:
        self.delegate.finish()

    def on_connection_close(self) -> None:
        self.delegate.on_connection_close()


class BoundedServer(HTTPServer):
    """tornado's HTTP server with at most `max_connections` open, the one waiting longest for
    its headers closed to make room, and accept errors paused and logged once a minute."""

    def initialize(  # type: ignore[override]
        self, request_callback: Any, *, max_connections: int, **options: Any
    ) -> None:
        super().initialize(request_callback, **options)
        self.max_connections = max_connections
        # Connections waiting for a request's headers, the longest-waiting first.
        self._waiting: dict[object, None] = {}
        self._closing: set[object] = set()  # closed to make room, not yet gone from the set
        self._accept_errors = 0
        self._accept_logged = -ACCEPT_LOG_SECONDS

    @property
    def open_connections(self) -> int:
        return len(self._connections) - len(self._closing)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        if self.open_connections >= self.max_connections:
            if not self._waiting:  # every one is mid-request: the newcomer waits its turn
                metrics.WEBHOOK_DROPPED.labels("full").inc()
                stream.close()
                return
            oldest = next(iter(self._waiting))
            del self._waiting[oldest]
            self._closing.add(oldest)
            oldest.stream.close()  # type: ignore[attr-defined]
            metrics.WEBHOOK_DROPPED.labels("slow").inc()
        super().handle_stream(stream, address)

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        """A connection starts waiting for a request's headers (its first, or its next)."""
        self._waiting.pop(server_conn, None)
        self._waiting[server_conn] = None
        delegate = super().start_request(server_conn, request_conn)
        return _Headers(delegate, lambda: self._waiting.pop(server_conn, None))

    def on_close(self, server_conn: object) -> None:
        self._waiting.pop(server_conn, None)
        self._closing.discard(server_conn)
        super().on_close(server_conn)

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        """tornado's accept loop raises on EMFILE at every wake-up, and the listening socket
        stays readable: the event loop spun, logging a traceback each time."""
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_from(sock)

    def _accept_from(self, sock: socket.socket) -> Callable[[], None]:
        """Accept connections on `sock` as the loop reports them; the function returned stops."""
        loop = IOLoop.current()
        state = {"stopped": False, "paused": False}

        def accept(fd: object, events: int) -> None:
            for _ in range(_ACCEPT_BATCH):
                try:
                    connection, address = sock.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as error:  # EMFILE, ENFILE, ENOBUFS, ENOMEM
                    self._accept_failed(error)
                    loop.remove_handler(sock)
                    state["paused"] = True
                    loop.call_later(ACCEPT_PAUSE_SECONDS, resume)
                    return
                self._handle_connection(connection, address)

        def resume() -> None:
            state["paused"] = False
            if not state["stopped"]:
                loop.add_handler(sock, accept, IOLoop.READ)

        def stop() -> None:
            state["stopped"] = True
            if not state["paused"]:
                loop.remove_handler(sock)

        loop.add_handler(sock, accept, IOLoop.READ)
        return stop

    def _accept_failed(self, error: OSError) -> None:
        metrics.WEBHOOK_DROPPED.labels("accept_failed").inc()
        self._accept_errors += 1
        now = time.monotonic()
        if now - self._accept_logged >= ACCEPT_LOG_SECONDS:
            log.error(
                "webhook: cannot accept connections error=%s failed=%d open=%d cap=%d "
                "(said at most once a minute)",
                errno.errorcode.get(error.errno or 0, str(error)),
                self._accept_errors,
                self.open_connections,
                self.max_connections,
            )
            self._accept_errors = 0
            self._accept_logged = now


@asynccontextmanager
async def serving(application: App, config: Config, url: str) -> AsyncIterator[None]:
    """Listen on `[webhook] listen:port/path` and tell Telegram to post updates to `url`."""
    webhook = config.webhook
    routes = [
        (
            f"/{webhook.path.strip('/')}",
            UpdateHandler,
            {"bot_application": application, "secret": webhook.secret_token},
        )
    ]
    server = BoundedServer(
        tornado.web.Application(routes, log_function=_count),
        max_connections=connection_cap(),
        max_body_size=MAX_BODY,
        idle_connection_timeout=HEADERS_SECONDS,  # tornado's wait for headers, idle or not
        body_timeout=BODY_SECONDS,
    )
    server.listen(webhook.port, webhook.listen)
    try:
        await application.bot.set_webhook(
            url, secret_token=webhook.secret_token, allowed_updates=Update.ALL_TYPES
        )
        yield
    finally:
        server.stop()
        await server.close_all_connections()
