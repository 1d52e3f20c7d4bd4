"""The bot under test, in one of two ways.

In this process (the `bot` fixture): the real application, talking through python-telegram-bot's
HTTP stack to the Bot API stand-in on 127.0.0.1 (tests/fake_bot_api.py), over a real SQLite
file, with a clock the test moves.

As a process of its own (`BulletinBot`, `run_bulletin_bot`): `bulletin-bot ARGS` as an operator
starts it, on the real clock, with what it prints kept.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

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


# `bulletin-bot` as a process ---------------------------------------------------------------------

TOKEN = "1:test"  # a token of the right shape; the processes' Telegram is a stand-in, if any


def command(*args: str, config: Path | None = None) -> list[str]:
    """`bulletin-bot ARGS` as a command line, run by this Python; `--config CONFIG` first if
    given, else the program looks for config.toml where it runs, as for an operator."""
    options = ("--config", str(config)) if config else ()
    return [sys.executable, "-m", "bot", *options, *args]


def write_config(folder: Path, text: str, name: str = "config.toml") -> Path:
    """A config file in `folder` holding `text`; its path, for `config=`."""
    path = folder / name
    path.write_text(text)
    return path


def environment(token: str | None) -> dict[str, str]:
    """This process's environment with the bot's token set to `token` (None: no token)."""
    env = {name: value for name, value in os.environ.items() if name != "BULLETIN_BOT_TOKEN"}
    if token is not None:
        env["BULLETIN_BOT_TOKEN"] = token
    return env


Stream = Literal["stdout", "stderr"]
# A standard stream's destination, as subprocess takes it: PIPE, DEVNULL, a descriptor, a file.
Destination = int | IO[str] | None


class BulletinBot(subprocess.Popen[str]):
    """`bulletin-bot ARGS` running in `folder`, as a process of its own (a `Popen`, text in and
    out). Its input, output and log are pipes unless said otherwise. `say` types a line and
    waits for an answer, `read_until` waits for what it prints, `finish` ends its input and
    waits for its end, `stop` sends SIGTERM first; then `out` and `err` hold all it printed.
    As a context manager, it is stopped however the block ends.

    `wrapper` is a command that runs it (`setpriv ...`, `unshare ... sh -c SCRIPT sh`); any
    other keyword goes to `Popen` (`preexec_fn`)."""

    def __init__(
        self,
        folder: Path,
        *args: str,
        config: Path | None = None,
        token: str | None = TOKEN,
        stdin: Destination = subprocess.PIPE,
        stdout: Destination = subprocess.PIPE,
        stderr: Destination = subprocess.PIPE,
        wrapper: Sequence[str] = (),
        **popen: Any,
    ) -> None:
        super().__init__(
            [*wrapper, *command(*args, config=config)],
            cwd=folder,
            env=environment(token),
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            text=True,
            **popen,
        )
        self.printed: dict[Stream, str] = {"stdout": "", "stderr": ""}  # read so far
        self._decoders = {name: codecs.getincrementaldecoder("utf-8")() for name in self.printed}
        self._finished = False

    @property
    def out(self) -> str:
        """What it printed on standard output (all of it once it has finished)."""
        return self.printed["stdout"]

    @property
    def err(self) -> str:
        """What it printed on standard error, its log (all of it once it has finished)."""
        return self.printed["stderr"]

    def say(self, line: str, *, expect: str, timeout: float = 60.0) -> None:
        """Type a line, and wait until it has printed `expect` after it."""
        assert self.stdin is not None
        self.stdin.write(line + "\n")
        self.stdin.flush()
        self.read_until(expect, timeout=timeout)

    def read_until(
        self, expected: str, *, stream: Stream = "stdout", count: int = 1, timeout: float = 60.0
    ) -> str:
        """Wait until it has printed `expected` (`count` times) on `stream` since this call;
        what it printed there meanwhile. `timeout` is a ceiling for a loaded machine: what
        arrives ends the wait. It fails, showing what was printed, if the stream ends first."""
        pipe = self.stdout if stream == "stdout" else self.stderr
        assert pipe is not None, f"{stream} is not a pipe"
        start, deadline = len(self.printed[stream]), time.monotonic() + timeout
        while self.printed[stream][start:].count(expected) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"no {expected!r} on {stream}: {self.printed[stream]}"
            ready, _, _ = select.select([pipe], [], [], min(left, 1.0))
            if not ready:
                continue
            # What is there, read unbuffered (a buffer would hide it from select), and on to
            # the end of a character: `finish` then reads on from a whole one.
            decoder = self._decoders[stream]
            chunk = os.read(pipe.fileno(), 65536)
            assert chunk, f"{stream} ended (the process ended?): {self.printed[stream]}"
            text = decoder.decode(chunk)
            while decoder.getstate()[0]:
                text += decoder.decode(os.read(pipe.fileno(), 1))
            self.printed[stream] += text.replace("\r\n", "\n")
        return self.printed[stream][start:]

    def finish(self, script: str = "", *, timeout: float = 120.0) -> int:
        """End its input after `script`, and wait for it to end (killed after `timeout`
        seconds, a ceiling for a loaded machine); its exit status."""
        if not self._finished:
            try:
                out, err = self.communicate(script if self.stdin else None, timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self.communicate()
                raise
            self.printed["stdout"] += out or ""
            self.printed["stderr"] += err or ""
            self._finished = True
        return self.returncode

    def stop(self, *, timeout: float = 30.0) -> str:
        """SIGTERM, as a service manager stops it (if it still runs), then `finish`; its log,
        all it said on standard error (`returncode` says how it ended)."""
        if self.poll() is None:
            self.send_signal(signal.SIGTERM)
        self.finish(timeout=timeout)
        return self.err

    def __enter__(self) -> BulletinBot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_bulletin_bot(
    folder: Path,
    *args: str,
    config: Path | None = None,
    script: str = "",
    token: str | None = TOKEN,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    """`bulletin-bot ARGS` in `folder` to its end, reading `script`: its status, output, log."""
    bot = BulletinBot(folder, *args, config=config, token=token)
    bot.finish(script, timeout=timeout)
    return subprocess.CompletedProcess(bot.args, bot.returncode, bot.out, bot.err)
