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
from bot.telegram.services import Services
from tests.conftest import NOW
from tests.fake_bot_api import LocalBotApi, SentMessage

USER = 1001
ADMIN = 4242  # in [telegram] admins
# How long a test waits for the bot at most: a ceiling for a loaded machine, not a pause (a
# reply ends the wait). A /latest of 2,000 unknown words takes 2.5 s unloaded, 9 s under load.
REPLY_TIMEOUT = 60.0


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

    async def press(self, message: SentMessage, data: str, **options) -> SentMessage:
        """Press a button that edits its message; the edited message. `options` say who presses
        and in what kind of chat (LocalBotApi.press)."""
        before = len(self.api.sent)
        self.api.press(message, data, **options)
        edited = await asyncio.to_thread(
            self.api.wait_for, lambda: self._edit_since(before, message.chat_id), REPLY_TIMEOUT
        )
        assert edited, f"pressing {data!r} edited nothing"
        found = self._edit_since(before, message.chat_id)
        assert found is not None
        return found

    async def press_unedited(self, message: SentMessage, data: str, **options) -> dict:
        """Press a button that only answers the press (a pop-up, a refusal); that answer,
        after checking that the message was left as it was."""
        before_sent, before_answers = len(self.api.sent), len(self.api.answered_callbacks)
        self.api.press(message, data, **options)
        answered = await asyncio.to_thread(
            self.api.wait_for,
            lambda: len(self.api.answered_callbacks) > before_answers,
            REPLY_TIMEOUT,
        )
        assert answered, f"pressing {data!r} got no answer"
        assert self._edit_since(before_sent, message.chat_id) is None
        return self.api.answered_callbacks[-1]

    def _edit_since(self, before: int, chat_id: int) -> SentMessage | None:
        """The newest message the bot sent in `chat_id` after the first `before` sent."""
        mine = [m for m in self.api.sent[before:] if m.chat_id == chat_id]
        return mine[-1] if mine else None

    async def reply_to(self, chat_id: int, before: int) -> SentMessage:
        found = await asyncio.to_thread(
            self.api.wait_for, lambda: len(self.api.messages_to(chat_id)) > before, REPLY_TIMEOUT
        )
        assert found, f"the bot did not reply in chat {chat_id}"
        return self.api.messages_to(chat_id)[-1]

    async def settled(self) -> None:
        """Wait until the bot is done with every update it has taken from the stand-in, so
        that a test may say nothing more came. python-telegram-bot handles updates
        concurrently here, so a reply proves neither that the same handler sent its last
        message nor that another update's handler has finished; its update queue counts an
        update done only once every handler of it has returned (`Queue.join`)."""
        async with asyncio.timeout(REPLY_TIMEOUT):
            await self.application.update_queue.join()

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
