"""`bulletin-bot console`: chat with the bot in the terminal, no token and no network needed.

The same application and handlers as `run`, talking through python-telegram-bot's real HTTP stack
to the local Bot API stand-in on 127.0.0.1, against the configured database.

- A line that starts with `/` is a command, sent at once. `#Label` presses a button under the
  last message that had buttons. Any other text (a pasted bulletin) is one message that ends at
  an empty line, a line holding a single `.`, the next command, or the end of input.
- You are the person at the server, so you are an admin (`--as-user` shows the reader's view).
- The console's chat's messages are sent after every message, so subscriptions,
  announcements and notices arrive here as they would in Telegram; `/tick` also polls the
  source now. Every other chat's messages stay queued for the bot: the console sends none, and
  holds the database's lease as `run` does, so no bot runs on it meanwhile (bot/instance.py).
  At the start and the end, the console's chat is forgotten: nothing of it stays queued for a
  real bot on the same database.
- Pictures and files are saved in the current folder (0600, never over a file that is there),
  and their names printed.

Scriptable:

    printf '/latest tanks\\n/history drones 5\\n' | bulletin-bot console
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from bot import instance, render
from bot.telegram.app import build, running
from bot.telegram.jobs import deliver_now, poll_now
from bot.telegram.local_api import LocalBotApi, SentMessage
from bot.telegram.services import Services
from bot.throttle import Throttle

# The console's chat, and its person: an id no Telegram chat can have. Telegram's ids have at
# most 52 significant bits (the Bot API's promise, so a double holds them): this one has 53,
# and is still exact in a double. Positive, as a person's (and so a private chat's) id is. A
# small id (it was 1001) is a real person's: the console took their subscription as its own and
# deleted it when it ended.
CHAT_ID = 2**52 + 1001
TOKEN = "1001:console"
REPLY_TIMEOUT_SECONDS = 30.0
END_OF_TEXT = (".",)


def welcome(as_admin: bool) -> str:
    who = "you are an admin (--as-user for a reader's view)" if as_admin else "you are a reader"
    return (
        f"bulletin-bot console: {who}. Type a command (/help lists them), #Label presses a "
        "button, /tick polls the source now. Paste a bulletin, then an empty line. Ctrl-D quits."
    )


async def chat(
    services: Services, lines: TextIO, out: TextIO, *, as_admin: bool = True, folder: Path
) -> int:
    """Run the conversation until `lines` ends; how many messages got no reply in time."""
    if as_admin and CHAT_ID not in services.config.telegram.admins:
        telegram = services.config.telegram
        services.config = replace(
            services.config, telegram=replace(telegram, admins=(*telegram.admins, CHAT_ID))
        )
    services.throttle = Throttle(burst=10**9)  # one operator, or a script: no flood to guard
    api = LocalBotApi()
    interactive = lines.isatty()
    last_with_buttons: list[SentMessage] = []
    saved = [0]

    def show(message: SentMessage) -> None:  # called by the stand-in for every message
        if message.chat_id != CHAT_ID:
            return
        text = render.to_plain(message.text).replace("\n", "\n     ")
        if isinstance(message.attachment, bytes):
            saved[0] += 1
            picture = message.method == "sendPhoto"
            name = f"picture-{saved[0]}.png" if picture else message.file_name or f"file-{saved[0]}"
            path = _save(folder / name, message.attachment)
            what = "picture" if picture else "file"
            text = f"[{what} saved to {path}]\n     {text}"
        print(f"bot> {text}", file=out)
        if message.buttons:
            print("     " + "  ".join(f"[{label}]" for label, _ in message.buttons), file=out)
            last_with_buttons[:] = [message]
        out.flush()

    api.on_sent = show
    unanswered = 0
    services.store.forget_chat(CHAT_ID)  # left by a console that was killed
    with api.serve() as server:
        application = build(services, token=TOKEN, base_url=server.base_url)
        async with running(application), _holding_lease(services):
            assert services.deliverer is not None  # made as the application starts
            services.deliverer.only_chat = CHAT_ID
            if interactive:
                print(welcome(as_admin), file=out)
            try:
                while message := await _read(lines, out, interactive):
                    if not _still_holding(services):  # checked before answering from it
                        # Stopped that long, the updater's long poll timed out as the process
                        # went on; python-telegram-bot loses the error of a poll that fails as
                        # it is stopped (asyncio logs it, traceback and all): let it retry first.
                        await asyncio.sleep(1.0)
                        break
                    if not interactive:
                        print("you> " + message.replace("\n", "\n     "), file=out)
                    if message == "/tick":
                        result = await poll_now(services)
                        print(f"(polled the source: {result.error or result.summary})", file=out)
                        await deliver_now(services)
                        continue
                    before, popups = api.replies(), len(api.answered_callbacks)
                    if not _send(api, message, last_with_buttons, out):
                        continue
                    answered = await asyncio.to_thread(
                        api.wait_for, partial(_replied, api, before), REPLY_TIMEOUT_SECONDS
                    )
                    # A button's answer that only the person who pressed it sees.
                    for popup in api.answered_callbacks[popups:]:
                        if popup.get("text"):
                            shown = render.to_plain(popup["text"]).replace("\n", "\n     ")
                            print(f"bot (pop-up)> {shown}", file=out)
                    if not answered:
                        unanswered += 1
                        print("(no reply)", file=out)
                    await deliver_now(services)  # what the message queued arrives now
            finally:
                services.store.forget_chat(CHAT_ID)
    return unanswered


@asynccontextmanager
async def _holding_lease(services: Services) -> AsyncIterator[None]:
    """Renew the lease (if the console holds one) as `run`'s heartbeat does, so that neither a
    bot nor a `restore` takes the database while the console waits for its operator."""

    async def heartbeat() -> None:
        while _still_holding(services):
            await asyncio.sleep(instance.HEARTBEAT.total_seconds())

    task = asyncio.create_task(heartbeat()) if services.lease is not None else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()


def _still_holding(services: Services) -> bool:
    """Renew the console's lease, if it holds one; False (and `services.fatal` says why) if
    another process took it: the console was stopped (Ctrl-Z) for longer than the lease lives,
    and a bot or a `restore` may have the database now."""
    if services.lease is None:
        return True
    try:
        if not services.store.renew_lease(services.lease.holder, now=services.clock.now()):
            services.fatal = (
                "another process took the database's lease while the console was stopped"
            )
    except sqlite3.DatabaseError as error:  # deleted, damaged, read-only
        services.fatal = f"the database cannot be used: {error}"
    return services.fatal is None


def _save(path: Path, data: bytes) -> Path:
    """Save a picture or file the bot sent: a new file readable by its owner alone, never one
    that is there already (a number is added to the name: 'NAME-2.csv')."""
    candidate, number = path, 1
    while True:
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
            continue
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        return candidate


def _replied(api: LocalBotApi, before: int) -> bool:
    return api.replies() > before


def _send(api: LocalBotApi, line: str, last_with_buttons: list[SentMessage], out: TextIO) -> bool:
    if not line.startswith("#"):
        api.send_text(line, chat_id=CHAT_ID)
        return True
    label = _label(line[1:])
    for message in last_with_buttons:
        for text, data in message.buttons:
            if _label(text) == label:
                api.press(message, data)
                return True
    print("(no such button)", file=out)
    return False


_pending: list[str] = []  # a command line read while a pasted text was being collected


async def _read(lines: TextIO, out: TextIO, interactive: bool) -> str | None:
    """The next message: a command or button line, or pasted text up to an empty line, a
    single '.', the next command, or the end of input. None at the end of input."""
    collected: list[str] = []
    while True:
        if _pending:
            line = _pending.pop()
        else:
            if interactive:
                print("you> " if not collected else "...  ", end="", file=out, flush=True)
            line = await asyncio.to_thread(lines.readline)
            if not line:
                return "\n".join(collected) or None
        text = line.rstrip("\n")
        starts_command = text.startswith(("/", "#"))
        if collected and (not text.strip() or text.strip() in END_OF_TEXT or starts_command):
            if starts_command:
                _pending.append(line)
            return "\n".join(collected)
        if not text.strip() or text.strip() in END_OF_TEXT:
            continue
        if starts_command:
            return text.strip()
        collected.append(text)


def main(services: Services, *, as_admin: bool = True) -> int:
    try:
        unanswered = asyncio.run(
            chat(services, sys.stdin, sys.stdout, as_admin=as_admin, folder=Path.cwd())
        )
    except KeyboardInterrupt:  # Ctrl-C: a quiet goodbye, not two tracebacks
        print(file=sys.stdout)
        return 130
    return 1 if unanswered else 0


def _label(text: str) -> str:
    """A button's label as typed after '#': any case, without the tick or the emoji before
    it ('#time: 09:00' presses '🕗 Time: 09:00', '#09:00' presses '✓ 09:00')."""
    return re.sub(r"^[^\w#]+", "", text.strip()).casefold()
