"""`bulletin-bot console`: chat with the bot in the terminal, no token and no network needed.

The same application and handlers as `run`, talking through python-telegram-bot's real HTTP stack
to the local Bot API stand-in on 127.0.0.1, against the configured database. Each line read from
standard input is a message from you; the bot's replies are printed as plain text. `#Label`
presses a button under the last message that had buttons. Scriptable:

    printf '/latest tanks\\n/history drones 5\\n' | bulletin-bot console
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot import render
from bot.telegram.app import build, running
from bot.telegram.commands import Services
from bot.telegram.local_api import LocalBotApi, SentMessage

CHAT_ID = 1001
TOKEN = "1001:console"
REPLY_TIMEOUT_SECONDS = 30.0
WELCOME = "bulletin-bot console: type a command (/help lists them), #Label presses a button, "
WELCOME += "Ctrl-D quits."


async def chat(services: Services, lines: TextIO, out: TextIO) -> int:
    """Run the conversation until `lines` ends; how many messages got no reply in time."""
    api = LocalBotApi()
    interactive = lines.isatty()
    last_with_buttons: list[SentMessage] = []

    def show(message: SentMessage) -> None:  # called by the stand-in for every message
        if message.chat_id != CHAT_ID:
            return
        text = render.to_plain(message.text).replace("\n", "\n     ")
        if message.attachment is not None:
            size = f"{len(message.attachment) // 1024} KB"
            what = f"file {message.file_name}" if message.file_name else "picture"
            text = f"[{what}, {size}]\n     {text}"
        print(f"bot> {text}", file=out)
        if message.buttons:
            print("     " + "  ".join(f"[{label}]" for label, _ in message.buttons), file=out)
            last_with_buttons[:] = [message]
        out.flush()

    api.on_sent = show
    unanswered = 0
    with api.serve() as server:
        application = build(services, token=TOKEN, base_url=server.base_url)
        async with running(application):
            if interactive:
                print(WELCOME, file=out)
            while line := await _read(lines, out, interactive):
                if not interactive:
                    print(f"you> {line}", file=out)
                before = api.replies()
                if not _send(api, line, last_with_buttons, out):
                    continue
                answered = await asyncio.to_thread(
                    api.wait_for,
                    lambda before=before: api.replies() > before,
                    REPLY_TIMEOUT_SECONDS,
                )
                if not answered:
                    unanswered += 1
                    print("(no reply)", file=out)
    return unanswered


def _send(api: LocalBotApi, line: str, last_with_buttons: list[SentMessage], out: TextIO) -> bool:
    if not line.startswith("#"):
        api.send_text(line, chat_id=CHAT_ID)
        return True
    label = line[1:].strip().casefold()
    for message in last_with_buttons:
        for text, data in message.buttons:
            if text.casefold() == label:
                api.press(message, data)
                return True
    print("(no such button)", file=out)
    return False


async def _read(lines: TextIO, out: TextIO, interactive: bool) -> str | None:
    """The next non-empty line, or None at the end of input."""
    while True:
        if interactive:
            print("you> ", end="", file=out, flush=True)
        line = await asyncio.to_thread(lines.readline)
        if not line:
            return None
        if line.strip():
            return line.strip()


def main(services: Services) -> int:
    unanswered = asyncio.run(chat(services, sys.stdin, sys.stdout))
    return 1 if unanswered else 0
