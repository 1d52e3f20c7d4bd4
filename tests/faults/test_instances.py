"""Two `bulletin-bot run` on one database, and a database deleted under a running bot, through
real processes: one instance at a time, and no silent fresh start."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bot import instance
from tests.bot_harness import BulletinBot, run_bulletin_bot, write_config
from tests.fake_bot_api import LocalBotApi
from tests.faults.test_kill import (
    FILES,
    _eventually,
    _pending,
    bot_config,
    bulletin_bot,
    with_subscribers,
)
from tests.test_console import console_session

SUBSCRIBERS = 1_000


@pytest.fixture
def folder(tmp_path):
    """A database made as an operator makes one: by a first command (which seeds it)."""
    first = bulletin_bot(tmp_path, "import", *FILES)
    assert first.wait(timeout=60) == 0
    return tmp_path


def started(api: LocalBotApi, count: int) -> bool:
    """`count` bots have set their command menus (the last step of start-up)."""
    return api.wait_for(lambda: api.commands_set >= 2 * count, timeout=60)


def test_a_second_bot_waits_for_the_first_to_stop_then_takes_over(folder, fake_api):
    api = LocalBotApi()
    with api.serve() as server:
        first = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        assert started(api, 1)
        second = bulletin_bot(folder, "run", "--wait", "30", config=bot_config(server, fake_api))
        time.sleep(3)
        assert second.poll() is None and api.commands_set == 2  # waiting, not started
        first.stop()
        assert first.returncode == 0, first.err
        assert started(api, 2), "the second bot did not take over"
        log = second.stop()
        assert second.returncode == 0, log


def test_of_two_bots_started_at_once_one_runs_and_the_other_says_why_not(folder, fake_api):
    api = LocalBotApi()
    with api.serve() as server:
        bots = [
            bulletin_bot(folder, "run", "--wait", "3", config=bot_config(server, fake_api))
            for _ in range(2)
        ]
        assert started(api, 1)
        deadline = time.monotonic() + 30
        while all(b.poll() is None for b in bots) and time.monotonic() < deadline:
            time.sleep(0.1)
        refused = [b for b in bots if b.poll() is not None]
        assert len(refused) == 1, "both bots run on one database"
        (running,) = [b for b in bots if b is not refused[0]]
        log = refused[0].stop()
        assert refused[0].returncode == 1
        assert "another bulletin-bot runs on this database: pid" in log
        assert "Traceback" not in log
        running.stop()
        assert running.returncode == 0
        assert api.commands_set == 2  # only one of them ever started


def test_a_database_deleted_under_a_running_bot_stops_it_and_is_not_silently_recreated(
    folder, fake_api
):
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        assert started(api, 1)
        for name in ("bulletin.db", "bulletin.db-wal", "bulletin.db-shm"):
            (folder / name).unlink(missing_ok=True)
        try:
            bot.wait(timeout=30)  # the heartbeat notices within 10 s
        except subprocess.TimeoutExpired:
            log = bot.stop()
            raise AssertionError(f"the bot went on without its database: {log}") from None
        log = bot.stop()
        assert bot.returncode == 1
        assert "was deleted or replaced while running" in log

        again = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        assert again.finish(timeout=30) == 1
        assert "is gone, but one was created there" in again.err
        assert not (folder / "bulletin.db").exists()
    health = bulletin_bot(folder, "health")
    assert health.finish(timeout=30) == 1 and "there is no database at" in health.err
    assert not (folder / "bulletin.db").exists()


def console(folder, config: str, script: str = "/latest tanks\n") -> subprocess.CompletedProcess:
    """`bulletin-bot console` on the folder's database, reading `script`."""
    database = f'[storage]\ndatabase = "{folder / "bulletin.db"}"\n'
    path = write_config(folder, database + config, "console.toml")
    return run_bulletin_bot(folder, "console", config=path, script=script, timeout=60)


