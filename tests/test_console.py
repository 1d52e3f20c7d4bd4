"""`bulletin-bot console` on a database people are subscribed to, as real processes: it sends
and forgets its own chat's messages only, and holds the database as a running bot does."""

from __future__ import annotations

import io
import os
import pty
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Config, SourceConfig
from bot.ingest import seed_if_empty
from bot.store import Store
from bot.subscriptions import enqueue_bulletin, queue_broadcasts
from bot.telegram import console
from bot.telegram.services import Services
from bot.texts import format_date
from tests.bot_harness import BulletinBot, command, run_bulletin_bot
from tests.conftest import NOW

# Subscribers of the database: a person whose Telegram id is the one the console once used for
# itself (1001), another person, and a supergroup.
PEOPLE = (1001, 5, -1001234567890)


@pytest.fixture(scope="module")
def subscribed_file(tmp_path_factory) -> Path:
    """A bot's database: the bundled history, three subscribers, the latest bulletin due now
    for each of them and not yet sent (the bot is stopped, or about to send)."""
    path = tmp_path_factory.mktemp("subscribed") / "bulletin.db"
    store = Store(path)
    now = datetime.now(UTC)
    seed_if_empty(store, now=now, today=now.date())
    for chat_id in PEOPLE:
        kind = "private" if chat_id > 0 else "supergroup"
        store.subscribers.subscribe(chat_id, kind, send_at=None, timezone="Europe/Kyiv", now=now)
    enqueue_bulletin(store, store.reports.latest_date(), now=now)
    queue_broadcasts(store)
    store.close()
    return path


@pytest.fixture
def folder(tmp_path, subscribed_file) -> Path:
    shutil.copyfile(subscribed_file, tmp_path / "bulletin.db")
    (tmp_path / "config.toml").write_text(
        f'[storage]\ndatabase = "{tmp_path / "bulletin.db"}"\n'
        # Nothing here may reach Telegram: a port where nothing listens.
        '[telegram]\napi_base_url = "http://127.0.0.1:9/bot"\n'
    )
    return tmp_path


