"""Telegram's webhook, served by tornado (python-telegram-bot's own web server's library), with
the guards an open port needs:

- the secret token header is checked before any of the body is read (403 otherwise), and a body
  is at most MAX_BODY (413): an update is a few kilobytes, and python-telegram-bot's server read
  up to 100 MB of anyone's request into memory first (10 such requests: 1.1 GB);
- a body that is not JSON, or not an update, is a 400 and one line in the log, never a 500 or
  the whole body at CRITICAL.

Good requests go into the application's update queue, as python-telegram-bot's server does.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.config import Config
from bot.telegram.services import App

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


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
        if not declared.isdigit() or int(declared) > MAX_BODY:
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

    def log_exception(self, *args: object) -> None:
        """Refusals are answers, not errors: nothing to log (the 400s logged their line)."""


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
    server = HTTPServer(tornado.web.Application(routes), max_body_size=MAX_BODY)
    server.listen(webhook.port, webhook.listen)
    try:
        await application.bot.set_webhook(
            url, secret_token=webhook.secret_token, allowed_updates=Update.ALL_TYPES
        )
        yield
    finally:
        server.stop()
        await server.close_all_connections()