def test_a_console_is_refused_on_the_database_of_a_running_bot(folder, fake_api):
    """Before: the console sent every due message of the bot's subscribers into its own
    stand-in (marked sent, never delivered to them)."""
    api = LocalBotApi()
    with api.serve() as server:
        bot = bulletin_bot(folder, "run", config=bot_config(server, fake_api))
        try:
            assert started(api, 1)
            result = console(folder, bot_config(server, fake_api))
        finally:
            log = bot.stop()
        assert bot.returncode == 0, log
    assert (result.returncode, result.stdout) == (1, ""), result.stdout
    assert result.stderr.startswith(
        "console not started: another bulletin-bot runs on this database: "
        f"pid {bot.pid} on {socket.gethostname()}"
    )
    assert "bulletin-bot backup COPY.db" in result.stderr and result.stderr.count("\n") == 1


def test_a_console_holds_the_database_for_as_long_as_it_runs(folder):
    """A lease is free once not renewed for its TTL: the console renews it, so a `restore`
    is refused however long its operator takes."""
    session = BulletinBot(folder, "console", stdout=subprocess.DEVNULL)
    try:
        time.sleep((instance.TTL + instance.HEARTBEAT).total_seconds())
        backup = bulletin_bot(folder, "backup", str(folder / "backup.db"))
        assert backup.wait(timeout=60) == 0
        restore = bulletin_bot(folder, "restore", str(folder / "backup.db"))
        assert restore.finish(timeout=60) == 1
        holder = f"another bulletin-bot runs on this database: pid {session.pid}"
        assert f"not restored: {holder}" in restore.err
    finally:
        session.finish(timeout=60)
    assert (session.returncode, session.err) == (0, "")


def test_a_console_stopped_for_longer_than_its_lease_answers_nothing_more(folder):
    """Ctrl-Z: the console's lease is not renewed, and a `restore` takes the database. When the
    console goes on, it says so and stops, rather than answer from a database not its own."""
    assert bulletin_bot(folder, "backup", str(folder / "backup.db")).wait(timeout=60) == 0
    session = console_session(folder)
    try:
        session.say("/latest tanks", expect="Tanks: 12,251")
        time.sleep(2)  # the stand-in has shown the answer: let it reach the bot, which waits
        session.send_signal(signal.SIGSTOP)
        time.sleep((instance.TTL + instance.HEARTBEAT / 5).total_seconds())
        restore = bulletin_bot(folder, "restore", str(folder / "backup.db"))
        assert restore.finish(timeout=60) == 0, restore.err
    finally:
        session.send_signal(signal.SIGCONT)
    status = session.finish("/latest tanks\n", timeout=60)
    assert status == 1 and session.out.count("bot> ") == 1  # no answer after
    assert session.err == (
        "console stopped: another process took the database's lease while the console was stopped\n"
    )


def pipe_already_full() -> tuple[int, int]:
    """A pipe (read end, write end) whose buffer is full: a process writing to it waits until
    someone reads. A process given it as stderr stalls at its first log line, as one whose log
    nobody reads does (issue 26: a full stderr pipe)."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    for size in (4096, 1):  # a write of up to 4 KB goes in whole or not at all
        with contextlib.suppress(BlockingIOError):
            while True:
                os.write(write_end, b"x" * size)
    os.set_blocking(write_end, True)  # the process must wait, not fail
    return read_end, write_end


def stalled_writing(pid: int) -> bool:
    """Whether the process waits to write into a full pipe."""
    return "pipe_write" in Path(f"/proc/{pid}/wchan").read_text()  # anon_pipe_write, too


def test_of_two_bots_after_a_crash_one_stalled_between_reading_and_taking_the_lease_only_one_runs(
    tmp_path, fake_api
):
    """A crashed holder's lease (same machine, pid gone) is taken over at once. Bot A reads it,
    logs "taking over", and stalls on that line (its stderr pipe is full); bot B starts, takes
    the lease and broadcasts; then A's pipe is read and A goes on. Before: A took the lease too,
    without looking again, put B's sends in flight back in the queue, and both sent (48 and 47
    repeats in the issue's two runs). Now A's take is a compare-and-set on the lease it read:
    it finds B's, waits its --wait, and refuses."""
    database = tmp_path / "bulletin.db"
    with_subscribers(database, SUBSCRIBERS, queued=True)
    api = LocalBotApi()
    api.faults.delay = 0.05
    with api.serve() as server:
        config = bot_config(server, fake_api, rate=50)
        crashed = bulletin_bot(tmp_path, "run", config=config)
        assert api.wait_for(lambda: len(api.sent) > 50, timeout=60)
        crashed.kill()
        crashed.wait(timeout=30)
        with sqlite3.connect(database) as connection:
            in_flight = connection.execute(
                "SELECT COUNT(*) FROM outbox WHERE status = 'sending'"
            ).fetchone()[0]
        sent_at_crash = len(api.sent)

        read_end, write_end = pipe_already_full()
        a = run_bot(tmp_path, "--wait", "3", stderr=write_end)
        os.close(write_end)
        deadline = time.monotonic() + 60
        while not stalled_writing(a.pid) and time.monotonic() < deadline:
            assert a.poll() is None
            time.sleep(0.05)
        assert stalled_writing(a.pid), "A never got to its first log line"

        with (tmp_path / "b.log").open("w") as b_log:
            b = run_bot(tmp_path, stderr=b_log.fileno())
        try:
            assert started(api, 2)  # the crashed one, and B
            assert api.wait_for(lambda: len(api.sent) > sent_at_crash + 50, timeout=60)
            a_log = drained(read_end, a)  # A goes on, B broadcasting
            assert a.returncode == 1, a_log
            assert f"another bulletin-bot runs on this database: pid {b.pid}" in a_log
            assert api.commands_set == 4, "A started too"
            assert _eventually(lambda: _pending(database) == 0, 120), "still pending"
        finally:
            b.send_signal(signal.SIGTERM)
            b.wait(timeout=30)
    got = Counter(m.chat_id for m in api.sent if m.method == "sendMessage")
    assert set(got) == set(range(1, SUBSCRIBERS + 1))
    repeats = sum(count - 1 for count in got.values())
    assert repeats <= in_flight, f"{repeats} repeats, {in_flight} in flight at the crash"
    print(f"two bots after a crash: {in_flight} in flight at the crash, {repeats} repeats")


