"""The bot under test: the real application, talking through python-telegram-bot's HTTP stack to
the local Bot API stand-in on 127.0.0.1, over a real SQLite file, with a clock the test moves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from telegram.ext import Application

from bot.clock import FixedClock
from bot.config import Config, SourceConfig, TelegramConfig
from bot.store import Store
from bot.telegram.app import build, running
from bot.telegram.delivery import Deliverer
from bot.telegram.local_api import LocalBotApi, SentMessage
from bot.telegram.services import Services
from tests.conftest import NOW

USER = 1001
ADMIN = 4242  # in [telegram] admins


async def no_wait(seconds: float) -> None:
    """Pacing and 429 pauses in tests: the clock is moved by the test instead."""


@dataclass
class Harness:
    api: LocalBotApi
    application: Application
    services: Services
    clock: FixedClock

    async def ask(self, text: str, *, chat_id: int = USER, **options) -> SentMessage:
        """Send `text` as a person and return the bot's reply."""
        before = len(self.api.messages_to(chat_id))
        self.api.send_text(text, chat_id=chat_id, **options)
        return await self.reply_to(chat_id, before)

    async def press(self, message: SentMessage, data: str) -> SentMessage | None:
        """Press a button; the edited message, or None if the bot only answered the press."""
        before_sent, before_answers = len(self.api.sent), len(self.api.answered_callbacks)
        self.api.press(message, data)
        await asyncio.to_thread(
            self.api.wait_for,
            lambda: (
                len(self.api.sent) > before_sent
                or len(self.api.answered_callbacks) > before_answers
            ),
        )
        await asyncio.to_thread(self.api.wait_for, lambda: len(self.api.sent) > before_sent, 0.5)
        return self.api.sent[-1] if len(self.api.sent) > before_sent else None

    async def reply_to(self, chat_id: int, before: int) -> SentMessage:
        found = await asyncio.to_thread(
            self.api.wait_for, lambda: len(self.api.messages_to(chat_id)) > before
        )
        assert found, f"the bot did not reply in chat {chat_id}"
        return self.api.messages_to(chat_id)[-1]

    @property
    def store(self) -> Store:
        return self.services.store

    def deliverer(self, **options) -> Deliverer:
        """A deliverer as the application makes it, with test pacing."""
        options.setdefault("sleep", no_wait)
        options.setdefault("rate", 0)
        return Deliverer(self.store, self.application.bot, self.clock, **options)


@pytest.fixture
def bot_sources(fake_api) -> tuple[SourceConfig, ...]:
    """The sources the bot under test polls: the API stand-in alone, unless a module says
    otherwise by defining this fixture."""
    return (SourceConfig("api", fake_api.url),)


@pytest.fixture
async def bot(
    history_store: Store, bot_sources: tuple[SourceConfig, ...]
) -> AsyncIterator[Harness]:
    clock = FixedClock(NOW)
    config = Config(telegram=TelegramConfig(admins=(ADMIN,)), sources=bot_sources)
    api = LocalBotApi()
    with api.serve() as server:
        services = Services(config, history_store, clock)
        application = build(services, token="1:test", base_url=server.base_url)
        async with running(application):
            yield Harness(api, application, services, clock)
