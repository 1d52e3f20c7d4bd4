"""`bulletin-bot console`: chat with the bot in the terminal, no token and no network needed.

The same application and handlers as `run`, against the configured database, talking through
python-telegram-bot (which encodes every call and parses every answer as for Telegram) to a Bot API
stand-in in the same process (bot/telegram/stand_in.py): no socket, no port.

- A line that starts with `/` is a command, sent at once. `#Label` presses a button under the
  last message that had buttons. Any other text (a pasted bulletin) is one message that ends at
  an empty line, a line holding a single `.`, the next command, or the end of input.
- You are the person at the server, so you are an admin (`--as-user` shows the reader's view).
- Each message's replies, all of them, are printed under it: the console waits until the bot
  has handled the message to its end. Then everything due for the console's chat is sent
  (no one-a-second pace: it is a terminal), so subscriptions, announcements and notices
  arrive here as they would in Telegram, before the next prompt; what is due later is listed
  when the console ends. `/tick` also polls the source now. Every other chat's messages stay
  queued for the bot: the console sends none, and holds the database's lease as `run` does,
  so no bot runs on it meanwhile (bot/instance.py).
  At the start and the end, the console's chat is forgotten: nothing of it stays queued for a
  real bot on the same database.
- Pictures and files are saved in the current folder (0600, never over a file that is there;
  pictures numbered on from the highest there), and their names printed.
- Ctrl-C ends it at once, at the prompt too.

Scriptable:

    printf '/latest tanks\\n/history drones 5\\n' | bulletin-bot console
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from bot import instance, render
from bot.store import StoreError
from bot.telegram.app import build, running
from bot.telegram.jobs import deliver_now, poll_now
from bot.telegram.services import Services
from bot.telegram.stand_in import BASE_URL, BotApiStandIn, InProcessRequest, SentMessage
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
    api = BotApiStandIn()
    interactive = lines.isatty()
    last_with_buttons: list[SentMessage] = []
    saved = [_highest_saved(folder)]  # a second session in the folder numbers on

    def show(message: SentMessage) -> None:  # called by the stand-in for every message sent
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
        if message.buttons:
            last_with_buttons[:] = [message]
        # Output closed (`bulletin-bot console | head`): the console's own next line ends it.
        with contextlib.suppress(BrokenPipeError):
            print(f"bot> {text}", file=out)
            if message.buttons:
                print("     " + "  ".join(f"[{label}]" for label, _ in message.buttons), file=out)
            out.flush()

    api.on_sent = show
    unanswered = 0
    handled = _Handled()
    services.store.subscribers.forget_chat(CHAT_ID)  # left by a console that was killed
    application = build(
        services, token=TOKEN, base_url=BASE_URL, updates=handled, request=InProcessRequest(api)
    )
    try:
        async with running(application), _holding_lease(services):
            assert services.deliverer is not None  # made as the application starts
            services.deliverer.only_chat = CHAT_ID
            if interactive:
                print(welcome(as_admin), file=out)
            typed = _Input(lines)
            try:
                while message := await typed.next_message(out, interactive):
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
                        print(f"(polled the source: {result.error or result.tally_line})", file=out)
                        await deliver_now(services)
                        continue
                    before, popups = api.replies(), len(api.answered_callbacks)
                    update_id = _send(api, message, last_with_buttons, out)
                    if update_id is None:
                        continue
                    # Every reply the message brings is shown under it: the update is handled
                    # to its end (every handler, and the error handler), not to its first reply.
                    done = await handled.wait_for(update_id, REPLY_TIMEOUT_SECONDS)
                    # A button's answer that only the person who pressed it sees.
                    for popup in api.answered_callbacks[popups:]:
                        if popup.get("text"):
                            shown = render.to_plain(popup["text"]).replace("\n", "\n     ")
                            print(f"bot (pop-up)> {shown}", file=out)
                    if not done or api.replies() == before:
                        unanswered += 1
                        print("(no reply)", file=out)
                    # What the message queued for this chat, and whatever else is due for it,
                    # arrives now: Deliverer.run sends until nothing is due.
                    await deliver_now(services)
                _say_what_waits(services, out)
            finally:
                services.store.subscribers.forget_chat(CHAT_ID)
    finally:
        api.close()  # a long poll waiting in a worker thread returns now, not at its timeout
    return unanswered


class _Handled(SimpleUpdateProcessor):
    """python-telegram-bot's processor of concurrent updates, noting each update once it is
    handled to its end. A command may send several messages ("/on" to an admin: the bulletin,
    then where its figures came from): waiting for the first let the rest land under the next
    command."""

    def __init__(self) -> None:
        super().__init__(max_concurrent_updates=256)
        self.done: set[int] = set()
        self._changed = asyncio.Event()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                self.done.add(update.update_id)
                self._changed.set()

    async def wait_for(self, update_id: int, timeout: float) -> bool:
        """Whether update `update_id` was handled within `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while update_id not in self.done:
            self._changed.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True


def _say_what_waits(services: Services, out: TextIO) -> None:
    """At the end: the console's messages due later (a summary at the chosen time, a
    correction notice batched for ten minutes) are not sent; say which, and when."""
    waiting = services.store.outbox.waiting_for(CHAT_ID)
    if not waiting:
        return
    zone = services.config.schedule.zone
    count = f"{len(waiting)} message{'s' if len(waiting) > 1 else ''}"
    print(f"({count} due later, not sent: the console sends what is due while it runs)", file=out)
    for kind, subject, due in waiting:
        print(f"     {due.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}: {kind} {subject}", file=out)


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
        if not services.store.lease.renew(services.lease.holder, now=services.clock.now()):
            services.fatal = (
                "another process took the database's lease while the console was stopped"
            )
    except StoreError as error:  # deleted, damaged, read-only, replaced
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


def _send(
    api: BotApiStandIn, line: str, last_with_buttons: list[SentMessage], out: TextIO
) -> int | None:
    """Send what was typed (a message, or a button pressed); its update's id, or None when
    the button is not there."""
    if not line.startswith("#"):
        return api.send_text(line, chat_id=CHAT_ID)
    label = _label(line[1:])
    for message in last_with_buttons:
        for text, data in message.buttons:
            if _label(text) == label:
                return api.press(message, data)
    print("(no such button)", file=out)
    return None


class _Input:
    """What the operator types, read by a thread of its own: Ctrl-C at the prompt ends the
    console at once (a read in asyncio's executor kept the process until Enter, as asyncio
    waits for its executor's threads at exit). A real file or terminal is read from its
    descriptor, not through `sys.stdin`'s buffer, whose lock the abandoned thread would hold
    as the interpreter shuts down."""

    def __init__(self, lines: TextIO) -> None:
        self._lines = lines
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._pending: list[str] = []  # a command line read while pasted text was collected
        loop = asyncio.get_running_loop()

        def put(line: str | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the console ended
                loop.call_soon_threadsafe(self._queue.put_nowait, line)

        threading.Thread(target=self._read_all, args=(put,), daemon=True).start()

    def _read_all(self, put: Callable[[str | None], None]) -> None:
        try:
            descriptor = self._lines.fileno()
        except (OSError, ValueError):  # a StringIO: no descriptor
            for line in iter(self._lines.readline, ""):
                put(line)
            put(None)
            return
        encoding = getattr(self._lines, "encoding", None) or "utf-8"
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        buffered = ""
        while chunk := os.read(descriptor, 65536):
            buffered += decoder.decode(chunk).replace("\r\n", "\n")
            *complete, buffered = buffered.split("\n")
            for line in complete:
                put(line + "\n")
        buffered += decoder.decode(b"", final=True)
        if buffered:
            put(buffered)
        put(None)

    async def next_message(self, out: TextIO, interactive: bool) -> str | None:
        """The next message: a command or button line, or pasted text up to an empty line, a
        single '.', the next command, or the end of input. None at the end of input."""
        collected: list[str] = []
        while True:
            if self._pending:
                line: str | None = self._pending.pop()
            else:
                if interactive:
                    print("you> " if not collected else "...  ", end="", file=out, flush=True)
                line = await self._queue.get()
                if line is None:
                    self._queue.put_nowait(None)  # the end stays the end
                    return "\n".join(collected) or None
            assert line is not None
            text = line.rstrip("\n")
            starts_command = text.startswith(("/", "#"))
            if collected and (not text.strip() or text.strip() in END_OF_TEXT or starts_command):
                if starts_command:
                    self._pending.append(line)
                return "\n".join(collected)
            if not text.strip() or text.strip() in END_OF_TEXT:
                continue
            if starts_command:
                return text.strip()
            collected.append(text)


def _highest_saved(folder: Path) -> int:
    """The highest number among the pictures and files the console saved in `folder`
    ('picture-7.png', 'file-3'): a new session goes on from it, never over them."""
    highest = 0
    for path in folder.iterdir():
        if found := re.fullmatch(r"picture-(\d+)\.png|file-(\d+)", path.name):
            highest = max(highest, int(found[1] or found[2]))
    return highest


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