def run_bot(folder: Path, *args: str, stderr: int) -> BulletinBot:
    """`bulletin-bot run` on the folder's config.toml (as `bulletin_bot` wrote it), its log to
    the descriptor `stderr`."""
    config = folder / "config.toml"
    return BulletinBot(
        folder,
        "run",
        *args,
        config=config,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def drained(read_end: int, process: subprocess.Popen, timeout: float = 30) -> str:
    """Read the pipe until the process ends (killed if it still runs after `timeout` s); what
    it wrote after the filler."""
    chunks: list[bytes] = []

    def read() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            while chunk := pipe.read1(65536):
                chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    reader.join(timeout=10)
    return b"".join(chunks).decode(errors="replace").lstrip("x")


def test_two_takers_of_one_dead_lease_from_two_threads_one_wins_and_only_it_releases(tmp_path):
    """The race itself, with the store's own functions on two connections and a barrier
    between reading the lease and taking it: both read the dead holder's lease, then both take
    it. One does; the other gets the winner's lease back, and releasing rows in flight under
    the lease it does not hold releases none."""
    from datetime import UTC, datetime, timedelta

    from bot.store import Lease, Store

    database = tmp_path / "bulletin.db"
    now = datetime.now(UTC)
    dead = Lease("host:1:0", 1, "host", now, now)
    setup = Store(database)
    assert setup.lease.take(dead, replacing=None) is None
    setup.outbox.enqueue((chat, "bulletin", "2026-08-08", now) for chat in range(1, 11))
    assert len(setup.outbox.claim_due(now + timedelta(seconds=1), 10)) == 10  # the dead one's
    setup.close()

    both_read = threading.Barrier(2)
    outcome: dict[str, tuple[Lease | None, int]] = {}

    def take_over(name: str) -> None:
        store = Store(database)
        seen = store.lease.current()
        both_read.wait()  # each has read the dead holder's lease; neither has written
        mine = Lease(f"host:{name}", 2, "host", now, now)
        other = store.lease.take(mine, replacing=seen)
        outcome[name] = (other, store.outbox.release_in_flight(mine.holder))
        store.close()

    threads = [threading.Thread(target=take_over, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [name for name, (other, _) in outcome.items() if other is None]
    assert len(winners) == 1, outcome
    (loser,) = set(outcome) - set(winners)
    assert outcome[loser][0] == Store(database).lease.current()  # told who holds it now
    assert (outcome[winners[0]][1], outcome[loser][1]) == (10, 0)  # released by the winner