def rows(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(folder / "bulletin.db") as connection:
        found = {
            "outbox": connection.execute(
                "SELECT id, chat_id, status, attempts, sent_at FROM outbox ORDER BY id"
            ).fetchall(),
            "subscribers": connection.execute(
                "SELECT chat_id, status FROM subscribers ORDER BY chat_id"
            ).fetchall(),
            "chats": connection.execute("SELECT chat_id FROM chats ORDER BY chat_id").fetchall(),
        }
    connection.close()
    return found


def bulletin_bot(folder: Path, *args: str, script: str = "") -> subprocess.CompletedProcess[str]:
    """`bulletin-bot ARGS` on the folder's config to its end, reading `script`."""
    return run_bulletin_bot(folder, *args, config=folder / "config.toml", script=script)


def test_the_console_never_touches_another_chats_messages_or_subscription(folder):
    before = rows(folder)
    assert {chat for _, chat, status, _, _ in before["outbox"] if status == "pending"} == set(
        PEOPLE
    )
    result = bulletin_bot(folder, "console", script="/subscribe\n/latest tanks\n/unsubscribe\n")
    assert result.returncode == 0, result.stderr
    assert "you> /subscribe\nbot> " in result.stdout and "Tanks: 12,251" in result.stdout
    # Before: every due message of the three was "sent" into the console (never to the people),
    # and the person 1001's subscription was deleted when the console ended.
    assert rows(folder) == before
    # The console's own chat: an id no Telegram chat can have (at most 52 significant bits).
    assert console.CHAT_ID >= 2**52 and console.CHAT_ID not in PEOPLE


def test_the_console_sends_its_own_chats_messages_and_leaves_none_behind(folder):
    result = bulletin_bot(folder, "console", script="/subscribe\n/announce Hello, operator\n")
    assert result.returncode == 0, result.stderr
    assert "bot> 📢 Hello, operator" in result.stdout  # queued for everyone, shown here
    after = rows(folder)
    assert all(console.CHAT_ID not in row for table in after.values() for row in table)
    # The announcement waits for the people, for the bot to send: the console sent it to none.
    announced = [row for row in after["outbox"] if row[2] == "pending" and row[3] == 0]
    assert {row[1] for row in announced} == set(PEOPLE)
    assert len(announced) == 2 * len(PEOPLE)  # the bulletin and the announcement


def console_session(folder: Path) -> BulletinBot:
    """`bulletin-bot console` on the folder's config, left running, reading what the test
    types (`say`)."""
    return BulletinBot(folder, "console", config=folder / "config.toml")


def test_restore_and_run_are_refused_while_a_console_runs(folder):
    backup = folder / "backup.db"
    assert bulletin_bot(folder, "backup", str(backup)).returncode == 0
    with sqlite3.connect(folder / "bulletin.db") as connection:
        connection.execute("DELETE FROM outbox")  # since the backup: the bulletin went out
    connection.close()
    since_backup = rows(folder)
    session = console_session(folder)
    try:
        session.say("/latest tanks", expect="Tanks: 12,251")
        host = os.uname().nodename
        holder = f"another bulletin-bot runs on this database: pid {session.pid} on {host}"

        restored = bulletin_bot(folder, "restore", str(backup))
        assert restored.returncode == 1 and restored.stdout == ""
        assert restored.stderr.startswith(f"not restored: {holder}")
        assert restored.stderr.count("\n") == 1

        bot = bulletin_bot(folder, "run", "--wait", "0")
        assert bot.returncode == 1 and holder in bot.stderr

        session.say("/latest tanks", expect="Tanks: 12,251")  # the console carries on
    finally:
        status = session.finish(timeout=60)
    assert (status, session.err) == (0, "")
    assert rows(folder) == since_backup  # nothing restored
    # Once the console has ended, the database is free again.
    assert bulletin_bot(folder, "restore", str(backup)).returncode == 0


def test_the_console_numbers_pictures_on_from_the_highest_in_the_folder_never_over_one(folder):
    mine = folder / "picture-1.png"
    mine.write_text("my own picture")
    for number in (2, 3):  # two sessions in the same folder
        result = bulletin_bot(folder, "console", script="/chart tanks 30d\n")
        assert result.returncode == 0, result.stderr
        saved = folder / f"picture-{number}.png"
        assert f"[picture saved to {saved}]" in result.stdout
        assert saved.read_bytes().startswith(b"\x89PNG") and saved.stat().st_mode & 0o777 == 0o600
    assert mine.read_text() == "my own picture"


async def test_the_console_listens_on_no_port(history_store, fake_api, tmp_path, monkeypatch):
    """Its Bot API stand-in answers in the console's own process: before, the console served it
    on a loopback port, and the socket server that did was installed for every user."""
    listened: list[object] = []
    listen = socket.socket.listen

    def noted(sock: socket.socket, *args: int) -> None:
        listened.append(sock.getsockname())
        listen(sock, *args)

    monkeypatch.setattr(socket.socket, "listen", noted)
    config = Config(sources=(SourceConfig("api", fake_api.url),))
    services = Services(config, history_store, FixedClock(NOW))
    out = io.StringIO()
    assert await console.chat(services, io.StringIO("/latest tanks\n"), out, folder=tmp_path) == 0
    assert "you> /latest tanks\nbot> " in out.getvalue() and "Tanks: 12,24" in out.getvalue()
    assert listened == []


def exchanges(transcript: str) -> list[tuple[str, list[str]]]:
    """A scripted console session as (what was typed, the first line of each message printed
    under it), in order; the console's own notes, in brackets, count as messages."""
    found: list[tuple[str, list[str]]] = []
    for line in transcript.splitlines():
        if line.startswith("you> "):
            found.append((line[5:], []))
        elif line.startswith(("bot> ", "bot (pop-up)> ", "(")):
            found[-1][1].append(line)
    return found


def test_each_input_shows_all_its_replies_and_nothing_else(folder):
    """An admin's /on brings two messages (the bulletin, then where its figures came from): the
    second landed under the next command, and every later reply shifted by one."""
    script = "".join(
        f"/on {day} tanks\n/correct {day} artillery 99999 absurd\n"
        for day in ("2022-06-25", "2023-01-01", "2024-02-24")
    )
    result = bulletin_bot(folder, "console", script=script)
    assert result.returncode == 0, result.stderr
    expected = []
    for day, around in (
        ("2022-06-25", "759, 764"),
        ("2023-01-01", "2,016, 2,027"),
        ("2024-02-24", "9,916, 9,981"),
    ):
        expected += [
            (
                f"/on {day} tanks",
                [
                    "bot> Russian losses since 24 Feb 2022 (claimed by Ukraine's General Staff)",
                    f"bot> Where the figures of {format_date(date.fromisoformat(day))} came from",
                ],
            ),
            (
                f"/correct {day} artillery 99999 absurd",
                [
                    "bot> 99,999 is more than ten times Artillery systems on the days around it "
                    f"({around}); check the figure."
                ],
            ),
        ]
    assert exchanges(result.stdout) == expected, result.stdout


def test_the_console_delivers_everything_due_before_the_next_prompt(folder):
    """Only one queued message went out per line typed (one a second per chat, Telegram's
    pace), and the rest were dropped at the end."""
    script = "/subscribe\n" + "".join(f"/announce Note {n}\n" for n in range(1, 5)) + "/stats\n"
    result = bulletin_bot(folder, "console", script=script)
    assert result.returncode == 0, result.stderr
    subscribers = len(PEOPLE) + 1
    assert exchanges(result.stdout)[1:5] == [
        (
            f"/announce Note {n}",
            [
                f"bot> Announcement queued for {subscribers} active subscribers.",
                f"bot> 📢 Note {n}",
            ],
        )
        for n in range(1, 5)
    ]
    assert "due later" not in result.stdout  # nothing left to list


def test_ctrl_c_at_the_prompt_ends_the_console_at_once_and_quietly(folder):
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the console, on the terminal
        os.chdir(folder)
        os.execv(sys.executable, command("console", config=folder / "config.toml"))
    printed = b""

    def read_until(expected: bytes, timeout: float) -> bool:
        nonlocal printed
        deadline = time.monotonic() + timeout
        while expected not in printed and time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(terminal, 65536)
                except OSError:  # the child closed the terminal
                    return expected in printed
                if not chunk:
                    break
                printed += chunk
        return expected in printed

    ended = (0, 0)
    try:
        assert read_until(b"you> ", timeout=60), printed.decode()
        os.write(terminal, b"\x03")  # Ctrl-C, as the terminal sends it: SIGINT
        start = time.monotonic()
        deadline = start + 30
        while (ended := os.waitpid(pid, os.WNOHANG)) == (0, 0) and time.monotonic() < deadline:
            read_until(b"\0", timeout=0.2)  # keep the terminal drained
        took = time.monotonic() - start
    finally:
        if ended[0] != pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(terminal)
    assert ended[0] == pid, f"still running 30 s after Ctrl-C: {printed.decode()}"
    assert os.waitstatus_to_exitcode(ended[1]) == 130
    assert b"Traceback" not in printed and b"Error" not in printed, printed.decode()
    assert took < 15  # measured: 0.15 s
    assert rows(folder)["subscribers"] == [(c, "active") for c in sorted(PEOPLE)]


@pytest.mark.parametrize(
    ("args", "script"), [(("latest",), ""), (("console",), "/on 2022-06-25 tanks\n/chart\n")]
)
def test_output_closed_early_ends_quietly(folder, args, script):
    """`bulletin-bot latest | head -2`: a closed output is no error to show with tracebacks."""
    process = BulletinBot(folder, *args, config=folder / "config.toml")
    process.stdout.close()  # the reader is gone before the first line
    assert (process.finish(script), process.err) == (1, "")
