"""A thousand people at once, each asking once, through a real `bulletin-bot run`: whatever they
ask (the records of the whole war, sixty days of history, trends, exports, charts, inline
queries), a bystander's /latest waits about as long as behind a thousand /help (at most 1.5
times as long, and a second for a machine shared with other work), everyone gets an answer (the
thing asked for, or "try again in a minute"), and the process stays under 200 MB.

The per-person throttle cannot help here: each of the thousand sends one command. What keeps
the bystander's wait down is that an answer is worked out once per state of the data and kept
(bot/limits.py, `Memo`), kept until the data changes (not at every commit of another
connection: the heartbeat's write probe every 10 s dropped them all), and what cannot be made
for each of a crowd waits for a turn of the shared limit or is refused, worked out in a process
of lower priority than the bot's (bot/drawing.py). The waits, and the processor time of the bot
and of its drawing process (steadier figures), are printed (`pytest -s`) for RELIABILITY.md;
the assertion compares crowds of the same run, so a busy machine slows them all
(bench/crowds.py runs them in rounds, code of several versions in turns)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from tests.fake_bot_api import LocalBotApi, SentMessage
from tests.faults.test_kill import bot_config, bulletin_bot, with_subscribers

CROWD = 1_000
BYSTANDER = 999_999
# A bystander's wait behind the heaviest crowd may be this many times that behind /help, plus
# this much for the scheduler's noise (the wait behind /help is about a second).
RATIO, NOISE = 1.5, 1.0
MOST_MEMORY_MB = 200
LAST_DAY = "8 August 2026"  # the newest day of the statistics API stand-in
CATEGORIES = ("tanks", "artillery", "uav", "personnel", "afv", "mlrs", "aircraft", "air_defence")


def _category(n: int) -> str:
    return CATEGORIES[n % len(CATEGORIES)]


def _day(n: int) -> str:
    return (date(2022, 3, 1) + timedelta(days=n)).isoformat()


# What a person of the crowd sends, by their number: a command, or ("inline", words).
Ask = Callable[[int], "str | tuple[str, str]"]

HELP: list[Ask] = [lambda n: "/help"]
# The flood: the records of the whole war, of everything or of one category.
RECORDS: list[Ask] = [lambda n: "/records", lambda n: f"/records {_category(n)}"]
# Everything whose cost grows with the history or the audience, with arguments that differ
# from person to person wherever a command takes any.
MIX: list[Ask] = [
    lambda n: f"/records {_category(n)}",
    lambda n: f"/history {1 + n % 60} {_category(n // 60)}",
    lambda n: "/history 60 tanks",
    lambda n: "/month" if n % 2 else f"/week {_category(n)}",
    lambda n: f"/compare {_category(n)} {_day(n)}",
    lambda n: "/compare",
    lambda n: "/export json" if n % 2 else "/export",
    lambda n: f"/export csv {_day(n)} {_day(n + 30)}",
    lambda n: f"/chart {_category(n)}",
    lambda n: f"/chart tanks artillery {30 + n}d",
    lambda n: ("inline", _category(n)[: 2 + n % 5]),
    lambda n: ("inline", f"{_category(n)} {_category(n + 1)} word{n}"),
]


# A chart of each category, the default period: drawn once each (one at a time, resting
# between), and sent to the rest of the crowd by Telegram's file id.
CHARTS: list[Ask] = [lambda n: f"/chart {_category(n)}"]


class Answers:
    """Who has been answered, kept as the stand-in records each message (the stand-in's own
    list would be scanned a thousand times a check)."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api
        self.chats: dict[int, SentMessage] = {}
        self._lock = threading.Lock()
        api.on_sent = self._sent

    def _sent(self, message: SentMessage) -> None:
        with self._lock:
            self.chats[message.chat_id] = message

    def seen(self, chats: set[int], inline: int) -> bool:
        with self._lock:
            return chats <= self.chats.keys() and len(self.api.inline_answers) >= inline


