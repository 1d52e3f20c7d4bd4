"""`bulletin-bot console` on a database people are subscribed to, as real processes: it sends
and forgets its own chat's messages only, and holds the database as a running bot does."""

from __future__ import annotations

import os
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest import seed_if_empty
from bot.store import Store
from bot.subscriptions import enqueue_bulletin, queue_broadcasts
from bot.telegram import console

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
        store.subscribe(chat_id, kind, send_at=None, timezone="Europe/Kyiv", now=now)
    enqueue_bulletin(store, store.latest_date(), now=now)
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
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(folder / "config.toml"), *args],
        cwd=folder,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "BULLETIN_BOT_TOKEN": "1:console-test"},
    )


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


class Console:
    """`bulletin-bot console` left running, reading what the test types."""

    def __init__(self, folder: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(folder / "config.toml"), "console"],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.printed = b""

    def say(self, line: str, expect: str, timeout: float = 60) -> None:
        """Type a line, and wait until the console has printed `expect`."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()
        start, deadline = len(self.printed), time.monotonic() + timeout
        while expect.encode() not in self.printed[start:]:
            assert time.monotonic() < deadline, f"no {expect!r}: {self.printed.decode()}"
            ready, _, _ = select.select([self.process.stdout], [], [], 1)
            if ready:  # read what is there, unbuffered: a buffer would hide it from select
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"the console ended: {self.printed.decode()}"
                self.printed += chunk

    def end(self) -> tuple[int, str]:
        """End the input: the exit status, and what was said on standard error."""
        out, err = self.process.communicate(timeout=60)
        self.printed += out
        return self.process.returncode, err.decode()


def test_restore_and_run_are_refused_while_a_console_runs(folder):
    backup = folder / "backup.db"
    assert bulletin_bot(folder, "backup", str(backup)).returncode == 0
    with sqlite3.connect(folder / "bulletin.db") as connection:
        connection.execute("DELETE FROM outbox")  # since the backup: the bulletin went out
    connection.close()
    since_backup = rows(folder)
    session = Console(folder)
    try:
        session.say("/latest tanks", expect="Tanks: 12,251")
        host = os.uname().nodename
        holder = f"another bulletin-bot runs on this database: pid {session.process.pid} on {host}"

        restored = bulletin_bot(folder, "restore", str(backup))
        assert restored.returncode == 1 and restored.stdout == ""
        assert restored.stderr.startswith(f"not restored: {holder}")
        assert restored.stderr.count("\n") == 1

        bot = bulletin_bot(folder, "run", "--wait", "0")
        assert bot.returncode == 1 and holder in bot.stderr

        session.say("/latest tanks", expect="Tanks: 12,251")  # the console carries on
    finally:
        status, err = session.end()
    assert (status, err) == (0, "")
    assert rows(folder) == since_backup  # nothing restored
    # Once the console has ended, the database is free again.
    assert bulletin_bot(folder, "restore", str(backup)).returncode == 0


def test_the_console_saves_a_picture_beside_a_file_of_the_same_name_never_over_it(folder):
    mine = folder / "picture-1.png"
    mine.write_text("my own picture")
    result = bulletin_bot(folder, "console", script="/chart tanks 30d\n")
    assert result.returncode == 0, result.stderr
    saved = folder / "picture-1-2.png"
    assert f"[picture saved to {saved}]" in result.stdout
    assert mine.read_text() == "my own picture"
    assert saved.read_bytes().startswith(b"\x89PNG") and saved.stat().st_mode & 0o777 == 0o600