def crowd(
    api: LocalBotApi, answers: Answers, asks: list[Ask], first: int, size: int = CROWD
) -> tuple[float, str]:
    """`size` people from `first` on each ask once (cycling through `asks`), then the bystander
    asks for /latest. How long the bystander waited, and how the crowd was answered."""
    chats: set[int] = set()
    inline = len(api.inline_answers)
    for n in range(size):
        asked = asks[n % len(asks)](n)
        if isinstance(asked, tuple):
            api.inline_query(asked[1], user_id=first + n)
            inline += 1
        else:
            api.send_text(asked, chat_id=first + n)
            chats.add(first + n)
    answers.chats.pop(BYSTANDER, None)
    start = time.monotonic()
    api.send_text("/latest tanks", chat_id=BYSTANDER)
    assert api.wait_for(lambda: BYSTANDER in answers.chats, 300), "the bystander got no answer"
    waited = time.monotonic() - start
    assert "Tanks" in answers.chats[BYSTANDER].text
    assert api.wait_for(lambda: answers.seen(chats, inline), 600), "someone got no answer"
    kinds: dict[str, int] = {}
    for chat in chats:
        message = answers.chats[chat]
        kind = "busy" if "try again" in message.text else message.method
        kinds[kind] = kinds.get(kind, 0) + 1
    kinds["inline"] = size - len(chats)
    return waited, ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()) if count)


def started(api: LocalBotApi, answers: Answers) -> None:
    """Wait until the bot answers with the source's newest day: its first poll is over (a new
    day arriving mid-crowd would be a crowd of another test)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answers.chats.pop(BYSTANDER, None)
        api.send_text("/latest tanks", chat_id=BYSTANDER)
        assert api.wait_for(lambda: BYSTANDER in answers.chats, 60), "the bot did not start"
        if LAST_DAY in answers.chats[BYSTANDER].text:
            return
        time.sleep(0.5)
    raise AssertionError(f"the bot never had the source's {LAST_DAY}")


def cpu_seconds(pid: int) -> float:
    """The process's processor time so far (Linux: /proc/PID/stat): what a crowd cost it, a
    steadier figure than a wait on a machine shared with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_children(pid: int) -> list[int]:
    """The process and those it started (the drawing process among them: bot/drawing.py)."""
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def children_cpu_seconds(pid: int) -> float:
    """The processor time so far of the processes `pid` started (its drawing process, which
    builds exports and draws charts: bot/drawing.py), those that are still there."""
    total = 0.0
    for child in with_children(pid)[1:]:
        with contextlib.suppress(OSError):
            total += cpu_seconds(child)
    return total


def settled(pid: int) -> None:
    """Wait (a minute at most) until the bot and the processes it started are idle: the
    drawing process loads matplotlib as the bot starts, which would slow the first crowd."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(p) for p in with_children(pid))
        time.sleep(0.5)
        with contextlib.suppress(OSError):
            if sum(cpu_seconds(p) for p in with_children(pid)) - before < 0.05:
                return


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (Linux: VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_a_bystander_waits_no_longer_behind_a_crowd_of_heavy_commands_than_behind_help(
    tmp_path, fake_api
):
    with_subscribers(tmp_path / "bulletin.db", 0, queued=False)
    api = LocalBotApi()
    answers = Answers(api)
    with api.serve() as server:
        process = bulletin_bot(tmp_path, "run", config=bot_config(server, fake_api))
        try:
            started(api, answers)
            settled(process.pid)
            figures = {}
            for name, asks, first in (
                ("/help", HELP, 1),
                ("/records", RECORDS, 10_001),
                ("the mix", MIX, 20_001),
                ("/chart", CHARTS, 30_001),
            ):
                before, drawing = cpu_seconds(process.pid), children_cpu_seconds(process.pid)
                waited, answered = crowd(api, answers, asks, first)
                cpu = cpu_seconds(process.pid) - before
                figures[name] = waited, cpu, children_cpu_seconds(process.pid) - drawing, answered
            memory = peak_memory_mb(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    for name, (waited, cpu, drawing, answered) in figures.items():
        print(
            f"\nbehind {CROWD} of {name}: the bystander waited {waited:.2f} s"
            f" ({waited / figures['/help'][0]:.2f} times the wait behind /help); the bot spent"
            f" {cpu:.2f} s of processor time, its drawing process {drawing:.2f} s ({answered})"
        )
    print(f"peak memory of the bot: {memory:.0f} MB")
    help_wait = figures["/help"][0]
    for name, (waited, *_) in figures.items():
        assert waited <= RATIO * help_wait + NOISE, f"behind {name}"
    assert memory < MOST_MEMORY_MB
